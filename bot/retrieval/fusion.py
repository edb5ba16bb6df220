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


def convex_at(lexical: np.ndarray, dense: np.ndarray, rows: np.ndarray, dense_at: np.ndarray,
              alpha: float) -> np.ndarray:
    """convex() for *rows* only, with *dense_at* in place of their dense scores but the scales of the
    whole arrays (BM25's maximum, the dense minimum and maximum): the same numbers a full convex() with
    those values would give those rows when they stay within the range, without touching the others."""
    top = float(lexical.max()) if lexical.size else 0.0
    lex = lexical[rows] / top if top > 0 else np.zeros(rows.size, dtype=lexical.dtype)
    lo, hi = (float(dense.min()), float(dense.max())) if dense.size else (0.0, 0.0)
    den = (dense_at - lo) / (hi - lo) if hi > lo else np.zeros_like(dense_at)
    return alpha * lex + (1.0 - alpha) * den


EXACT_UP_TO = 5000  # clauses; above this, document relevance is read off the best EXACT_UP_TO clauses


def document_prior(scores: np.ndarray, document_of: np.ndarray, n_documents: int, top: int) -> np.ndarray:
    """For each clause, its document's relevance on a 0..1 scale: the mean of the document's *top* best
    clause scores (a document with several clauses on the question is the policy asked about, one stray
    line is not), divided by the best document's.

    Over a large scope only the best EXACT_UP_TO clauses are sorted (a full sort of 100,000 scores cost
    more than the rest of the search): a document whose best *top* are among them gets its exact mean; one
    with fewer counts each missing clause at the cut-off score, an upper bound (such documents rank below
    the cut-off anyway, whatever their factor)."""
    if scores.size > EXACT_UP_TO:
        keep = np.argpartition(-scores, EXACT_UP_TO - 1)[:EXACT_UP_TO]
        floor = float(scores[keep].min())
        sub_scores, sub_docs = scores[keep], document_of[keep]
    else:
        floor, sub_scores, sub_docs = 0.0, scores, document_of
    order = np.lexsort((-sub_scores, sub_docs))  # by document, best clause first
    docs, scored = sub_docs[order], sub_scores[order]
    starts = np.searchsorted(docs, np.arange(n_documents))
    ends = np.searchsorted(docs, np.arange(n_documents), side="right")
    counts = np.minimum(ends - starts, top)
    running = np.concatenate(([0.0], np.cumsum(scored, dtype=np.float64)))
    sums = running[starts + counts] - running[starts]  # each document's best *top* scores, summed
    if scores.size > EXACT_UP_TO:
        sizes = np.bincount(document_of, minlength=n_documents)
        missing = np.minimum(sizes, top) - counts  # clauses of the document's best below the cut-off
        relevance = (sums + missing * floor) / np.maximum(np.minimum(sizes, top), 1)
    else:
        relevance = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
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
