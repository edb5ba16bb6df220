"""Retention: entries older than their organisation's retention period are deleted, and each deletion
is itself recorded (when, for whom, up to which date, how many) so that SLT can show it happened."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.tables import Deletion, Feedback, GapVector, LogEntry, ReturnedClause

DEFAULT_RETENTION_DAYS = 365


def purge(sessions: sessionmaker[Session], retention_days: Mapping[str, int], now: datetime,
          default_days: int = DEFAULT_RETENTION_DAYS) -> dict[str, int]:
    """Delete expired entries of every organisation in the log; returns {org: entries deleted}.
    An organisation no longer in the corpus keeps the default period."""
    deleted: dict[str, int] = {}
    with sessions.begin() as session:
        orgs = session.scalars(select(LogEntry.org).distinct()).all()
        for org in orgs:
            cutoff = now - timedelta(days=retention_days.get(org, default_days))
            count = _purge_org(session, org, cutoff)
            if count:
                session.add(Deletion(org=org, deleted_at=now, cutoff=cutoff, entries=count, reason="retention"))
                deleted[org] = count
    return deleted


def _purge_org(session: Session, org: str, cutoff: datetime) -> int:
    expired = select(LogEntry.id).where(LogEntry.org == org, LogEntry.asked_at < cutoff)
    count = session.scalar(select(func.count()).select_from(expired.subquery())) or 0
    if count:
        # Children first: the same statements work whether or not the database enforces cascades.
        session.execute(delete(ReturnedClause).where(ReturnedClause.entry_id.in_(expired)))
        session.execute(delete(Feedback).where(Feedback.entry_id.in_(expired)))
        session.execute(delete(GapVector).where(GapVector.entry_id.in_(expired)))
        session.execute(delete(LogEntry).where(LogEntry.org == org, LogEntry.asked_at < cutoff))
    return count
