"""Read one policy file into plain text lines the segmenter understands.

The common form every reader produces ("policy text"):
- one paragraph per line; blank lines between blocks are allowed;
- a heading may be written as a Markdown heading ("## Title");
- a list item as "- item" (nested items indented by one space per level);
- a table row as its cells joined by a TAB.

Plain-text and Markdown files are already in that form. Readers never rewrite the words.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, PyPdfError

from bot.errors import DocumentError

SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")


def read_document(path: Path) -> str:
    """Return the policy text of *path*; raise DocumentError (with the reason) if it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(path.name, f"unsupported file type '{suffix}'")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path.name, f"cannot open: {exc.strerror or exc}") from exc
    if not data.strip():
        raise DocumentError(path.name, "the file is empty")
    text = _READERS[suffix](path, data)
    if not text.strip():
        raise DocumentError(path.name, "no text could be extracted")
    return text


def _read_text(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise DocumentError(path.name, "binary data in a text file")
    return _decode(data)


def _decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252, the usual fallback for old office exports."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines, tabs, NBSP) to one space."""
    return " ".join(text.split())


# --- HTML -------------------------------------------------------------------------------------

_SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template"})
_BLOCKS = frozenset({
    "p", "div", "br", "hr", "section", "article", "header", "footer", "nav", "main", "aside",
    "blockquote", "pre", "address", "figure", "figcaption", "caption", "dl", "dt", "dd",
    "form", "fieldset", "table", "thead", "tbody", "tfoot", "li", "ul", "ol", "body",
})
_HEADINGS = {f"h{level}": level for level in range(1, 7)}


class _PolicyHTMLParser(HTMLParser):
    """Collects policy-text lines from HTML; see the module docstring for the form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._text: list[str] = []
        self._prefix = ""
        self._skipping: list[str] = []
        self._list_depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # an unclosed <head> ends here
            self._skipping.clear()
        if tag in _SKIPPED:
            self._skipping.append(tag)
        elif self._skipping:
            return
        elif self._cell is not None and (tag in _BLOCKS or tag in _HEADINGS):
            self._cell.append(" ")
        elif tag == "tr":
            self._end_row()
            self._flush()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            self._cell = []
        elif tag in _HEADINGS:
            self._flush()
            self._prefix = "#" * _HEADINGS[tag] + " "
        elif tag == "li":
            self._flush()
            self._prefix = " " * max(self._list_depth - 1, 0) + "- "
        elif tag in _BLOCKS:
            self._flush()
            if tag in ("ul", "ol"):
                self._list_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED:  # <br/>, <hr/>; a self-closed <script/> has no content
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipping:
            del self._skipping[len(self._skipping) - 1 - self._skipping[::-1].index(tag):]
        elif self._skipping:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()
        elif self._cell is not None:
            if tag in _BLOCKS or tag in _HEADINGS:
                self._cell.append(" ")
        elif tag in _BLOCKS or tag in _HEADINGS:
            self._flush()
            if tag in ("ul", "ol"):
                self._list_depth = max(self._list_depth - 1, 0)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        (self._cell if self._cell is not None else self._text).append(data)

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush()

    def _flush(self) -> None:
        line = _one_line("".join(self._text))
        if line:
            self.lines.append(self._prefix + line)
        self._text, self._prefix = [], ""

    def _end_cell(self) -> None:
        if self._cell is not None:
            if self._row is None:  # a cell outside any <tr>
                self._row = []
            self._row.append(_one_line("".join(self._cell)))
            self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None and any(self._row):
            self.lines.append("\t".join(self._row))
        self._row = None


def _read_html(path: Path, data: bytes) -> str:
    parser = _PolicyHTMLParser()
    parser.feed(_decode(data))
    parser.close()
    return "\n".join(parser.lines)


# --- DOCX -------------------------------------------------------------------------------------

_DOCX_ERRORS: dict[type[Exception], str] = {
    PackageNotFoundError: "not a Word .docx file (an old .doc, or another format renamed?)",
    zipfile.BadZipFile: "not a Word .docx file, or a damaged one",
    zlib.error: "the Word file is damaged (broken compressed data)",
    KeyError: "the Word file is incomplete (a required part is missing)",
    XMLSyntaxError: "the Word file is damaged (malformed XML)",
    ValueError: "not a Word document",
}


def _read_docx(path: Path, data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
        lines = [line for block in document.iter_inner_content() for line in _docx_lines(block)]
    except tuple(_DOCX_ERRORS) as exc:
        reason = next(text for kind, text in _DOCX_ERRORS.items() if isinstance(exc, kind))
        raise DocumentError(path.name, f"{reason}: {exc}") from exc
    return "\n".join(lines)


def _docx_lines(block: Paragraph | Table) -> Iterator[str]:
    if isinstance(block, Table):
        for row in block.rows:
            cells = row.cells  # a merged cell repeats the same object once per grid column
            unique = [cell for i, cell in enumerate(cells) if i == 0 or cell is not cells[i - 1]]
            texts = [_one_line(cell.text) for cell in unique]
            if any(texts):
                yield "\t".join(texts)
        return
    text = _one_line(block.text)
    if text:
        yield _docx_prefix(block) + text


def _docx_prefix(paragraph: Paragraph) -> str:
    """Markdown heading or list marker for the paragraph's style / numbering, else ''."""
    style = (paragraph.style.name if paragraph.style is not None else None) or ""
    if style == "Title":
        return "# "
    if heading := re.match(r"Heading\s*(\d)", style):
        return "#" * min(int(heading.group(1)), 6) + " "
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if num_pr is not None and num_pr.numId is not None and num_pr.numId.val == 0:
        num_pr = None  # numId 0 switches numbering off
    if "List" not in style and num_pr is None:
        return ""
    if num_pr is not None and num_pr.ilvl is not None:
        level = num_pr.ilvl.val
    else:  # "List Bullet 2" is the second level
        level = int(style[-1]) - 1 if style[-1:].isdigit() else 0
    return " " * level + "- "


# --- PDF --------------------------------------------------------------------------------------

_PAGE_MARKER = re.compile(r"page\s*\|?\s*\d+(\s*of\s*\d+)?|\d+\s*\|\s*page", re.IGNORECASE)
_EDGE = 2  # lines at the top and at the bottom of a page where running headers/footers live


def _read_pdf(path: Path, data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise DocumentError(path.name, "the PDF is encrypted (password protected)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DependencyError as exc:
        raise DocumentError(path.name, f"the PDF is encrypted and cannot be opened: {exc}") from exc
    except (PyPdfError, ValueError, KeyError, IndexError) as exc:
        raise DocumentError(path.name, f"the PDF is damaged or not a PDF: {exc}") from exc
    if not any(page.strip() for page in pages):
        raise DocumentError(path.name, "the PDF has no text layer (a scanned document?)")
    return "\n\n".join(_drop_running_lines([page.splitlines() for page in pages]))


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "0", line.strip())


def _edge_indexes(lines: list[str]) -> set[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:_EDGE] + filled[-_EDGE:])


def _drop_running_lines(pages: list[list[str]]) -> list[str]:
    """Drop running headers/footers, keeping lone page markers (cleanup handles those).

    A running line is one of the first or last two lines of a page whose text, digits aside,
    recurs there on at least half the pages and at least two.
    """
    edges = [_edge_indexes(lines) for lines in pages]
    seen = Counter(
        key for lines, idx in zip(pages, edges) for key in {_running_key(lines[i]) for i in idx}
    )
    threshold = max(2, (len(pages) + 1) // 2)
    running = {key for key, count in seen.items() if count >= threshold}
    return [
        "\n".join(
            line for i, line in enumerate(lines)
            if i not in idx or _running_key(line) not in running
            or _PAGE_MARKER.fullmatch(line.strip())
        )
        for lines, idx in zip(pages, edges)
    ]


_READERS = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}
