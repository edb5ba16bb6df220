"""Personal data out of a staff question before the question log stores it (data minimisation).

Questions name pupils, parents and colleagues ("Can I tell Olivia's mum?"). Senior leaders review the
log for the policy gaps it shows, not for who was involved, so names, phone numbers, e-mail addresses,
street addresses and postcodes become placeholders before anything is written.

Names have no shape, and no NER model can be downloaded here, so they are found by rules over two
shipped word lists (`bot.privacy.names`): a capitalised given name in mid-sentence is a name; a word
that is also a name ("Grace", "Mark", "Will", "May") is a name only where the sentence says so: after
Mrs or "called", before "'s mum", before "told"/"in 8B", or next to another name. A wrongly kept name
is the worse error, so doubtful capitalised names go; doubtful lower-case words stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.privacy import names
from bot.privacy.names import (AUX_VERBS, CALENDAR, FUNCTION, KIN, NAMING, ORG, PERSON_VERBS, ROLE, SURE_TITLES,
                                TITLES, VOCAB, Kind)
from bot.privacy.patterns import Span, structured

_TOKEN = re.compile(r"\[(?:name|phone|email|address|postcode|dob|upn)\]|[^\W\d_]+(?:['\u2019-][^\W\d_]+)*|\d\w*|\S")
_POSSESSIVE = re.compile(r"(.+?)['\u2019]s$", re.I)
_OPENERS = frozenset(".?!:;([\"'\u201c\u2018\u2022*-\u2013\u2014\u2026")
_NAME_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Du", "La", "Le", "Van", "Von", "Fitz")
# "Tom in 8B", "Amy (Year 9)", "Kai from 10C", "Ella in my form": a pupil is being described.
_CLASS_AFTER = re.compile(r"\s*[,(\-\u2013]?\s*(?:(?:in|from)\s+)?(?:(?:year|yr|y)\s?\d{1,2}\b|\d{1,2}\s?"
                          r"(?!st\b|nd\b|rd\b|th\b)[a-z]{1,2}\b|(?:my|his|her|their|our|your)\s+"
                          r"(?:class|form|tutor group|set|group)\b)", re.I)
_FORM_AFTER = re.compile(r"\s*(?:in|from)\s+(?:my|his|her|their|our|your)\s+(?:class|form|tutor group)\b", re.I)
_NEVER = FUNCTION | ROLE | VOCAB | TITLES
_DETERMINERS = frozenset({"the", "a", "an", "this", "our", "their", "your", "his", "her", "my"})
_AND = frozenset({"and", "or", "&", ","})
_GROUPS = frozenset({"family", "families", "twins", "household", "brothers", "sisters", "siblings", "kids"})
_CONNECTORS = frozenset({"of", "for", "the"})


@dataclass(slots=True)
class _Tok:
    start: int
    end: int  # end of the word, before any possessive 's
    text: str
    low: str
    kind: Kind
    word: bool  # letters (a placeholder or punctuation is not)
    cap: bool  # Capitalised: not ALL CAPS (DSL), not camelCase (WhatsApp)
    poss: bool  # "Tom's", "James'"
    initial: bool  # first word of a sentence: capitalised by grammar, not by being a name
    blocked: bool  # in a kept name or already in other personal data
    name: bool = False
    sure: int = 0  # 2: a title said so; 1: "called" or "'s mum" did


def _capitalised(s: str) -> bool:
    if not s[0].isupper() or (len(s) > 1 and s.isupper()):
        return False
    return all(not (c.isupper() and s[i - 1].islower()) or s[:i].endswith(_NAME_PREFIXES)
               for i, c in enumerate(s) if i)


def _tokens(text: str, blocked: list[tuple[int, int]]) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        s, start = m.group(), m.start()
        is_word = s[0].isalpha()
        poss = _POSSESSIVE.match(s) if is_word else None
        base = poss.group(1) if poss else s
        after = text[m.end():m.end() + 2]
        trailing = is_word and base[-1] in "sS" and after[:1] in ("'", "\u2019") and not after[1:].isalpha()
        prev = toks[-1] if toks else None
        initial = prev is None or "\n" in text[prev.end:start] or (
            prev.text in _OPENERS and not (prev.text == "." and len(toks) > 1 and (
                toks[-2].low in TITLES or len(toks[-2].text) == 1)))
        toks.append(_Tok(start, start + len(base), base, base.lower().replace("\u2019", "'"),
                         names.kind(base) if is_word else Kind.UNKNOWN, is_word,
                         is_word and _capitalised(base), bool(poss) or trailing, initial,
                         any(a < start + len(s) and start < b for a, b in blocked), s == "[name]"))
    return toks


def _gap(text: str, a: _Tok, b: _Tok) -> bool:
    """True when *b* follows *a* on the same line with only spaces (or "Mr. ", "J. ") between."""
    between = text[a.end:b.start]
    return not a.poss and (between != "" and between.strip(" \u00a0") == "" or (
        between.rstrip(" ") == "." and (a.low in TITLES or len(a.text) == 1)))


def _next_word(toks: list[_Tok], i: int) -> _Tok | None:
    """The word after token *i*, past the apostrophe of "James' mum"."""
    for t in toks[i + 1:i + 3]:
        if t.word or t.text not in ("'", "\u2019"):
            return t
    return None


def _mark_evidence(text: str, toks: list[_Tok]) -> None:
    """First pass: each word's own case and kind, and what the words around it say."""
    for i, t in enumerate(toks):
        if not t.word or t.blocked or t.low in FUNCTION:
            continue
        prev = toks[i - 1] if i else None
        if prev and prev.text == "." and i > 1 and toks[i - 2].low in TITLES:
            prev = toks[i - 2]
        if prev is not None and prev.low in TITLES and not prev.blocked and not prev.poss and (
                prev.cap or prev.low in SURE_TITLES and not prev.text.isupper()) and (
                t.cap or prev.low in SURE_TITLES) and t.low not in VOCAB | ROLE:  # not "MS Teams"
            prev.name, prev.sure, t.name, t.sure = True, 2, True, 2
            continue
        if t.low in _NEVER | ORG:
            continue
        nxt = _next_word(toks, i)
        named = prev is not None and not prev.blocked and (prev.low in NAMING or (
            i > 1 and f"{toks[i - 2].low} {prev.low}" in ("known as", "name is", "goes by")))
        if named and (t.kind != Kind.WORD or t.cap):
            t.name, t.sure = True, 1
        elif prev is not None and prev.low in _DETERMINERS and not (nxt is not None and nxt.low in _GROUPS):
            continue  # "the Paris trip", "the Organisation's staff", but "the Okafor family"
        elif t.poss and nxt is not None and nxt.low in KIN and (t.cap or t.kind != Kind.WORD):
            t.name, t.sure = True, 1
        elif t.kind == Kind.WORD:
            continue
        elif t.cap and nxt is not None and not t.poss and (nxt.low in PERSON_VERBS or (
                nxt.low in AUX_VERBS and t.kind >= Kind.WEAK and t.low not in CALENDAR)):
            t.name = True  # "Will told me", "Chidi said": unlisted or doubtful, but said of a person
        elif t.cap and (_CLASS_AFTER if t.low not in CALENDAR else _FORM_AFTER).match(text, t.end + 2 * t.poss):
            t.name = True  # "Tom in 8B", "Summer in my form"
        elif t.low in CALENDAR:
            continue
        elif t.cap and t.poss:
            t.name = True  # "Maisie's posts" (a place or a brand is rarely a possessive in a question)
        elif t.kind == Kind.UNKNOWN:
            continue
        elif t.cap and not t.initial and t.kind >= Kind.AMBIGUOUS:
            digit_near = any(u.text[0].isdigit() for u in (prev, nxt) if u is not None)
            t.name = t.kind > Kind.AMBIGUOUS or not digit_near
        elif prev is not None and prev.low in ROLE and not prev.poss and t.kind >= Kind.AMBIGUOUS:
            t.name = t.cap or t.kind >= Kind.SURNAME
        else:
            t.name = (t.cap and t.kind >= Kind.SURNAME) or (
                not t.cap and t.kind == Kind.GIVEN_EN and len(t.text) > 2)


