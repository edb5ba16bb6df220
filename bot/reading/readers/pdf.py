"""Read a PDF into the block model (bot.reading.blocks) with PDFium: text with positions and fonts.

PDFium (pypdfium2) reads a whole school library's text in well under a second, where pure-Python
parsers take many; the index rebuilds a changed document while a member of staff waits. This module
only talks to PDFium (opening, characters, ruling lines); what the positions mean is worked out by the
pure functions in pdf_layout and pdf_blocks.
"""

from __future__ import annotations

import ctypes
import re

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from bot.errors import DocumentError
from bot.reading.blocks import SourceDocument
from bot.reading.readers.pdf_blocks import Page, document_blocks
from bot.reading.readers.pdf_tables import Rule
from bot.reading.readers.pdf_layout import Word

# A soft hyphen, and PDFium's mark for a hyphen it saw at a line end: written as "-" when it ends a word
# (the line-joining rule then decides whether the word was broken), dropped inside one.
_SOFT = {"\xad", "\x02", "\ufffe"}  # U+FFFE: PDFium's "-" and line break in one
_SPACE = {" ", "\r", "\n", "\t", "\xa0", "\u2002", "\u2003", "\u2009", "\x00"}
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


def read(name: str, data: bytes) -> SourceDocument:
    """The blocks of the PDF *data* (file *name*, for messages); DocumentError when it cannot be read."""
    pdf = _open(name, data)
    try:
        pages = [_page(pdf[i], i + 1) for i in range(len(pdf))]
        info = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    if not any(p.words for p in pages):
        raise DocumentError(name, "no text — needs OCR (a scanned PDF?)")
    blocks, title = document_blocks(pages, info.get("Title", ""), name)
    properties = {"title": title} if title else {}
    if info.get("Author", "").strip():
        properties["author"] = info["Author"].strip()
    return SourceDocument(tuple(blocks), properties, len(pages))


def _open(name: str, data: bytes) -> pdfium.PdfDocument:
    """PDFium's document, opened with no password (an empty user password opens too)."""
    if not data.lstrip()[:1024].count(b"%PDF"):
        raise DocumentError(name, "damaged or not a PDF: the file does not start like a PDF")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise DocumentError(name, "password protected — save a copy without a password") from exc
        raise DocumentError(name, f"damaged or not a PDF: {exc}") from exc


def _page(page: pdfium.PdfPage, number: int) -> Page:
    """One page's words (with fonts) and ruling lines, in top-down coordinates."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        words = _words(textpage.raw, height)
    finally:
        textpage.close()
    rules = _rules(page, height)
    page.close()
    return Page(number, width, height, words, rules)


class _CharReader:
    """Per-character calls into PDFium with reusable ctypes buffers (they are the hot loop)."""

    def __init__(self, textpage: raw.FPDF_TEXTPAGE, height: float) -> None:
        self.tp, self.height = textpage, height
        self.rect = raw.FS_RECTF()
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.name = ctypes.create_string_buffer(128)
        self.flags = ctypes.c_int()

    def box(self, i: int) -> tuple[float, float, float, float]:
        """Left, right (the glyph's advance, so narrow letters do not look spaced), top and baseline of
        character *i*, top and baseline measured down from the page top."""
        raw.FPDFText_GetLooseCharBox(self.tp, i, self.rect)
        raw.FPDFText_GetCharOrigin(self.tp, i, self.x, self.y)
        return self.rect.left, self.rect.right, self.height - self.rect.top, self.height - self.y.value

    def bold(self, i: int) -> bool:
        if raw.FPDFText_GetFontWeight(self.tp, i) >= 600:
            return True
        raw.FPDFText_GetFontInfo(self.tp, i, self.name, 128, self.flags)
        return bool(_BOLD_NAME.search(self.name.value.decode("latin-1"))) or bool(self.flags.value & (1 << 18))


def _words(textpage: raw.FPDF_TEXTPAGE, height: float) -> list[Word]:
    """Characters joined into words: a space, a line break, a jump backwards or a wide gap ends one."""
    reader, words = _CharReader(textpage, height), []
    current: list[tuple[str, float, float, float, float]] = []
    size, bold, soft = 0.0, False, False
    for i in range(raw.FPDFText_CountChars(textpage)):
        ch = chr(raw.FPDFText_GetUnicode(textpage, i) or 32)
        if ch in _SOFT:
            soft = True
            if ch != "\xad":  # PDFium's line-end hyphen marks
                _flush(words, current, size, bold, soft)
                current, soft = [], False
            continue
        if ch in _SPACE or ch.isspace():
            _flush(words, current, size, bold, soft)
            current, soft = [], False
            continue
        x0, x1, top, base = reader.box(i)
        fsize = raw.FPDFText_GetFontSize(textpage, i)
        if current and _breaks(current[-1], x0, base, fsize):
            _flush(words, current, size, bold, soft)
            current = []
        soft = False  # a soft hyphen inside a word on one line is no break
        if not current:
            size, bold = fsize, reader.bold(i)
        current.append((ch, x0, x1, top, base))
    _flush(words, current, size, bold, soft)
    return words


def _breaks(prev: tuple[str, float, float, float, float], x0: float, base: float, size: float) -> bool:
    """Whether the next character starts a new word although PDFium put no space before it."""
    return abs(base - prev[4]) > size * 0.4 or x0 < prev[1] - size * 0.2 or x0 - prev[2] > size * 0.15


def _flush(words: list[Word], chars: list[tuple[str, float, float, float, float]], size: float,
           bold: bool, soft: bool) -> None:
    if chars:
        text = "".join(c[0] for c in chars) + ("-" if soft else "")
        words.append(Word(text, chars[0][1], max(c[2] for c in chars), min(c[3] for c in chars),
                          chars[-1][4], round(size, 1), bold))


def _rules(page: pdfium.PdfPage, height: float) -> list[Rule]:
    """Thin horizontal and vertical path objects (and thin filled rectangles): a table's ruling lines."""
    rules = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if h <= 3 and w > 5:
            rules.append(Rule(left, right, height - top, height - bottom))
        elif w <= 3 and h > 5:
            rules.append(Rule(left, right, height - top, height - bottom))
        elif w > 5 and h > 5:  # a rectangle drawn as one path: its four edges
            rules.extend(_edges(left, right, height - top, height - bottom))
    return rules


def _edges(x0: float, x1: float, top: float, bottom: float) -> list[Rule]:
    return [Rule(x0, x1, top, top), Rule(x0, x1, bottom, bottom), Rule(x0, x0, top, bottom),
            Rule(x1, x1, top, bottom)]
