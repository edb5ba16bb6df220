"""What a policy's own text says about it: approval, review dates and cycle, replacement, owner, title,
and the people it names ("Designated Safeguarding Lead (DSL): Mica Smith")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from datetime import date

from collections.abc import Mapping, Sequence

from bot.reading import contacts, roles
from bot.reading.blocks import Block
from bot.reading.cleanup import repair_spaces
from bot.reading.documents import Person
from bot.reading.dates import DATE_PATTERN, find_date, parse_date

_SEP = r"(?:\s*[:\t]\s*|\s+)\[?"  # "Label: value", "Label<TAB>value", "Label [value](#)"
_NEXT_REVIEW = re.compile(
    r"(?:next\s+review(?:\s+date)?(?:\s+due)?(?:\s+by)?|(?:policy\s+)?review\s+date|date\s+of\s+next\s+review"
    r"|review\s+due(?:\s+by)?|to\s+be\s+reviewed\s+(?:by|on|in))" + _SEP + rf"({DATE_PATTERN})",
    re.IGNORECASE)
_APPROVED = re.compile(
    r"(?:(?:approved|adopted|ratified|agreed)(?:\s+by\s+(?:the\s+)?[\w ]{1,60}?)?(?:\s+(?:date|on))?"
    r"|date\s+(?:of\s+)?(?:approval|adoption|ratification)|date\s+agreed(?:\s+and\s+ratified)?(?:\s+by\s+\w+)?"
    r"|approved\s+by:?\s+.{1,80}?\s+on)" + _SEP + rf"({DATE_PATTERN})",
    re.IGNORECASE)
_APPROVER = re.compile(r"^(?:policy\s+)?approved\s+by\s*:?\s*(.+?)(?:\s+on\s+" + DATE_PATTERN + r"|$)",
                       re.IGNORECASE)
_AGREED_BY = re.compile(r"agreed\s+by\s+the\s+([\w ]+?)\t", re.IGNORECASE)
_CYCLE_LABEL = re.compile(r"review\s+cycle\s*[:\t]\s*(\w[\w -]*)", re.IGNORECASE)
_CYCLE_PHRASE = re.compile(
    r"review(?:ed)?\b[^.]{0,40}?\b(annually|yearly|on\s+a\s+yearly\s+basis|every\s+\w+\s+years?|biennially"
    r"|termly|every\s+year)", re.IGNORECASE)
_REPLACED = re.compile(
    r"(?:will\s+be|to\s+be|has\s+been|is\s+being)\s+replaced\s+(?:in|on|by|from)\s+"
    rf"({DATE_PATTERN})(?:\s+(?:with|by)\s+(.+?))?\s*\.?$", re.IGNORECASE | re.MULTILINE)
_OWNER_ROW = re.compile(r"(?:lead\s+staff|policy\s+(?:lead|owner)|lead\s+person)\s*[:\t]\s*(.+)",
                        re.IGNORECASE)
_OWNER_PHRASE = re.compile(r"monitor\s+the\s+imple\w*\s+of\s+this\s+policy|implementing\s+and\s+reviewing"
                           r"\s+this\s+policy|responsible\s+for\s+(?:this|reviewing\s+this)\s+policy",
                           re.IGNORECASE)
_TITLE_WORDS = re.compile(r"\b(?:policy|procedure|guidance|code\s+of\s+conduct|statement)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Metadata:
    title: str | None
    approved: str | None
    approver: str | None
    review_cycle: str | None
    next_review: date | None
    next_review_text: str | None
    replaced_by: str | None
    replaced_on: date | None
    owner_role: str | None
    people: tuple[Person, ...]


def block_lines(blocks: Sequence[Block]) -> list[str]:
    """One line per block, a table row's cells joined by TABs: the form the patterns below read."""
    return ["\t".join(c for c in b.cells if c) if b.kind == "row" else b.text for b in blocks]


