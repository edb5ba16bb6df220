"""The people a policy names, and for what: "Designated Safeguarding Lead (DSL): Mica Smith", a role |
name table row, a role on one line and the name on the next, "Our SENCO is Pat McGowan", "Mrs Vicky
Stables (SENDCo)", "... who co-ordinates child protection is the deputy manager, Eve Ratcliff".

Only roles bot.reading.roles knows are kept: a person is useful to staff as the holder of a role a clause
names ("report it to the DSL").
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.reading import reach, roles
from bot.reading.dates import find_date
from bot.reading.documents import Person

_NAME = r"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?[A-Z][a-z'\u2019-]+(?:\s+(?:Mc|Mac|O')?(?:[A-Z][a-z'\u2019-]+|[A-Z]\.)){1,3}"
_PERSON_LINE = re.compile(
    rf"^(?:[-*\u2022]\s*)?(?P<role>[A-Za-z][\w /&(),'-]{{1,70}}?)\s*(?::\s*|\t+)\[?(?P<name>{_NAME})"
    r"(?:\s*,\s*(?P<title>[^\]\n]{2,60}?))?\]?(?:\([^)]*\))?(?:\s+-\s+(?P<title2>[\w ]{2,40}))?\s*$")
_NAME_ONLY = re.compile(_NAME)
_TITLE_WORDS = re.compile(r"\b(?:policy|procedure|guidance|code\s+of\s+conduct|statement)\b", re.IGNORECASE)


def _labelled(lines: list[str]) -> list[Person]:
    out: list[Person] = []
    for line in lines:
        m = _PERSON_LINE.match(line)
        if not m:
            if "\t" in line and (person := _row_person(line.split("\t"))):
                out.append(_reached(person, line))
            continue
        role_text = re.sub(r"\s*\((?:[A-Z]{2,6})\)\s*$", "", m.group("role")).strip()
        title = (m.group("title") or m.group("title2") or "").strip() or None
        if title and any(reach.found_in(title)):  # "DSL: Dave Lee, 01626 123456": a way to reach, not a title
            title = None
        person = _person(role_text, m.group("name"), title)
        if person:
            out.append(_reached(person, line))
    return out


def _reached(person: Person, text: str) -> Person:
    """*person* with the e-mail address and phone number *text* (their line or table row) gives, if any."""
    email, phone = reach.found_in(text)
    if not (email or phone):
        return person
    return replace(person, email=email, phone=phone, how=email or phone)


def _row_person(cells: list[str]) -> Person | None:
    """A table row that gives a role in one cell and a person's name in another ("Designated Safeguarding
    Lead | Dave Lee | 01626 ...")."""
    role_cell = next((c for c in cells if roles.role_key(c) and not _NAME_ONLY.fullmatch(c.strip())), None)
    name_cell = next((c.strip() for c in cells if _NAME_ONLY.fullmatch(c.strip())), None)
    if role_cell is None or name_cell is None or len(role_cell) > 80:
        return None
    return _person(re.sub(r"\s*\((?:[A-Z]{2,6})\)\s*$", "", role_cell.strip()), name_cell, None)


_NOT_IN_NAMES = frozenset("""school schools staff primary secondary academy trust council team tool partnership policy
service services co-ordinator coordinator committee board governors governing children families disabilities
centre center office limited ltd department authority unit hub partnership group network police nhs""".split())


def looks_like_a_name(name: str) -> bool:
    """"Eve Ratcliff", "Mrs Vicky Stables", "Jo King" - not "Technical Staff", "Decoy Primary School" or
    "Families Partnership Threshold Tool" (names are often ordinary words too, so only words of
    organisations and teams rule a name out)."""
    return not any(w.lower().strip(".'\u2019") in _NOT_IN_NAMES for w in name.split())


def _person(role_text: str, name: str, title: str | None) -> Person | None:
    if roles.role_key(name) or find_date(name) or _TITLE_WORDS.search(name) or not looks_like_a_name(name):
        return None  # "Lead Staff: Head Teacher", "Date: September 2023", "Status: New Policy"
    key = roles.role_key(role_text)
    if re.search(r"approved\s+by", role_text, re.IGNORECASE):  # "Policy Approved By: Mica Smith - Director"
        if not title:
            return None
        role_text, key = title, roles.role_key(title)
        title = None
    elif key is None:
        return None
    return Person(role=role_text, role_key=key, name=name, title=title)


