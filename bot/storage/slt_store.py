"""SLT answers in the database: the slt_answers table is their only home (who approved each, when), shared
by every replica and read by indexing. A corpus folder's slt-answers.yaml from an earlier release is
imported once (bot.reading.slt_answers)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import ConfigError
from bot.reading import slt_answers
from bot.reading.slt_answers import SltAnswerEntry
from bot.storage.tables import LogEntry, SltAnswer

log = logging.getLogger(__name__)
IMPORTED = ".imported"  # slt-answers.yaml -> slt-answers.yaml.imported once its answers are in the database


def by_org(db: sessionmaker[Session]) -> dict[str, list[SltAnswerEntry]]:
    """Every SLT answer, by organisation, oldest first (the order they are quoted in when tied)."""
    with db() as session:
        rows = session.scalars(select(SltAnswer).order_by(SltAnswer.approved_at, SltAnswer.id)).all()
    found: dict[str, list[SltAnswerEntry]] = {}
    for r in rows:
        found.setdefault(r.org, []).append(SltAnswerEntry.model_construct(
            id=r.id, question=r.question, answer=r.answer, approved_by=r.approved_by, approved_at=r.approved_at))
    return found


def import_files(db: sessionmaker[Session], corpus_dir: Path) -> int:
    """Import each organisation folder's slt-answers.yaml (earlier releases kept answers there) into the
    database, then rename it *.imported so it is read no more; returns how many answers were new. An
    answer already in the database (same id) is kept as it is there. A file that cannot be read is left
    where it is, untouched, and reported."""
    added = 0
    if not corpus_dir.is_dir():
        return 0
    for path in sorted(corpus_dir.glob(f"*/{slt_answers.FILE}")):
        try:
            entries = slt_answers.read(path.parent)
        except ConfigError as exc:
            log.error("SLT answers not imported into the database, fix the file: %s", exc)
            continue
        added += _insert(db, path.parent.name, entries)
        try:
            path.replace(path.with_name(path.name + IMPORTED))
        except FileNotFoundError:  # another replica sharing the folder renamed it first
            pass
        log.info("%s: SLT answers imported into the database (%d new); the file is now %s%s",
                 path.parent.name, len(entries), slt_answers.FILE, IMPORTED)
    return added


def _insert(db: sessionmaker[Session], org: str, entries: list[SltAnswerEntry]) -> int:
    for _attempt in range(2):  # a replica importing the same file at the same moment: the second finds them
        try:
            with db.begin() as session:
                known = set(session.scalars(select(SltAnswer.id).where(SltAnswer.id.in_([e.id for e in entries]))))
                new = [e for e in entries if e.id not in known]
                session.add_all(SltAnswer(id=e.id, org=org, question=e.question, answer=e.answer,
                                          approved_by=e.approved_by, approved_at=e.approved_at) for e in new)
            return len(new)
        except IntegrityError:
            continue
    return 0


def withdraw(db: sessionmaker[Session], org: str, answer_id: str) -> bool:
    """Delete *org*'s SLT answer *answer_id* (the questions it resolved are open again); False when *org*
    has no such answer. The next published index no longer quotes it."""
    with db.begin() as session:
        row = session.get(SltAnswer, answer_id)
        if row is None or row.org != org:
            return False
        session.execute(update(LogEntry).where(LogEntry.resolved_by == answer_id).values(resolved_by=None))
        session.delete(row)
    return True
