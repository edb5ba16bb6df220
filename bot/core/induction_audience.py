"""Who a policy clause is written for, and whether it says whom to report to: what induction's automatic
key points need to know of a clause (bot.core.induction_pack). Pure functions over a clause's text and
its section path; no document, school or wording is special-cased.

- A clause is *for pupils or parents* when its grammatical subject is pupils/learners/students/children
  or parents/carers ("Learners must not...", "Parents should..."), when it permits or forbids something
  *for* them ("... is not permitted for learners"), or when it sits under a heading addressed to them
  ("Learners' use of social media", "Use of mobile phones by pupils", "Role of parents") and its own
  subject is not a member of staff. "Children must never be left unsupervised" (passive: a duty of the
  adults) and "Any message from a parent will be reported..." (the parent is not the subject) are not.
- A clause is a *reporting route* when it has a reporting verb (report, inform, tell, notify, refer,
  pass on, raise, escalate, alert, speak to, discuss with, share with) followed by a role the reading
  module recognises (the DSL, the headteacher, a line manager, ...) or a person the clause names.
"""

from __future__ import annotations

import re

from bot.reading import roles
from bot.reading.documents import Clause

_PUPIL = r"(?:pupils?|learners?|students?|children|child|young\s+(?:people|persons?)|boys|girls)"
_PARENT = r"(?:parents?(?:\s*/\s*carers?)?|carers?|guardians?|families|family\s+members)"
# Not "child protection", "children's services", "parent company": a compound, not the people.
_GROUP = rf"(?:{_PUPIL}|{_PARENT})(?!['’]?s?\s+(?:protection|services?|social\s+care|abuse|exploitation|missing|welfare|"\
         rf"safeguarding|sexual|criminal|company|premium|voice))"
_GROUPS = re.compile(rf"\b{_GROUP}\b", re.I)
_STAFF = re.compile(r"\b(?:staff|employees?|colleagues?|teachers?|practitioners?|volunteers?|workers?|"
                    r"adults?\s+(?:working|who\s+work)|governors?|trustees?|managers?|leaders?|you|"
                    r"supply|contractors?|visitors?|key\s+persons?)\b", re.I)
_MEMBERS_OF_STAFF = re.compile(r"^(?:\w+\s+){0,2}members?\s+of\s+(?:the\s+|our\s+)?(?:staff|workforce|team|"
                               r"teaching|support)", re.I)
# "We ...", "The school will ...": the school speaking, to whoever the section is for.
_SCHOOL = re.compile(r"\b(?:we|the\s+(?:school|setting|academy|college|trust|pre-?school|nursery))\b", re.I)
# Where the subject ends: the first auxiliary or modal verb.
_VERB = re.compile(r"\b(?:must|should|shall|will|would|may|might|can|cannot|can't|could|need|needs|are|is|am|"
                   r"have|has|do|does|don't|were|was|ought)\b", re.I)
# A preposition inside the subject: what follows it is not the subject ("messages *from* parents").
_PREPOSITION = re.compile(r"\b(?:of|from|with|to|about|for|by|on|in|at|involving|regarding|concerning|between|"
                          r"towards?|among|against|received|sent|made|that|which|who|whose)\b", re.I)
_PASSIVE = re.compile(r"^\s*(?:must|should|shall|will|may|can|cannot|need\s+to|are\s+to|is\s+to)?\s*(?:not\s+|never\s+"
                      r"|only\s+|always\s+)?(?:be|are|is|been|being)\s+(?:\w+ly\s+)?\w+(?:ed|en|wn|ght|ld|pt|t)\b", re.I)
_FOR_GROUP = re.compile(rf"\b(?:permitted|allowed|prohibited|forbidden|banned|expected|required|encouraged|asked|"
                        rf"advised|acceptable|unacceptable|appropriate|rules?|expectations?)\s+(?:for|of|by)\s+"
                        rf"(?:all\s+|any\s+|our\s+|the\s+)?{_GROUP}\b"
                        rf"|\b(?:expect|ask|require|remind|encourage)(?:s|ed)?\s+(?:all\s+|our\s+|the\s+)?{_GROUP}\s+"
                        rf"(?:\w+\s+){{0,2}}?(?:to|not\s+to)\b", re.I)
