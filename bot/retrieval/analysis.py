"""Text analysis shared by clauses and questions: tokens, stemming, the education vocabulary, and
spelling repair against the words a corpus actually uses."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from importlib import resources

import numpy as np
import Stemmer
import yaml

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself yourselves can may might must shall
also get got s t don doesn isn aren wasn weren ve ll d re m o y i'm it's what's who's let's please
""".split())


# Everyday words of a chat question that say nothing about its topic ("I already knew ...").
CHATTER = frozenset("""
know knew known think thought want wanted need needed start started stay stayed get getting got go going
went come came really already still just actually thing things stuff someone somebody anyone anybody
something anything happen happens happened say said tell ask asked make made give given giving take took
keep kept okay fine sure right wrong hello thanks thank question here there now today yesterday tomorrow
week year years time day days way lot lots much many also even though maybe perhaps like would should
back again ever never always
""".split())

# Contractions typed without the apostrophe ("isnt", "ive"): as empty as their spelled-out forms. Not
# "ill", "id", "were", "well", "shed" or "wed": those are words in their own right.
CONTRACTIONS = frozenset("""
im ive isnt arent wasnt werent doesnt dont didnt hasnt havent hadnt cant couldnt wont wouldnt shouldnt
mustnt hes shes theyre theyve youre youve weve whats wheres whens whos hows thats theres heres lets
""".split())


@dataclass(frozen=True)
class Vocabulary:
    concepts: tuple[tuple[str, re.Pattern[str]], ...]
    informal: dict[str, str]
    staff_matters: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = ()  # (name, question, policy)


def _forms(forms: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(forms.split(" | ")) + r")(?![\w-])", re.IGNORECASE)


@cache
def vocabulary() -> Vocabulary:
    raw = yaml.safe_load(resources.files("bot.retrieval").joinpath("vocabulary.yaml").read_text("utf-8"))
    concepts = tuple((str(name), _forms(str(forms))) for name, forms in raw["concepts"].items())
    matters = tuple((str(name), _forms(str(m["question"])), _forms(str(m["policy"])))
                    for name, m in (raw.get("staff_matters") or {}).items())
    return Vocabulary(concepts, {str(k).lower(): str(v) for k, v in raw["informal"].items()}, matters)


_ASKS_WHEN = re.compile(
    r"\bhow\s+(?:long|soon|quickly|often|many\s+(?:days|weeks|hours|months|times|minutes))\b|\bby\s+when\b"
    r"|\b(?:by\s+)?what\s+time\b|\bwhen\s+(?:do|does|should|must|will|have|has|are|is|can)\b|\bdeadline\b"
    r"|\btime\s*limit\b|\bhow\s+much\s+notice\b", re.IGNORECASE)
_ASKS_WHO = re.compile(
    r"^\s*(?:(?:and|so|but|ok|okay|then)\s+)?whom?\b"
    r"|\bwho(?:'s|\s+is|\s+are)\s+(?:the|our|my|in\s+charge|responsible|allowed|meant|supposed)\b"
    r"|\bwhom?\s+(?:do|should|can|must|would|will|shall)\s+(?:i|we|you|staff)\b|\bwho\s+to\s+(?:tell|ask|contact|ring|call|report)\b"
    r"|\bwho\s+(?:writes|decides|looks\s+after|deals\s+with|handles|signs\s+off|leads\s+on|on\s+earth)\b"
    r"|\bwhich\s+(?:person|member\s+of\s+staff|colleague)\b", re.IGNORECASE)


def asks_when(question: str) -> bool:
    """The question wants a time or a period: "how long have we got to reply?", "by what time ...?"."""
    return bool(_ASKS_WHEN.search(question))


def asks_who(question: str) -> bool:
    """The question wants a person or role: "who do I tell?", "who's in charge of ...?"."""
    return bool(_ASKS_WHO.search(question))


def staff_matters_asked(question: str) -> tuple[str, ...]:
    """The everyday staff matters (pay, leave, parking, ...) a question asks about."""
    return tuple(name for name, asked, _ in vocabulary().staff_matters if asked.search(question))


def staff_matters_covered(texts: Iterable[str]) -> frozenset[str]:
    """The staff matters these clause texts cover (in the words a policy on them would use)."""
    pending = {name: covers for name, _, covers in vocabulary().staff_matters}
    found: set[str] = set()
    for text in texts:
        for name in [n for n, covers in pending.items() if covers.search(text)]:
            found.add(name)
            del pending[name]
        if not pending:
            break
    return frozenset(found)


_stemmer = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes normalised."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("\u2018", "'"))


def content_words(text: str) -> list[str]:
    """The words of *text* that can say what it is about: no stopwords, chat filler or contractions
    ("doesn't", "isnt", "we've"), a possessive or contraction read as its stem ("dad's" -> "dad")."""
    out = []
    for w in words(text):
        base = w.split("'")[0]
        if w in STOPWORDS or base in STOPWORDS or base in CHATTER or base in CONTRACTIONS or len(base) <= 2:
            continue
        out.append(base)
    return out


