"""A document's title, as a person would name it: "Child Protection and Safeguarding Policy", not
"Policy", "Aims" or "Document Version Control Log".

In order: the title the format itself records (front matter, document properties, a PDF's title when it is
not a file name), the first heading that names the document, a title recovered from a cover line, the
first heading that is not generic, and last the file name, prettified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath

from bot.reading.blocks import Block

_NUMBERED = re.compile(r"^(?:\d+(?:\.\d+)*\.?|section\s+\d+|part\s+\d+|appendix\b)", re.IGNORECASE)
_NAMES_DOCUMENT = re.compile(r"\b(?:policy|procedures?|guidance|code\s+of\s+conduct|statement|protocol"
                             r"|plan|charter|agreement|handbook|strategy)\b", re.IGNORECASE)
_GENERIC = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s*)?(?:(?:the\s+)?policy(?:\s+statement)?|aims?(?:\s+and\s+objectives)?"
                      r"|introduction|purpose|scope|rationale|contents|table\s+of\s+contents|summary(?:\s+of\s+changes)?"
                      r"|document\s+(?:version\s+)?control(?:\s+log)?|version\s+control|procedures?|overview"
                      r"|definitions|background|appendix.*|key\s+personnel|status|date|review)\W*$", re.IGNORECASE)
_JUNK = re.compile(r"^(?:microsoft\s+word\s*-|untitled|document\d*$|title$)|\.(?:docx?|pdf|odt|rtf)$", re.IGNORECASE)
_ACRONYMS = {"send", "sen", "cp", "pshe", "rse", "rshe", "ict", "eyfs", "lac", "cla", "pla", "dbs", "gdpr",
             "kcsie", "sencos", "senco", "sendco", "dsl", "hr", "it", "pe", "ks1", "ks2", "ks3", "ks4", "faq"}
_LOOK = 40  # headings after this many blocks are sections, not titles


def choose_title(properties: Mapping[str, str], blocks: Sequence[Block], cover_line: str | None, filename: str) -> str:
    headings = [b.text for b in blocks[:_LOOK] if b.kind == "heading" and not _NUMBERED.match(b.text)]
    specific = [h for h in headings if not _GENERIC.match(h) and len(h) <= 120]
    named = [h for h in specific if _NAMES_DOCUMENT.search(h)]
    first_level_one = next((h for b in blocks[:_LOOK] if b.kind == "heading" and b.level == 1
                            and (h := b.text) in specific), None)
    recorded = (properties.get("title") or "").strip()
    if _usable(recorded):
        return first_level_one if first_level_one and _site_title_of(recorded, first_level_one) else recorded
    for candidate in (first_level_one if first_level_one in named else None, *named[:1], cover_line,
                      first_level_one, *specific[:1]):
        if candidate and _usable(candidate):
            return candidate
    return pretty_filename(filename)


def _site_title_of(recorded: str, heading: str) -> bool:
    """A web page's <title> is often "Attendance | Oak Primary School": the page's own heading says it
    better when part of the recorded title is in it."""
    parts = [p.strip().lower() for p in re.split(r"\s+[|\u2013\u2014:-]\s+|\s+::\s+", recorded)]
    return len(parts) > 1 and any(p and p in heading.lower() for p in parts)


def same_title(a: str, b: str) -> bool:
    """Two spellings of one title ("SEND POLICY", "Send policy.")."""
    return re.sub(r"\W+", " ", a).strip().lower() == re.sub(r"\W+", " ", b).strip().lower()


def _usable(title: str) -> bool:
    return bool(title) and len(title) <= 150 and any(ch.isalpha() for ch in title) and not _JUNK.search(title.strip()) \
        and not _GENERIC.match(title)


def pretty_filename(filename: str) -> str:
    """"2020-anti-bullying-policy.pdf" -> "Anti Bullying Policy"; "send_policy.docx" -> "SEND Policy"."""
    stem = PurePath(filename).stem
    words = [w for w in re.split(r"[-_\s]+", stem) if w]
    while len(words) > 1 and words[0].isdigit():  # leading years, dates and numbers
        words.pop(0)
    return " ".join(w.upper() if w.lower() in _ACRONYMS else w[:1].upper() + w[1:] for w in words) or stem
