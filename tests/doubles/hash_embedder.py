"""A deterministic embedder for fast tests: hashed bag of stemmed words, unit length."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from bot.retrieval import analysis


class HashEmbedder:
    model_id = "hash-embedder:256"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls = 0  # how many texts were encoded (tests check the cache)
        self.texts: list[str] = []  # which

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.calls += len(texts)
        self.texts.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in analysis.terms(text):
                out[row, int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        if progress:
            progress(len(texts))
        return out / np.where(norms == 0, 1.0, norms)
