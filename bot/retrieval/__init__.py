"""Search over the clauses that bot.reading produces: text analysis, the persisted index, BM25 and
embeddings, fusion and the per-organisation hybrid search.

Knows nothing about chat platforms or the question log.
"""