def _undo_phrases(text: str, toks: list[_Tok]) -> None:
    """"Stone Bay School", "Early Help", "Grace Period": capitalised words together that make an
    organisation or a title hold no names, unless a title (or, outside organisations, "called" or
    "'s mum") said otherwise."""
    i = 0
    while i < len(toks):
        run, j = [i], i
        while j + 1 < len(toks):
            k = j + 1
            if toks[k].low in _CONNECTORS and not toks[k].cap and k + 1 < len(toks) \
                    and _gap(text, toks[j], toks[k]):
                k += 1
            joins = toks[k].cap and toks[k].low not in FUNCTION and _gap(text, toks[k - 1], toks[k])
            if toks[k].blocked or not (joins or toks[j].poss and toks[k].cap and toks[k].low in ORG):
                break
            run.append(k)
            j = k
        members = [t for t in (toks[k] for k in run) if t.cap and t.low not in FUNCTION
                   and not (t.initial and t.kind == Kind.WORD)]
        if len(members) > 1:
            org = any(t.low in ORG for t in members)
            wordy = any(t.kind == Kind.WORD and t.low not in _NEVER for t in members)
            for t in members:
                if org and t.sure < 2 or wordy and not t.sure and t.kind <= Kind.AMBIGUOUS:
                    t.name = False
        i = j + 1


