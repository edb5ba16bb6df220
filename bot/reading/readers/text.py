"""Plain-text policies: one paragraph per line, as a school pastes or exports them.

Plain text has no structure of its own, so it is inferred from conventions: "## Title" and numbered
short lines ("3. Personal use") are headings, "- item" / "• item" are list items (one leading space per nesting level),
a line with TABs is a table row. Text extracted from a PDF by someone else (the damaged seed) may have run
its headings into the text: the document's own contents list says where they are.
"""

from __future__ import annotations

import re

from bot.reading.blocks import Block, SourceDocument, fold, row
from bot.reading.cleanup import looks_like_heading
from bot.reading.readers._text import decode, require_text
from bot.reading.words import is_dictionary_word

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?$")
_BULLET = re.compile(r"^(\s*)([-*\u2022\u25cf\u25aa\u25e6\u2023\u2043\u2013\uf0b7\u00a7\u27a2]|\d+[)])\s+(.*)$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+(\S.*)$")
_TOC_ENTRY = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*\.?\s+\D.*?)\s*\.{0,}\s*(\d{1,3})$")
_SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)]*\s+(?=[A-Z])|[.!?]$")
_JOIN = re.compile(r"(?<=[a-z0-9)'\u2019])\s+(?=([A-Z][a-z]+)\b)")
_RUN_ON = 200  # only a line this long can hold a list whose line breaks were lost
_INLINE_SUBHEADING = re.compile(r"(?<!\S)(\d{1,2}\.\d{1,2})\s+(?=[A-Z])")
# "Page | 3", "Page 3 of 12": page furniture left in text exported from a PDF.
_PAGE_MARK = re.compile(r"\bPage\s*\|\s*\d+\b|\bPage\s+\d+\s+of\s+\d+\b", re.IGNORECASE)
_LONE_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")


def read(name: str, data: bytes) -> SourceDocument:
    text = decode(data)
    require_text(name, text, "a text file")
    lines = [piece for line in _split_inline_headings(_clean_lines(text)) for piece in unjoin_list(line)]
    return SourceDocument(tuple(_blocks(lines)))


def _clean_lines(text: str) -> list[str]:
    """Lines with page furniture taken out; indentation and TABs kept (they carry structure)."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _PAGE_MARK.sub(" ", line).replace("\u00a0", " ").rstrip()
        lines.append("" if _LONE_PAGE_NUMBER.match(line) else line)
    return lines


def _blocks(lines: list[str]) -> list[Block]:
    out: list[Block] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        has_next = any(r.strip() for r in lines[i + 1:i + 40])
        out.append(_block(line, has_next))
    return out


def _block(line: str, has_next: bool) -> Block:
    stripped = line.strip()
    if m := _MD_HEADING.match(stripped):
        return Block("heading", fold(m.group(2)), level=len(m.group(1)))
    if m := _BULLET.match(line):
        return Block("item", fold(m.group(3)), level=len(m.group(1).expandtabs(4)), marker=m.group(2))
    if "\t" in stripped:
        return row([fold(c) for c in stripped.split("\t")])
    if m := _NUMBERED.match(stripped):
        body = m.group(2).replace(":", "")  # "9. Action by employer: inappropriate use" is a title
        if looks_like_heading(body) and has_next:
            return Block("heading", fold(stripped), level=m.group(1).rstrip(".").count(".") + 1)
        return Block("paragraph", fold(stripped))
    return Block("paragraph", fold(stripped))


def _split_inline_headings(lines: list[str]) -> list[str]:
    """Put headings that a PDF export ran into the text ("1. Purpose and scope This policy...") on
    lines of their own, using the document's table of contents when it has one."""
    toc = [m.group(1).strip() for line in lines if (m := _TOC_ENTRY.match(line.strip()))]
    if len(toc) < 3:
        return lines
    titles = [t for t in toc if len(t) < 80]
    out: list[str] = []
    for line in lines:
        if _TOC_ENTRY.match(line.strip()):
            continue  # the contents list itself is furniture
        out.extend(_break_at_titles(line, titles))
    return out


def _break_at_titles(line: str, titles: list[str]) -> list[str]:
    if len(line) < 120:
        return [line]
    cuts = {0}
    for title in titles:
        pattern = r"(?<!\S)" + r"\s+".join(map(re.escape, title.split())) + r"(?=\s)"
        for m in re.finditer(pattern, line):
            cuts.update((m.start(), m.end()))
    for m in _INLINE_SUBHEADING.finditer(line):
        cuts.add(m.start())
    bounds = sorted(cuts) + [len(line)]
    parts = [line[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [p for p in parts if p]


_NEVER_ENDS_ITEM = frozenset("a an the by to of on in at with and or for from as our your their its is are be "
                             "was were will must may can should than that this these those".split())


def _starts_item(line: str, start: int, m: re.Match[str]) -> bool:
    """An ordinary word (a dictionary word, or its plural), not inside brackets, not after a word that
    cannot end an item ("managed by the Proprietor")."""
    word = m.group(1).lower()
    before = line[start:m.start()]
    previous = before.rsplit(None, 1)[-1].lower().strip("(),'\u2019") if before.strip() else ""
    if before.count("(") > before.count(")") or previous in _NEVER_ENDS_ITEM:
        return False
    return is_dictionary_word(word)


def unjoin_list(line: str) -> list[str]:
    """A lead-in whose list lost its line breaks ("... will post on Facebook: Alerts about changes
    Reminders about events Job vacancies") as the lead-in and "- item" lines. An item starts where a
    capitalised ordinary word follows a lower-case one with no punctuation between: proper nouns
    ("Facebook", "SoundCloud") are not in the dictionary, so they never start an item."""
    colon = line.find(": ")
    if len(line) < _RUN_ON or colon < 0:
        return [line]
    start = colon + 2
    end_match = _SENTENCE_END.search(line, start)
    end = end_match.end() if end_match else len(line)
    cuts = [m.start() for m in _JOIN.finditer(line, start, end) if _starts_item(line, start, m)]
    if len(cuts) < 2:
        return [line]
    bounds = [start, *cuts, end]
    items = [line[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    rest = line[end:].strip()
    return [line[:colon + 1], *(f"- {item}" for item in items if item), *unjoin_list(rest)] if rest else \
        [line[:colon + 1], *(f"- {item}" for item in items if item)]
