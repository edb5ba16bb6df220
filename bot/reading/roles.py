"""The roles school policies name, and how to recognise them in text.

A role key is canonical ("dsl"); the patterns are the ways UK school policies write it. Order matters:
more specific roles come first so that "Deputy DSL" is not read as "DSL".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple


class Role(NamedTuple):
    key: str
    label: str
    pattern: re.Pattern[str]


def _role(key: str, label: str, *alternatives: str) -> Role:
    return Role(key, label, re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE))


_COORDINATOR = r"(?:co-?ordinator|lead|leader|officer|manager)"

ROLES: tuple[Role, ...] = (
    _role("deputy_dsl", "Deputy Designated Safeguarding Lead",
          r"deputy\s+(?:dsl|designated\s+safeguarding\s+(?:lead|officer|person)|designated\s+person)",
          r"deputy\s+safeguarding\s+lead", r"ddsl"),
    _role("lado", "Local Authority Designated Officer",
          r"lado", r"local\s+authority\s+designated\s+officer", r"designated\s+officer\s+(?:at|for|of|in)\s+the\s+local"
          r"\s+authority"),
    _role("designated_teacher", "Designated Teacher for Looked After Children",
          r"designated\s+(?:person|lead)\s+for\s+(?:looked\s+after|lac\b|cla\b)[\w\s-]{0,30}?children",
          r"(?:named|designated)\s+(?:lead|person)\s+for\s+(?:children\s+in\s+care|looked\s+after\s+children)",
          r"designated\s+teacher(?:\s+for\s+(?:looked\s+after|lac|cla|children\s+looked\s+after)[\w\s-]{0,40}?"
          r"children)?"),
    _role("dsl", "Designated Safeguarding Lead",
          r"designated\s+safeguarding\s+(?:lead|officer|person)", r"dsl", r"lead\s+safeguarding\s+officer",
          r"safeguarding\s+lead", r"designated\s+(?:senior\s+)?(?:person|lead|officer)\s+for\s+(?:child\s+protection"
          r"|safeguarding)", r"designated\s+person", r"child\s+protection\s+" + _COORDINATOR,
          r"designated\s+senior\s+person"),
    _role("senco", "Special Educational Needs Co-ordinator (SENCo)",
          r"send?co", r"special\s+educational\s+needs(?:\s+(?:and|&)\s+disabilit(?:y|ies))?\s+co-?ordinator",
          r"sen\s+co-?ordinator", r"inclusion\s+(?:lead|manager|co-?ordinator)"),
    _role("chair", "Chair of Governors",
          r"chair\s+of\s+(?:the\s+)?(?:governing\s+(?:board|body)|governors|trustees|(?:management\s+)?committee)"),
    _role("governor", "Named Governor",
          r"named\s+governor(?:\s+with\s+lead\s+responsibility)?", r"(?:safeguarding|send?|link)\s+governor",
          r"designated\s+officer\s*\(?(?:for\s+|of\s+)?(?:the\s+)?management\s+committee\)?",
          r"(?:management\s+)?committee\s+member\b[\w\s]{0,25}?\bsafeguarding"),
    _role("online_safety", "Online Safety Co-ordinator",
          r"(?:online|e-?)\s*safety\s+" + _COORDINATOR),
    _role("attendance", "Attendance Officer",
          r"attendance\s+" + _COORDINATOR, r"education\s+welfare\s+officer", r"ewo"),
    _role("health_safety", "Health and Safety Co-ordinator",
          r"(?:health\s*(?:and|&)\s*safety|h\s?&\s?s)\s+(?:co-?ordinator|lead|leader|officer|rep(?:resentative)?|manager"
          r"|person)",
          r"(?:member\s+of\s+staff|person)\s+responsible\s+for\s+health\s+(?:and|&)\s+safety"),
    _role("behaviour", "Behaviour Lead",
          r"behaviour\s+(?:co-?ordinator|lead|leader|manager|named\s+person)",
          r"named\s+person\s+for\s+(?:managing\s+|promoting\s+positive\s+)?behaviour",
          r"(?:member\s+of\s+staff|person)\s+responsible\s+for\s+(?:managing\s+)?behaviour"),
    _role("first_aider", "First Aider", r"(?:paediatric\s+)?first\s+aiders?", r"appointed\s+person\s+for\s+first\s+aid"),
    _role("business_manager", "School Business Manager",
          r"(?:school\s+)?business\s+manager", r"bursar", r"office\s+manager"),
    _role("headteacher", "Headteacher", r"head\s*teacher", r"head\s+of\s+school", r"principal"),
    _role("setting_manager", "Setting Manager", r"(?:pre-?school|setting|nursery)\s+(?:manager|leader)"),
    _role("deputy_head", "Deputy Headteacher", r"deputy\s+head(?:\s*teacher)?", r"assistant\s+head(?:\s*teacher)?"),
    _role("coo", "Chief Operating Officer", r"coo", r"chief\s+operating\s+officer"),
    _role("proprietor", "Proprietor", r"proprietor"),
    _role("compliance", "Compliance Officer", r"compliance\s+officer"),
    _role("hr", "Human Resources", r"human\s+resources", r"hr"),
    _role("it", "IT Coordinator", r"it\s+(?:coordinator|co-ordinator|lead|manager)", r"network\s+manager"),
    _role("dpo", "Data Protection Officer", r"data\s+protection\s+officer", r"dpo"),
    _role("slt", "Senior Leadership Team",
          r"senior\s+leadership\s+team", r"slt", r"leadership\s+team", r"senior\s+management",
          r"senior\s+manager"),
    _role("line_manager", "Line Manager", r"line\s+manager"),
    _role("director", "Director", r"director"),
)
_BY_KEY = {r.key: r for r in ROLES}
# "IT" and "HR" are only roles in capitals; "it"/"hr" in running text are ordinary words.
_CASE_SENSITIVE = {"it": re.compile(r"\bIT\s+(?:[Cc]o-?ordinator|[Ll]ead|[Mm]anager)\b|\b[Nn]etwork [Mm]anager\b"),
                   "attendance": re.compile(r"\b[Aa]ttendance\s+(?:[Cc]o-?ordinator|[Ll]ead(?:er)?|[Oo]fficer|[Mm]anager)\b"
                                            r"|\b[Ee]ducation [Ww]elfare [Oo]fficer\b|\bEWO\b"),
                   "hr": re.compile(r"\bHR\b|\b[Hh]uman [Rr]esources\b"),
                   "dpo": re.compile(r"\bDPO\b|\b[Dd]ata [Pp]rotection [Oo]fficer\b"),
                   "coo": re.compile(r"\bCOO\b|\b[Cc]hief [Oo]perating [Oo]fficer\b")}


def label(key: str) -> str:
    return _BY_KEY[key].label


def _pattern(role: Role) -> re.Pattern[str]:
    return _CASE_SENSITIVE.get(role.key, role.pattern)


# Every role's pattern in one: most text names no role, and one search tells (the case-sensitive forms
# above are narrower than these, so nothing they find is missed).
_ANY = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in ROLES), re.IGNORECASE)


@lru_cache(maxsize=4096)  # headings and clauses repeat; questions rarely do, and each may be 2,000 characters
def find_roles(text: str) -> tuple[str, ...]:
    """Canonical roles mentioned in *text*, in order of first appearance, each once."""
    if not _ANY.search(text):
        return ()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for role in ROLES:
        for m in _pattern(role).finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # inside a more specific role already found ("Deputy DSL")
            taken.append(m.span())
            found.append((m.start(), role.key))
    seen: dict[str, None] = {}
    for _, key in sorted(found):
        seen.setdefault(key, None)
    return tuple(seen)


# An org file may name a responsibility by its topic alone ("Health and safety: Debbie Griffin").
_TOPICS = {"health and safety": "health_safety", "health & safety": "health_safety", "behaviour": "behaviour",
           "safeguarding": "dsl", "child protection": "dsl", "online safety": "online_safety",
           "e-safety": "online_safety", "data protection": "dpo", "attendance": "attendance", "first aid": "first_aider",
           "send": "senco", "sen": "senco", "special educational needs": "senco"}


def role_key(text: str) -> str | None:
    """The canonical role that a role phrase ("Designated Safeguarding Lead (DSL)", "Health and safety")
    names, if any."""
    roles = find_roles(text)
    if roles:
        return roles[0]
    return _TOPICS.get(re.sub(r"\s+", " ", text.strip(" :").lower()))


# The role that leads on a policy's subject, from its title: who answers for a clause that names nobody.
_TITLE_TOPICS = (
    (re.compile(r"\blooked[\s-]+after\b|\bchildren\s+in\s+care\b", re.I), "designated_teacher"),
    (re.compile(r"\bsafeguarding\b|\bchild\s+protection\b", re.I), "dsl"),
    (re.compile(r"\bsend\b|\bsen\b|\bspecial\s+educational\s+needs\b", re.I), "senco"),
    (re.compile(r"\bdata\s+protection\b|\bgdpr\b|\bprivacy\b|\bfreedom\s+of\s+information\b", re.I), "dpo"),
    (re.compile(r"\b(?:online|e-?)\s*safety\b|\bacceptable\s+use\b", re.I), "online_safety"),
    (re.compile(r"\bhealth\s+(?:and|&)\s+safety\b", re.I), "health_safety"),
    (re.compile(r"\battendance\b", re.I), "attendance"),
    (re.compile(r"\bbehaviour\b", re.I), "behaviour"),
    (re.compile(r"\bfirst\s+aid\b", re.I), "first_aider"),
)


def subject_role(title: str) -> str | None:
    """The role that leads on what a policy titled *title* is about ("SEND Policy" -> the SENCo), if any."""
    return next((key for pattern, key in _TITLE_TOPICS if pattern.search(title)), None)