def _extends(t: _Tok, name: _Tok) -> bool:
    """May *t*, next to *name*, belong to the same person ("Jayden Okafor", "Jamie S.", "Mary Jane")?
    After a name any capitalised word may be a surname; before one, only a name-like word."""
    if not t.word or t.blocked or t.low in FUNCTION | VOCAB | TITLES | ORG | PERSON_VERBS:
        return False
    if t.low in ROLE and (not t.cap or t.kind < Kind.WEAK):  # "Darren Foster", not "Olivia Mum"
        return False
    if t.start > name.start:
        if len(t.text) == 1:
            return t.text.isupper() and t.text not in "IA"
        if t.cap:
            return t.low not in CALENDAR
        shouted = t.text.isupper() and name.text.isupper() and len(t.text) > 1  # "OLIVIA SMITH"
        return not name.cap and t.kind >= (Kind.WEAK if shouted else Kind.SURNAME) and t.low not in CALENDAR
    return t.cap and t.kind != Kind.WORD and t.low not in ROLE


def _paired(t: _Tok) -> bool:
    """May *t*, joined by "and" to a name, be a name too? Only a capitalised, name-like word."""
    return t.word and t.cap and not t.blocked and t.kind != Kind.WORD and t.low not in (
        FUNCTION | VOCAB | TITLES | ORG | ROLE | CALENDAR)


def _name_spans(text: str, toks: list[_Tok]) -> list[Span]:
    _mark_evidence(text, toks)
    _undo_phrases(text, toks)
    changed = True
    while changed:  # grow each name over its neighbours until nothing changes
        changed = False
        for a, b in zip(toks, toks[1:]):
            if _gap(text, a, b) and a.name != b.name and _extends(b if a.name else a, a if a.name else b):
                a.name = b.name = changed = True
        for a, conj, b in zip(toks, toks[1:], toks[2:]):  # "Poppy and Isla": a pair of names
            if conj.low in _AND and a.name != b.name and _paired(b if a.name else a):
                a.name = b.name = changed = True
    spans: list[Span] = []
    last: _Tok | None = None
    for t in toks:
        if t.name and last is not None and _gap(text, last, t):
            spans[-1] = (spans[-1][0], t.end, "[name]")  # "Mr. O'Connor", "Jamie S" are one name
        elif t.name:
            spans.append((t.start, t.end, "[name]"))
        last = t if t.name else last if t.text == "." else None
    return spans


@lru_cache(maxsize=64)
def _keep_pattern(keep: tuple[str, ...]) -> re.Pattern[str] | None:
    """Kept names as whole words in any case, and "Mr Nash" for a kept "Martyn Nash"."""
    alternatives = []
    for name in keep:
        parts = [re.escape(p).replace("'", "['\u2019]") for p in name.replace("\u2019", "'").split()]
        if parts:
            alternatives.append(r"\s+".join(parts))
            if len(parts) > 1:
                alternatives.append(rf"(?:{'|'.join(sorted(TITLES))})\.?\s+{parts[-1]}")
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.I) if alternatives else None


def _redaction_spans(text: str, keep: Iterable[str] = ()) -> list[Span]:
    """(start, end, placeholder) for each piece of personal data in *text*, in order."""
    found = structured(text)
    pattern = _keep_pattern(tuple(sorted({k.strip() for k in keep if k.strip()}, key=len, reverse=True)))
    kept = [m.span() for m in pattern.finditer(text)] if pattern else []
    toks = _tokens(text, kept + [(a, b) for a, b, _ in found])
    return sorted(found + [s for s in _name_spans(text, toks) if text[s[0]:s[1]] != "[name]"])


def redact(text: str, keep: Iterable[str] = ()) -> str:
    """The question with personal data replaced by placeholders: [name], [phone], [email], [address],
    [postcode], [dob] (a date of birth), [upn] (a pupil or learner number). Everything else is left exactly as typed.

    *keep* lists names that stay (the organisation's published role holders, such as "Martyn Nash",
    and organisation names), matched case-insensitively on whole words; "Mr Nash" is kept too.
    Deterministic and idempotent: redacting a redacted question changes nothing.
    """
    out, last = [], 0
    for start, end, placeholder in _redaction_spans(text, keep):
        out += [text[last:start], placeholder]
        last = end
    return "".join(out) + text[last:]
