"""Corpus reading, clause segmentation, metadata and contact extraction, hybrid search.

Knows nothing about chat platforms or the question log.
"""
