"""Contents pages: a "Contents" title and the entries after it, or runs of entries ending in page numbers.

Pure functions over Line data (pdf_layout); the reader leaves these lines out.
"""

from __future__ import annotations

import re

from bot.reading.readers.pdf_layout import Line, Word


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
