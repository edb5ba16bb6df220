"""Pure layout steps of the PDF reader: positioned words → lines → page body, over plain data.

Nothing here touches PDFium, so every step has fast known-answer tests. Coordinates are PDF points with
the origin at the top-left of the page (``top`` grows downwards), as a reader of the page sees them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property


@dataclass(frozen=True)
class Word:
    """A run of characters with no space between them, and the font it is set in."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float  # the baseline
    size: float
    bold: bool = False
    soft_break: bool = False  # ended in a soft hyphen: the writer's software broke the word here


@dataclass(frozen=True)
class Line:
    """Words sharing a baseline, left to right, on one page."""

    words: tuple[Word, ...]
    page: int = 1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @cached_property
    def size(self) -> float:
        """The size most of the line's letters are set in (a footnote mark does not make a line small)."""
        sizes: Counter[float] = Counter()
        for w in self.words:
            sizes[round(w.size, 1)] += len(w.text)
        return sizes.most_common(1)[0][0]

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words if w.text.strip("•·:.-–"))


def group_lines(words: list[Word], page: int = 1) -> list[Line]:
    """Words whose baselines lie within a third of their size of each other form one line, top to bottom;
    a superscript ("1st", a footnote mark) joins the line it is raised above."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.bottom, w.x0)):
        if rows and abs(rows[-1][-1].bottom - w.bottom) <= max(1.0, 0.35 * min(w.size, rows[-1][-1].size)):
            rows[-1].append(w)
        else:
            rows.append([w])
    lines = [Line(tuple(sorted(r, key=lambda w: w.x0)), page) for r in rows]
    return _merge_superscripts(lines)


def _merge_superscripts(lines: list[Line]) -> list[Line]:
    """A line of small text sitting within the height of the next line is that line's superscript."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt and ln.size < 0.8 * nxt.size and nxt.top - 1 <= ln.bottom <= nxt.bottom + 1:
            ln, i = Line(tuple(sorted(ln.words + nxt.words, key=lambda w: w.x0)), ln.page), i + 1
        out.append(Line(tuple(attach_superscripts(list(ln.words), ln.size, ln.bottom)), ln.page))
        i += 1
    return out


def attach_superscripts(words: list[Word], size: float, baseline: float) -> list[Word]:
    """Raised small words: an ordinal's "th" joins its number ("7th"); a footnote mark is dropped."""
    out: list[Word] = []
    glue = False
    for w in words:
        raised = w.size < 0.8 * size and w.bottom < baseline - 0.15 * size
        touching = bool(out) and w.x0 - out[-1].x1 < 0.2 * size
        if raised and not w.text.isalpha() and len(words) > 1:
            glue = touching
        elif touching and (raised or glue and w.text[0] in ",.;:)"):
            out[-1] = replace(out[-1], text=out[-1].text + w.text, x1=w.x1)
            glue = False
        else:
            out.append(w)
            glue = False
    return out


def split_at_gaps(line: Line, gap: float) -> list[Line]:
    """A baseline line cut where the space between two words is wider than *gap* times the text size:
    the pieces are table cells or the two halves of a two-column page, never one sentence."""
    pieces: list[list[Word]] = [[line.words[0]]]
    for prev, w in zip(line.words, line.words[1:]):
        if w.x0 - prev.x1 > gap * max(prev.size, w.size):
            pieces.append([w])
        else:
            pieces[-1].append(w)
    return [Line(tuple(p), line.page) for p in pieces]


def join_segments(lines: list[Line]) -> Line:
    """The inverse of split_at_gaps: pieces on one baseline as a single line."""
    return Line(tuple(w for ln in lines for w in ln.words), lines[0].page)


# ---- page furniture -----------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*\|?\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*\|\s*page|\d+\s*(?:of|/)\s*\d+|[-–]?\s*\d{1,3}\s*[-–]?"
    r"|[ivxlc]{1,6})$", re.IGNORECASE)


def is_page_number(text: str) -> bool:
    """ "7", "Page 7", "Page | 7", "Page 7 of 20", "7 | Page", "- 7 -", "vii": what a page number looks like."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def furniture_key(text: str) -> str:
    """A header or footer line with its page number(s) normalised, so every page's copy compares equal."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def edge_lines(lines: list[Line], height: float, margin: float = 0.1, most: int = 3) -> list[Line]:
    """The few lines nearest the top and bottom edge of a page, within *margin* of its height."""
    top = [ln for ln in lines if ln.bottom <= height * margin][:most]
    bottom = [ln for ln in lines if ln.top >= height * (1 - margin)][-most:]
    return top + [ln for ln in bottom if ln not in top]


