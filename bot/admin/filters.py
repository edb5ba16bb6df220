"""The dashboard's filters, read from the page's address (so a filtered view is a link one can share) and
written back into every link the page makes (export, drill-down, the governors' report).

  since=YYYY-MM-DD   until=YYYY-MM-DD (inclusive)   term=autumn-2026 (replaces since/until; bot.admin.terms)
  policy=<document title>   section=<section of a clause> (with policy; the drill-down's)
  channel=web|slack|teams|telegram   answered=yes|no

A value that is not understood is dropped, with a notice that never repeats the link's words (nobody can
make the dashboard show text of their choosing); a policy or section is taken only if it is one the
school's log or index has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlencode

from starlette.requests import Request

from bot.admin import terms
from bot.admin.queries import CHANNELS, Filters

DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class Chosen:
    """The filters as the page shows and links them."""

    filters: Filters
    term: terms.Term | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def first_day(self) -> date:
        return self.filters.since.date()

    @property
    def last_day(self) -> date | None:
        return None if self.filters.until is None else (self.filters.until - timedelta(days=1)).date()

    def params(self, **change: str | None) -> dict[str, str]:
        """The address's parameters for these filters, with *change* applied (None removes one)."""
        f = self.filters
        out: dict[str, str | None] = {
            "term": self.term.slug if self.term else None,
            "since": None if self.term else self.first_day.isoformat(),
            "until": None if self.term or self.last_day is None else self.last_day.isoformat(),
            "policy": f.policy, "section": f.section, "channel": f.channel,
            "answered": None if f.answered is None else ("yes" if f.answered else "no"),
        }
        out.update(change)
        return {k: v for k, v in out.items() if v}

    def query(self, **change: str | None) -> str:
        return urlencode(self.params(**change))

    @property
    def narrowed(self) -> bool:
        f = self.filters
        return bool(f.policy or f.channel or f.answered is not None or f.until or self.term)


def since(request: Request, now: datetime, most_days: int, retention_days: int) -> tuple[datetime, str | None]:
    """The period's start from `?since=`, and what to tell the member if it was not taken as given:
    never more than *most_days* back (the log keeps *retention_days*), never after today."""
    default = now - timedelta(weeks=DEFAULT_WEEKS)
    raw = request.query_params.get("since")
    if not raw:
        return default, None
    try:
        asked = _midnight(date.fromisoformat(raw[:40]))
    except ValueError:
        # Not echoed: the page never shows words a crafted link chose.
        return default, f"That is not a date (YYYY-MM-DD); showing the last {DEFAULT_WEEKS} weeks."
    return _clamped(asked, now, most_days, retention_days)


def _clamped(asked: datetime, now: datetime, most_days: int, retention_days: int) -> tuple[datetime, str | None]:
    earliest = _midnight((now - timedelta(days=most_days)).date())
    today = _midnight(now.date())
    if asked < earliest:
        why = (f"the log keeps entries for {retention_days} days" if most_days >= retention_days else
               "the page covers at most two years (the CSV export covers everything the log keeps)")
        return earliest, f"Showing from {earliest:%-d %B %Y}, not {asked:%-d %B %Y}: {why}."
    if asked > today:
        return today, f"{asked:%-d %B %Y} is in the future; showing today."
    return asked, None


def read(request: Request, now: datetime, most_days: int, retention_days: int,
         known: Callable[[str, str | None], bool]) -> Chosen:
    """Every filter of the address. *known(policy, section)* says whether the school has that policy
    (and that clause section of it)."""
    q = request.query_params
    problems: list[str] = []
    term = None
    if q.get("term"):
        try:
            term = terms.parse(q["term"][:40])
        except ValueError as exc:
            problems.append(f"That is not a term: {exc}.")
    if term is not None:
        start, problem = _clamped(_midnight(term.start), now, most_days, retention_days)
        until: datetime | None = _midnight(term.end)
    else:
        start, problem = since(request, now, most_days, retention_days)
        until = _until(q.get("until"), start, now, problems)
    if problem:
        problems.append(problem)
    chosen = Filters(start, until, channel=_one_of(q.get("channel"), CHANNELS, "channel", problems),
                     answered=_answered(q.get("answered"), problems))
    policy, section = q.get("policy") or None, q.get("section") or None
    if policy and not known(policy[:300], None):
        problems.append("That policy is not one of your school's; showing every policy.")
        policy = section = None
    if policy and section and not known(policy[:300], section[:600]):
        problems.append("That section is not one of the policy's; showing the whole policy.")
        section = None
    return Chosen(replace(chosen, policy=policy, section=section if policy else None), term, tuple(problems))


def _until(raw: str | None, start: datetime, now: datetime, problems: list[str]) -> datetime | None:
    if not raw:
        return None
    try:
        last = date.fromisoformat(raw[:40])
    except ValueError:
        problems.append("The end date is not a date (YYYY-MM-DD); showing up to today.")
        return None
    if last < start.date():
        problems.append("The end date is before the start; showing up to today.")
        return None
    return None if last >= now.date() else _midnight(last + timedelta(days=1))  # today or later: up to now


def _one_of(raw: str | None, allowed: tuple[str, ...], what: str, problems: list[str]) -> str | None:
    if not raw:
        return None
    if raw in allowed:
        return raw
    problems.append(f"Unknown {what}; showing every {what} ({', '.join(allowed)}).")
    return None


def _answered(raw: str | None, problems: list[str]) -> bool | None:
    if not raw:
        return None
    if raw in ("yes", "no"):
        return raw == "yes"
    problems.append("Answered is yes or no; showing both.")
    return None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)
