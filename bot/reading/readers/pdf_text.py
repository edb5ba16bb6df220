"""Lines → paragraphs, headings and list items; a unit's lines → its text (hyphenated words joined).

Pure functions over Line/Word data. Every threshold is relative to the document's body text: its most
common letter size and the most common spacing between its lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from bot.reading.blocks import BlockKind, fold
from bot.reading.readers.pdf_layout import Line
from bot.reading.readers.pdf_outline import Head, numbered_depth, outline_levels

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

    kind: BlockKind  # "heading" | "paragraph" | "item"
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
    if not _same_style(prev, line) and not _emphasis_wraps(unit, prev, line):
        return False
    if line.page != prev.page or line.top < prev.top:  # over a page or column break
        return _carries_over(unit, prev, line)
    limit = max(body.pitch, line.size * 1.1) * 1.3 + 0.5
    if line.bottom - prev.bottom > limit * (line.size / body.size if line.size > body.size else 1):
        return False
    if unit.kind == "heading":  # a numbered heading right under another starts a new one
        return len(unit.lines) < 3 and not _SENTENCE_END.search(prev.text) and numbered_depth(line.text) is None
    if unit.kind == "item":
        return line.x0 >= unit.lines[0].x0 - 3
    return _paragraph_continues(unit, prev, line)


def _carries_over(unit: Unit, prev: Line, line: Line) -> bool:
    """Whether the first line of a page (or column) goes on with the paragraph or item the last one
    left unfinished: it starts lower-case, or it starts at the unit's left edge after a full last line
    (a wrapped line: one that ran to the right edge of the lines before it) that ended no sentence."""
    if unit.kind == "heading" or _SENTENCE_END.search(prev.text) or prev.text.endswith(":"):
        return False
    if line.text[:1].islower():
        return True
    left = unit.lines[0].x0 if unit.kind == "item" else min(ln.x0 for ln in unit.lines)
    right = max(ln.x1 for ln in unit.lines)
    return (len(unit.lines) >= 2 and prev.x1 >= right - 0.05 * (right - left) and abs(line.x0 - left) <= 3
            and bullet(line) is None)


def _emphasis_wraps(unit: Unit, prev: Line, line: Line) -> bool:
    """A wrapped line set in bold (or out of bold) within a sentence: same size, same page, starting
    lower-case right under an unfinished line of a paragraph or item ("... comply with a legal" /
    "**obligation**")."""
    return (unit.kind != "heading" and abs(prev.size - line.size) < 0.9 and line.page == prev.page
            and line.top > prev.top and line.text[:1].islower() and not _SENTENCE_END.search(prev.text)
            and line.x0 >= unit.lines[0].x0 - 3)


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
    """A short run of large or bold text that is not a sentence, and is words (not contact details)."""
    words = sum(len(ln.words) for ln in u.lines)
    text = u.lines[-1].text
    if not heading_words(" ".join(ln.text for ln in u.lines)):
        return False
    if re.match(r"^[^\W\d][\w ]{0,30}: \S", u.lines[0].text):  # "Date: October 2021" is a label and value
        return False
    if u.lines[0].size >= body.size + 0.9:
        return words <= 25 and (not _SENTENCE_END.search(text) or words <= 6)
    return words <= 20 and len(u.lines) <= 2 and not _SENTENCE_END.search(text)


_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+|\(|\b)\d[\d ()-]{8,}\d\b")


def heading_words(text: str) -> bool:
    """Whether large text reads as a heading: mostly letters, with no e-mail address or phone number and
    not mostly a web address (a contacts page sets "Tel: 01392 384964" large; it heads nothing)."""
    if _EMAIL.search(text) or any(sum(c.isdigit() for c in m.group(0)) >= 10 for m in _PHONE.finditer(text)):
        return False
    if sum(len(m.group(0)) for m in _URL.finditer(text)) > len(text) / 2:
        return False
    chars = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in chars) >= 0.5 * len(chars)


def _set_depths(units: list[Unit]) -> None:
    """An item's depth: the rank of its bullet's indent among the indents of its run of items. A jump
    far to the right (more than six letters' size) is the next column of a two-column list, not a
    nested item: it starts a run of its own."""
    run: list[Unit] = []
    for u in units + [Unit("paragraph")]:
        if u.kind == "item" and not (run and u.lines[0].x0 - run[-1].lines[0].x0 > 6 * u.lines[0].size):
            run.append(u)
            continue
        _rank_indents(run)
        run = [u] if u.kind == "item" else []


def _rank_indents(run: list[Unit]) -> None:
    indents: list[float] = []
    for x in sorted(it.lines[0].x0 for it in run):
        if not indents or x - indents[-1] > 4:
            indents.append(x)
    for it in run:
        it.depth = sum(1 for x in indents if x < it.lines[0].x0 - 4)


def heading_levels(headings: list[Unit], title: Unit | None = None) -> dict[int, int]:
    """Each heading's level (by id): the title 1, the others from the document's outline (pdf_outline:
    numbering first, then type size)."""
    rest = [u for u in headings if u is not title]
    heads = [Head((round(u.lines[0].size * 2) / 2, u.lines[0].bold), u.lines[0].text) for u in rest]
    levels = {id(u): level for u, level in zip(rest, outline_levels(heads))}
    if title is not None:
        levels[id(title)] = 1
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
