"""One reader per format; each turns a file's bytes into a bot.reading.blocks.SourceDocument.

`read_document` checks what every format shares before a reader sees the file: a supported name, a size
within the limit, some content, and bytes that are what the name says (a Word file renamed .pdf is
reported as such, not parsed as garbage). Each reader module has `read(name, data) -> SourceDocument`
and raises DocumentError with a reason a school's IT lead can act on.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from bot.errors import DocumentError
from bot.reading.blocks import SourceDocument

_MODULES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
            ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
SUFFIXES = tuple(_MODULES)
MAX_BYTES = 30 * 1024 * 1024  # the default limit: policies are rarely over 10 MB, even with photos
_NAMES = {"pdf": "a PDF", "zip": "a zip archive (a Word .docx, Excel or PowerPoint file?)", "docx": "a Word .docx file",
          "ole": "an old Office file (.doc or .xls: save it as .docx or PDF)", "text": "a text file"}


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> SourceDocument:
    """The blocks of *path*; DocumentError (naming the file and the reason) when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in _MODULES:
        raise DocumentError(path.name, f"unsupported file type '{suffix}' (policybot reads {', '.join(SUFFIXES)})")
    data = _bytes(path, max_bytes)
    _check_kind(path.name, _MODULES[suffix], sniff(data))
    reader = importlib.import_module(f"bot.reading.readers.{_MODULES[suffix]}")
    document: SourceDocument = reader.read(path.name, data)
    if not document.blocks:
        raise DocumentError(path.name, "no text could be extracted")
    return document


def _bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(path.name, f"the file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB "
                                           "limit (POLICYBOT_MAX_DOCUMENT_MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(path.name, f"cannot open: {exc.strerror or exc}") from exc
    if not data.strip():
        raise DocumentError(path.name, "the file is empty")
    return data


def sniff(data: bytes) -> str:
    """What the bytes are, whatever the name says: "pdf", "docx", "zip", "ole" or "text"."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:2048] and b"word" in data else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return "text"


def _check_kind(name: str, reader: str, found: str) -> None:
    expected = {"pdf": "pdf", "docx": "docx"}.get(reader, "text")
    if found == expected or (expected == "docx" and found == "zip"):
        return  # a zip that is not a Word file gets the Word reader's own, more precise, reason
    said = {"pdf": "a PDF", "docx": "a Word .docx file", "text": "a text, Markdown or HTML file"}[expected]
    raise DocumentError(name, f"named as {said} but it is {_NAMES[found]}: rename or re-save it")
