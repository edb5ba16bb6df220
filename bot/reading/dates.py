"""Dates as UK policies write them: "10th December 2025", "Sept 2025", "26 April 2024", "10/12/2025"."""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

DATE_PATTERN = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"  # 10th December 2025
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # December 10, 2025
    rf"|{_MONTH},?\s+\d{{4}}"  # September 2024
    r"|\d{4}-\d{2}-\d{2}"  # 2025-12-10
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4})"  # 10/12/2025 (day first, as in the UK)
)
_DATE = re.compile(DATE_PATTERN, re.IGNORECASE)


def find_date(text: str) -> tuple[str, date] | None:
    """The first date written in *text*, as written and as the last day it can mean."""
    for m in _DATE.finditer(text):
        parsed = parse_date(m.group(0))
        if parsed:
            return m.group(0), parsed
    return None


def parse_date(text: str) -> date | None:
    """Parse one written date. A month without a day means the end of that month."""
    t = text.strip().lower().replace(",", " ")
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", t):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    words = re.findall(r"[a-z]+|\d+", t)
    month = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    numbers = [int(w) for w in words if w.isdigit()]
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if n <= 31]
    if month is None or not years:
        return None
    year = years[0]
    day = days[0] if days else calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        return None
