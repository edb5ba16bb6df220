"""BM25 over analysed clause terms, using bm25s (sparse matrices: milliseconds at 100k clauses)."""

from __future__ import annotations

import bm25s
import numpy as np


class Bm25Index:
    def __init__(self, documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self._empty = not any(documents)
        self._retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        self._size = len(documents)
        if not self._empty:
            self._retriever.index([d or [""] for d in documents], show_progress=False)
        self.vocabulary = frozenset(t for d in documents for t in d)

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every document for *terms* (unknown terms are ignored)."""
        known = [t for t in terms if t in self.vocabulary]
        if self._empty or not known:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)
