"""Ruled tables on a PDF page: ruling lines (thin path objects) → a grid → the words in each cell.

Pure functions over plain data (rules and words in top-down page points), so they have fast tests.
A grid needs two columns and two rows with words in them: a page border or a boxed note is no table.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reading.readers.pdf_layout import Line, Word, group_lines

_TOUCH = 3.0  # points: rules closer than this meet (PDF producers leave small gaps at the corners)


@dataclass(frozen=True)
class Rule:
    """A thin line (or one edge of a drawn rectangle): horizontal when it is flat, vertical when narrow."""

    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.bottom - self.top <= _TOUCH and self.x1 - self.x0 > _TOUCH


@dataclass(frozen=True)
class Table:
    """A ruled table: for each row its top and its cells, each cell the lines written in it."""

    top: float
    x0: float
    x1: float
    rows: tuple[tuple[float, tuple[tuple[Line, ...], ...]], ...]


def _meet(a: Rule, b: Rule) -> bool:
    return (a.x0 - _TOUCH <= b.x1 and b.x0 - _TOUCH <= a.x1
            and a.top - _TOUCH <= b.bottom and b.top - _TOUCH <= a.bottom)


def rule_groups(rules: list[Rule]) -> list[list[Rule]]:
    """Rules that touch one another, transitively: each group is one drawn grid."""
    groups: list[list[Rule]] = []
    for r in rules:
        touching = [g for g in groups if any(_meet(r, o) for o in g)]
        merged = [r] + [o for g in touching for o in g]
        groups = [g for g in groups if g not in touching] + [merged]
    return groups


def _distinct(values: list[float]) -> list[float]:
    """Sorted values with those within _TOUCH of the previous one dropped."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOUCH:
            out.append(v)
    return out


def grid(group: list[Rule]) -> tuple[list[float], list[float]] | None:
    """Column and row boundaries (x's and y's) of a group of rules, or None if it is not a grid."""
    xs = _distinct([(r.x0 + r.x1) / 2 for r in group if not r.horizontal])
    ys = _distinct([(r.top + r.bottom) / 2 for r in group if r.horizontal])
    if len(xs) < 3 or len(ys) < 3:
        return None
    return xs, ys


def _row_columns(group: list[Rule], xs: list[float], ys: list[float]) -> list[list[float]]:
    """Each row's own column boundaries: only the vertical rules that run through that row (a merged
    cell has none inside it), with the grid's outer edges."""
    out = []
    for a, b in zip(ys, ys[1:]):
        mid = (a + b) / 2
        inner = [(r.x0 + r.x1) / 2 for r in group if not r.horizontal and r.top - _TOUCH <= mid <= r.bottom + _TOUCH]
        out.append(_distinct([xs[0], xs[-1], *inner]))
    return out


def framed(group: list[Rule], xs: list[float], ys: list[float]) -> tuple[list[float], list[float]] | None:
    """The part of a grid that is a table: the longest run of two or more rows each closed by vertical
    rules at the same left and right edges, as (column, row) boundaries; None when there is none.
    Highlighted lines of text (boxes of different widths stacked on one another, each row ending at its
    own edge) are no table, and a highlighted caption drawn against a table's top is not one of its rows."""
    best: tuple[int, int] = (0, 0)
    start, edges = 0, None
    for i, (a, b) in enumerate(zip(ys, ys[1:])):
        through = _verticals_through(group, (a + b) / 2)
        here = (through[0], through[-1]) if len(through) >= 2 else None
        if here is None or edges is None or abs(here[0] - edges[0]) > _TOUCH or abs(here[1] - edges[1]) > _TOUCH:
            start, edges = i, here
        if here is not None and i + 1 - start > best[1] - best[0]:
            best = (start, i + 1)
    if best[1] - best[0] < 2:
        return None
    left = min(x for x in xs if x >= _edge(group, ys, best, 0) - _TOUCH)
    right = max(x for x in xs if x <= _edge(group, ys, best, -1) + _TOUCH)
    return [x for x in xs if left <= x <= right], ys[best[0]:best[1] + 1]


def _verticals_through(group: list[Rule], y: float) -> list[float]:
    """The x's of the vertical rules that run through height *y*, left to right."""
    return sorted((r.x0 + r.x1) / 2 for r in group if not r.horizontal and r.top - _TOUCH <= y <= r.bottom + _TOUCH)


def _edge(group: list[Rule], ys: list[float], rows: tuple[int, int], side: int) -> float:
    return _verticals_through(group, (ys[rows[0]] + ys[rows[0] + 1]) / 2)[side]


def _index(bounds: list[float], v: float) -> int | None:
    for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
        if a <= v < b:
            return i
    return None


def find_tables(words: list[Word], rules: list[Rule], page: int) -> tuple[list[Table], list[Word]]:
    """The page's ruled tables, and the words outside them."""
    tables, rest = [], list(words)
    for group in rule_groups(rules):
        cells = grid(group)
        if cells is None:
            continue
        cells = framed(group, *cells)
        if cells is None:
            continue
        table, rest = _fill(_row_columns(group, *cells), cells[1], rest, page)
        if table is not None:
            tables.append(table)
    return tables, rest


def _fill(cols: list[list[float]], ys: list[float], words: list[Word], page: int) -> tuple[Table | None, list[Word]]:
    """The words of a grid put in its cells (*cols*: each row's column boundaries); None (and the words
    untouched) unless two rows have text and some row has two cells with text."""
    slots: dict[tuple[int, int], list[Word]] = {}
    outside = []
    for w in words:
        row = _index(ys, (w.top + w.bottom) / 2)
        col = None if row is None else _index(cols[row], (w.x0 + w.x1) / 2)
        if col is None or row is None:
            outside.append(w)
        else:
            slots.setdefault((row, col), []).append(w)
    filled = sorted({r for r, _ in slots})
    if len(filled) < 2 or len({c for _, c in slots}) < 2:
        return None, words
    width = max(len(cols[r]) - 1 for r in filled)
    rows = tuple((ys[r], tuple(tuple(group_lines(slots.get((r, c), []), page)) for c in range(width)))
                 for r in filled)
    return Table(ys[0], cols[0][0], cols[0][-1], rows), outside


def header_like(rows: list[list[str]]) -> bool:
    """Whether the first of a table's rows (cell texts) names its columns: two or more short labels (at
    most three words, no digits, not a sentence) over rows whose cells say at least twice as much."""
    first = [c for c in rows[0] if c]
    if len(first) < 2 or any(len(c.split()) > 3 or any(ch.isdigit() for ch in c) or c.endswith(".") for c in first):
        return False
    rest = [len(c.split()) for r in rows[1:] for c in r if c]
    return bool(rest) and sum(rest) / len(rest) >= 2 * sum(len(c.split()) for c in first) / len(first)
