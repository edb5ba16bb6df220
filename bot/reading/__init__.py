"""Reading policy documents: readers (one per format) turn a file into blocks (headings, paragraphs, list
items, table rows); cleanup, metadata, contacts and segmentation work on those blocks and give documents
and clauses.

Knows nothing about search, chat platforms or the question log.
"""