def extract(blocks: Sequence[Block], properties: Mapping[str, str] | None = None) -> Metadata:
    """What the document says about itself; what its format's own metadata says (front matter, document
    properties) wins over what the text seems to say."""
    lines = [ln for ln in block_lines(blocks) if ln]
    flat = "\n".join(lines)
    props = _from_properties(properties or {})
    review = props.get("review") or _latest_review(flat)
    replaced = _REPLACED.search(flat)
    return Metadata(
        title=_title_from_metadata_line(lines),
        approved=props.get("approved") or _first_group(_APPROVED, flat),
        approver=props.get("approver") or _approver(lines),
        review_cycle=_review_cycle(flat),
        next_review=review[1] if review else None,
        next_review_text=review[0] if review else None,
        replaced_by=repair_spaces(replaced.group(0)).rstrip(".") if replaced else None,
        replaced_on=parse_date(replaced.group(1)) if replaced else None,
        owner_role=_owner_role(flat),
        people=tuple(contacts.people(lines)),
    )


def _from_properties(properties: Mapping[str, str]) -> dict[str, Any]:
    """Front matter and document properties by meaning: keys vary ("adopted", "adpoted_date",
    "review_date", "next_review", "signed_by", "signed-by-name")."""
    found: dict[str, Any] = {}
    for key, value in properties.items():
        value = repair_spaces(str(value))
        if not value:
            continue
        if "review" in key and (day := parse_date(value)):
            found.setdefault("review", (value, day))
        elif re.search(r"ad(?:op|po)t|approv|ratif|agreed", key) and "by" not in key:
            found.setdefault("approved", value)
        elif re.search(r"signed|approved_by|approver", key):
            found.setdefault("approver", value)
    return found


def _first_group(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return repair_spaces(m.group(1)) if m else None


def _latest_review(text: str) -> tuple[str, date] | None:
    """The latest stated next-review date (a policy that states two gets the benefit of the doubt)."""
    found = [(repair_spaces(m.group(1)), d) for m in _NEXT_REVIEW.finditer(text)
             if (d := parse_date(m.group(1)))]
    return max(found, key=lambda f: f[1]) if found else None


def _approver(lines: list[str]) -> str | None:
    for line in lines:
        if m := _APPROVER.search(line):
            who = repair_spaces(m.group(1)).strip(" :.-")
            if who and not find_date(who):
                return who
        if m := _AGREED_BY.search(line + "\t"):
            return repair_spaces(m.group(1)).title()
    return None


def _review_cycle(text: str) -> str | None:
    if m := _CYCLE_LABEL.search(text):
        return repair_spaces(m.group(1))
    if m := _CYCLE_PHRASE.search(text):
        return repair_spaces(m.group(1))
    return None


def _owner_role(text: str) -> str | None:
    if m := _OWNER_ROW.search(text):
        if key := roles.role_key(m.group(1)):
            return key
    for m in _OWNER_PHRASE.finditer(text):
        window = text[max(0, m.start() - 250):m.start()]
        window = window.split(".\n")[-1] if "." in window else window
        found = roles.find_roles(window)
        if found:
            return found[-1]
    return None


def _title_from_metadata_line(lines: list[str]) -> str | None:
    """A PDF export may run the cover page into one line: 'Approved by: ... Next review due by: June 2026
    or in line for Government Guidelines Alternative Provision Social Media Policy'. The title is what
    remains once the stated metadata is taken out."""
    for line in lines[:3]:
        rest = re.sub(rf"approved\s+by:?.*?\s+on\s+{DATE_PATTERN}", " ", line, flags=re.IGNORECASE)
        rest = re.sub(rf"next\s+review\s+due\s+by:?\s*{DATE_PATTERN}(?:\s+or\s+(?:in\s+line\s+(?:for|with)|as)"
                      r"(?:\s+\w+){0,3}?\s+(?:guidelines|guidance|legislation|requirements))?",
                      " ", rest, flags=re.IGNORECASE)
        rest = repair_spaces(rest)
        if rest != repair_spaces(line) and _TITLE_WORDS.search(rest) and len(rest) < 100:
            return rest
    return None
