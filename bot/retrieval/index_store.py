"""The persisted index: clauses, documents, organisations, clause embeddings, passage embeddings (each
clause's passage as it would be quoted) and what search derives from each clause (bot.retrieval.features)
in one folder.

Re-indexing does only what changed: an unchanged corpus is not read at all; a document whose bytes did
not change is not parsed again (load_corpus's cache under documents/); embeddings are cached by content
hash (model + text) and analysed terms by clause text, so only new or changed clauses are embedded and
analysed, and the model is loaded only if there is something to embed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bot.errors import DocumentError, IndexMissing
from bot.reading.corpus import Corpus, load_corpus
from bot.reading.readers import MAX_BYTES
from bot.reading import slt_answers
from bot.reading.slt_answers import SltAnswerEntry
from bot.reading.version import reading_id
from bot.reading.documents import (Clause, DocumentInfo, InductionPolicy, Organisation, Person, SltMember,
                                     StaffMember, Statement)
from bot.retrieval import clause_table
from bot.retrieval import features as features_mod
from bot.retrieval.embeddings import Embedder
from bot.retrieval.features import ClauseFeatures
from bot.retrieval.search import clause_embedding_text, passage_embedding_texts

FORMAT = 7  # 2: retention, identity opt-in, SLT members; 3: platform ids; 4: induction, staff; 5: features;
# 6: passage embeddings; 7: clauses as columns (clause_table), passage embeddings float16, staff matters stored
MANIFEST = "manifest.json"
CLAUSES = "clauses.jsonl"
VECTORS = "embeddings.npy"
PASSAGE_VECTORS = "passage_embeddings.npy"
DOCUMENTS = "documents"  # load_corpus's cache of parsed documents, by their bytes


@dataclass
class Index:
    orgs: dict[str, Organisation]
    documents: list[DocumentInfo]
    clauses: list[Clause]
    embeddings: np.ndarray
    keys: list[str]  # content hash of each clause's embedded text
    passage_embeddings: RowFile  # one row per clause, its passage's embedding, read row by row
    passage_keys: list[str]
    model_id: str
    problems: list[DocumentError]
    features: ClauseFeatures


@dataclass(frozen=True)
class BuildReport:
    clauses: int
    embedded: int  # texts (clauses and their passages, each distinct text once) that had to be embedded
    reused: int  # texts whose embedding came from the cache
    problems: list[DocumentError]


def embedding_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()[:32]


def build(corpus_dir: Path, index_dir: Path, embedder: Embedder,
          progress: Callable[[int, int], None] | None = None, max_bytes: int = MAX_BYTES,
          answers: Mapping[str, list[SltAnswerEntry]] | None = None) -> BuildReport:
    """Build or update the index in *index_dir* from *corpus_dir* (files over *max_bytes* are reported,
    not read) and the SLT *answers* (by organisation, from the database; None: the corpus folders'
    slt-answers.yaml files). The embedder is only asked to
    encode the clauses that are not in the cache (real embedders load their model lazily)."""
    model_id = embedder.model_id
    fingerprint = sources_fingerprint(corpus_dir, answers)
    if (unchanged := _unchanged(index_dir, model_id, fingerprint)) is not None:
        return unchanged
    corpus = (_answers_changed_only(corpus_dir, index_dir, model_id, answers)
              or load_corpus(corpus_dir, cache_dir=index_dir / DOCUMENTS, max_bytes=max_bytes, answers=answers))
    clause_texts = [clause_embedding_text(c) for c in corpus.clauses]
    around_texts = passage_embedding_texts(corpus.clauses)
    texts = {embedding_key(model_id, t): t for t in (*clause_texts, *around_texts)}
    keys = [embedding_key(model_id, t) for t in clause_texts]
    passage_keys = [embedding_key(model_id, t) for t in around_texts]
    previous = _previous(index_dir, model_id)
    cached = previous.vectors
    missing = [k for k in texts if k not in cached]
    if missing:
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(missing))

        fresh = embedder.encode([texts[k] for k in missing], progress=tick)
        cached.update({k: fresh[j] for j, k in enumerate(missing)})
    dim = next(iter(cached.values())).shape[0] if cached else 0

    def matrix(of: list[str]) -> np.ndarray:
        return np.vstack([cached[k] for k in of]).astype(np.float32) if of else np.zeros((0, dim), np.float32)

    derived = features_mod.derive(corpus.clauses, previous.terms)
    write(index_dir, corpus, keys, matrix(keys), derived, model_id, fingerprint,
          passages=(passage_keys, matrix(passage_keys)), texts=len(texts))
    return BuildReport(len(keys), len(missing), len(texts) - len(missing), corpus.problems)


def load(index_dir: Path) -> Index:
    manifest_path = index_dir / MANIFEST
    if not manifest_path.is_file():
        raise IndexMissing(f"no index in {index_dir}: run `policybot index` first")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    if manifest.get("format") != FORMAT:
        raise IndexMissing(f"the index in {index_dir} is from another version: run `policybot index`")
    clauses, keys, passage_keys = clause_table.read(index_dir / CLAUSES)
    return Index(
        orgs={o["slug"]: _org(o) for o in manifest["orgs"]},
        documents=[_document(d) for d in manifest["documents"]],
        clauses=clauses,
        # Memory-mapped, read-only: the pages are the file's, shared by every process serving this index
        # on one host (and by a version folder's hard links), and not copied by any scope (search._Scope).
        embeddings=np.load(index_dir / VECTORS, mmap_mode="r"),
        keys=keys,
        passage_embeddings=RowFile(index_dir / PASSAGE_VECTORS),
        passage_keys=passage_keys,
        model_id=manifest["model_id"],
        problems=_problems(manifest),
        features=features_mod.read(index_dir),
    )


class RowFile:
    """The rows of a 2-d .npy file, read when asked for (each question reads only its best clauses'
    passages). Read with pread, not memory-mapped: the rows come from the page cache, shared by every
    process on the host, and the file never counts in this process's RSS (a mapping of it did: the
    kernel maps the cached pages around each row read, 0.5 GB of RSS after 60 questions at 241k clauses)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(fh)
            self._offset = fh.tell()
        if len(shape) != 2 or fortran or dtype.hasobject:
            raise ValueError(f"{path.name}: not a C-ordered 2-d array of numbers")
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.dtype = dtype
        self._row_bytes = self.shape[1] * dtype.itemsize
        size = os.path.getsize(path)
        if size < self._offset + self.shape[0] * self._row_bytes:
            raise ValueError(f"{path.name} is truncated")
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: np.ndarray | list[int] | slice) -> np.ndarray:
        """The rows (in the order given) as an array of this file's dtype; consecutive rows in one read."""
        wanted = np.arange(self.shape[0])[rows] if isinstance(rows, slice) else np.asarray(rows, dtype=np.int64)
        if wanted.size and (wanted.min() < 0 or wanted.max() >= self.shape[0]):
            raise IndexError(f"row out of range 0..{self.shape[0] - 1}")
        out = np.empty((wanted.size, self.shape[1]), dtype=self.dtype)
        if not wanted.size:
            return out
        # numpy's stubs give ndarray its __buffer__ only on Python 3.12+; it is a buffer on 3.11 too
        flat = memoryview(out.reshape(-1).view(np.uint8))  # type: ignore[arg-type]
        breaks = np.flatnonzero(np.diff(wanted) != 1) + 1
        starts, ends = np.concatenate(([0], breaks)).tolist(), np.concatenate((breaks, [wanted.size])).tolist()
        size, base = self._row_bytes, self._offset
        for start, end, row in zip(starts, ends, wanted[starts].tolist()):
            view = flat[start * size:end * size]
            if os.preadv(self._fd, [view], base + row * size) != len(view):
                raise OSError("short read from the passage embeddings: the file changed under the index")
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self[slice(None)]
        return whole if dtype is None else whole.astype(dtype)


