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
    """Per-character calls into PDFium with reusable ctypes buffers (they are the hot loop): the page's
    text is fetched in one call, each character's box in one more; the font (size, weight) and the
    baseline are asked for once per word."""

    def __init__(self, textpage: raw.FPDF_TEXTPAGE, height: float) -> None:
        self.tp, self.height = textpage, height
        self.count = raw.FPDFText_CountChars(textpage)
        self.text = (ctypes.c_ushort * (self.count + 1))()
        if self.count:
            raw.FPDFText_GetText(textpage, 0, self.count, self.text)
        self.rect = raw.FS_RECTF()
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.name = ctypes.create_string_buffer(128)
        self.flags = ctypes.c_int()
        self.bulk = True  # the bulk text maps one unit to one character until a surrogate pair appears

    def char(self, i: int) -> str:
        if self.bulk:
            unit = self.text[i]
            if not 0xD800 <= unit <= 0xDFFF:
                return chr(unit or 32)
            self.bulk = False
        return chr(raw.FPDFText_GetUnicode(self.tp, i) or 32)

    def box(self, i: int) -> tuple[float, float, float, float]:
        """Left, right (the glyph's advance, so narrow letters do not look spaced), top and bottom of
        character *i*'s loose box, top and bottom measured down from the page top."""
        raw.FPDFText_GetLooseCharBox(self.tp, i, self.rect)
        return self.rect.left, self.rect.right, self.height - self.rect.top, self.height - self.rect.bottom

    def baseline(self, i: int) -> float:
        raw.FPDFText_GetCharOrigin(self.tp, i, self.x, self.y)
        return self.height - self.y.value

    def size(self, i: int) -> float:
        return float(raw.FPDFText_GetFontSize(self.tp, i))

    def bold(self, i: int) -> bool:
        if raw.FPDFText_GetFontWeight(self.tp, i) >= 600:
            return True
        raw.FPDFText_GetFontInfo(self.tp, i, self.name, 128, self.flags)
        return bool(_BOLD_NAME.search(self.name.value.decode("latin-1"))) or bool(self.flags.value & (1 << 18))


_Char = tuple[str, float, float, float, float]  # text, left, right, top, bottom of the loose box


class _WordBuilder:
    """Characters collected into the current word, then flushed as a Word with its font and baseline."""

    def __init__(self, reader: _CharReader) -> None:
        self.reader = reader
        self.chars: list[_Char] = []
        self.last = -1  # index of the word's last character
        self.size, self.bold = 0.0, False
        self.words: list[Word] = []

    def add(self, i: int, ch: str, soft: bool) -> None:
        """Character *i* appended, after ending the word when it does not follow on (*soft*: a soft
        hyphen came between them)."""
        x0, x1, top, bottom = self.reader.box(i)
        if self.chars and _breaks(self.chars[-1], (ch, x0, x1, top, bottom), self.size):
            self.flush(soft)
        if not self.chars:
            self.size, self.bold = self.reader.size(i), self.reader.bold(i)
        self.chars.append((ch, x0, x1, top, bottom))
        self.last = i

    def flush(self, soft: bool) -> None:
        chars = self.chars
        if chars:
            text = "".join(c[0] for c in chars) + ("-" if soft else "")
            self.words.append(Word(text, chars[0][1], max(c[2] for c in chars), min(c[3] for c in chars),
                                   self.reader.baseline(self.last), round(self.size, 1), self.bold))
        self.chars = []


def _words(textpage: raw.FPDF_TEXTPAGE, height: float) -> list[Word]:
    """Characters joined into words: a space, a line break, a jump backwards or a wide gap ends one."""
    reader = _CharReader(textpage, height)
    build = _WordBuilder(reader)
    soft = False
    for i in range(reader.count):
        ch = reader.char(i)
        if ch in _SOFT:
            soft = True
            if ch != "\xad":  # PDFium's line-end hyphen marks
                build.flush(True)
                soft = False
            continue
        if ch in _SPACE or ch.isspace():
            build.flush(soft)
            soft = False
            continue
        build.add(i, ch, soft)
        soft = False  # a soft hyphen inside a word on one line is no break
    build.flush(soft)
    return build.words


def _breaks(prev: _Char, char: _Char, size: float) -> bool:
    """Whether the next character starts a new word although PDFium put no space before it: it sits on
    another line, jumps back or leaves a gap, or is set in another size (its loose box, which spans the
    font's ascent and descent, is taller or shorter) and raised or lowered: a footnote mark after a word."""
    _, x0, _, top, bottom = char
    tall, was = bottom - top, prev[4] - prev[3]
    return (abs(bottom - prev[4]) > size * 0.4 or x0 < prev[1] - size * 0.2 or x0 - prev[2] > size * 0.15
            or abs(tall - was) > 0.25 * was and abs(bottom - prev[4]) > 0.1 * min(tall, was))


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