_BY_GROUP = re.compile(rf"\bby\s+(?:an?\s+|the\s+|their\s+)?{_GROUP}\b", re.I)
_OPENING = re.compile(r"^\s*(?:\(?(?:\d+(?:\.\d+)*|[a-z]|[ivxlc]+)[.)]\s+|\d+(?:\.\d+)+\s+|[-•*·▪●◦–o]\s+)*", re.I)
_CONDITION = re.compile(r"^(?:if|when|where|while|whilst|although|unless|before|after|once|as|in|during|on|at|"
                        r"for|following|outside|inside|by)\b[^,]{0,160},\s*", re.I)
# Told, asked or allowed: "Pupils are expected to...", "Parents are asked to...", "Children are not allowed to..."
_TOLD = re.compile(r"^\s*(?:must|should|shall|will|may|can|are|is)?\s*(?:not\s+)?(?:be\s+|are\s+|is\s+)?(?:not\s+)?"
                   r"(?:informed|told|reminded|asked|expected|required|advised|encouraged|requested|urged|made\s+aware|"
                   r"permitted|allowed|forbidden|prohibited|banned|instructed|responsible|taught|shown)\b", re.I)
_PRONOUN = re.compile(r"^(?:they|he|she|he\s+or\s+she|she\s+or\s+he|he/she)\b", re.I)
_MODAL = re.compile(r"\b(?:will|must|should|shall|may|can|cannot|need|needs|are\s+(?:expected|required|asked|"
                    r"advised|encouraged)|is\s+(?:expected|required))\b", re.I)
# Headings addressed to pupils or parents.
_POSSESSIVE = r"(?:'s|s'|’s|s’|')?"
_HEADING = re.compile(
    rf"^(?:(?:\w+\s+)?(?:the\s+)?(?:role|roles|responsibilit(?:y|ies)|expectations?|duties|guidance|information|advice|rules|"
    rf"code\s+of\s+conduct)\s+(?:of|for)\s+(?:the\s+|our\s+)?{_GROUP}\b"
    rf"|{_GROUP}{_POSSESSIVE}(?:\s+(?:and|&|or)\s+{_GROUP}{_POSSESSIVE})*\s*(?:$|[-–:]|(?:personal\s+|own\s+)?(?:use|"
    rf"expectations?|responsibilit(?:y|ies)|conduct|behaviour|role|rules|code|agreement|acceptable\s+use|"
    rf"guidance|information|advice|mobile|phones?|devices?)\b))"
    rf"|\b(?:use|used|behaviour|conduct)\b.*\bby\s+(?:the\s+|our\s+)?{_GROUP}\s*$", re.I)
_NUMBERING = re.compile(r"^\s*(?:(?:\d+(?:\.\d+)*|[a-z]|[ivxlc]+)[.)]?\s+)?", re.I)

_REPORT = re.compile(r"\b(?:report(?:ed|s|ing)?|inform(?:ed|s|ing)?|tell(?:s|ing)?|told|notif(?:y|ied|ies|ying)|"
                     r"refer(?:red|s|ring)?|pass(?:ed|es|ing)?\s+(?:on\s+|it\s+on\s+)?to|rais(?:e|ed|es|ing)|"
                     r"escalat(?:e|ed|es|ing)|alert(?:ed|s|ing)?|speak(?:s|ing)?\s+to|spoken\s+to|talk(?:ed|s|ing)?\s+to|"
                     r"discuss(?:ed|es|ing)?|shar(?:e|ed|es|ing)\b[^.;]{0,60}?\bwith|brought\s+to\s+the\s+attention\s+of|"
                     r"contact(?:ed|s|ing)?)\b", re.I)
_TOLD_PASSIVE = re.compile(r"^(?:must|should|shall|will|is|are)\s+(?:\w+ly\s+)?(?:be\s+)?(?:\w+ly\s+)?(?:informed|told|"
                           r"notified|alerted|contacted|consulted|made\s+aware)\b", re.I)
_RECIPIENT_SPAN = 140  # how far after the verb the person or role told may be written


