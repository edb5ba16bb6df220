"""One index for every replica: built into a version folder, published, polled for and swapped in.

The index folder holds the build's workspace (index_store's files, flat, as before, and its caches) and
the published versions beside it:

    index/manifest.json, clauses.jsonl, ...   the workspace: the last build, reused by the next one
    index/versions/<version>/                 a published version: the workspace's files at the time
    index/CURRENT                             the newest version published from this folder (a pointer)

`publish` (run by `policybot index`, anywhere, and by a server after an SLT answer) builds the workspace
from the corpus and the SLT answers in the database, snapshots it into a new version folder (hard links:
index_store.write replaces files, never writes into them, so a snapshot is never changed afterwards),
records the version in the index_versions table and the pointer file, and prunes all but the newest
KEEP versions. A build that finds nothing changed publishes nothing new.

Every server polls the table (`latest`, one SELECT) and, when a newer version is there, loads it and swaps
it in (bot.runtime): questions being answered finish on the old index. Replicas on one host, or sharing
the index folder, load the published folder; a replica whose folder lacks it (an index folder per host)
builds the same version from its own corpus and the database's answers. While the database is down, a
server starts on the version the pointer names.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import secrets
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.errors import IndexMissing
from bot.reading.slt_answers import SltAnswerEntry
from bot.retrieval import index_store
from bot.retrieval.embeddings import Embedder
from bot.storage import slt_store
from bot.storage.tables import IndexVersion

log = logging.getLogger(__name__)
VERSIONS = "versions"
POINTER = "CURRENT"
LOCK = ".build.lock"
KEEP = 2  # versions kept on disk: the one being served and the one before (a replica still swapping)
_NAME = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{6}$")
DAMAGED = (ValueError, OSError, KeyError, TypeError, EOFError)  # a truncated file, a line that is not JSON


@dataclass(frozen=True)
class Publication:
    version: str
    new: bool  # False: the index was up to date and already published as *version*
    report: index_store.BuildReport


@dataclass(frozen=True)
class Loaded:
    version: str
    index: index_store.Index


def publish(settings: Settings, emb: Embedder, db: sessionmaker[Session],
            progress: Callable[[int, int], None] | None = None) -> Publication:
    """Bring the index up to date with the corpus and the database's SLT answers and publish it (unless the
    newest published version is this very build). Raises SQLAlchemyError when the database is down."""
    with _build_lock(settings.index_dir):
        slt_store.import_files(db, settings.corpus_dir)
        report = _build(settings, emb, slt_store.by_org(db), progress)
        built = _manifest_hash(settings.index_dir)
        newest = _newest(db)
        if newest is not None and newest.fingerprint == built and version_folder(settings, newest.version).is_dir():
            return Publication(newest.version, False, report)
        version = _snapshot(settings.index_dir)
        with db.begin() as session:
            session.add(IndexVersion(version=version, built_at=datetime.now(timezone.utc), built_by=_who(),
                                     clauses=report.clauses, fingerprint=built))
        _point(settings.index_dir, version)
        _prune(settings.index_dir, db)
    log.info("index version %s published (%d clauses)", version, report.clauses)
    return Publication(version, True, report)


def latest(db: sessionmaker[Session]) -> str | None:
    """The newest published version (the replicas' poll: one small SELECT); None when none is published
    or the database cannot be read now."""
    try:
        with db() as session:
            return session.scalar(select(IndexVersion.version).order_by(IndexVersion.id.desc()).limit(1))
    except SQLAlchemyError:
        return None


def current(settings: Settings, emb: Embedder, db: sessionmaker[Session]) -> Loaded:
    """What a server answers from at start (and after an SLT answer): the index brought up to date and
    published, then loaded. With the database down, the version the pointer names (else a build from
    the corpus alone, unpublished)."""
    try:
        version = publish(settings, emb, db).version
    except SQLAlchemyError as exc:
        log.warning("index: the database cannot be read (%s); starting on the last version built here",
                    exc.__class__.__name__)
        return _offline(settings, emb)
    return load(settings, emb, db, version)


def load(settings: Settings, emb: Embedder, db: sessionmaker[Session], version: str) -> Loaded:
    """Published *version*, from its folder; built here first when this index folder lacks it; built again
    (and published anew) when its files are damaged."""
    folder = version_folder(settings, version)
    if not folder.is_dir():
        _build_here(settings, emb, db, version)
    try:
        return Loaded(version, index_store.load(folder))
    except DAMAGED as exc:
        log.warning("index version %s is damaged (%s): building it again", version, exc.__class__.__name__)
    shutil.rmtree(folder, ignore_errors=True)
    (settings.index_dir / index_store.MANIFEST).unlink(missing_ok=True)
    fresh = publish(settings, emb, db).version
    return Loaded(fresh, index_store.load(version_folder(settings, fresh)))


def _build_here(settings: Settings, emb: Embedder, db: sessionmaker[Session], version: str) -> None:
    """Published *version* is not in this index folder (each host has its own): the same sources (this
    host's corpus, the database's answers) built here under its name, not published again."""
    log.info("index version %s is not in %s: building it here", version, settings.index_dir)
    with _build_lock(settings.index_dir):
        if version_folder(settings, version).is_dir():  # another process here built it meanwhile
            return
        _build(settings, emb, slt_store.by_org(db), None)
        _snapshot(settings.index_dir, version)
        _point(settings.index_dir, version)
        _prune(settings.index_dir, db)


def _offline(settings: Settings, emb: Embedder) -> Loaded:
    pointed = pointer(settings.index_dir)
    if pointed is not None:
        try:
            return Loaded(pointed, index_store.load(version_folder(settings, pointed)))
        except (IndexMissing, *DAMAGED) as exc:
            log.warning("index version %s cannot be loaded (%s)", pointed, exc.__class__.__name__)
    with _build_lock(settings.index_dir):
        _build(settings, emb, None, None)  # the SLT answers are in the database: back with it
        version = _snapshot(settings.index_dir)
        _point(settings.index_dir, version)
    return Loaded(version, index_store.load(version_folder(settings, version)))


def pointer(index_dir: Path) -> str | None:
    try:
        name = (index_dir / POINTER).read_text("utf-8").strip()
    except OSError:
        return None
    return name if _NAME.match(name) else None


def versions_on_disk(index_dir: Path) -> list[str]:
    """The version folders in *index_dir*, oldest first."""
    base = index_dir / VERSIONS
    return sorted(p.name for p in base.iterdir() if p.is_dir() and _NAME.match(p.name)) if base.is_dir() else []


def _build(settings: Settings, emb: Embedder, answers: dict[str, list[SltAnswerEntry]] | None,
           progress: Callable[[int, int], None] | None) -> index_store.BuildReport:
    return index_store.build(settings.corpus_dir, settings.index_dir, emb, progress,
                             max_bytes=settings.max_document_mb * 2**20, answers=answers)


def _snapshot(index_dir: Path, version: str | None = None) -> str:
    """The workspace's files, linked (copied across file systems) into a new version folder."""
    version = version or _new_name()
    base = index_dir / VERSIONS
    staging = base / f".staging-{version}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for path in index_dir.iterdir():
        if path.is_file() and not path.name.startswith(".") and path.name != POINTER:
            try:
                os.link(path, staging / path.name)
            except OSError:
                shutil.copy2(path, staging / path.name)
    os.replace(staging, base / version)
    return version


def _point(index_dir: Path, version: str) -> None:
    tmp = index_dir / f".{POINTER}.{os.getpid()}"
    tmp.write_text(version + "\n", "utf-8")
    os.replace(tmp, index_dir / POINTER)


def _prune(index_dir: Path, db: sessionmaker[Session]) -> None:
    """Delete all but the newest KEEP published versions (and the pointer's). A server still answering
    from a deleted one keeps its files open until it swaps: nothing it reads disappears under it."""
    with db() as session:
        keep = set(session.scalars(select(IndexVersion.version).order_by(IndexVersion.id.desc()).limit(KEEP)))
    keep.add(pointer(index_dir) or "")
    for name in versions_on_disk(index_dir):
        if name not in keep:
            shutil.rmtree(index_dir / VERSIONS / name, ignore_errors=True)


@contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time in an index folder (a server re-indexing and `policybot index` beside it)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _newest(db: sessionmaker[Session]) -> IndexVersion | None:
    with db() as session:
        return session.scalars(select(IndexVersion).order_by(IndexVersion.id.desc()).limit(1)).first()


def _manifest_hash(index_dir: Path) -> str:
    """What identifies a build: its manifest (model, corpus fingerprint, SLT answers, documents)."""
    return hashlib.sha256((index_dir / index_store.MANIFEST).read_bytes()).hexdigest()


def version_folder(settings: Settings, version: str) -> Path:
    return settings.index_dir / VERSIONS / version


def _new_name() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"


def _who() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]
