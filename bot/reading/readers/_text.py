"""Text helpers the Markdown, HTML and DOCX readers share: decoding bytes, cleaning a block's text,
telling "Label: value" lines apart from a hard-wrapped sentence, and property keys.

Kept in one place so that the three formats agree on what a block's text is (no invisible characters,
whitespace folded) and on when a line break starts a new paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from bot.errors import DocumentError
from bot.reading.blocks import Block, fold

# Zero-width space / non-joiner / joiner, word joiner, BOM (zero-width no-break space), soft hyphen,
# left-to-right and right-to-left marks: characters a reader never sees, which would split words.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# "Review date: 1 May 2025", "Signed by (Chair): A. Person": a short label, a colon, a value.
_LABEL_LINE = re.compile(r"^[^\W\d_][\w'’()/&.,-]*(?: [\w'’()/&.,-]+){0,4}:\s+\S")
_LABEL_LINE_MAX = 80  # longer lines are prose that happens to contain a colon
_JUNK_SHARE = 0.05  # share of control or undecodable characters above which "text" is binary data


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of *data* announces, if there is one."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def decode(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: a BOM first, then the declared encoding, then UTF-8, else Windows-1252.

    Windows-1252 is the usual encoding of old office exports and never fails (undefined bytes become
    U+FFFD); a declared Latin-1 is read as Windows-1252 too, as browsers do.
    """
    encoding = bom_encoding(data)
    if encoding is not None:
        return data[len(_bom_of(encoding)):].decode(encoding, errors="replace")
    for candidate in _candidates(declared):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


def _bom_of(encoding: str) -> bytes:
    return next(bom for bom, name in _BOMS if name == encoding)


def _candidates(declared: str | None) -> list[str]:
    """Encodings to try strictly, in order: the declared one (Latin-1 read as Windows-1252), UTF-8."""
    if declared and declared.strip().lower() in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        declared = "cp1252"
    return [declared.strip(), "utf-8"] if declared else ["utf-8"]


def require_text(name: str, text: str, what: str) -> None:
    """Raise DocumentError when decoded "text" is really binary data (NULs, control characters)."""
    sample = text[:4096]
    junk = sum(1 for ch in sample if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f"))
    if sample and junk / len(sample) > _JUNK_SHARE:
        raise DocumentError(name, f"binary data, not {what} (is the file really {what}?)")


def clean(text: str) -> str:
    """A block's text: invisible characters removed, NBSP and every other whitespace run as one space."""
    return fold(text.translate(_INVISIBLE))


def label_lines(lines: list[str]) -> list[str] | None:
    """The cleaned lines when every one of two or more is a short "Label: value" line, else None.

    Such lines ("Adopted: 1 May 2024" / "Review date: ..." / "Signed by: ...") are separate statements,
    so a line break between them starts a new paragraph; anywhere else a line break only wraps text.
    """
    cleaned = [clean(line) for line in lines]
    cleaned = [line for line in cleaned if line]
    if len(cleaned) < 2:
        return None
    if all(len(line) <= _LABEL_LINE_MAX and _LABEL_LINE.match(line) for line in cleaned):
        return cleaned
    return None


def paragraphs(lines: list[str]) -> list[Block]:
    """Paragraph blocks from the lines of one paragraph: one per "Label: value" line, else one in all."""
    split = label_lines(lines)
    texts = split if split is not None else [clean(" ".join(lines))]
    return [Block("paragraph", text) for text in texts if text]


def property_key(name: str) -> str:
    """A property name as the block model keys it: lower case, spaces and hyphens as underscores."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def property_value(value: object) -> str:
    """A property's value as a string: dates in ISO form (a date and time as its date), lists joined."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(part for part in map(property_value, value) if part)
    return "" if value is None else clean(str(value))


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def format_number(number: int, style: str) -> str:
    """A list number as a numbering style shows it (Word's numFmt names): decimal, decimalZero,
    lowerLetter/upperLetter ("a" ... "z", "aa"), lowerRoman/upperRoman; anything else as decimal."""
    if style in ("lowerLetter", "upperLetter") and number > 0:
        text = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
    elif style in ("lowerRoman", "upperRoman") and 0 < number < 4000:
        text = _roman(number)
    elif style == "decimalZero":
        return f"{number:02d}"
    else:
        return str(number)
    return text.upper() if style.startswith("upper") else text


def _roman(number: int) -> str:
    text = ""
    for value, numeral in _ROMAN:
        count, number = divmod(number, value)
        text += numeral * count
    return text