def _subject_words(text: str) -> tuple[str, str]:
    """The clause's subject (after numbering and a leading "If/When ..., "), and what follows it."""
    body = _CONDITION.sub("", _OPENING.sub("", text.replace("*", "").replace("_", " ")).strip(), count=1)
    verb = _VERB.search(body[:200])
    if verb is None:
        return "", body
    return body[:verb.start()].strip(), body[verb.start():]


def _head(subject: str) -> str:
    """The subject up to its first preposition: "Any messages from parents" -> "Any messages"."""
    cut = _PREPOSITION.search(subject)
    return subject[:cut.start()] if cut else subject


def _lead_in(section: str) -> str:
    """The list item's lead-in, when the section path ends with one ("…staff must not")."""
    last = section.split(" › ")[-1].lstrip("…").strip() if section else ""
    return last if last and (_MODAL.search(last) or last.lower().endswith((" to", " will", " are", " must"))) else ""


def subject_audience(clause: Clause) -> str:
    """'staff', 'school', 'pupils', 'parents' or '' (someone else, or no subject to be found), by the clause's
    subject; a list item with no subject of its own takes its lead-in's."""
    lead = _lead_in(clause.section)
    text = clause.text
    if lead and (clause.text[:1].islower() or not _VERB.search(clause.text[:200])):
        text = f"{lead} {clause.text}"
    subject, rest = _subject_words(text)
    pronoun = _PRONOUN.match(subject)
    if pronoun:  # "When parents are away, they ...": whoever the opening is about
        rest = (subject + " " + rest)[pronoun.end():].strip()
        subject = _OPENING.sub("", text).split(",")[0]
        subject = re.sub(r"^\W*(?:\w+\s+){0,2}?(?:when|if|where|while|whilst|once|as|unless|because)\s+", "",
                         subject, count=1, flags=re.I)
    head = _head(subject)
    if _STAFF.search(head) or roles.find_roles(head) or _MEMBERS_OF_STAFF.match(subject):
        return "staff"
    if _SCHOOL.search(head):
        return "school"
    group = _GROUPS.search(head)
    if group is None:
        return ""
    passive = _PASSIVE.match(rest) and not _TOLD.match(rest)
    if passive:  # "Children must never be left alone": a duty of whoever does it, unless by them
        by = _BY_GROUP.search(rest[:160])
        return _group_of(by.group(0)) if by else ""
    return _group_of(group.group(0))


def _group_of(words: str) -> str:
    return "pupils" if re.search(rf"\b{_PUPIL}\b", words, re.I) else "parents"


def heading_for_pupils_or_parents(heading: str) -> bool:
    """A heading addressed to pupils or parents: "6. Learners' use of social media", "Learner Expectations",
    "Personal use of social media by pupils", "Role of parents" (not "Communicating with learners")."""
    return bool(_HEADING.search(_NUMBERING.sub("", heading.lstrip("…")).strip()))


def for_pupils_or_parents(clause: Clause) -> bool:
    """True for a rule written for pupils or parents rather than staff."""
    who = subject_audience(clause)
    if who == "staff":
        return False
    if who in ("pupils", "parents") or _FOR_GROUP.search(clause.text):
        return True
    headings = clause.section.split(" › ") if clause.section else []
    lead = _lead_in(clause.section)
    return any(heading_for_pupils_or_parents(h) for h in headings if not lead or h != headings[-1])


def report_recipients(clause: Clause) -> tuple[str, ...]:
    """The roles (canonical keys) or named people a clause says to report to, tell or inform; () when it
    names no one to tell ("report any concerns" alone is not a route)."""
    text = clause.text
    lead = _lead_in(clause.section)
    if lead and clause.text[:1].islower():
        text = f"{lead} {text}"
    found: list[str] = []
    for verb in _REPORT.finditer(text):
        after = text[verb.end():verb.end() + _RECIPIENT_SPAN]
        after = re.split(r"[.;]\s", after, maxsplit=1)[0]
        found.extend(roles.find_roles(after))
        found.extend(n for n in clause.names if n in after)
    subject, rest = _subject_words(text)
    if _TOLD_PASSIVE.match(rest):  # "The designated person is informed at once"
        found.extend(roles.find_roles(subject))
    return tuple(dict.fromkeys(found))


def is_reporting_route(clause: Clause) -> bool:
    return bool(report_recipients(clause)) and not for_pupils_or_parents(clause)
