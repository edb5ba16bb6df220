"""Spot a question that describes a live safeguarding concern about a child.

KCSIE: staff with a live concern about a child (a disclosure, signs of abuse, grooming, self-harm, a child
at risk) must go to the Designated Safeguarding Lead at once, so such a question must lead with "speak to
the DSL today". Most questions are general policy questions and must not be flagged. Deterministic rule
(regexes over normalised text, no model):

    flagged = a *live* reference to one particular child  AND  (a harm word, "disclosed", an observed sign,
              that child told the asker something, or the asker's worry)

- A child reference is singular and specific ("a pupil", "one of my students", "my tutee", "a Year 8 boy",
  "[name]", "she told me"); plural, generic "pupils" is general and never counts.
- It is *hypothetical* (not live) when, in its clause, it follows "if", "suppose", "say", "should a pupil"
  or a present-tense "when/after/once"; a past-tense clause ("when a pupil told me ...") is live.
- Topic words ("the policy on", "procedure", "what counts as", "training") make the rest of the clause a
  topic, not an event: neither child references nor harm words after them count.
- Harm aimed at staff ("posting abuse about me") or accidental ("hit by a ball") is removed first.
- Two fallbacks catch live concerns with no harm word. Observed signs (KCSIE categories: unexplained injury,
  hunger and hygiene, fear and behavioural change, exploitation, FGM, online grooming, child-on-child abuse)
  give "signs of possible abuse or neglect". A particular child being the source of reported speech ("a pupil
  told me ...", "my tutee messaged me saying ...") gives "a pupil told you something: let the DSL decide",
  even for "a pupil told me he's moving schools". Contact alone ("a pupil messaged me on Instagram"), speech
  about the asker ("said I was racist") and routine school business ("wants to drop French") do not count.
We err towards flagging: a false positive costs one DSL mention, a false negative could cost a child.
Vocabularies live in bot.core.safeguarding_terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core import safeguarding_terms as T

__all__ = ["ConcernCheck", "check_concern", "normalise"]


@dataclass(frozen=True)
class ConcernCheck:
    flagged: bool
    reason: str  # short, human-readable: which signal fired; "" when not flagged


NOT_FLAGGED = ConcernCheck(False, "")

# --- normalisation ---------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"[\[<{]\s*(?:name|child|pupil|student|learner|initials?|[a-z])(?:\s+[a-z]{1,2})?\s*[\]>}]")
_APOSTROPHE = re.compile(r"['’‘`´]")
_JUNK = re.compile(r"[^a-z0-9.,;:?!\n ]+")
_SPACES = re.compile(r"[ \t]+")
_WORD = re.compile(r"[a-z]+")


def normalise(text: str) -> str:
    """Lower-case, placeholders to one token, typos fixed, apostrophes and hyphens dropped.

    Apostrophes go so that "doesn't"/"doesnt" and "pupil's"/"pupils" look alike; clause punctuation
    stays, because hypothetical markers only reach to the end of their clause."""
    t = _APOSTROPHE.sub("", _PLACEHOLDER.sub(" namedchild ", text.lower()))
    t = _JUNK.sub(" ", _WORD.sub(lambda m: T.TYPOS.get(m.group(), m.group()), t))
    return _SPACES.sub(" ", t).strip()


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b")


# --- who: a particular child ------------------------------------------------------------------------------

_NOUN = (r"(?:pupil|student|child|learner|kid|boy|girl|lad|lass|young person|tutee|son|daughter|teen|teenager"
         r"|baby|toddler|infant|sixth former|year \d{1,2}|yr \d{1,2}|y\d{1,2})")
_NOT_A_CHILD_AFTER = (r"(?!\s+(?:protection|premium|teachers?|council|voice|records?|files?|data|information"
                      r"|handbook|code|services|on child|led|class|group|team|trip|assembly|lessons?|parents"
                      r"|meeting|set|form|tutor|leaders?|ambassadors?|support)\b)")
# Words that may sit between a determiner and the noun ("a quiet Year 8 boy") - anything but these.
_MOD = (r"(?:(?!(?:ex|former|old|policy|procedure|on|about|for|of|to|with|and|or|is|are|was|who|that|in|at"
        r"|from|my|a|an|the)\b)[a-z0-9]+ ){0,3}")
_CHILD = re.compile(
    r"\b(?P<det>a|an|one|this|that|my|our|their|his|her|the)\s+" + _MOD + _NOUN + r"(?P<pl>s)?\b" + _NOT_A_CHILD_AFTER
    + r"|\b(?:one|two|three|some|a few|several|both) of (?:my|our|the|his|her|their) (?:[a-z0-9]+ ){0,2}?"
      r"(?:pupils|students|children|learners|kids|boys|girls|tutees|young people|year \d{1,2}s|\d{1,2}[a-z]?s)\b"
    + r"|\b(?:someone|somebody|one) (?:in|from|of) my (?:class|form|tutor group|group|set)\b"
    + r"|\b(?:a|an|her|his|their|my|our) \d{1,2} (?:year|yr) old\b|\bnamedchild\b"
    + r"|^(?:year \d{1,2} )?(?:pupil|student|child|learner|kid|tutee)s? "
      r"(?:(?:in|from) (?:my|our) (?:class|form|tutor group|group|set)(?: [a-z0-9]+)? )?"
      r"(?=told|tells|said|says|disclosed|has|is|was|keeps|came|showed|messaged)"
    + r"|\b(?P<pron>he|she) (?:(?:has|had|then|also|just|later|keeps|kept) )?(?:told|tells|said|says|saying"
      r"|disclosed|discloses|confided|admitted|messaged|wrote|mentioned)\b")
_DEFINITE = {"the", "this", "that", "his", "her", "their"}

# --- what: harm signals, most specific label first (staff-targeted and accidental ones scrubbed first) ------

_SCRUB = _rx(*T.SCRUB)
_HARMS = tuple((name, _rx(*parts)) for name, parts in T.HARMS)
_WORRY = _rx(*T.WORRY)
_ACADEMIC = _rx(*T.ACADEMIC)
_FORMAL_DISCLOSURE = _rx(*T.FORMAL_DISCLOSURE)
_DISCLOSURE = _rx(*T.DISCLOSURE)
_SIGNS = _rx(*T.SIGNS)

# --- fallback: a particular child told the asker something -------------------------------------------------

_SPOKE = re.compile(r"(?: (?!(?:" + "|".join(T.GAP_STOP) + r")\b)[a-z0-9]+){0,8}? (?:" + "|".join(T.SPEECH) + r")\b")
_SPOKE_BEFORE = re.compile(r"\b" + T.SPEECH_BEFORE)
_ABOUT_STAFF = re.compile(T.ABOUT_STAFF)
_RELATION_NEXT = re.compile(r" " + T.CHILD_RELATION + r"\b")
_ADULT = _rx(*T.ADULTS)
_ROUTINE = _rx(*T.ROUTINE_SPEECH, *T.ACADEMIC)
_SPEECH_JOIN = re.compile(r",\s*(?=(?:saying|to say|asking)\b)")  # "messaged me on Instagram, saying ..."

# --- when it is not an event: hypothetical and topic markers ----------------------------------------------

_CLAUSE = re.compile(r"[.;:?!\n]|,|\bbut\b|\bhowever\b")
_HYPOTHETICAL = re.compile(
    r"\bif\b(?<!\bas if)(?<!\bdont know if)(?<!\bnot know if)(?<!\bdidnt know if)(?<!\bsure if)(?<!\bunsure if)"
    r"(?<!\bcertain if)(?<!\bwonder if)(?<!\bwondering if)(?<!\bcheck if)(?<!\bsee if)(?<!\bidea if)(?<!\bclear if)"
    r"|\b(?:suppose|supposing|imagine|hypothetically|assuming|in case|in the event|for example|for instance"
    r"|such as|e g|eg)\b|(?:^|\blets |\bjust )say\b|\b(?:should|were) (?=(?:a|an|one|my) )")
_TEMPORAL = _rx(r"when", r"whenever", r"once", r"after", r"before", r"until")
_PAST_EVENT = _rx(*T.PAST_EVENT)
_TOPIC = _rx(*T.TOPIC)


def _clauses(text: str) -> list[tuple[int, str]]:
    """Clauses with their offsets in `text`."""
    out, start = [], 0
    for sep in [*_CLAUSE.finditer(text), None]:
        end = sep.start() if sep else len(text)
        chunk = text[start:end]
        if chunk.strip():
            out.append((start + len(chunk) - len(chunk.lstrip()), chunk.strip()))
        start = sep.end() if sep else end
    return out


def _first(pattern: re.Pattern[str], clause: str) -> int:
    m = pattern.search(clause)
    return m.start() if m else len(clause) + 1


@dataclass(frozen=True)
class _Ref:  # one live reference to a particular child
    start: int  # offset in the normalised text (of the pronoun for "she told me")
    end: int
    definite: bool  # "the child", "her son", "she said": points back at an earlier child
    pronoun: bool
    plural_form: bool  # "my students" - plural, or possessive ("my student's sister")


def _spoke(norm: str, ref: _Ref) -> bool:
    """The child (or a sibling or friend speaking for them) is the source of reported speech to the asker."""
    if _SPOKE_BEFORE.search(norm[:ref.start]):
        return True
    tail = re.split(r"[.;:?!\n]", norm[ref.end:], maxsplit=1)[0]
    if ref.plural_form and not _RELATION_NEXT.match(tail):
        return False  # "my students said" is plural; "a pupil's sister said" is the sister speaking
    if ref.pronoun:  # "she told me" must not point back at an adult ("a colleague came in, she said ...")
        before = norm[:ref.start]
        adult = max((m.end() for m in _ADULT.finditer(before)), default=-1)
        child = max((m.end() for m in _CHILD.finditer(before)), default=-1)
        if adult > child:
            return False
    m = _SPOKE.match(tail)
    if m is None:
        return False
    content = tail[m.end():]  # about the asker, or routine school business: not a safeguarding matter
    return not (_ABOUT_STAFF.search(" ".join(content.split(" ")[:6])) or _ROUTINE.search(content))


def check_concern(text: str) -> ConcernCheck:
    """Flag `text` when the asker describes a live concern about a particular child.

    The reason is the first (most specific) harm category, prefixed "disclosure of" when someone told the
    asker; "disclosure" when a child disclosed without the content being given; then the two fallbacks
    (observed signs, or the child told the asker something); "worry about a pupil's safety" when only the
    asker's worry fired."""
    norm = _SPEECH_JOIN.sub(" ", normalise(text))
    refs: list[_Ref] = []
    any_hypothetical = False
    harm_text: list[str] = []
    worried = disclosed = False
    for offset, clause in _clauses(norm):
        hypo = _first(_HYPOTHETICAL, clause)
        temporal = _first(_TEMPORAL, clause)
        if temporal < len(clause) and not _PAST_EVENT.search(clause):
            hypo = min(hypo, temporal)
        topic = _first(_TOPIC, clause)
        governed_from = min(hypo, topic)
        for m in _CHILD.finditer(clause):
            pron = bool(m.group("pron"))
            start, end = (m.start("pron"), m.end("pron")) if pron else (m.start(), m.end())
            if start >= governed_from:
                any_hypothetical = True
            else:
                refs.append(_Ref(offset + start, offset + end, pron or m.group("det") in _DEFINITE, pron,
                                 bool(m.group("pl"))))
        harm_text.append(clause[:topic])
        worried = worried or _first(_WORRY, clause) < governed_from
        disclosed = disclosed or _first(_FORMAL_DISCLOSURE, clause) < governed_from
    if any_hypothetical:  # "the child" / "she" then points back at the hypothetical child
        refs = [r for r in refs if not r.definite]
    if not refs:
        return NOT_FLAGGED
    scrubbed = _SCRUB.sub(" ", " . ".join(harm_text))
    academic = _ACADEMIC.search(norm) is not None  # upset about exam results is not a safeguarding matter
    label = next((name for name, rx in _HARMS if rx.search(scrubbed) and not (academic and name == T.DISTRESS)), "")
    if label:
        return ConcernCheck(True, f"disclosure of {label}" if _DISCLOSURE.search(norm) else label)
    if disclosed:
        return ConcernCheck(True, "disclosure")
    if _SIGNS.search(scrubbed):
        return ConcernCheck(True, "signs of possible abuse or neglect")
    if any(_spoke(norm, r) for r in refs):
        return ConcernCheck(True, "a pupil told you something: let the DSL decide")
    if worried and not academic:
        return ConcernCheck(True, "worry about a pupil's safety")
    return NOT_FLAGGED
