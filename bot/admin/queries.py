"""Read-only questions SLT ask of the log, for one organisation and a period. Shared by the
`policybot report` command and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.admin.grouping import group_similar
from bot.storage.tables import Deletion, Feedback, GapVector, LogEntry

MAX_OPEN_GAPS = 500  # the most recent unanswered questions grouped on one page
CSV_PAGE = 2000  # entries read at a time for the dashboard's streamed CSV export


CHANNELS = ("web", "slack", "teams", "telegram")


@dataclass(frozen=True)
class Filters:
    """What the dashboard's filters select: entries asked from *since* up to *until* (exclusive; None: now),
    on one *channel*, whose first quoted clause is from *policy* (a document title; *section* narrows it to
    one clause's section), answered or not (None: both)."""

    since: datetime
    until: datetime | None = None
    policy: str | None = None
    section: str | None = None
    channel: str | None = None
    answered: bool | None = None
    flagged: bool | None = None  # not a filter of the page's: False leaves safeguarding-flagged entries out


Period = Filters | datetime  # a bare datetime: everything since then (the `policybot report` command's)


@dataclass(frozen=True)
class Week:
    week: date
    asked: int
    answered: int
    flagged: int = 0

    @property
    def answered_rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class Totals:
    asked: int
    answered: int
    flagged: int
    askers: int


@dataclass(frozen=True)
class Gap:
    """Similar unanswered questions: the most recent wording first."""

    ids: tuple[str, ...]
    questions: tuple[str, ...]
    last_asked: datetime

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Counted:
    label: str
    detail: str
    count: int


@dataclass(frozen=True)
class Comment:
    asked_at: datetime
    question: str
    comment: str | None
    top_document: str | None
    top_section: str | None


@dataclass(frozen=True)
class Flagged:
    id: str
    asked_at: datetime
    question: str
    reason: str | None
    channel: str


def _filters(period: Period) -> Filters:
    return period if isinstance(period, Filters) else Filters(period)


def _period(stmt: Select[Any], org: str, period: Period) -> Select[Any]:
    f = _filters(period)
    stmt = stmt.where(LogEntry.org == org, LogEntry.asked_at >= f.since)
    return _narrow(stmt if f.until is None else stmt.where(LogEntry.asked_at < f.until), f)


def _narrow(stmt: Select[Any], f: Filters) -> Select[Any]:
    """The filters other than the dates."""
    if f.channel is not None:
        stmt = stmt.where(LogEntry.channel == f.channel)
    if f.policy is not None:
        stmt = stmt.where(LogEntry.top_document == f.policy)
    if f.section is not None:
        stmt = stmt.where(LogEntry.top_section == f.section)
    if f.answered is not None:
        stmt = stmt.where(LogEntry.answered.is_(f.answered))
    if f.flagged is not None:
        stmt = stmt.where(LogEntry.flagged.is_(f.flagged))
    return stmt


def weekly(session: Session, org: str, since: Period) -> list[Week]:
    stmt = _period(select(LogEntry.week, func.count(), func.sum(case((LogEntry.answered, 1), else_=0)),
                          func.sum(case((LogEntry.flagged, 1), else_=0))), org, since).group_by(
        LogEntry.week).order_by(LogEntry.week)
    return [Week(week, asked, answered or 0, flagged or 0) for week, asked, answered, flagged in session.execute(stmt)]


def totals(session: Session, org: str, since: Period, weeks: list[Week] | None = None) -> Totals:
    """Counts for the period; pass the period's *weeks* when already fetched (one scan fewer)."""
    weeks = weekly(session, org, since) if weeks is None else weeks
    # DISTINCT in a subquery: PostgreSQL hashes it, where count(DISTINCT ...) would sort.
    people = _period(select(LogEntry.asker).distinct(), org, since).subquery()
    askers = session.scalar(select(func.count()).select_from(people)) or 0
    return Totals(sum(w.asked for w in weeks), sum(w.answered for w in weeks), sum(w.flagged for w in weeks), askers)


def fill_weeks(weeks: list[Week], start: date, end: date) -> list[Week]:
    """Every week from *start*'s to *end*'s, with zeros where nobody asked (a chart's time axis must not
    skip the holidays)."""
    have = {w.week: w for w in weeks}
    first, last = start - timedelta(days=start.weekday()), end - timedelta(days=end.weekday())
    out, day = [], first
    while day <= last:
        out.append(have.get(day, Week(day, 0, 0)))
        day += timedelta(weeks=1)
    return out


def open_gaps(session: Session, org: str, since: Period, limit: int = MAX_OPEN_GAPS) -> list[Gap]:
    """Unanswered, unresolved questions (safeguarding-flagged ones excluded: only the DSL sees those),
    similar ones grouped, the most asked first. A question not yet embedded stands alone."""
    stmt = _period(select(LogEntry.id, LogEntry.question, LogEntry.asked_at, GapVector.vector).outerjoin(
        GapVector, GapVector.entry_id == LogEntry.id), org, since).where(
        LogEntry.answered.is_(False), LogEntry.flagged.is_(False), LogEntry.resolved_by.is_(None)).order_by(
        LogEntry.asked_at.desc()).limit(limit)
    rows = session.execute(stmt).all()
    embedded = [r for r in rows if r.vector is not None]
    groups = group_similar(np.stack([np.frombuffer(r.vector, dtype=np.float32) for r in embedded])) \
        if embedded else []
    clusters = [[embedded[i] for i in g] for g in groups] + [[r] for r in rows if r.vector is None]
    gaps = [Gap(ids=tuple(r.id for r in c), questions=tuple(r.question for r in c), last_asked=c[0].asked_at)
            for c in clusters]
    return sorted(gaps, key=lambda g: (-g.count, -g.last_asked.timestamp()))


def quoted(session: Session, org: str, since: Period) -> list[Counted]:
    """How often each clause was the first one quoted in an answer, most first (one grouped scan of a
    covering index; top_clauses and top_policies are cut from it)."""
    stmt = _period(select(LogEntry.top_document, LogEntry.top_section, func.count()), org, since).where(
        LogEntry.answered.is_(True)).group_by(LogEntry.top_document, LogEntry.top_section)
    counted = [Counted(doc or "", section or "", count) for doc, section, count in session.execute(stmt)]
    return sorted(counted, key=lambda c: (-c.count, c.label, c.detail))


def top_clauses(counted: list[Counted], n: int = 10) -> list[Counted]:
    return counted[:n]


def top_policies(counted: list[Counted], n: int = 10) -> list[Counted]:
    by_doc: dict[str, int] = {}
    for c in counted:
        by_doc[c.label] = by_doc.get(c.label, 0) + c.count
    return [Counted(doc, "", count) for doc, count in sorted(by_doc.items(), key=lambda d: (-d[1], d[0]))[:n]]


def not_helpful(session: Session, org: str, since: Period, n: int = 50) -> list[Comment]:
    """Answers marked not helpful in the period (when the feedback was given), newest first; flagged
    questions are the DSL's alone."""
    f = _filters(since)
    stmt = select(LogEntry.asked_at, LogEntry.question, Feedback.comment, LogEntry.top_document,
                  LogEntry.top_section).join(LogEntry, LogEntry.id == Feedback.entry_id).where(
        Feedback.org == org, Feedback.helpful.is_(False), Feedback.given_at >= f.since,
        LogEntry.flagged.is_(False)).order_by(Feedback.given_at.desc()).limit(n)
    if f.until is not None:
        stmt = stmt.where(Feedback.given_at < f.until)
    return [Comment(*row) for row in session.execute(_narrow(stmt, f))]


@dataclass(frozen=True)
class Behind:
    """A question behind a policy or clause, as the log keeps it (redacted when stored; no asker)."""

    asked_at: datetime
    question: str
    answered: bool
    channel: str
    section: str | None
    helpful: bool | None
    comment: str | None


def questions_behind(session: Session, org: str, period: Filters, n: int = 200) -> list[Behind]:
    """The questions the filters select (a policy, a clause), newest first, with their feedback.
    Safeguarding-flagged questions are never listed here: the DSL has them in their own section."""
    stmt = _period(select(LogEntry.asked_at, LogEntry.question, LogEntry.answered, LogEntry.channel,
                          LogEntry.top_section, Feedback.helpful, Feedback.comment).outerjoin(
        Feedback, Feedback.entry_id == LogEntry.id), org, period).where(LogEntry.flagged.is_(False))
    return [Behind(*row) for row in session.execute(stmt.order_by(LogEntry.asked_at.desc()).limit(n))]


def behind_count(session: Session, org: str, period: Filters) -> int:
    stmt = _period(select(func.count()).select_from(LogEntry), org, period).where(LogEntry.flagged.is_(False))
    return session.scalar(stmt) or 0


def feedback_counts(session: Session, org: str, period: Period) -> tuple[int, int]:
    """(helpful, not helpful) given on the period's unflagged entries."""
    stmt = _period(select(Feedback.helpful, func.count()).join(LogEntry, LogEntry.id == Feedback.entry_id),
                   org, period).where(LogEntry.flagged.is_(False)).group_by(Feedback.helpful)
    found = {bool(h): c for h, c in session.execute(stmt)}
    return found.get(True, 0), found.get(False, 0)


def policy_weeks(session: Session, org: str, period: Period, policies: list[str]) -> dict[str, list[Week]]:
    """Per policy (first quoted clause's document) of *policies*: its weeks, asked and answered."""
    if not policies:
        return {}
    stmt = _period(select(LogEntry.top_document, LogEntry.week, func.count(),
                          func.sum(case((LogEntry.answered, 1), else_=0))), org, period).where(
        LogEntry.top_document.in_(policies)).group_by(LogEntry.top_document, LogEntry.week).order_by(LogEntry.week)
    out: dict[str, list[Week]] = {p: [] for p in policies}
    for doc, week, asked, answered in session.execute(stmt):
        out[doc].append(Week(week, asked, answered or 0))
    return out


def by_month(weeks: list[Week]) -> list[Week]:
    """Weekly counts as monthly ones (a week counts in the month its Monday falls in); each Week's
    *week* is then the month's first day."""
    months: dict[date, list[int]] = {}
    for w in weeks:
        m = months.setdefault(w.week.replace(day=1), [0, 0, 0])
        m[0] += w.asked
        m[1] += w.answered
        m[2] += w.flagged
    return [Week(day, *counts) for day, counts in sorted(months.items())]


def flagged(session: Session, org: str, since: Period, n: int = 100) -> list[Flagged]:
    """Questions describing a live concern about a child: for the DSL's eyes only."""
    stmt = _period(select(LogEntry.id, LogEntry.asked_at, LogEntry.question, LogEntry.flag_reason,
                          LogEntry.channel), org, since).where(LogEntry.flagged.is_(True)).order_by(
        LogEntry.asked_at.desc()).limit(n)
    return [Flagged(*row) for row in session.execute(stmt)]


def deletions(session: Session, org: str, n: int = 20) -> list[Deletion]:
    stmt = select(Deletion).where(Deletion.org == org).order_by(Deletion.deleted_at.desc()).limit(n)
    return list(session.scalars(stmt))


def entries_for_csv(session: Session, org: str, since: Period, include_flagged: bool) -> Select[Any]:
    stmt = _period(select(LogEntry.asked_at, LogEntry.channel, LogEntry.asker, LogEntry.question,
                          LogEntry.answered, LogEntry.flagged, LogEntry.top_document, LogEntry.top_section,
                          Feedback.helpful, Feedback.comment).outerjoin(Feedback, Feedback.entry_id == LogEntry.id),
                   org, since).order_by(LogEntry.asked_at)
    return stmt if include_flagged else stmt.where(LogEntry.flagged.is_(False))


def csv_page(session: Session, org: str, since: Period, include_flagged: bool,
             after: tuple[datetime, str] | None = None, limit: int = CSV_PAGE) -> list[Any]:
    """The next *limit* rows of `entries_for_csv` after (asked_at, id) *after*, each with the entry's id
    last: a long export is read a page at a time, each page a short query (no transaction or cursor held
    open while the client downloads)."""
    stmt = entries_for_csv(session, org, since, include_flagged).add_columns(LogEntry.id).order_by(LogEntry.id)
    if after is not None:
        stmt = stmt.where(or_(LogEntry.asked_at > after[0], and_(LogEntry.asked_at == after[0], LogEntry.id > after[1])))
    return list(session.execute(stmt.limit(limit)))
