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
