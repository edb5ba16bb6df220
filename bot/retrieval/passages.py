"""From the best clause to the passage quoted: the clause with the lines around it in its own section.

A ranked clause is often one line of something longer: one item of a list, one sentence of a paragraph
("listen to what the child has to say;" under "During their conversation with the pupil staff will;").
Staff need the lines around it, so a passage grows from the clause to its neighbours in the same
document and the same section, in reading order, up to MAX_PASSAGE characters. Pure functions over the
scope's clauses in index order (one document's clauses are one run of rows, in reading order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.reading.documents import Clause

MAX_PASSAGE = 600
FIXED = frozenset({"contact", "slt-answer", "list"})  # quoted as they are: a contact line, an SLT answer,
# a whole list (already lead-in and items)
_LINE_KINDS = frozenset({"bullet", "numbered", "row", "field"})


@dataclass(frozen=True)
class Passage:
    rows: tuple[int, ...]  # the scope rows quoted, in reading order
    clause: Clause  # the hit clause with the passage's text, roles and names


def window(clauses: Sequence[Clause], row: int, max_chars: int = MAX_PASSAGE) -> tuple[int, ...]:
    """The rows around *row* in its document and section, in reading order, whose joined text stays
    within *max_chars*: the row itself first, then alternately the line after and the line before."""
    hit = clauses[row]
    if hit.kind in FIXED:
        return (row,)

    def joins(j: int) -> bool:
        c = clauses[j]
        return c.source == hit.source and c.section == hit.section and c.kind not in FIXED

    lo = hi = row
    size = len(hit.text)
    open_after = open_before = True
    while open_after or open_before:  # one line after, then one line before, while they fit
        if open_after:
            j = hi + 1
            open_after = j < len(clauses) and joins(j) and size + 1 + len(clauses[j].text) <= max_chars
            if open_after:
                size, hi = size + 1 + len(clauses[j].text), j
        if open_before:
            j = lo - 1
            open_before = j >= 0 and joins(j) and size + 1 + len(clauses[j].text) <= max_chars
            if open_before:
                size, lo = size + 1 + len(clauses[j].text), j
    return tuple(range(lo, hi + 1))


def join(clauses: Sequence[Clause], rows: Sequence[int]) -> str:
    """The rows' texts as they stand in the document: list lines on lines of their own, sentences of
    running text side by side."""
    out = ""
    for j in rows:
        c = clauses[j]
        if out:
            out += "\n" if c.kind in _LINE_KINDS or clauses[j - 1].kind in _LINE_KINDS else " "
        out += c.text
    return out


def passage(clauses: Sequence[Clause], row: int, max_chars: int = MAX_PASSAGE) -> Passage:
    rows = window(clauses, row, max_chars)
    if len(rows) == 1:
        return Passage(rows, clauses[row])
    hit = clauses[row]
    roles = tuple(dict.fromkeys([*hit.roles, *(r for j in rows for r in clauses[j].roles)]))
    names = tuple(dict.fromkeys([*hit.names, *(n for j in rows for n in clauses[j].names)]))
    return Passage(rows, replace(hit, text=join(clauses, rows), roles=roles, names=names))
