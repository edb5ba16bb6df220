"""The question log: every question, answered or not, kept for SLT review with personal data minimised.

A question is redacted and its asker pseudonymised *before* anything is stored, spool file included.
If the database is unreachable the entry goes to the spool and is written when the database is back;
the member of staff gets their answer either way.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from contextlib import AbstractContextManager, nullcontext
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import Answer, Question
from bot.errors import StorageError
from bot.privacy.pseudonym import pseudonym
from bot.privacy.redaction import redact
from bot.storage import concerns
from bot.storage.spool import Item, Spool
from bot.storage.tables import Feedback, GapVector, LogEntry, ReturnedClause

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0  # after a failed write, spool directly for this long rather than wait on a dead server
FLUSH_BATCH = 100  # spooled items written per transaction when the database is back


@dataclass(frozen=True)
class LogPolicy:
    """What one organisation's org file says about logging."""

    log_identities: bool = False  # keep the asker's real identity beside the pseudonym
    keep_names: tuple[str, ...] = ()  # published names (role holders) that redaction leaves alone


@dataclass(frozen=True)
class LogRecord:
    """One entry as stored: plain data, so it can wait in the spool as JSON."""

    id: str
    asked_at: str  # ISO 8601, UTC
    org: str
    channel: str
    asker: str
    asker_identity: str | None
    question: str
    answered: bool
    flagged: bool
    flag_reason: str | None
    clauses: list[dict[str, Any]] = field(default_factory=list)
    context: str | None = None
    raiser: str | None = None  # flagged only: who raised the concern, for the DSL's eyes (bot.storage.concerns)
    concern_about: str | None = None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def week_of(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL (PostgreSQL refuses it) and lone surrogates (no UTF-8)


def storable(text: str) -> str:
    """Text every database and the spool file accept: NUL and lone surrogates become U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def make_record(question: Question, answer: Answer, policy: LogPolicy, key: bytes, now: datetime) -> LogRecord:
    """The entry for one question, personal data minimised (pure: no storage touched)."""
    identity = None
    if policy.log_identities and question.user:
        identity = f"{question.user_name} ({question.user})" if question.user_name else question.user
        identity = storable(identity)
    return LogRecord(
        id=uuid.uuid4().hex, asked_at=now.isoformat(), org=question.org, channel=question.channel,
        asker=pseudonym(key, question.org, question.user), asker_identity=identity,
        question=redact(storable(answer.question or question.text), keep=policy.keep_names), answered=answer.answered,
        flagged=bool(answer.concern), flag_reason=answer.concern or None,
        clauses=[{"rank": n, "source": p.source, "document": p.document, "section": p.section, "score": p.score}
                 for n, p in enumerate(answer.passages)], context=question.context or None,
        raiser=storable(raiser_of(question)) if answer.concern else None, concern_about=answer.concern_about or None)


def raiser_of(question: Question) -> str:
    """Who raised a concern, as the DSL will see it: "Jo Bloggs (slack:T1:U9)"."""
    if question.user and question.user_name:
        return f"{question.user_name} ({question.user})"
    return question.user or f"someone on {question.channel} (not signed in)"


class SqlQuestionLog:
    def __init__(self, sessions: sessionmaker[Session], spool: Spool, key: bytes,
                 policies: Callable[[str], LogPolicy], embed: Callable[[list[str]], np.ndarray] | None = None,
                 clock: Callable[[], datetime] = utc_now, prepare: Callable[[], object] | None = None) -> None:
        """*prepare* runs before the first write (migrations, for a database that was down at start)."""
        self.sessions = sessions
        self.spool = spool
        self.key = key
        self.policies = policies
        self.embed = embed
        self.clock = clock
        self._retry_at = 0.0
        # SQLite has one writer at a time: writes queue here rather than fail "database is locked".
        # PostgreSQL takes concurrent transactions, so a spool being drained holds up nobody's entry.
        bind = sessions.kw.get("bind")
        self._lock: AbstractContextManager[object] = (
            threading.Lock() if bind is None or bind.dialect.name == "sqlite" else nullcontext())
        self._prepare = prepare
        self._preparing = threading.Lock()
        self._flushing = threading.Lock()  # held while a background drain runs
        # Why entries can be neither stored nor spooled right now (None when all is well): /healthz says so.
        self.problem: str | None = None

    def record(self, question: Question, answer: Answer) -> str | None:
        """Store the entry (or spool it); returns its id, or None if it could not be kept at all."""
        entry = make_record(question, answer, self.policies(question.org), self.key, self.clock())
        return entry.id if self._keep({"kind": "entry", **asdict(entry)}) else None

    def feedback(self, entry_id: str, helpful: bool, comment: str | None, org: str) -> bool:
        text = redact(storable(comment), keep=self.policies(org).keep_names)[:2000] if comment and comment.strip() else None
        item = {"kind": "feedback", "entry_id": entry_id, "org": org, "helpful": helpful, "comment": text,
                "given_at": self.clock().isoformat()}
        return self._keep(item)

    def flush(self) -> int:
        """Write whatever waits in the spool; returns how many items were written (0 if still down).
        An item the database refuses for what it holds (not for being down) is set aside in the
        dead-letter file with the reason, and never blocks the others."""
        try:
            written = self.spool.drain(self._write_or_set_aside)
            self._retry_at = 0.0  # the database answers again: write directly from now on
            return written
        except (SQLAlchemyError, StorageError) as exc:
            log.warning("question log: database still unreachable (%s); %d entries wait in %s",
                        exc.__class__.__name__, self.spool.pending(), self.spool.path)
            return 0

    def _keep(self, item: Item) -> bool:
        if time.monotonic() >= self._retry_at:
            try:
                self._write([item])
                self.problem = None
                if self.spool.waiting():
                    self._flush_in_background()
                return True
            except SQLAlchemyError as exc:
                if not _unreachable(exc):
                    return self._set_aside(item, exc)
                self._retry_at = time.monotonic() + RETRY_AFTER_S
                log.warning("question log: database unreachable (%s); spooling to %s",
                            exc.__class__.__name__, self.spool.path)
            except StorageError as exc:
                self._retry_at = time.monotonic() + RETRY_AFTER_S
                log.warning("question log: database unreachable (%s); spooling to %s",
                            exc.__class__.__name__, self.spool.path)
        try:
            self.spool.append(item)
            self.problem = None  # kept: in the spool until the database is back
            return True
        except OSError as exc:
            self.problem = f"the database is unreachable and the spool cannot be written ({exc.strerror or exc})"
            log.error("question log: could not spool an entry either: %s", exc.__class__.__name__)
            return False

    def _flush_in_background(self) -> None:
        """Drain the spool beside the request that found the database back, so that nobody waits for it
        (one drain at a time; the others carry on writing their own entries directly)."""
        if not self._flushing.acquire(blocking=False):
            return

        def drain() -> None:
            try:
                self.flush()
            finally:
                self._flushing.release()

        threading.Thread(target=drain, name="spool-flush", daemon=True).start()

    def _write_or_set_aside(self, items: Sequence[Item]) -> None:
        """The spool's items, FLUSH_BATCH to a transaction (questions being answered meanwhile write
        between them); if the database refuses a batch for what an item holds, each item on its own, and
        the refused ones set aside. Written items are never written twice (entry ids are checked), so a
        drain the database cuts short is simply drained again."""
        for start in range(0, len(items), FLUSH_BATCH):
            self._write_batch(items[start:start + FLUSH_BATCH])
        self.problem = None

    def _write_batch(self, items: Sequence[Item]) -> None:
        try:
            self._write(items)
        except SQLAlchemyError as exc:
            if _unreachable(exc):
                raise
            for item in items:
                try:
                    self._write([item])
                except SQLAlchemyError as one:
                    if _unreachable(one):
                        raise  # down again: the whole spool stays, and written items are not written twice
                    self._set_aside(item, one)

    def _set_aside(self, item: Item, exc: Exception) -> bool:
        """Keep an item the database refuses in `<spool>.dead` with the reason (the error's class and the
        database's message, never the item's text in the log)."""
        reason = f"{exc.__class__.__name__}: {str(getattr(exc, 'orig', exc)).splitlines()[0][:200]}"
        try:
            self.spool.set_aside(item, reason)
        except OSError as err:
            self.problem = f"an entry was refused by the database and could not be set aside ({err.__class__.__name__})"
            log.error("question log: an entry refused by the database could not be set aside either")
            return False
        log.warning("question log: the database refused an entry (%s); set aside in %s", exc.__class__.__name__,
                    self.spool.dead_path)
        return True

    def _write(self, items: Sequence[Item]) -> None:
        """Write entries then feedback, each at most once (ids are checked), in one transaction."""
        if self._prepare is not None:
            with self._preparing:  # Alembic is not thread-safe: the first writes may arrive together
                if self._prepare is not None:
                    self._prepare()
                    self._prepare = None
        with self._lock, self.sessions.begin() as session:
            for item in items:
                if item["kind"] == "entry":
                    self._write_entry(session, item)
            session.flush()
            for item in items:
                if item["kind"] == "feedback":
                    _write_feedback(session, item)

    def _write_entry(self, session: Session, item: Item) -> None:
        """Core inserts, not the ORM unit of work: this runs for every question, under the GIL."""
        if session.execute(select(LogEntry.id).where(LogEntry.id == item["id"])).first() is not None:
            return
        asked_at = datetime.fromisoformat(item["asked_at"])
        clauses = item["clauses"]
        top = clauses[0] if clauses else None
        session.execute(insert(LogEntry).values(
            id=item["id"], asked_at=asked_at, week=week_of(asked_at), org=item["org"], channel=item["channel"],
            asker=item["asker"], asker_identity=item["asker_identity"], question=item["question"],
            answered=item["answered"], flagged=item["flagged"], flag_reason=item["flag_reason"],
            top_source=top and top["source"], top_document=top and top["document"],
            top_section=top and top["section"], context=item.get("context")))
        if clauses:
            session.execute(insert(ReturnedClause), [{**c, "entry_id": item["id"]} for c in clauses])
        if item["flagged"]:
            concerns.add(session, item["id"], item["org"], asked_at, item["channel"],
                         item.get("raiser") or "unknown", item["question"], item["flag_reason"] or "",
                         item.get("concern_about") or "child")

    def fill_gap_vectors(self, limit: int = 500, since: datetime | None = None) -> int:
        """Embed unanswered questions that have no vector yet (for grouping similar gaps); returns how many.
        Runs beside the server (and before a dashboard page, for questions since *since* only), not while
        a member of staff waits."""
        if self.embed is None:
            return 0
        with self.sessions() as session:
            stmt = select(LogEntry.id, LogEntry.question).outerjoin(GapVector, GapVector.entry_id == LogEntry.id).where(
                LogEntry.answered.is_(False), GapVector.entry_id.is_(None)).order_by(
                LogEntry.asked_at.desc()).limit(limit)
            if since is not None:
                stmt = stmt.where(LogEntry.asked_at >= since)
            rows = session.execute(stmt).all()
        if not rows:
            return 0
        vectors = np.asarray(self.embed([r.question for r in rows]), dtype=np.float32)
        with self.sessions.begin() as session:
            for row, vector in zip(rows, vectors):
                if session.get(GapVector, row.id) is None:
                    session.add(GapVector(entry_id=row.id, vector=vector.tobytes()))
        return len(rows)


def _unreachable(exc: SQLAlchemyError) -> bool:
    """The database is down or the connection broke (wait and retry), as opposed to the database refusing
    what an entry holds (set that entry aside)."""
    return isinstance(exc, (OperationalError, InterfaceError)) or bool(getattr(exc, "connection_invalidated", False))


def _write_feedback(session: Session, item: Item) -> None:
    entry = session.get(LogEntry, item["entry_id"])
    if entry is None or entry.org != item["org"]:
        log.info("feedback for an entry not in this organisation's log (expired or unknown): %s",
                 item["entry_id"])
        return
    given_at = datetime.fromisoformat(item["given_at"])
    existing = session.scalars(select(Feedback).where(Feedback.entry_id == item["entry_id"])).first()
    if existing is None:
        session.add(Feedback(entry_id=item["entry_id"], org=entry.org, helpful=item["helpful"],
                             comment=item["comment"], given_at=given_at))
    elif given_at >= _aware(existing.given_at):
        existing.helpful, existing.comment, existing.given_at = item["helpful"], item["comment"], given_at


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
