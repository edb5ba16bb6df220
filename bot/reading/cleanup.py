"""Text repair before segmentation: page furniture out, whitespace repaired, words untouched."""

from __future__ import annotations

import re

# "Page | 3", "Page 3 of 12", "- 3 -": page furniture from PDF exports.
_PAGE_MARK = re.compile(r"\bPage\s*\|\s*\d+\b|\bPage\s+\d+\s+of\s+\d+\b", re.IGNORECASE)
_LONE_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def repair_spaces(text: str) -> str:
    """Collapse runs of spaces (and tabs) into one space and trim: the only change quotes get."""
    return _SPACES.sub(" ", text).strip()


def clean_lines(text: str) -> list[str]:
    """Split *text* into lines with page furniture removed; indentation and tabs are kept."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = []
    for line in text.split("\n"):
        line = _PAGE_MARK.sub(" ", line).rstrip()
        if _LONE_PAGE_NUMBER.match(line):
            line = ""
        lines.append(line.replace("\u00a0", " "))
    return lines
