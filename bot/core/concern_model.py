"""Is this message a live safeguarding concern, and is it about a child or about an adult who works with
children? An ensemble of models over the message's character and word n-grams and over the sentence
embedding the answer service already computes for the question (no second pass through the model). The rule detector
(bot.core.safeguarding) is the safety net: where the model is unsure, a rule that fires flags the message,
and it decides alone when no trained model matches the embedding model in use.

Trained on bot/core/concern_examples.jsonl (labelled staff messages across KCSIE's categories, with hard
negatives) by `python -m bot.core.concern_training`, which writes bot/core/concern_model.npz: the weights,
the thresholds chosen on cross-validated scores, the embedding model's id and the examples' hash (a test
fails when the examples change and the model was not trained again). Only numpy is needed to use it.
benchmarks/concern_eval.py reports cross-validated figures and figures on batches written after training.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.npyio import NpzFile

from bot.core.safeguarding import check_concern

__all__ = ["Concern", "ConcernModel", "Ensemble", "Part", "Lexical", "Meaning", "Kernel", "Example", "EXAMPLES",
           "MODEL_FILE", "detect", "char_ngrams", "word_ngrams", "TextFeatures", "threshold_for_recall",
           "load_examples", "examples_sha", "bundled", "embed_texts"]

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "concern_examples.jsonl"
MODEL_FILE = HERE / "concern_model.npz"
RECALL_TARGET = 0.98  # the threshold is the highest that keeps this recall on cross-validated scores
SAFETY_NET_RECALL = 0.995  # below the threshold but above this one, a rule that fires flags the message

@dataclass(frozen=True)
class Example:
    text: str
    concern: bool
    about: str  # child | staff | head | none
    category: str


def load_examples(path: Path = EXAMPLES) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [Example(r["text"], r["label"] == "concern", r["about"], r["category"]) for r in rows]


def examples_sha(path: Path = EXAMPLES) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


_SPACES = re.compile(r"\s\s+")


def char_ngrams(text: str, low: int = 3, high: int = 5) -> list[str]:
    """The character n-grams of each word, padded with a space either side (scikit-learn's "char_wb"
    analyser, lower-cased): robust to the typos and run-together words of chat."""
    out: list[str] = []
    for word in _SPACES.sub(" ", text.lower()).split():
        w = f" {word} "
        for n in range(low, high + 1):
            offset = 0
            out.append(w[offset:offset + n])
            while offset + n < len(w):
                offset += 1
                out.append(w[offset:offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return out


@dataclass(frozen=True)
class TextFeatures:
    """Sublinear tf-idf over n-grams, l2-normalised (scikit-learn's TfidfVectorizer, fitted in training)."""

    index: dict[str, int]
    idf: np.ndarray

    def vector(self, text: str, analyse: Callable[[str], list[str]] = char_ngrams) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the text's non-zero features."""
        counts: dict[int, int] = {}
        for gram in analyse(text):
            j = self.index.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[cols]
        return cols, vals / np.linalg.norm(vals)


_WORD = re.compile(r"(?u)\b\w\w+\b")


def word_ngrams(text: str) -> list[str]:
    """Words of two letters or more, lower-cased, and each pair of neighbours (scikit-learn's "word"
    analyser with ngram_range=(1, 2))."""
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


ANALYSERS = {"chars": char_ngrams, "words": word_ngrams}


@dataclass(frozen=True)
class Lexical:
    """A linear model over the tf-idf of the message's n-grams ("chars" or "words")."""

    analyser: str
    features: TextFeatures
    weights: np.ndarray
    bias: float

    def raw(self, text: str, vector: np.ndarray) -> float:
        cols, vals = self.features.vector(text, ANALYSERS[self.analyser])
        return float(vals @ self.weights[cols]) + self.bias


@dataclass(frozen=True)
class Meaning:
    """A linear model over the sentence embedding."""

    weights: np.ndarray
    bias: float

    def raw(self, text: str, vector: np.ndarray) -> float:
        return float(np.asarray(vector, dtype=np.float64) @ self.weights) + self.bias


@dataclass(frozen=True)
class Kernel:
    """A support-vector machine with a Gaussian kernel over the sentence embedding: closeness to labelled
    examples, not one direction, so it keeps apart concerns and look-alikes that sit on the same side."""

    support: np.ndarray  # (n, dim) float32
    dual: np.ndarray  # (n,)
    bias: float
    gamma: float

    def raw(self, text: str, vector: np.ndarray) -> float:
        v = np.asarray(vector, dtype=np.float32)
        sq = np.maximum((self.support * self.support).sum(axis=1) + float(v @ v) - 2.0 * (self.support @ v), 0.0)
        return float(self.dual @ np.exp(-self.gamma * sq)) + self.bias


Scorer = Lexical | Meaning | Kernel


@dataclass(frozen=True)
class Part:
    scorer: Scorer
    weight: float  # its share of the ensemble's score
    scale: float  # the spread of its cross-validated scores: every part is put on one scale


@dataclass(frozen=True)
class Ensemble:
    parts: tuple[Part, ...]
    threshold: float

    def score(self, text: str, vector: np.ndarray) -> float:
        return sum(p.weight * p.scorer.raw(text, vector) / p.scale for p in self.parts)


@dataclass(frozen=True)
class ConcernModel:
    """Is it a live concern (an ensemble over the message's character and word n-grams and its sentence
    embedding), and is a concern about an adult who works with children (a second ensemble)? The
    n-grams catch the words ("cutting herself", "dont tell anyone"), the embedding the meaning phrased in
    words no example used."""

    concern: Ensemble
    net_threshold: float  # the rules' safety net reaches down to this score
    adult: Ensemble
    model_id: str
    examples_sha: str

    @property
    def concern_threshold(self) -> float:
        return self.concern.threshold

    @property
    def adult_threshold(self) -> float:
        return self.adult.threshold

    def concern_score(self, vector: np.ndarray, text: str) -> float:
        """How strongly *text* (embedded as *vector*) reads as a live concern; flagged from the threshold."""
        return self.concern.score(text, vector)

    def about_adult(self, vector: np.ndarray, text: str) -> float:
        return self.adult.score(text, vector)

    def save(self, path: Path = MODEL_FILE) -> None:
        arrays: dict[str, np.ndarray] = {}
        meta = {"model_id": self.model_id, "examples_sha": self.examples_sha, "net_threshold": self.net_threshold,
                "ensembles": {name: _save_ensemble(name, e, arrays) for name, e in (("concern", self.concern),
                                                                                ("adult", self.adult))}}
        named: dict[str, Any] = {"meta": np.array(json.dumps(meta)), **arrays}  # savez's **kwds: array-likes
        np.savez_compressed(path, **named)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ConcernModel:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            ensembles = {name: _load_ensemble(name, spec, z) for name, spec in meta["ensembles"].items()}
        return cls(ensembles["concern"], float(meta["net_threshold"]), ensembles["adult"], meta["model_id"],
                   meta["examples_sha"])


def _save_ensemble(name: str, ensemble: Ensemble, arrays: dict[str, np.ndarray]) -> dict[str, object]:
    parts = []
    for i, part in enumerate(ensemble.parts):
        key, scorer = f"{name}.{i}", part.scorer
        spec: dict[str, object] = {"weight": part.weight, "scale": part.scale}
        if isinstance(scorer, Lexical):
            grams = sorted(scorer.features.index, key=scorer.features.index.__getitem__)
            arrays.update({f"{key}.grams": np.array(grams), f"{key}.idf": scorer.features.idf,
                           f"{key}.weights": scorer.weights})
            spec.update(kind="lexical", analyser=scorer.analyser, bias=scorer.bias)
        elif isinstance(scorer, Meaning):
            arrays[f"{key}.weights"] = scorer.weights
            spec.update(kind="meaning", bias=scorer.bias)
        else:
            arrays.update({f"{key}.support": scorer.support, f"{key}.dual": scorer.dual})
            spec.update(kind="kernel", bias=scorer.bias, gamma=scorer.gamma)
        parts.append(spec)
    return {"threshold": ensemble.threshold, "parts": parts}


def _load_ensemble(name: str, spec: dict[str, Any], z: NpzFile) -> Ensemble:
    """One ensemble from its spec (the JSON written by _save_ensemble) and the arrays beside it."""
    parts = []
    for i, p in enumerate(spec["parts"]):
        key = f"{name}.{i}"
        scorer: Scorer
        if p["kind"] == "lexical":
            grams = z[f"{key}.grams"].tolist()
            scorer = Lexical(p["analyser"], TextFeatures({str(g): j for j, g in enumerate(grams)}, z[f"{key}.idf"]),
                             z[f"{key}.weights"], float(p["bias"]))
        elif p["kind"] == "meaning":
            scorer = Meaning(z[f"{key}.weights"], float(p["bias"]))
        else:
            scorer = Kernel(z[f"{key}.support"].astype(np.float32), z[f"{key}.dual"], float(p["bias"]),
                            float(p["gamma"]))
        parts.append(Part(scorer, float(p["weight"]), float(p["scale"])))
    return Ensemble(tuple(parts), float(spec["threshold"]))


def threshold_for_recall(scores: np.ndarray, y: np.ndarray, recall: float) -> float:
    """The highest threshold whose recall on (scores, y) is at least *recall*."""
    positives = np.sort(scores[y > 0])[::-1]
    if positives.size == 0:
        return 0.0
    keep = int(np.ceil(recall * positives.size))
    return float(positives[max(keep - 1, 0)])


@lru_cache(maxsize=1)
def bundled() -> ConcernModel | None:
    """The trained model shipped with the package (None if it is missing: the rules then decide alone)."""
    return ConcernModel.load() if MODEL_FILE.is_file() else None


@dataclass(frozen=True)
class Concern:
    flagged: bool
    reason: str  # for the DSL: which signal fired; "" when not flagged
    about: str = ""  # "child", "staff" (an adult who works with children) or "head" (the headteacher)
    score: float | None = None  # the model's probability; None when the rules decided alone


NOT_A_CONCERN = Concern(False, "")
_HEAD = re.compile(r"\b(?:head\s*teacher|head\s*mistress|head\s*master|principal|head\s+of\s+school"
                   r"|(?:the|our|my)\s+head)\b(?!\s+(?:of\s+(?:year|department|maths|english|science|pe|house|key\s+stage)"
                   r"|lice|injury|teacher'?s?\s+(?:pa|office)))", re.IGNORECASE)
_ADULT = re.compile(r"\b(?:colleague|teacher|ta|lsa|teaching\s+assistant|coach|caretaker|volunteer|supply|member\s+of"
                    r"\s+staff|staff\s+member|head\s*teacher|principal|minibus\s+driver|tutor|mr|mrs|ms|miss|sir)\b",
                    re.IGNORECASE)


def detect(text: str, vector: np.ndarray | None, model_id: str | None,
           model: ConcernModel | None = None) -> Concern:
    """Flag a live concern, and say whom it is about. The trained model decides when it was trained on
    this embedding model's vectors; otherwise (another model, no vector) the rules decide alone."""
    model = model if model is not None else bundled()
    rules = check_concern(text)
    if model is None or vector is None or model.model_id != model_id:
        if not rules.flagged:
            return NOT_A_CONCERN
        adult = bool(_ADULT.search(text))
        return Concern(True, rules.reason, _whom(text, adult))
    score = model.concern_score(vector, text)
    if score < model.concern_threshold and not (rules.flagged and score >= model.net_threshold):
        return Concern(False, "", score=score)
    adult = model.about_adult(vector, text) >= model.adult_threshold
    reason = rules.reason or ("a possible concern about an adult who works with children" if adult
                              else "a possible concern about a child")
    return Concern(True, reason, _whom(text, adult), score)


# A message that tells something, then asks what to do about it ("a girl in my class says her stepdad hits
# her, what do I do?", "... sending nudes to each other. do i take their phones?"): the question at the end
# reads like the procedural questions the model learned are not concerns, and can pull a plain disclosure
# under the threshold. The telling part is checked alone too.
_ASKS_ANYTHING = re.compile(
    r"(?:^|[\s,.;:!?\-\u2013\u2014(]+)((?:so\s+|and\s+|but\s+|ok\s+|now\s+)?(?:what\s+(?:do|should|shall|can|am)\s+(?:i|we)"
    r"|what\s+now|what\s+next|what\s+happens|do\s+(?:i|we)|should\s+(?:i|we)|shall\s+(?:i|we)|can\s+(?:i|we)"
    r"|could\s+(?:i|we)|am\s+i|is\s+it|is\s+that|how\s+do\s+(?:i|we)|how\s+should|who\s+(?:do|should)\s+(?:i|we)"
    r"|who\s+to|where\s+do\s+(?:i|we)|does\s+(?:this|that|it)|any\s+advice|help)\b[^.!]*[?.!]*\s*)$", re.IGNORECASE)


def told_part(text: str) -> str | None:
    """What the message tells before the question it ends with (at least four words), if it ends so."""
    m = _ASKS_ANYTHING.search(text)
    if not m:
        return None
    head = text[:m.start(1)].strip(" ,.;:-\u2013\u2014")
    return head if len(head.split()) >= 4 else None


def detect_told(text: str, vector: np.ndarray | None, model_id: str | None,
                encode: Callable[[str], np.ndarray], model: ConcernModel | None = None) -> Concern:
    """`detect`, then, when the message is not flagged and ends with a question, its telling part alone,
    flagged when the rules see a concern in it and the model agrees. Never on the model alone: it fires
    too easily on a short fragment ("a parent messaged me on my personal facebook about homework",
    "laptop won't connect")."""
    found = detect(text, vector, model_id, model)
    if found.flagged or vector is None:
        return found
    told = told_part(text)
    if told is not None and check_concern(told).flagged:
        again = detect(told, encode(told), model_id, model)
        if again.flagged:
            return again
    return found


def _whom(text: str, adult: bool) -> str:
    if not adult:
        return "child"
    return "head" if _HEAD.search(text) else "staff"


def embed_texts(texts: list[str]) -> list[str]:
    """What is embedded for a message: the same rewrite of chat shorthand the search embeds."""
    from bot.retrieval.analysis import informal_to_formal

    return [informal_to_formal(t) for t in texts]