def _unchanged(index_dir: Path, model_id: str, fingerprint: str) -> BuildReport | None:
    """The report of a build that has nothing to do: the index is of this format and model, over a corpus
    whose files have not changed since. None if there is something to do."""
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if (manifest.get("format"), manifest.get("model_id"), manifest.get("fingerprint"), manifest.get("analysis"),
            manifest.get("reading")) != (FORMAT, model_id, fingerprint, features_mod.analysis_id(), reading_id()):
        return None
    n = int(manifest["clauses"])
    return BuildReport(n, 0, int(manifest.get("texts", n)), _problems(manifest))


@dataclass
class _Previous:
    vectors: dict[str, np.ndarray]  # by embedding key: clauses' and passages'
    terms: dict[str, list[str]]  # by features.terms_key


def _previous(index_dir: Path, model_id: str) -> _Previous:
    """What the index already there can give the new one: vectors by content key (when of this model) and
    analysed terms by clause text (when of this format). Only those are read, so an index written by an
    older format still saves re-embedding every clause."""
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text("utf-8"))
        rows = _previous_rows(index_dir / CLAUSES)
        vectors = np.load(index_dir / VECTORS) if manifest.get("model_id") == model_id else None
    except (OSError, ValueError, KeyError):
        return _Previous({}, {})
    same = vectors is not None and len(rows) == len(vectors)
    by_key = dict(zip((r["key"] for r in rows), vectors)) if same and vectors is not None else {}
    if by_key and "passage_key" in rows[0]:
        try:
            around = np.load(index_dir / PASSAGE_VECTORS)
        except (OSError, ValueError):
            around = None
        if around is not None and len(around) == len(rows):
            by_key.update(zip((r["passage_key"] for r in rows), around))
    return _Previous(by_key, _previous_terms(index_dir, manifest, rows))


