"""Sentence splitting and length capping for run-on text. Pieces are always substrings of the input."""

from __future__ import annotations

import re

_ABBREVIATIONS = {"e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "st", "no", "vs", "approx", "incl", "cf"}
_SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)\]*]*\s+(?=[\"'\u2018\u201c(\[*]*[A-Z0-9])")
_JOINED_ITEM = re.compile(r"(?<=[a-z0-9)'\u2019])\s+(?=[A-Z][a-z])")  # "business Accept": lost line break
_WEAKER = (re.compile(r"(?<=;)\s+"), re.compile(r"(?<=:)\s+"), re.compile(r"(?<=,)\s+"), re.compile(r"\s+"))
MIN_SENTENCE = 40  # shorter sentences are joined to the next one
_ENDS_SENTENCE = re.compile(r"(?:[.!?:;\u2026])[\"'\u2019\u201d)\]*]*$")


_ENDS_WITH_LINK = re.compile(r"(?:https?://|www\.)\S+$|\S+@\S+\.\w+$")


def ends_sentence(text: str) -> bool:
    """Does *text* end where a sentence (or a lead-in, or a clause of a list) ends? A sentence that ends
    with a web address or an e-mail address usually has no full stop after it."""
    text = text.rstrip()
    return bool(_ENDS_SENTENCE.search(text) or _ENDS_WITH_LINK.search(text))


def split_sentences(text: str) -> list[str]:
    """Sentences of *text*; very short ones ride with their neighbour."""
    cuts = [m.end() for m in _SENTENCE_END.finditer(text) if not _after_abbreviation(text, m.start())]
    bounds = [0] + cuts + [len(text)]
    raw = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    out: list[str] = []
    for sentence in (s for s in raw if s):
        if out and len(out[-1]) < MIN_SENTENCE:
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    if len(out) > 1 and len(out[-1]) < MIN_SENTENCE:
        out[-2:] = [f"{out[-2]} {out[-1]}"]
    return out


def _after_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    return token in _ABBREVIATIONS or len(token) == 1


def split_long(text: str, limit: int) -> list[str]:
    """*text* if it fits in *limit* characters, else pieces that do, cut at the strongest boundary
    available: sentence ends, then lost line breaks between list items, then ';', ':', ',' and spaces."""
    if len(text) <= limit:
        return [text]
    for boundary in (_SENTENCE_END, _JOINED_ITEM, *_WEAKER):
        cuts = [m.end() if boundary is not _JOINED_ITEM else m.start() for m in boundary.finditer(text)]
        units = _cut(text, cuts)
        if len(units) > 1:
            return [piece for unit in _pack(units, limit) for piece in split_long(unit, limit)]
    return [text[i:i + limit].strip() for i in range(0, len(text), limit)]


def _cut(text: str, cuts: list[int]) -> list[str]:
    bounds = [0] + sorted(set(c for c in cuts if 0 < c < len(text))) + [len(text)]
    return [p for p in (text[a:b].strip() for a, b in zip(bounds, bounds[1:])) if p]


def _pack(units: list[str], limit: int) -> list[str]:
    """Join neighbouring units greedily while they fit."""
    out: list[str] = []
    for unit in units:
        if out and len(out[-1]) + 1 + len(unit) <= limit:
            out[-1] = f"{out[-1]} {unit}"
        else:
            out.append(unit)
    return out