def people(lines: list[str]) -> list[Person]:
    """Everyone *lines* (one per block; a row's cells joined by TABs) name for a role, in order."""
    found = _labelled(lines) + _next_line(lines) + [p for line in lines for p in _in_prose(line)]
    seen: set[tuple[str | None, str | None]] = set()
    out = []
    for person in found:
        if (person.role_key, person.name) not in seen:
            seen.add((person.role_key, person.name))
            out.append(person)
    return out


def _next_line(lines: list[str]) -> list[Person]:
    """A role alone on a line and a name alone on the next (a contact page, a PDF table without rules)."""
    out = []
    for i, (role_line, name_line) in enumerate(zip(lines, lines[1:])):
        role_text = role_line.strip(" :*\t")
        if _only_a_role(role_text) and _NAME_ONLY.fullmatch(name_line.strip()):
            if person := _person(role_text, name_line.strip(), None):
                after = lines[i + 2:i + 4]  # "Tel: 01234 567890", "jo@school.example" under the name
                out.append(_reached(person, " ".join(t for t in after if len(t) <= 80 and not _only_a_role(t))))
    return out


def _only_a_role(text: str) -> bool:
    """"Designated Safeguarding Lead (DSL)", "SENDCo:" - not a sentence that mentions a role."""
    key = roles.role_key(text)
    if key is None or len(text) > 80:
        return False
    role = next(r for r in roles.ROLES if r.key == key)
    rest = re.sub(r"\([^)]*\)|[^\w\s]", " ", role.pattern.sub(" ", text, count=1))
    return len(rest.split()) <= 2


_IS = re.compile(r"\s(?:is|are)\s(?:(?:now|currently)\s)?")
_NAME_AT_END = re.compile(rf"(?:^|[\s,(\u2013-])(?P<name>{_NAME})\s*(?:\([^)]*\))?[.,;]?$")
_RELATIVE = re.compile(r",\s+(?:who|whose|and)\b.*$")  # ", who will ensure that ..." after the name
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_NAME_THEN_ROLE = re.compile(rf"(?P<name>{_NAME})\s*\((?P<role>[^)]{{2,60}})\)")
# "The Attendance Officer, Ravi Shah, meets families ...": a role, then the name between commas
_ROLE_THEN_NAME = re.compile(rf"(?:^|\b[Tt]he\s|\b[Oo]ur\s)(?P<role>[A-Z][\w&'-]*(?:\s+[\w&'-]+){{0,6}}?)\s*,\s*"
                             rf"(?P<name>{_NAME})\s*,")


def _in_prose(line: str) -> list[Person]:
    out = []
    for sentence in _SENTENCE.split(line) if len(line) < 2000 else ():
        out.extend(_is_sentence(sentence))
        for m in [*_NAME_THEN_ROLE.finditer(sentence), *_ROLE_THEN_NAME.finditer(sentence)]:
            role = re.sub(r"^(?:the|our)\s+", "", m.group("role"), flags=re.IGNORECASE)
            if _only_a_role(role) and (person := _person(role, m.group("name"), None)):
                out.append(person)
    return out


def _is_sentence(sentence: str) -> list[Person]:
    """"<role phrase> ... is [the deputy manager,] <Name>." and "<Name> is our <role>."."""
    m = _IS.search(sentence)
    if not m or len(sentence) > 300:
        return []
    before, after = sentence[:m.start()], _RELATIVE.sub("", sentence[m.end():])
    if (key := roles.role_key(before)) and len(after) <= 100 and (name := _NAME_AT_END.search(after)):
        role = next(r for r in roles.ROLES if r.key == key)
        phrase = role.pattern.search(before)
        person = _person(phrase.group(0) if phrase else roles.label(key), name.group("name"), None)
        return [person] if person else []
    if (name := re.fullmatch(rf"\s*(?:{_NAME})", before)) and (key := roles.role_key(after)) and len(after) <= 100:
        person = _person(after.strip(" .").removeprefix("our ").removeprefix("the "), name.group(0).strip(), None)
        return [person] if person else []
    return []