def running_keys(pages: list[list[Line]], heights: list[float]) -> set[str]:
    """Texts (digits normalised) of edge lines that recur on at least half the pages, and on two or more:
    a running header or footer."""
    seen: Counter[str] = Counter()
    for lines, height in zip(pages, heights):
        seen.update({furniture_key(ln.text) for ln in edge_lines(lines, height)})
    need = max(2, (len(pages) + 1) // 2)
    return {key for key, n in seen.items() if n >= need}


def strip_furniture(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Each page's lines without running headers/footers and page numbers at its edges."""
    keys = running_keys(pages, heights)
    kept = []
    for lines, height in zip(pages, heights):
        edges = {id(ln) for ln in edge_lines(lines, height)}
        kept.append([ln for ln in lines if id(ln) not in edges
                     or not (furniture_key(ln.text) in keys or is_page_number(ln.text))])
    return kept


# ---- columns ------------------------------------------------------------------------------------------

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
        x = (clear[0] + clear[-1]) / 2
        if _splits(lines, x, start):
            return x
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


# ---- contents pages -----------------------------------------------------------------------------------

_LEADER = re.compile(r"(?:\.\s*){3,}|…|_{3,}")
_CONTENTS = re.compile(r"^(?:table of )?contents:?$|^index$", re.IGNORECASE)


def is_contents_title(text: str) -> bool:
    return bool(_CONTENTS.match(text.strip()))


def is_contents_entry(line: Line, pages: int) -> bool:
    """An entry of a contents list: text then a page number after dot leaders or a wide gap."""
    words = line.words
    if len(words) < 2 or not re.fullmatch(r"\d{1,3}", words[-1].text.strip(".")):
        return bool(_LEADER.search(line.text)) and bool(re.search(r"\d+\s*$", line.text))
    if int(words[-1].text.strip(".")) > pages:
        return False
    gap = words[-1].x0 - words[-2].x1
    return gap > 2 * words[-1].size or bool(_LEADER.search(words[-2].text))


def _key(text: str) -> str:
    text = re.sub(r"(?:\.\s*){2,}.*$|….*$", "", text.lower())
    return " ".join(re.sub(r"[^\w ]", " ", text).split())


def strip_contents(lines: list[Line], pages: int, first_pages: int = 4) -> list[Line]:
    """The lines without contents lists: after a "Contents" title, the entries that follow (ending in
    page numbers, or naming a heading that comes later); elsewhere in the first pages, runs of three or
    more entries ending in page numbers."""
    drop: set[int] = set()
    for i, ln in enumerate(lines):
        if ln.page <= first_pages and is_contents_title(ln.text):
            drop.add(i)
            drop.update(_entries_after(lines, i, pages))
    run: list[int] = []
    for i, ln in enumerate(lines + [Line((Word("", 0, 0, 0, 0, 1),), 10**6)]):
        if ln.page <= first_pages and is_contents_entry(ln, pages):
            run.append(i)
            continue
        if len(run) >= 3:
            drop.update(run)
        run = []
    return [ln for i, ln in enumerate(lines) if i not in drop]


def _entries_after(lines: list[Line], start: int, pages: int) -> list[int]:
    """Indexes of the contents entries following the title at *start*, with a wrapped entry's second
    line, up to the first line that is not an entry (two non-entries in a row end the list)."""
    keys = [_key(ln.text) for ln in lines]
    last, misses = start, 0
    for i in range(start + 1, len(lines)):
        same_page = lines[i].page == lines[last].page
        if _is_entry(lines[i], keys[i], keys[i + 1:], pages) or (
                same_page and last > start and _alike(lines[last], lines[i])):
            last, misses = i, 0
        elif misses == 0 and len(lines[i].text) < 80 and not _sentence_end(lines[i].text):
            misses = 1
        else:
            break
    return list(range(start + 1, last + 1))


def _alike(entry: Line, line: Line) -> bool:
    """Set like the entry before: same size, same left edge, short, not a sentence."""
    return (abs(entry.size - line.size) < 0.5 and abs(entry.x0 - line.x0) < 2 * line.size
            and len(line.text) < 90 and not _sentence_end(line.text))


def _is_entry(line: Line, key: str, later: list[str], pages: int) -> bool:
    """A contents entry: numbered like one, or naming a line that comes later (the heading it lists)."""
    if is_contents_entry(line, pages):
        return True
    return bool(key) and not _sentence_end(line.text) and any(k.startswith(key) for k in later if k)


def _sentence_end(text: str) -> bool:
    return bool(re.search(r"[.!?]['’\")]?$", text.strip()))
