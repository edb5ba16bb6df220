"""What the dashboard's pages show, read from the log for the filters chosen (bot.admin.filters): the
review page, and the drill-down from a policy or one of its clauses to the questions behind it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin import queries, terms
from bot.admin.charts import Bar, bar_chart, sparkline
from bot.admin.filters import Chosen
from bot.admin.queries import Week
from bot.core.compose import review_status
from bot.reading.documents import SltMember
from bot.runtime import Runtime
from bot.storage.tables import LogEntry

MONTHLY_AFTER = 26  # a period of more weeks than this is charted by month on a phone
TREND_POLICIES = 10  # policies with a trend on the review page


def known(runtime: Runtime, org: str, policy: str, section: str | None) -> bool:
    """Whether *policy* (and its *section*) is one of *org*'s: a document title of its index, or one its
    log has quoted."""
    if section is None and policy in policy_titles(runtime, org):
        return True
    stmt = select(LogEntry.id).where(LogEntry.org == org, LogEntry.top_document == policy)
    if section is not None:
        stmt = stmt.where(LogEntry.top_section == section)
    with runtime.db() as session:
        return session.execute(stmt.limit(1)).first() is not None


def policy_titles(runtime: Runtime, org: str) -> list[str]:
    scope = set(runtime.service.searcher.scope_orgs(org))
    return sorted({d.title for d in runtime.service.documents.values()
                   if d.org in scope and not d.source.endswith("slt-answers.yaml")})


def home(runtime: Runtime, org: str, who: SltMember, chosen: Chosen) -> dict[str, Any]:
    f = chosen.filters
    end = _end(runtime, chosen)
    # The few asked since the background run (every 30 s), so that every gap on the page is grouped.
    runtime.log.fill_gap_vectors(since=runtime.clock() - timedelta(hours=1))
    with runtime.db() as session:
        asked = queries.weekly(session, org, f)
        weeks = queries.fill_weeks(asked, f.since.date(), end)
        quoted = queries.quoted(session, org, f)
        top = queries.top_policies(quoted, TREND_POLICIES)
        data: dict[str, Any] = {
            "org": runtime.orgs[org], "chosen": chosen, "since": f.since.date(),
            "totals": queries.totals(session, org, f, asked),
            "gaps": queries.open_gaps(session, org, f), "max_gaps": queries.MAX_OPEN_GAPS,
            "top_clauses": queries.top_clauses(quoted), "top_policies": top,
            "trends": _trends(session, org, chosen, top, end),
            "not_helpful": queries.not_helpful(session, org, f),
            "flagged": queries.flagged(session, org, f) if who.dsl else None,
            "deletions": queries.deletions(session, org),
        }
    data.update(charts(weeks, "", ""))
    data.update(choices(runtime, org, chosen))
    data["stale"] = stale_documents(runtime, org)
    return data


def drill(runtime: Runtime, org: str, chosen: Chosen) -> dict[str, Any]:
    """The questions behind one policy (or one clause section of it), its trend and the feedback given.
    Every figure counts what the list can show: safeguarding-flagged questions are the DSL's own section's."""
    f = replace(chosen.filters, flagged=False)
    assert f.policy is not None
    end = _end(runtime, chosen)
    with runtime.db() as session:
        weeks = queries.fill_weeks(queries.weekly(session, org, f), f.since.date(), end)
        data: dict[str, Any] = {
            "org": runtime.orgs[org], "chosen": chosen,
            "totals": queries.totals(session, org, f, weeks),
            "questions": queries.questions_behind(session, org, f),
            "count": queries.behind_count(session, org, f),
            "feedback": queries.feedback_counts(session, org, f),
            "sections": queries.top_clauses(queries.quoted(session, org, replace(f, section=None)), 50),
        }
    data.update(charts(weeks, f" — {f.policy}", f.policy))
    data.update(choices(runtime, org, chosen))
    return data


def charts(weeks: list[Week], suffix: str, policy: str | None) -> dict[str, Any]:
    """Questions and answered rate per week; on a phone, per month when the period is long."""
    months = queries.by_month(weeks) if len(weeks) > MONTHLY_AFTER else None
    name = "Questions per week" if not policy else "Questions per week" + suffix

    def asked(ws: list[Week], monthly: bool) -> list[Bar]:
        return [Bar(_label(w.week, monthly), w.asked, f"{_when(w.week, monthly)}: {w.asked} asked") for w in ws]

    def rate(ws: list[Week], monthly: bool) -> list[Bar]:
        return [Bar(_label(w.week, monthly), w.answered_rate * 100,
                    f"{_when(w.week, monthly)}: {w.answered_rate:.0%} answered of {w.asked}") for w in ws]

    return {
        "asked_chart": bar_chart(asked(weeks, False), name, narrow=asked(months, True) if months else None,
                                 counts=True),
        "rate_chart": bar_chart(rate(weeks, False), "Answered rate per week" + suffix, top=100,
                                axis=lambda v: f"{v:.0f}%", narrow=rate(months, True) if months else None),
        "monthly_on_phone": months is not None,
    }


def choices(runtime: Runtime, org: str, chosen: Chosen) -> dict[str, Any]:
    """What the filter form offers."""
    today = runtime.clock().date()
    return {"policies": policy_titles(runtime, org), "channels": queries.CHANNELS,
            "terms": terms.recent(today), "report_terms": terms.recent(today)}


def stale_documents(runtime: Runtime, org: str) -> list[tuple[str, str, str]]:
    today = runtime.service.today()
    scope = set(runtime.service.searcher.scope_orgs(org))
    out = []
    for doc in runtime.service.documents.values():
        status = review_status(doc, today)
        if doc.org in scope and status in ("overdue", "replaced"):
            out.append((doc.title, status, doc.next_review_text or str(doc.replaced_on or "")))
    return sorted(out)


def _trends(session: Session, org: str, chosen: Chosen, top: list[queries.Counted], end: date) -> list[dict[str, Any]]:
    """Per most-asked policy: questions, answered rate and a weekly (monthly, over half a year) trend."""
    f = chosen.filters
    # The trend counts every question whose first clause is the policy's, answered or not (the rate's base).
    base = queries.Filters(f.since, f.until, None, None, f.channel, f.answered)
    per = queries.policy_weeks(session, org, base, [c.label for c in top])
    out = []
    for c in top:
        weeks = queries.fill_weeks(per.get(c.label, []), f.since.date(), end)
        series = queries.by_month(weeks) if len(weeks) > MONTHLY_AFTER else weeks
        asked, answered = sum(w.asked for w in weeks), sum(w.answered for w in weeks)
        out.append({"policy": c.label, "asked": asked, "rate": answered / asked if asked else 0.0,
                    "by": "month" if series is not weeks else "week", "link": chosen.query(policy=c.label, section=None),
                    "spark": sparkline([w.asked for w in series], f"{c.label}: questions per "
                                       f"{'month' if series is not weeks else 'week'}")})
    return out


def _end(runtime: Runtime, chosen: Chosen) -> date:
    today = runtime.clock().date()
    last = chosen.last_day
    return today if last is None or last > today else last


def _label(day: date, monthly: bool) -> str:
    return f"{day:%b %y}" if monthly else f"{day:%-d %b}"


def _when(day: date, monthly: bool) -> str:
    return f"{day:%B %Y}" if monthly else f"week of {day:%-d %b}"

