"""Score fusion: pure functions over plain arrays, with known-answer tests in tests/retrieval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def scale_to_max(scores: np.ndarray) -> np.ndarray:
    """Divide by the best score so the top clause gets 1.0 (BM25 scores have no fixed scale).
    All-zero scores (no query word in the corpus) stay zero."""
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def min_max(scores: np.ndarray) -> np.ndarray:
    """Map the lowest score to 0 and the highest to 1; constant scores map to 0."""
    if not scores.size:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    return (scores - lo) / (hi - lo) if hi > lo else np.zeros_like(scores)


def convex(lexical: np.ndarray, dense: np.ndarray, alpha: float) -> np.ndarray:
    """alpha * lexical + (1 - alpha) * dense, each first put on a 0..1 scale.

    Convex combination keeps how *much* better one clause is than the next, which reciprocal-rank
    fusion throws away; with scores normalised per query it is the stronger fusion on small corpora."""
    return alpha * scale_to_max(lexical) + (1.0 - alpha) * min_max(dense)


def document_prior(scores: np.ndarray, document_of: np.ndarray, n_documents: int, top: int) -> np.ndarray:
    """For each clause, its document's relevance on a 0..1 scale: the mean of the document's *top* best
    clause scores (a document with several clauses on the question is the policy asked about, one stray
    line is not), divided by the best document's."""
    order = np.lexsort((-scores, document_of))  # by document, best clause first
    docs, scored = document_of[order], scores[order]
    starts = np.searchsorted(docs, np.arange(n_documents))
    ends = np.searchsorted(docs, np.arange(n_documents), side="right")
    relevance = np.array([scored[a:min(b, a + top)].mean() if b > a else 0.0 for a, b in zip(starts, ends)])
    best = float(relevance.max()) if relevance.size else 0.0
    relevance = relevance / best if best > 0 else np.ones_like(relevance)
    return np.clip(relevance, 0.0, 1.0)[document_of].astype(scores.dtype)


def reciprocal_rank(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """Reciprocal-rank fusion: sum of 1 / (k + rank) over rankings (rank starts at 1).

    k = 60 is the constant of Cormack et al. (2009): large enough that a single first place does not
    outweigh consistent good ranks. Kept as the baseline the benchmark compares against."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first (ties: lower index first)."""
    k = min(k, scores.size)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.lexsort((part, -scores[part]))]
