"""Read one policy file into plain text lines the segmenter understands.

The common form every reader produces ("policy text"):
- one paragraph per line; blank lines between blocks are allowed;
- a heading may be written as a Markdown heading ("## Title");
- a list item as "- item" (nested items indented by one space per level);
- a table row as its cells joined by a TAB.

Plain-text and Markdown files are already in that form. Readers never rewrite the words.
"""

from __future__ import annotations

from pathlib import Path

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
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_html(path: Path, data: bytes) -> str:
    raise DocumentError(path.name, "HTML reading not implemented yet")


def _read_docx(path: Path, data: bytes) -> str:
    raise DocumentError(path.name, "DOCX reading not implemented yet")


def _read_pdf(path: Path, data: bytes) -> str:
    raise DocumentError(path.name, "PDF reading not implemented yet")


_READERS = {
    ".txt": _read_text,
    ".md": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}
