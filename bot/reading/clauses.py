"""Blocks into clauses: the units a person would quote.

A clause is a whole sentence (or a short paragraph quoted whole), a numbered paragraph ("5.2 ..."), a list
item with its lead-in ("When using social media, staff must not:" in its section path, and the lead-in
quoted once with all its items), a table row (under its header row), or a "Label: value" line — never a
piece of a sentence. Nothing is longer than MAX_CLAUSE characters: a longer sentence is cut at its
strongest inner boundary (";", ":", ",") and each cut is marked with "…". The section path is the real
headings above the clause. Words are never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.reading.blocks import Block
from bot.reading.cleanup import LABEL_VALUE, METADATA_LINE
from bot.reading.sentences import ends_sentence, split_long, split_sentences
from bot.reading.titles import same_title

MAX_CLAUSE = 600
PARAGRAPH_WHOLE = 400  # a paragraph up to this long is quoted whole; longer ones sentence by sentence
LEAD_IN_ONLY = 60  # a colon-ended lead-in up to this long is context for its items, not a clause itself
LEAD_IN_PATH = 100  # longest lead-in shown in a section path
ELLIPSIS = "\u2026"
NOT_SECTIONS = frozenset({"contents", "table of contents", "index"})

_NUMBERED = re.compile(r"^\(?\d{1,2}(?:\.\d{1,2})*[.)]?\s+\S")
# A cover page's labels run into one line: "Approved by: ... on June 2025 Next review due by: June 2026".
_METADATA_LABEL = re.compile(r"\b(?:approved|adopted|adoption|ratified|review(?:ed)?|date|version|signed)\b[^:.]{0,30}:",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    path: tuple[str, ...]
    text: str
    kind: str  # "list", "bullet", "numbered", "sentence", "text", "row", "field"
    page: int | None = None


class _Path:
    """Headings above the current block, plus the lead-ins (and a table's header row) above it."""

    def __init__(self) -> None:
        self.headings: list[tuple[int, str]] = []  # (level, text); level 0 = depth unknown
        self.lead_ins: list[tuple[int, str]] = []  # (depth of the items it introduces, text)
        self.header: str | None = None  # the header row of the table being read
        self.after_heading = False

    def heading(self, level: int, text: str) -> None:
        if level == 0:  # depth unknown: a plain heading keeps its parent only if that had no text
            keep = self.headings if self.after_heading else [h for h in self.headings if h[0] > 0]
        else:
            keep = [h for h in self.headings if 0 < h[0] < level]
        self.headings = keep + [(level, text)]
        self.lead_ins, self.header = [], None
        self.after_heading = True

    def enter(self, block: Block) -> tuple[str, ...]:
        """Forget lead-ins (and the table header) that no longer apply to *block*; the path above it."""
        self.after_heading = False
        if block.kind != "item":
            self.lead_ins = []
        else:
            self.lead_ins = [(d, t) for d, t in self.lead_ins if d <= block.level]
        if block.kind != "row":
            self.header = None
        above = tuple(h for _, h in self.headings) + tuple(t for _, t in self.lead_ins)
        return above + ((self.header,) if self.header else ())


def segment(blocks: Sequence[Block], title: str | None) -> list[Segment]:
    """The clauses of a document's blocks (cleaned), under the headings that are not its *title*."""
    return list(_walk(list(blocks), title))


def _walk(blocks: list[Block], title: str | None) -> Iterator[Segment]:
    path = _Path()
    for i, block in enumerate(blocks):
        if block.kind == "heading":
            if not (title and same_title(block.text, title)) and block.text.lower().strip(" :") not in NOT_SECTIONS:
                path.heading(block.level, block.text)  # the title (and its repeats) is not a section
            continue
        here = path.enter(block)
        if block.kind == "row" and block.header:
            path.header = block.text
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if _introduces(block, nxt):
            assert nxt is not None
            path.lead_ins.append((nxt.level, _as_path(block.text)))
            listed = " ".join([block.text, *_items(blocks[i + 1:])])
            if len(listed) <= MAX_CLAUSE:  # the lead-in quoted with its items: what a person would quote
                yield Segment(here, listed, "list", block.page)
                continue
            if len(block.text) <= LEAD_IN_ONLY:
                continue
        yield from _pieces(here, block)


_LEAD_IN_END = re.compile(r"(?::|\s[-\u2013\u2014]|\bincluding|\bsuch as|\bfollowing)$")


def _introduces(block: Block, nxt: Block | None) -> bool:
    """A lead-in ("Staff must not:", "Bullying can take many forms including -", or any paragraph that
    is not a finished sentence) and the items after it."""
    lead_in = bool(_LEAD_IN_END.search(block.text)) or (block.kind == "paragraph" and not ends_sentence(block.text))
    return (lead_in and nxt is not None and nxt.kind == "item"
            and (block.kind != "item" or nxt.level >= block.level))


def _items(rest: list[Block]) -> list[str]:
    """The items a lead-in introduces: the run of items from the first one, none shallower than it."""
    first = rest[0].level
    items: list[str] = []
    for block in rest:
        if block.kind != "item" or block.level < first:
            break
        items.append(block.text)
    return items


def _as_path(text: str) -> str:
    """A lead-in as a path element: its last sentence, without the colon, kept short."""
    text = split_sentences(text.rstrip(": ").strip())[-1]
    return text if len(text) <= LEAD_IN_PATH else ELLIPSIS + text[-LEAD_IN_PATH:].split(" ", 1)[-1]


def _kind(block: Block) -> str:
    if block.kind == "item":
        return "bullet"
    if block.kind == "row":
        return "row"
    if _NUMBERED.match(block.text):
        return "numbered"
    fields = (LABEL_VALUE.match(block.text) or (len(block.text) <= 80 and METADATA_LINE.match(block.text))
              or (len(block.text) <= 300 and len(_METADATA_LABEL.findall(block.text)) >= 2))
    return "field" if fields and not ends_sentence(block.text) else "text"


def _pieces(path: tuple[str, ...], block: Block) -> Iterator[Segment]:
    kind = _kind(block)
    whole = len(block.text) <= PARAGRAPH_WHOLE or block.kind in ("row", "item")
    units = [block.text] if whole else split_sentences(block.text)
    for unit in units:
        for piece in _cut(unit):
            yield Segment(path, piece, kind if whole else "sentence", block.page)


def _cut(text: str) -> list[str]:
    """*text* in pieces of at most MAX_CLAUSE characters; a cut that is not a sentence end is marked with
    '…' on both sides, so a quote never passes a piece of a sentence off as the whole of it."""
    pieces = split_long(text, MAX_CLAUSE - 2)
    out = list(pieces)
    for i in range(len(out) - 1):
        if not ends_sentence(out[i]):
            out[i] = out[i] + ELLIPSIS
            out[i + 1] = ELLIPSIS + out[i + 1]
    return out
