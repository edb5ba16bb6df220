"""What a statement's result says, typed: Session.execute is declared to return a plain Result."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched: for those statements Session.execute returns the
    CursorResult that has the count, though it is typed as returning a Result."""
    return cast(CursorResult[Any], result).rowcount
