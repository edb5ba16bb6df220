"""Two-column pages: the gutter between the columns, and the page's lines in reading order.

Pure functions over Line data (pdf_layout), top-down page points.
"""

from __future__ import annotations

from dataclasses import replace

from bot.reading.readers.pdf_layout import Line
from bot.reading.readers.pdf_text import BULLETS


def find_gutter(lines: list[Line], width: float) -> float | None:
    """The x of a vertical gap in the middle of the page that (almost) no line crosses and that splits
    most lines into a left part and a right part, each filling its half: the gutter of a two-column page.
    None on a one-column page (a table's short cells do not fill their half, so a table is no gutter)."""
    if len(lines) < 4:
        return None
    crossing = [0] * int(width + 1)
    for ln in lines:
        for w in ln.words:
            for x in range(max(0, int(w.x0)), min(len(crossing), int(w.x1) + 1)):
                crossing[x] += 1
    quiet = [n <= max(1.0, 0.1 * len(lines)) for n in crossing]
    runs = [r for r in _runs(quiet, int(width * 0.3), int(width * 0.7)) if r[1] - r[0] >= 8]
    for start, end in sorted(runs, key=lambda r: r[0] - r[1]):
        clear = [x for x in range(start, end) if crossing[x] == 0] or list(range(start, end))
        middle = (clear[0] + clear[-1]) / 2
        if _splits(lines, middle, start):
            return middle
    return None


def _splits(lines: list[Line], x: float, start: float) -> bool:
    """Whether *x* has text on both sides on several lines, the left-hand text reaching close to it
    (a column of running text fills its width; a table's first column does not)."""
    left = [max(ends) for ln in lines if (ends := [w.x1 for w in ln.words if w.x1 < x])]
    right = [ln for ln in lines if ln.x1 > x and any(w.x0 > x for w in ln.words)]
    if len(left) < 3 or len(right) < 3:
        return False
    margin = min(ln.x0 for ln in lines)
    full = [end for end in left if end >= start - 0.25 * (start - margin)]
    return len(full) >= 0.6 * len(left)


def _runs(flags: list[bool], lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans [start, end) within lo..hi where *flags* holds."""
    runs, start = [], None
    for x in range(lo, hi):
        if flags[x] and start is None:
            start = x
        elif not flags[x] and start is not None:
            runs.append((start, x))
            start = None
    if start is not None:
        runs.append((start, hi))
    return runs


def split_columns(lines: list[Line], gutter: float) -> list[Line]:
    """Lines of a two-column page in reading order: each band between full-width lines (a heading
    across both columns) is read left column first, then right."""
    out: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    for ln in lines:
        if ln.x0 < gutter < ln.x1 and any(w.x0 < gutter < w.x1 for w in ln.words):
            out += left + right + [ln]
            left, right = [], []
            continue
        lw = tuple(w for w in ln.words if w.x1 <= gutter)
        rw = tuple(w for w in ln.words if w.x0 >= gutter)
        if lw:
            left.append(replace(ln, words=lw))
        if rw:
            right.append(replace(ln, words=rw))
    return out + left + right




# ---- two columns of list items on an otherwise one-column page ----------------------------------------

def _bullet_split(line: Line) -> float | None:
    """The x of a bullet that starts a second list item on the line after a wide gap, or None."""
    for prev, w in zip(line.words, line.words[1:]):
        if w.text in BULLETS and w.x0 - prev.x1 > 1.5 * max(prev.size, w.size):
            return w.x0
    return None


def _crosses(line: Line, x: float) -> bool:
    return any(w.x0 < x - 1 < w.x1 for w in line.words)


def _band(lines: list[Line], start: int, x: float) -> int:
    """The end (exclusive) of the run of close-set lines from *start* that keep clear of *x* and belong
    to the two lists: text right of it, or a bullet (or an item's wrapped, indented text) left of it."""
    margin = lines[start].x0
    end = start + 1
    for j in range(start + 1, len(lines)):
        ln, prev = lines[j], lines[j - 1]
        if ln.page != prev.page or _crosses(ln, x) or ln.top - prev.bottom > 1.5 * ln.size:
            break
        right = any(w.x0 >= x - 1 for w in ln.words)
        if not (right or ln.words[0].text in BULLETS or ln.x0 > margin + 2):
            break
        end = j + 1
    return end


def list_columns(lines: list[Line]) -> list[Line]:
    """A one-column page's lines with each band of two-column list items (a bullet after a wide gap at
    the same x on three or more lines, no line crossing that x) read left column first, then right."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        x = _bullet_split(lines[i])
        end = _band(lines, i, x) if x is not None else i
        splits = [s for ln in lines[i:end] if (s := _bullet_split(ln)) is not None]
        if x is not None and sum(abs(s - x) < 3 for s in splits) >= 3:
            out += split_columns(lines[i:end], x - 1)
            i = end
        else:
            out.append(lines[i])
            i += 1
    return out
