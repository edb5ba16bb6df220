"""PDF page contents → the block model: the reading order of a page, then paragraphs, headings, list
items and table rows from positions and fonts.

Pure functions over the plain data pdf.py takes from PDFium (pages of positioned words and rules).
Built for school policies in general, not for any one file: every threshold is relative to the
document's own body text (its most common size and line spacing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from bot.reading.blocks import Block, fold, row
from bot.reading.readers.pdf_columns import find_gutter, list_columns, split_columns
from bot.reading.readers.pdf_contents import strip_contents
from bot.reading.readers.pdf_layout import Line, Word, group_lines, strip_furniture
from bot.reading.readers.pdf_tables import Rule, Table, find_tables, header_like
from bot.reading.readers.pdf_text import (Style, Unit, body_style, group_units, heading_levels,
                                          hyphenated_words, join_lines)

__all__ = ["Page", "Rule", "document_blocks"]


@dataclass
class Page:
    """What pdf.py reads off one page."""

    number: int
    width: float
    height: float
    words: list[Word]
    rules: list[Rule] = field(default_factory=list)


Item = Line | Table


def reading_order(page: Page, lines: list[Line], tables: list[Table]) -> list[Item]:
    """A page's lines and tables in the order a reader takes them: column by column on a two-column
    page, tables where they stand."""
    gutter = find_gutter(lines, page.width)
    ordered: list[Item] = list(list_columns(lines) if gutter is None else split_columns(lines, gutter))
    for t in sorted(tables, key=lambda t: t.top):
        at = next((i for i, ln in enumerate(ordered) if isinstance(ln, Line) and ln.top > t.top
                   and (gutter is None or (ln.x0 < gutter) == (t.x0 < gutter))), len(ordered))
        ordered.insert(at, t)
    return ordered


def document_blocks(pages: list[Page], info_title: str, name: str) -> tuple[list[Block], str]:
    """All blocks of the document in reading order, and its title."""
    found = [find_tables(p.words, p.rules, p.number) for p in pages]
    lines = strip_furniture([group_lines(rest, p.number) for p, (_, rest) in zip(pages, found)],
                            [p.height for p in pages])
    kept = {id(ln) for ln in strip_contents([ln for page in lines for ln in page], len(pages))}
    stream = [it for p, page_lines, (tables, _) in zip(pages, lines, found)
              for it in reading_order(p, [ln for ln in page_lines if id(ln) in kept], tables)]
    text_lines = [it for it in stream if isinstance(it, Line)]
    if not text_lines and not any(isinstance(it, Table) for it in stream):
        return [], ""
    body = body_style(text_lines)
    hyphens = hyphenated_words(text_lines)
    units = _units(stream, body)
    title_unit = _title_unit(units)
    levels = heading_levels([u for u in units if isinstance(u, Unit) and u.kind == "heading"], title_unit)
    blocks = continued_tables([b for u in units for b in _blocks(u, levels, hyphens, u is title_unit)])
    title_text = join_lines(title_unit.lines, hyphens) if title_unit else ""
    return blocks, choose_title(info_title, title_text, name, text_lines)


def _units(stream: list[Item], body: Style) -> list[Unit | Table]:
    """The stream with runs of lines grouped into units; tables stay as they are."""
    out: list[Unit | Table] = []
    run: list[Line] = []
    for it in stream + [None]:
        if isinstance(it, Line):
            run.append(it)
            continue
        out.extend(group_units(run, body))
        run = []
        if it is not None:
            out.append(it)
    return out


def _title_unit(units: list[Unit | Table]) -> Unit | None:
    """The heading in the largest type on the first two pages (the first, if there are several): a
    version log or cover sheet may come before the page that names the policy."""
    first = [u for u in units if isinstance(u, Unit) and u.kind == "heading" and u.lines[0].page <= 2]
    return max(first, key=lambda u: u.lines[0].size, default=None)


def _blocks(u: Unit | Table, levels: dict[int, int], hyphens: set[str], title: bool) -> list[Block]:
    if isinstance(u, Table):
        return _rows(u, hyphens)
    first = u.lines[0]
    text = join_lines(u.lines, hyphens)
    if u.kind == "heading":
        return [Block("heading", text, level=levels[id(u)],
                      marker=numbering(text), page=first.page, top=round(first.top, 1))]
    return [Block(u.kind, text, level=u.depth, marker=u.marker, page=first.page, top=round(first.top, 1))]


def _rows(t: Table, hyphens: set[str]) -> list[Block]:
    """A table as row blocks; the first row is a header when it is all bold, or when it is a row of
    short labels over rows of longer text (pdf_tables.header_like)."""
    texts = [[join_lines(list(c), hyphens) if c else "" for c in cells] for _, cells in t.rows]
    bold = all(ln.bold for c in t.rows[0][1] for ln in c)
    header = len(t.rows) > 1 and (bold or header_like(texts))
    out = []
    for i, ((top, cells), cell_texts) in enumerate(zip(t.rows, texts)):
        page = next(c[0].page for c in cells if c)
        out.append(row(cell_texts, header=i == 0 and header, page=page, top=round(top, 1)))
    return out


def continued_tables(blocks: list[Block]) -> list[Block]:
    """The blocks with a table's header row repeated where the table goes on over a page break (its
    rows on the next page come straight after its last row, with as many cells, and no header of their
    own), so the rows there still sit under their column names."""
    out: list[Block] = []
    header: Block | None = None
    for b in blocks:
        prev = out[-1] if out else None
        if b.kind != "row":
            header = None
        elif b.header:
            header = b
        elif (header is not None and prev is not None and prev.kind == "row" and prev.page is not None
              and b.page == prev.page + 1):
            names = header.cells if len(b.cells) == len(header.cells) else tuple(c for c in header.cells if c)
            if len(names) == len(b.cells):
                out.append(replace(header, cells=names, page=b.page, top=b.top))
        out.append(b)
    return out


_NUMBERING = re.compile(r"^(?:(?:section|part|appendix|annex)\s+)?(\d+(?:\.\d+)*\.?|[A-Z]\.|[ivx]+\.)(?=\s)",
                        re.IGNORECASE)


def numbering(text: str) -> str:
    """A heading's number as written ("3.", "3.2", "Section 4"), or ""."""
    m = _NUMBERING.match(text)
    return m.group(0) if m else ""


_JUNK_TITLE = re.compile(r"^(?:microsoft\s+\w+\s*-|untitled)|\.(?:docx?|pdf|odt|rtf|pages)$|^[\W\d_]*$",
                         re.IGNORECASE)


def choose_title(info_title: str, text_title: str, name: str, lines: list[Line]) -> str:
    """The PDF's own Title unless it is junk (a Word file name, the file's name, or words that appear
    nowhere on the first two pages: a template's leftover); otherwise the largest text on page 1."""
    info = fold(info_title)
    if not info or _JUNK_TITLE.search(info) or info.lower() == PurePath(name).stem.lower():
        return text_title
    start = " ".join(ln.text for ln in lines if ln.page <= 2).lower()
    if all(w in start for w in re.findall(r"\w+", info.lower())):
        return info
    return text_title or info