def concept_tokens(text: str) -> list[str]:
    """Canonical concept tokens ("~pupil") for every vocabulary concept *text* mentions."""
    return [f"~{name}" for name, pattern in vocabulary().concepts if pattern.search(text)]


def concept_words(text: str, known: Callable[[str], bool]) -> frozenset[str]:
    """The words of *text* inside a mention of a concept for which *known*(token) holds: "hold a child"
    (restraint) makes 'hold' a word the policies know when they mention restraint."""
    inside: set[str] = set()
    for name, pattern in vocabulary().concepts:
        if known(f"~{name}"):
            for m in pattern.finditer(text):
                inside.update(words(m.group(0)))
    return frozenset(inside)


def terms(text: str) -> list[str]:
    """Search terms of *text*: stemmed content words plus the concepts it mentions."""
    content = [w.split("'")[0] for w in words(text) if w not in STOPWORDS]
    return _stemmer.stemWords([w for w in content if w]) + concept_tokens(text)


def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def informal_to_formal(text: str) -> str:
    """Rewrite chat shorthand ("can i dm an ex pupil on insta") into the words policies use."""
    table = vocabulary().informal

    def swap(m: re.Match[str]) -> str:
        return table.get(m.group(0).lower(), m.group(0))

    text = re.sub(r"\bex\s+(pupils?|students?|learners?)\b", r"ex-\1", text, flags=re.IGNORECASE)
    return re.sub(r"[A-Za-z][\w-]*", swap, text)


class Speller:
    """Corrects a question's words that the corpus does not use to a corpus word one edit away."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(w for w in known if len(w) > 2)
        self._deletes: dict[str, str] = {}
        for word in sorted(self.known, key=lambda w: (len(w), w)):  # ties by spelling: deterministic
            for variant in _deletions(word):
                self._deletes.setdefault(variant, word)

    def is_known(self, word: str) -> bool:
        return word in self.known

    def _deleted(self, variant: str) -> str | None:
        """The shortest known word (then the first by spelling) with *variant* as one of its deletions."""
        return self._deletes.get(variant)

    def correct(self, word: str) -> str:
        if len(word) < 5 or self.is_known(word) or word in STOPWORDS or not word.isalpha():
            return word
        for variant in (word, *_deletions(word)):
            if self.is_known(variant):
                return variant
            if (found := self._deleted(variant)) is not None:
                return found
        return word

    def correct_text(self, text: str) -> str:
        return re.sub(r"[A-Za-z]+", lambda m: self._keep_case(m.group(0)), text)

    def _keep_case(self, word: str) -> str:
        fixed = self.correct(word.lower())
        return word if fixed == word.lower() else fixed


class Spellings:
    """The deletions of every word of an index, worked out once and shared by every organisation's
    speller (a trust's words are in each of its schools' scopes: a Speller per scope re-did them all,
    13 s and ~2 MB a scope for a 50-school trust). Words are numbered in the order Speller breaks ties in
    (length, then spelling), so a scope's correction is the first of a deletion's words the scope knows:
    the same word its own Speller would pick."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted((w for w in set(words) if len(w) > 2), key=lambda w: (len(w), w))
        self.ids = {w: i for i, w in enumerate(self.words)}
        self._deletes: dict[str, int | list[int]] = {}  # variant -> word id, or ids in ascending order
        for i, word in enumerate(self.words):
            for variant in _deletions(word):
                found = self._deletes.setdefault(variant, i)
                if found != i:
                    if isinstance(found, int):
                        self._deletes[variant] = [found, i]
                    else:
                        found.append(i)

    def speller(self, word_ids: Iterable[np.ndarray]) -> ScopeSpeller:
        """The speller of a scope whose documents use these words (each document's word ids)."""
        known = np.zeros(len(self.words), dtype=bool)
        for ids in word_ids:
            known[ids] = True
        return ScopeSpeller(self, known)

    def id_array(self, words: Iterable[str]) -> np.ndarray:
        """The ids of *words* (those Spellings keeps: over two letters)."""
        ids = np.fromiter(map(self.ids.get, words, repeat(-1)), dtype=np.int32)
        return ids[ids >= 0]


class ScopeSpeller(Speller):
    """A Speller over the words a scope knows (a mask over Spellings' words): nothing copied per scope."""

    def __init__(self, shared: Spellings, known: np.ndarray) -> None:  # Speller's own tables are not made
        self._shared, self._mask = shared, known

    @property
    def known(self) -> frozenset[str]:  # type: ignore[override]
        return frozenset(w for w, k in zip(self._shared.words, self._mask.tolist()) if k)

    def is_known(self, word: str) -> bool:
        i = self._shared.ids.get(word)
        return i is not None and bool(self._mask[i])

    def _deleted(self, variant: str) -> str | None:
        found = self._shared._deletes.get(variant)
        if found is None:
            return None
        for i in (found,) if isinstance(found, int) else found:
            if self._mask[i]:
                return self._shared.words[i]
        return None


def _deletions(word: str) -> list[str]:
    """The word with one letter left out, in a fixed order (so corrections never depend on hashing)."""
    return list(dict.fromkeys(word[:i] + word[i + 1:] for i in range(len(word))))
