"""The peer the product's search is measured against: rank-bm25 BM25Okapi over each scope's clause texts
(lower-case \\w+ tokens) and brute-force numpy cosine over the same embedding rows, the same convex
fusion (alpha 0.5, BM25 scaled to its max, cosine min-max), top k; one scope per organisation, by the
product's documented rule (scope_rows, checked row for row against the product's scopes)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402

from benchmarks.speed_common import K  # noqa: E402
from bot.reading.documents import Clause, DocumentInfo, Organisation  # noqa: E402
from bot.retrieval.embeddings import Embedder  # noqa: E402

_TOKEN = re.compile(r"\w+")


def tokenise(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def scope_rows(orgs: dict[str, Organisation], documents: list[DocumentInfo], clauses: list[Clause],
               org: str) -> np.ndarray:
    """The clauses *org*'s staff may be quoted, by the product's documented rule: its own documents, then
    its parent trusts' except a trust document whose title a nearer organisation also has.
    (check_scopes compares the result with the product's own scopes, row for row.)"""
    chain = [org]
    while (parent := orgs[chain[-1]].parent) is not None:
        chain.append(parent)
    allowed: set[str] = set()
    nearer: set[str] = set()
    for member in chain:
        docs = [d for d in documents if d.org == member]
        allowed.update(d.source for d in docs if d.title.strip().lower() not in nearer)
        nearer.update(d.title.strip().lower() for d in docs)
    return np.array([i for i, c in enumerate(clauses) if c.source in allowed], dtype=np.int64)


@dataclass
class _PeerScope:
    rows: np.ndarray
    bm25: BM25Okapi | None
    matrix: np.ndarray


class Peer:
    """rank-bm25 BM25Okapi + brute-force numpy cosine, convex fusion, top k; one scope per organisation."""

    def __init__(self, orgs: dict[str, Organisation], documents: list[DocumentInfo], clauses: list[Clause],
                 embeddings: np.ndarray, embedder: Embedder, alpha: float = 0.5,
                 rows_for: Callable[[str], np.ndarray] | None = None) -> None:
        self.orgs, self.documents, self.clauses = orgs, documents, clauses
        self.embeddings, self.embedder, self.alpha = embeddings, embedder, alpha
        self.rows_for = rows_for or (lambda org: scope_rows(orgs, documents, clauses, org))
        self.scopes: dict[str, _PeerScope] = {}

    def scope(self, org: str) -> _PeerScope:
        if org not in self.scopes:
            rows = self.rows_for(org)
            tokens = [tokenise(self.clauses[i].text) for i in rows]
            bm25 = BM25Okapi(tokens) if len(rows) else None
            matrix = np.ascontiguousarray(self.embeddings[rows], dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix /= np.where(norms > 0, norms, 1.0)
            self.scopes[org] = _PeerScope(rows, bm25, matrix)
        return self.scopes[org]

    def search(self, org: str, question: str, k: int = K) -> np.ndarray:
        s = self.scope(org)
        if s.bm25 is None:
            return np.zeros(0, dtype=np.int64)
        lexical = np.asarray(s.bm25.get_scores(tokenise(question)), dtype=np.float32)
        q = self.embedder.encode([question])[0]
        q = q / (np.linalg.norm(q) or 1.0)
        dense = s.matrix @ q
        top = float(lexical.max())
        lex = lexical / top if top > 0 else np.zeros_like(lexical)
        lo, hi = float(dense.min()), float(dense.max())
        den = (dense - lo) / (hi - lo) if hi > lo else np.zeros_like(dense)
        fused = self.alpha * lex + (1.0 - self.alpha) * den
        k = min(k, fused.size)
        part = np.argpartition(-fused, k - 1)[:k]
        return s.rows[part[np.argsort(-fused[part], kind="stable")]]
