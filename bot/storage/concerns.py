"""Safeguarding concerns for the DSL and deputies: written with the flagged question's log entry, then
seen and followed up on the dashboard. Every opening and every change is recorded (ConcernView): who
raised a concern is shown to the DSL alone, and a DSL can show who looked. Only organisation-scoped
functions read concerns: there is no way to list another school's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.tables import Concern, ConcernView, Deletion

STATUSES = ("new", "seen", "followed_up")
DEFAULT_RETENTION_DAYS = 2555


@dataclass(frozen=True)
class ConcernRow:
    id: str
    org: str
    raised_at: datetime
    channel: str
    raiser: str
    question: str
    reason: str
    about: str
    status: str
    seen_by: str | None
    seen_at: datetime | None
    followed_up_by: str | None
    followed_up_at: datetime | None
    note: str | None
    alerts_sent: int


@dataclass(frozen=True)
class ViewRow:
    viewer: str
    action: str
    at: datetime


def add(session: Session, entry_id: str, org: str, raised_at: datetime, channel: str, raiser: str, question: str,
        reason: str, about: str) -> None:
    """The concern of a flagged log entry (once: an entry spooled and written again adds nothing)."""
    if session.get(Concern, entry_id) is not None:
        return
    session.execute(insert(Concern).values(
        id=entry_id, org=org, raised_at=raised_at, channel=channel, raiser=raiser[:300], question=question,
        reason=reason[:100], about=about, status="new", alerts_sent=0, last_alert_at=raised_at))


class SqlConcerns:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] | None = None) -> None:
        self.sessions = sessions
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def for_org(self, org: str, status: str | None = None, limit: int = 200) -> list[ConcernRow]:
        """The organisation's concerns, newest first (no raiser shown here: a list view logs nothing)."""
        stmt = select(Concern).where(Concern.org == org)
        if status:
            stmt = stmt.where(Concern.status == status)
        with self.sessions() as session:
            return [_row(c, hide_raiser=True) for c in session.scalars(stmt.order_by(Concern.raised_at.desc()).limit(limit))]

    def counts(self, org: str) -> dict[str, int]:
        with self.sessions() as session:
            rows = session.execute(select(Concern.status, func.count()).where(Concern.org == org).group_by(Concern.status))
            found = {status: n for status, n in rows}
        return {s: found.get(s, 0) for s in STATUSES}

    def open(self, org: str, concern_id: str, viewer: str) -> tuple[ConcernRow, list[ViewRow]] | None:
        """One concern in full, raiser included; the opening is recorded. None if it is not *org*'s."""
        with self.sessions.begin() as session:
            concern = session.get(Concern, concern_id)
            if concern is None or concern.org != org:
                return None
            session.add(ConcernView(concern_id=concern_id, org=org, viewer=viewer, action="viewed", at=self.clock()))
            session.flush()
            views = session.scalars(select(ConcernView).where(ConcernView.concern_id == concern_id)
                                    .order_by(ConcernView.at, ConcernView.id)).all()
            return _row(concern), [ViewRow(v.viewer, v.action, _aware(v.at)) for v in views]

    def update(self, org: str, concern_id: str, viewer: str, status: str, note: str | None) -> bool:
        """Mark a concern seen or followed up (never back to new), with a note; who and when are kept."""
        if status not in STATUSES[1:]:
            raise ValueError(f"status must be one of {STATUSES[1:]}")
        now = self.clock()
        with self.sessions.begin() as session:
            concern = session.get(Concern, concern_id)
            if concern is None or concern.org != org:
                return False
            if concern.seen_at is None:
                concern.seen_by, concern.seen_at = viewer, now
            if status == "followed_up":
                concern.followed_up_by, concern.followed_up_at = viewer, now
            if concern.status != "followed_up":
                concern.status = status
            if note and note.strip():
                stamp = f"[{now:%d %b %Y %H:%M} {viewer}] {note.strip()[:4000]}"
                concern.note = f"{concern.note}\n{stamp}" if concern.note else stamp
            session.add(ConcernView(concern_id=concern_id, org=org, viewer=viewer, action=status, at=now))
        return True

    def due_for_reminder(self, minutes: int) -> list[ConcernRow]:
        """Concerns nobody has marked seen, whose last alert is at least *minutes* old."""
        cutoff = self.clock() - timedelta(minutes=minutes)
        with self.sessions() as session:
            stmt = select(Concern).where(Concern.status == "new", or_(Concern.last_alert_at.is_(None),
                                                                     Concern.last_alert_at <= cutoff))
            return [_row(c) for c in session.scalars(stmt.order_by(Concern.raised_at).limit(100))]

    def alerted(self, concern_id: str) -> None:
        """Record that an alert (first or reminder) went out now."""
        with self.sessions.begin() as session:
            session.execute(update(Concern).where(Concern.id == concern_id).values(
                alerts_sent=Concern.alerts_sent + 1, last_alert_at=self.clock()))


def purge(sessions: sessionmaker[Session], retention_days: Mapping[str, int], now: datetime,
          default_days: int = DEFAULT_RETENTION_DAYS) -> dict[str, int]:
    """Delete concerns older than their organisation's concern retention period (and their view records);
    each deletion is recorded like the log's."""
    deleted: dict[str, int] = {}
    with sessions.begin() as session:
        for org in session.scalars(select(Concern.org).distinct()).all():
            cutoff = now - timedelta(days=retention_days.get(org, default_days))
            expired = select(Concern.id).where(Concern.org == org, Concern.raised_at < cutoff)
            count = session.scalar(select(func.count()).select_from(expired.subquery())) or 0
            if count:
                session.execute(delete(ConcernView).where(ConcernView.concern_id.in_(expired)))
                session.execute(delete(Concern).where(Concern.org == org, Concern.raised_at < cutoff))
                session.add(Deletion(org=org, deleted_at=now, cutoff=cutoff, entries=count, reason="concern retention"))
                deleted[org] = count
    return deleted


def _row(c: Concern, hide_raiser: bool = False) -> ConcernRow:
    return ConcernRow(c.id, c.org, _aware(c.raised_at), c.channel, "" if hide_raiser else c.raiser, c.question,
                      c.reason, c.about, c.status, c.seen_by, _aware(c.seen_at) if c.seen_at else None,
                      c.followed_up_by, _aware(c.followed_up_at) if c.followed_up_at else None, c.note, c.alerts_sent)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
