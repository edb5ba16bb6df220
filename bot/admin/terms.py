"""UK school terms, defined simply so that every day of the year falls in exactly one term:

  autumn-YYYY   1 September to 31 December of YYYY
  spring-YYYY   1 January to the day before Easter Sunday of YYYY (late March or April)
  summer-YYYY   Easter Sunday to 31 August of YYYY (the summer holiday counts with the summer term)

Schools' own term dates differ by a few days (and Easter holidays straddle the boundary); for counting
questions per term that is close enough, and it needs no term-dates file per school.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

SEASONS = ("autumn", "spring", "summer")
_SLUG = re.compile(r"^(autumn|spring|summer)-(\d{4})$")


@dataclass(frozen=True)
class Term:
    season: str
    year: int
    start: date  # first day
    end: date  # the day after the last (exclusive)

    @property
    def slug(self) -> str:
        return f"{self.season}-{self.year}"

    @property
    def label(self) -> str:
        return f"{self.season.capitalize()} term {self.year}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def span(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.last_day:%-d %B %Y}"


def easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar; the anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def term(season: str, year: int) -> Term:
    if season not in SEASONS:
        raise ValueError(f"unknown term '{season}' (autumn, spring or summer)")
    if season == "autumn":
        return Term(season, year, date(year, 9, 1), date(year + 1, 1, 1))
    if season == "spring":
        return Term(season, year, date(year, 1, 1), easter(year))
    return Term(season, year, easter(year), date(year, 9, 1))


def parse(slug: str) -> Term:
    """'autumn-2026' -> the autumn term of 2026; ValueError, with the expected form, for anything else."""
    found = _SLUG.match(slug.strip().lower())
    if not found or not 2000 <= int(found.group(2)) <= 2100:
        raise ValueError("a term is written like autumn-2026, spring-2027 or summer-2027")
    return term(found.group(1), int(found.group(2)))


def term_of(day: date) -> Term:
    if day.month >= 9:
        return term("autumn", day.year)
    return term("spring", day.year) if day < easter(day.year) else term("summer", day.year)


def recent(today: date, n: int = 6) -> list[Term]:
    """This term and the *n* - 1 before it, newest first."""
    out = [term_of(today)]
    while len(out) < n:
        out.append(term_of(out[-1].start - timedelta(days=1)))
    return out
