"""Heading levels from the document's outline: numbering first, type size second.

A policy's outline is carried by its numbering more reliably than by its type: the main sections are
"1. Introduction", "2. Aims", ..., all set in one style, and a few display lines in an appendix (a
flow chart's title, a contacts page in 20 pt) must not rank above them. So:

* the *section style* is the style (size, bold) of most headings numbered "N." (at least three of
  them, or one with "N.N" headings in the document); a numbered heading in it, or an "Appendix N" / "Annex N", is level 2, under the title (1);
  no style ranks above the section style;
* "N.N" is one level deeper than "N.", "N.N.N" two ("4.0" is a top number);
* an unnumbered heading is a child of the nearest heading above it that is numbered or in a larger
  style, and a sibling of the one before it in the same or a smaller style.

Without numbered sections the type alone ranks the headings the same way (larger is higher, bold
above regular at one size), and a style only one heading uses takes the rank of the next larger
style in common use, so a one-off line does not open a level of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_TOP = re.compile(r"^(?:(?:section|part)\s+)?(\d{1,2})(?:\.0)?\.?(?=\s+\S)", re.IGNORECASE)
_DEEP = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?(?=\s+\S)")
_APPENDIX = re.compile(r"^(?:appendix|annex|annexe)\s+(?:\d{1,2}|[A-Z]|[ivx]{1,4})\b", re.IGNORECASE)

Style = tuple[float, bool]  # size rounded to half a point, bold


@dataclass(frozen=True)
class Head:
    """A heading as ranking sees it (the reader's units are turned into these)."""

    style: Style
    text: str


def numbered_depth(text: str) -> int | None:
    """0 for a top-level number ("3.", "3", "4.0", "Section 3"), 1 for "3.2", 2 for "3.2.1"; None when
    the heading has no number."""
    deep = _DEEP.match(text)
    if deep and not re.fullmatch(r"\d{1,2}\.0", deep.group(1)):
        return deep.group(1).count(".")
    return 0 if _TOP.match(text) else None


def is_appendix(text: str) -> bool:
    """ "Appendix 1", "Annex B", "Appendix iv: ...": a top-level part at the back of a policy."""
    return bool(_APPENDIX.match(text.strip()))


def style_ranks(styles: list[Style]) -> dict[Style, int]:
    """Each style's rank, 0 the largest: styles used at least twice by size, then bold first; a style
    used once shares the rank of the next larger common style (or the largest, if none is larger)."""
    counts = Counter(styles)
    common = sorted((s for s, n in counts.items() if n >= 2), key=_order) or sorted(counts, key=_order)
    ranks = {s: i for i, s in enumerate(common)}
    for s in counts:
        if s not in ranks:
            larger = [ranks[c] for c in common if _order(c) < _order(s)]
            ranks[s] = max(larger) if larger else 0
    return ranks


def _order(style: Style) -> tuple[float, bool]:
    """Sort key: larger first, then bold before regular."""
    return -style[0], not style[1]


def section_style(heads: list[Head]) -> Style | None:
    """The style most top-numbered headings are set in, when at least three are (or one, when there
    are "N.N" headings under it too)."""
    depths = [numbered_depth(h.text) for h in heads]
    counts = Counter(h.style for h, d in zip(heads, depths) if d == 0)
    if not counts:
        return None
    style, n = counts.most_common(1)[0]
    return style if n >= 3 or any(d for d in depths) else None


def outline_levels(heads: list[Head]) -> list[int]:
    """The level (2 to 6) of each heading below the title, in document order."""
    ranks = style_ranks([h.style for h in heads])
    section = section_style(heads)
    floor = ranks[section] if section is not None else 0
    stack: list[tuple[int, int, bool]] = []  # (rank, level, numbered) of the open headings
    levels = []
    for h in heads:
        rank = max(ranks[h.style], floor)
        depth = numbered_depth(h.text)
        if _top_part(h.text, depth, section is not None and rank <= floor, section is not None):
            level, numbered = 2 + (depth or 0), True
            stack = [e for e in stack if e[1] < level]
        else:
            stack = [e for e in stack if e[2] or e[0] < rank]
            level, numbered = (stack[-1][1] + 1 if stack else 2), False
        level = min(6, level)
        stack.append((rank, level, numbered))
        levels.append(level)
    return levels


def _top_part(text: str, depth: int | None, in_section_style: bool, sectioned: bool) -> bool:
    """Whether the heading takes its level from its number: a top number in the section style, a deeper
    number in a numbered document, or an appendix."""
    if is_appendix(text):
        return True
    return depth is not None and (in_section_style if depth == 0 else sectioned)