def _previous_rows(path: Path) -> list[dict[str, Any]]:
    """The clause file's rows as {"key", "passage_key", "clause"}: a clause table (format 7), or one JSON
    object per clause (formats up to 6: their vectors are reused when the index is rebuilt in format 7)."""
    with open(path, encoding="utf-8") as fh:
        first = fh.readline()
    if '"field"' not in first[:40]:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]
    columns = clause_table.read_columns(path)
    plain = [dict(zip(clause_table.FIELDS, values)) for values in zip(*(columns[f] for f in clause_table.FIELDS))]
    return [{"key": k, "passage_key": pk, "clause": c} for k, pk, c in zip(columns["key"], columns["passage_key"], plain)]


def _previous_terms(index_dir: Path, manifest: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    if (manifest.get("format"), manifest.get("analysis")) != (FORMAT, features_mod.analysis_id()):
        return {}  # terms analysed with another vocabulary or code: analysed again
    try:
        stored = features_mod.read(index_dir)
    except (OSError, ValueError, KeyError):
        return {}
    if len(stored) != len(rows):
        return {}
    return {features_mod.terms_key(_clause(r["clause"])): stored.terms(i) for i, r in enumerate(rows)}


def _answers_changed_only(corpus_dir: Path, index_dir: Path, model_id: str,
                          answers: Mapping[str, list[SltAnswerEntry]] | None) -> Corpus | None:
    """The corpus of the index already here with its SLT answers replaced by *answers*, when nothing but
    the answers changed since it was built (an answer saved from the dashboard): no document is read again.
    The same corpus, clause for clause and in the same order, as reading it all would give. None when the
    corpus files (or the reading code, format or model) changed."""
    if answers is None:
        return None
    try:
        manifest = json.loads((index_dir / MANIFEST).read_text("utf-8"))
        built_from = str(manifest.get("fingerprint", "")).split("+slt:")[0]
        if (manifest.get("format"), manifest.get("model_id"), manifest.get("reading"), built_from) != (
                FORMAT, model_id, reading_id(), corpus_fingerprint(corpus_dir)) or "+slt:" not in manifest["fingerprint"]:
            return None
        old = load(index_dir)
    except (OSError, ValueError, KeyError, TypeError, EOFError, IndexMissing):
        return None
    fresh = {slug: slt_answers.load(corpus_dir, org, list(answers.get(slug, []))) for slug, org in old.orgs.items()}
    docs = [d for d in old.documents if not d.source.endswith(f"/{slt_answers.FILE}")]
    clauses = [c for c in old.clauses if c.kind != "slt-answer"]
    corpus = Corpus(orgs=old.orgs, problems=[p for p in old.problems if not p.source.endswith(f"/{slt_answers.FILE}")])
    for slug in sorted(old.orgs):  # load_corpus's order: each organisation's folder, then its SLT answers
        corpus.documents.extend(d for d in docs if d.org == slug)
        corpus.clauses.extend(c for c in clauses if c.org == slug)
        if fresh[slug] is not None:
            corpus.documents.append(fresh[slug][0])  # type: ignore[index]
            corpus.clauses.extend(fresh[slug][1])  # type: ignore[index]
    return corpus


def corpus_fingerprint(corpus_dir: Path) -> str:
    """Changes whenever a file under the corpus is added, removed or modified."""
    h = hashlib.sha256()
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        st = path.stat()
        h.update(f"{path.relative_to(corpus_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def sources_fingerprint(corpus_dir: Path, answers: Mapping[str, list[SltAnswerEntry]] | None = None) -> str:
    """The corpus's fingerprint, and the SLT answers' when they come from the database."""
    if answers is None:
        return corpus_fingerprint(corpus_dir)
    listed = json.dumps({org: [e.model_dump(mode="json") for e in entries] for org, entries in sorted(answers.items())
                         if entries}, sort_keys=True)
    return f"{corpus_fingerprint(corpus_dir)}+slt:{hashlib.sha256(listed.encode()).hexdigest()[:32]}"


def is_stale(corpus_dir: Path, index_dir: Path, model_id: str,
             answers: Mapping[str, list[SltAnswerEntry]] | None = None) -> bool:
    return _unchanged(index_dir, model_id, sources_fingerprint(corpus_dir, answers)) is None


def write(index_dir: Path, corpus: Corpus, keys: list[str], vectors: np.ndarray, derived: ClauseFeatures,
          model_id: str, fingerprint: str, passages: tuple[list[str], np.ndarray] | None = None,
          texts: int | None = None) -> None:
    """Write every file beside the old ones, then swap them in: a failed build loses nothing. Without
    *passages* (keys and embeddings of each clause's passage) each clause stands for its passage."""
    passage_keys, passage_vectors = passages if passages is not None else (keys, vectors)
    index_dir.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT, "model_id": model_id, "fingerprint": fingerprint, "clauses": len(keys),
        "texts": texts if texts is not None else len(set(keys) | set(passage_keys)),
        "analysis": features_mod.analysis_id(),
        "reading": reading_id(),
        "orgs": [_plain(o) for o in corpus.orgs.values()],
        "documents": [_plain(d) for d in corpus.documents],
        "problems": [{"source": p.source, "reason": p.reason} for p in corpus.problems],
    }
    staged = []
    for name, writer in ((VECTORS, lambda f: np.save(f, np.asarray(vectors, dtype=np.float32))),
                         # float16: only each question's best clauses' rows are read (and widened); the
                         # seed sets' answers are the same as with float32 (README, "Lean memory")
                         (PASSAGE_VECTORS, lambda f: np.save(f, np.asarray(passage_vectors, dtype=np.float16))),
                         (CLAUSES, lambda f: clause_table.write(f, corpus.clauses, keys, passage_keys)),
                         (features_mod.ARRAYS, lambda f: features_mod.write_arrays(derived, f)),
                         (features_mod.STRINGS, lambda f: features_mod.write_strings(derived, f)),
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


def _clause(raw: dict[str, Any]) -> Clause:
    return Clause(**{**raw, "roles": tuple(raw["roles"]), "names": tuple(raw["names"])})


def _problems(manifest: dict[str, Any]) -> list[DocumentError]:
    return [DocumentError(p["source"], p["reason"]) for p in manifest["problems"]]


def _person(raw: dict[str, Any]) -> Person:
    return Person(**{**raw, "handles": tuple(tuple(h) for h in raw["handles"])})


def _document(raw: dict[str, Any]) -> DocumentInfo:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return DocumentInfo(**{**raw, "next_review": day(raw["next_review"]), "replaced_on": day(raw["replaced_on"]),
                           "people": tuple(_person(p) for p in raw["people"])})
