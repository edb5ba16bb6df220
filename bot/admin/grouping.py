"""Grouping similar unanswered questions so SLT see one gap once, however many people asked it."""

from __future__ import annotations

import numpy as np

SIMILAR = 0.72  # cosine of all-MiniLM-L6-v2 embeddings; paraphrases of one question sit above it


def group_similar(vectors: np.ndarray, threshold: float = SIMILAR) -> list[list[int]]:
    """Leader clustering over unit-length rows, in the order given: each row joins the first group
    whose leader it is at least *threshold* similar to, else leads a new group. Deterministic, one pass,
    O(rows x groups) — a few milliseconds for the hundreds of open gaps a school has."""
    groups: list[list[int]] = []
    leaders: list[np.ndarray] = []
    for row, vector in enumerate(vectors):
        if leaders:
            sims = np.stack(leaders) @ vector
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                groups[best].append(row)
                continue
        groups.append([row])
        leaders.append(vector)
    return groups
