"""Lines → paragraphs, headings and list items; a unit's lines → its text (hyphenated words joined).

Pure functions over Line/Word data. Every threshold is relative to the document's body text: its most
common letter size and the most common spacing between its lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from bot.reading.blocks import fold
from bot.reading.readers.pdf_layout import Line

BULLETS = frozenset("\uf0b7 • ▪ § - – \uf0a7 \uf076 \uf0d8 \uf0fc \uf0a8 \uf06e \uf0e0 ➢ ➤ ► ✓ ✔ o ◦ ● ○ ■ □ · ‣ ⁃"
                    .split())
_GLUED = frozenset(b for b in BULLETS if not b.isalnum() and b not in "-–§")
_SENTENCE_END = re.compile(r"[.!?;]['’\")]?$")
_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*\.?|\(?[a-z]\)|\(?[ivx]+\))$", re.IGNORECASE)


@dataclass(frozen=True)
class Style:
    """The document's body text: letter size and the baseline-to-baseline step of its lines."""

    size: float
    pitch: float


@dataclass
class Unit:
    """Lines that make one block."""

    kind: str  # "heading" | "paragraph" | "item"
    lines: list[Line] = field(default_factory=list)
    marker: str = ""
    depth: int = 0


def body_style(lines: list[Line]) -> Style:
    """The most common letter size, and the most common step between consecutive lines in it."""
    sizes: Counter[float] = Counter()
    for ln in lines:
        for w in ln.words:
            sizes[w.size] += len(w.text)
    size = sizes.most_common(1)[0][0] if sizes else 10.0
    steps: Counter[float] = Counter()
    for a, b in zip(lines, lines[1:]):
        step = b.bottom - a.bottom
        if a.page == b.page and a.size == b.size == size and 0.9 * size < step < 2.2 * size:
            steps[round(step * 2) / 2] += 1
    pitch = steps.most_common(1)[0][0] if steps else 1.2 * size
    return Style(size, pitch)


def bullet(line: Line) -> tuple[str, Line] | None:
    """The bullet glyph a line starts with and the line without it, or None."""
    first = line.words[0]
    if first.text in BULLETS and len(line.words) > 1:
        return first.text, replace(line, words=line.words[1:])
    if len(first.text) > 1 and first.text[0] in _GLUED and first.text[1].isalnum():
        rest = replace(first, text=first.text[1:], x0=first.x0 + first.size * 0.5)
        return first.text[0], replace(line, words=(rest,) + line.words[1:])
    return None


def _heavy(line: Line, body: Style) -> bool:
    """Set larger than the body text, or in bold: how a heading looks."""
    return line.size >= body.size + 0.9 or line.bold


def _same_style(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) < 0.9 and a.bold == b.bold


def continues(unit: Unit, line: Line, body: Style) -> bool:
    """Whether *line* carries on *unit* rather than starting a new block."""
    prev = unit.lines[-1]
    if not _same_style(prev, line):
        return False
    if line.page != prev.page or line.top < prev.top:  # over a page or column break
        return unit.kind != "heading" and not _SENTENCE_END.search(prev.text) and line.text[:1].islower()
    limit = max(body.pitch, line.size * 1.1) * 1.3 + 0.5
    if line.bottom - prev.bottom > limit * (line.size / body.size if line.size > body.size else 1):
        return False
    if unit.kind == "heading":
        return len(unit.lines) < 3 and not _SENTENCE_END.search(prev.text)
    if unit.kind == "item":
        return line.x0 >= unit.lines[0].x0 - 3
    return _paragraph_continues(unit, prev, line)


def _paragraph_continues(unit: Unit, prev: Line, line: Line) -> bool:
    """A paragraph ends at a short line that finishes a sentence, or where a numbered clause begins."""
    right = max(ln.x1 for ln in unit.lines + [line])
    width = right - min(ln.x0 for ln in unit.lines + [line])
    if _SENTENCE_END.search(prev.text) and prev.x1 < right - max(0.12 * width, 3 * line.size):
        return False
    if _SENTENCE_END.search(prev.text) and _NUMBERED.match(line.words[0].text):
        return False
    return line.x0 < prev.x0 + 2 * line.size or len(unit.lines) == 1 and line.x0 > prev.x0


