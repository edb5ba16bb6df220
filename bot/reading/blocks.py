"""The block model: what every reader turns its format into, and all that comes after it reads.

```
file ─▶ reader (pdf | docx | html | md | txt) ─▶ SourceDocument(blocks, properties)
                                                   │ heading(level) · paragraph · item(depth) · row(cells)
                                                   ▼ + page / position where the format has them
        cleanup ─▶ metadata + contacts ─▶ clauses (bot.reading.clauses)
```

A reader knows one format and nothing else. It gives blocks in reading order (a two-column page column by
column), each block's text as the document writes it: whitespace folded to single spaces, a word that a
line break hyphenated joined again, list bullets ("•", U+F0B7, "-", "o", "▪", "§") taken off into
`marker`, numbering kept in the text ("5.2 Staff must ..."), unless the format numbers the paragraph
itself (Word's automatic numbering), when the number goes into `marker`. Page furniture (running headers
and footers, page numbers, contents pages, a web page's navigation) is left out by the reader that can
see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "row"]
CELL_SEP = " | "  # how a table row's cells are joined in its text


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str  # the words as written; for a row, its non-empty cells joined by CELL_SEP
    level: int = 0  # heading: 1 (the largest) to 6, 0 when the format cannot tell; item: nesting depth from 0
    marker: str = ""  # an item's bullet or number as written ("•", "a)", "3."); a heading's numbering
    cells: tuple[str, ...] = ()  # row: every cell, empty ones included, in column order
    header: bool = False  # row: a table's header row
    page: int | None = None  # 1-based page, where the format has pages
    top: float | None = None  # distance from the top of the page (PDF points), where the format has it


@dataclass(frozen=True)
class SourceDocument:
    """One file as read: its blocks, and what the format itself says about the document."""

    blocks: tuple[Block, ...]
    # From the format's own metadata, never guessed from the text: Markdown/HTML front matter, HTML
    # <title>/<meta>, DOCX core properties, the PDF's document information. Keys are lower-case with
    # underscores: "title", "adopted", "approved", "review_date", "next_review", "signed_by", "author".
    properties: dict[str, str] = field(default_factory=dict)
    pages: int | None = None  # page count, where the format has pages


def row(cells: list[str] | tuple[str, ...], header: bool = False, page: int | None = None,
        top: float | None = None) -> Block:
    """A table row from its cells (each already whitespace-folded)."""
    return Block("row", CELL_SEP.join(c for c in cells if c), cells=tuple(cells), header=header, page=page, top=top)


def fold(text: str) -> str:
    """Every run of whitespace (newlines, tabs, NBSP and the other Unicode spaces) as one space, trimmed."""
    return " ".join(text.split())
