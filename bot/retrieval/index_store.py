"""The persisted index: clauses, documents, organisations and clause embeddings in one folder.

Embeddings are cached by content hash (model + text): re-indexing embeds only clauses whose text
changed, so an unchanged corpus re-indexes without loading the model at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import DocumentError, IndexMissing
from bot.reading.corpus import Corpus, load_corpus
from bot.reading.documents import (Clause, DocumentInfo, InductionPolicy, Organisation, Person, SltMember,
                                     StaffMember, Statement)
from bot.retrieval.embeddings import Embedder
from bot.retrieval.search import clause_embedding_text

FORMAT = 4  # 2: retention, identity opt-in, SLT members; 3: platform ids; 4: induction, staff
MANIFEST = "manifest.json"
CLAUSES = "clauses.jsonl"
VECTORS = "embeddings.npy"


@dataclass
class Index:
    orgs: dict[str, Organisation]
    documents: list[DocumentInfo]
    clauses: list[Clause]
    embeddings: np.ndarray
    keys: list[str]  # content hash of each clause's embedded text
    model_id: str
    problems: list[DocumentError]


@dataclass(frozen=True)
class BuildReport:
    clauses: int
    embedded: int  # clauses whose embedding had to be computed
    reused: int
    problems: list[DocumentError]


def embedding_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:32]


def build(corpus_dir: Path, index_dir: Path, embedder: Embedder,
          progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build or update the index in *index_dir* from *corpus_dir*. The embedder is only asked to
    encode the clauses that are not in the cache (real embedders load their model lazily)."""
    model_id = embedder.model_id
    fingerprint = corpus_fingerprint(corpus_dir)
    corpus = load_corpus(corpus_dir)
    texts = [clause_embedding_text(c) for c in corpus.clauses]
    keys = [embedding_key(model_id, t) for t in texts]
    cached = _cached_vectors(index_dir, model_id)
    missing = sorted({k: i for i, k in enumerate(keys) if k not in cached}.values())
    if missing:
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(missing))

        fresh = embedder.encode([texts[i] for i in missing], progress=tick)
        cached.update({keys[i]: fresh[j] for j, i in enumerate(missing)})
    dim = next(iter(cached.values())).shape[0] if cached else 0
    vectors = np.vstack([cached[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, dim), np.float32)
    _write(index_dir, corpus, keys, vectors, model_id, fingerprint)
    return BuildReport(len(keys), len(missing), len(keys) - len(missing), corpus.problems)


def load(index_dir: Path) -> Index:
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file():
        raise IndexMissing(f"no index in {index_dir}: run `policybot index` first")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    if manifest.get("format") != FORMAT:
        raise IndexMissing(f"the index in {index_dir} is from another version: run `policybot index`")
    with open(index_dir / CLAUSES, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return Index(
        orgs={o["slug"]: _org(o) for o in manifest["orgs"]},
        documents=[_document(d) for d in manifest["documents"]],
        clauses=[Clause(**{**r["clause"], "roles": tuple(r["clause"]["roles"]),
                           "names": tuple(r["clause"]["names"])}) for r in rows],
        embeddings=np.load(index_dir / VECTORS),
        keys=[r["key"] for r in rows],
        model_id=manifest["model_id"],
        problems=[DocumentError(p["source"], p["reason"]) for p in manifest["problems"]],
    )


def _cached_vectors(index_dir: Path, model_id: str) -> dict[str, np.ndarray]:
    """Vectors of the index already there, by content key. Only the keys and vectors are read, so an
    index written by an older format still saves re-embedding every clause."""
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text("utf-8"))
        if manifest.get("model_id") != model_id:
            return {}
        with open(index_dir / CLAUSES, encoding="utf-8") as fh:
            keys = [json.loads(line)["key"] for line in fh]
        vectors = np.load(index_dir / VECTORS)
    except (OSError, ValueError, KeyError):
        return {}
    return dict(zip(keys, vectors)) if len(keys) == len(vectors) else {}


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Changes whenever a file under the corpus is added, removed or modified."""
    h = hashlib.sha256()
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        st = path.stat()
        h.update(f"{path.relative_to(corpus_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def is_stale(corpus_dir: Path, index_dir: Path, model_id: str) -> bool:
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return True
    return (manifest.get("format") != FORMAT or manifest.get("model_id") != model_id
            or manifest.get("fingerprint") != corpus_fingerprint(corpus_dir))


def _write(index_dir: Path, corpus: Corpus, keys: list[str], vectors: np.ndarray, model_id: str,
           fingerprint: str) -> None:
    """Write every file beside the old ones, then swap them in: a failed build loses nothing."""
    index_dir.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT, "model_id": model_id, "fingerprint": fingerprint,
        "orgs": [_plain(o) for o in corpus.orgs.values()],
        "documents": [_plain(d) for d in corpus.documents],
        "problems": [{"source": p.source, "reason": p.reason} for p in corpus.problems],
    }
    clauses = "".join(json.dumps({"key": k, "clause": _plain(c)}, ensure_ascii=False) + "\n"
                      for k, c in zip(keys, corpus.clauses))
    staged = []
    for name, writer in ((VECTORS, lambda f: np.save(f, vectors)),
                         (CLAUSES, lambda f: f.write(clauses.encode())),
                         (MANIFEST, lambda f: f.write(json.dumps(manifest, indent=1, default=str).encode()))):
        fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
        staged.append((tmp, index_dir / name))
    for tmp, final in staged:  # the manifest goes last: it is what marks the index complete
        os.replace(tmp, final)


def _plain(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)


def _org(raw: dict[str, Any]) -> Organisation:
    return Organisation(**{**raw, "people": tuple(_person(p) for p in raw["people"]),
                           "slt": tuple(SltMember(**m) for m in raw.get("slt", ())),
                           "platform_ids": tuple(tuple(p) for p in raw.get("platform_ids", ())),
                           "induction": tuple(InductionPolicy(file=p["file"], key_points=tuple(p["key_points"]),
                                                              statements=tuple(Statement(**s) for s in p["statements"]))
                                              for p in raw.get("induction", ())),
                           "staff": tuple(StaffMember(name=m["name"], email=m["email"],
                                                      handles=tuple(tuple(h) for h in m["handles"]))
                                          for m in raw.get("staff", ()))})


def _person(raw: dict[str, Any]) -> Person:
    return Person(**{**raw, "handles": tuple(tuple(h) for h in raw["handles"])})


def _document(raw: dict[str, Any]) -> DocumentInfo:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return DocumentInfo(**{**raw, "next_review": day(raw["next_review"]), "replaced_on": day(raw["replaced_on"]),
                           "people": tuple(_person(p) for p in raw["people"])})