def group_units(lines: list[Line], body: Style) -> list[Unit]:
    """Consecutive lines grouped into headings, paragraphs and list items (with their depth)."""
    units: list[Unit] = []
    for line in lines:
        mark = bullet(line)
        if mark is None and units and continues(units[-1], line, body):
            units[-1].lines.append(line)
        elif mark is not None:
            units.append(Unit("item", [mark[1]], mark[0]))
        else:
            units.append(Unit("heading" if _heavy(line, body) else "paragraph", [line]))
    for u in units:
        if u.kind == "heading" and not _is_heading(u, body):
            u.kind = "paragraph"
    _set_depths(units)
    return units


def _is_heading(u: Unit, body: Style) -> bool:
    """A short run of large or bold text that is not a sentence."""
    words = sum(len(ln.words) for ln in u.lines)
    text = u.lines[-1].text
    if re.match(r"^[^\W\d][\w ]{0,30}: \S", u.lines[0].text):  # "Date: October 2021" is a label and value
        return False
    if u.lines[0].size >= body.size + 0.9:
        return words <= 25 and (not _SENTENCE_END.search(text) or words <= 6)
    return words <= 20 and len(u.lines) <= 2 and not _SENTENCE_END.search(text)


def _set_depths(units: list[Unit]) -> None:
    """An item's depth: the rank of its bullet's indent among the indents of its run of items."""
    run: list[Unit] = []
    for u in units + [Unit("paragraph")]:
        if u.kind == "item":
            run.append(u)
            continue
        indents: list[float] = []
        for x in sorted(it.lines[0].x0 for it in run):
            if not indents or x - indents[-1] > 4:
                indents.append(x)
        for it in run:
            it.depth = sum(1 for x in indents if x < it.lines[0].x0 - 4)
        run = []


def heading_levels(headings: list[Unit], title: Unit | None = None) -> dict[int, int]:
    """Each heading's level (by id): the title 1, the others from 2 by size rank, largest first, with
    numbering depth ("3.2" under "3.") as a tie-breaker, at most 6. A size only one heading uses (a
    cover page's line, a one-off) shares the rank of the next larger size in common use."""
    sizes = Counter(round(u.lines[0].size * 2) / 2 for u in headings if u is not title)
    common = sorted((s for s, n in sizes.items() if n >= 2), reverse=True) or sorted(sizes, reverse=True)
    levels = {}
    for u in headings:
        size = round(u.lines[0].size * 2) / 2
        rank = sum(1 for s in common if s > size + 0.01) + (1 if size in common else 0)
        m = re.match(r"(\d+(?:\.\d+)+)", u.lines[0].text)
        depth = m.group(1).count(".") if m else 0
        levels[id(u)] = 1 if u is title else min(6, 1 + max(rank, 1) + depth)
    return levels


_HYPHENATED = re.compile(r"^\W*([^\W\d_]+(?:-[^\W\d_]+)+)\W*$")


def hyphenated_words(lines: list[Line]) -> set[str]:
    """Hyphenated compounds written whole somewhere in the document ("e-safety", "well-being")."""
    found = set()
    for ln in lines:
        for w in ln.words[:-1] if ln.words[-1].text.endswith("-") else ln.words:
            m = _HYPHENATED.match(w.text)
            if m:
                found.add(m.group(1).lower())
    return found


def join_lines(lines: list[Line], hyphens: set[str]) -> str:
    """The lines' words as one text: a word broken over a line end by a hyphen is joined again, the
    hyphen dropped only when the next line starts lower-case and the document never writes the
    hyphenated form whole."""
    text = ""
    for ln in lines:
        words = [w.text for w in ln.words]
        if text and lines[0].words and _broken(text):
            text = _join(text, words[0], hyphens) + " " + " ".join(words[1:])
        else:
            text += " " + " ".join(words)
        if ln.words[-1].soft_break:
            text += "\x00"
    return fold(text.replace("\x00", ""))


def _broken(text: str) -> bool:
    return text.endswith("\x00") or (text.endswith("-") and len(text) > 1 and text[-2].isalpha())


def _join(text: str, nxt: str, hyphens: set[str]) -> str:
    if text.endswith("\x00"):
        return text[:-1] + nxt
    head = re.search(r"([^\W\d_]+(?:-[^\W\d_]+)*)-$", text)
    tail = re.match(r"[^\W\d_]+", nxt)
    whole = f"{head.group(1)}-{tail.group(0)}".lower() if head and tail else ""
    if nxt[:1].islower() and whole not in hyphens:
        return text[:-1] + nxt
    return text + nxt
