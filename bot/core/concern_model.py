"""Is this message a live safeguarding concern, and is it about a child or about an adult who works with
children? Linear models over the message's character n-grams and over the sentence embedding the answer
service already computes for the question (no second pass through the model), averaged. The rule detector
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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.safeguarding import check_concern

__all__ = ["Concern", "ConcernModel", "Example", "EXAMPLES", "MODEL_FILE", "detect", "char_ngrams", "TextFeatures",
           "Linear", "threshold_for_recall", "load_examples", "examples_sha", "bundled", "embed_texts"]

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
    """Sublinear tf-idf over character n-grams, l2-normalised: the lexical half of the detector."""

    index: dict[str, int]
    idf: np.ndarray

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the text's non-zero features."""
        counts: dict[int, int] = {}
        for gram in char_ngrams(text):
            j = self.index.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[cols]
        return cols, vals / np.linalg.norm(vals)


@dataclass(frozen=True)
class Linear:
    weights: np.ndarray
    bias: float
    scale: float  # the spread of its cross-validated scores: the two halves are put on one scale

    def score_dense(self, x: np.ndarray) -> float:
        return (float(np.asarray(x, dtype=np.float64) @ self.weights) + self.bias) / self.scale

    def score_sparse(self, cols: np.ndarray, vals: np.ndarray) -> float:
        return (float(vals @ self.weights[cols]) + self.bias) / self.scale


@dataclass(frozen=True)
class ConcernModel:
    """Two linear models per question, one over its character n-grams and one over its sentence
    embedding, averaged: the n-grams catch the words ("cutting herself", "dont tell anyone"), the
    embedding catches the meaning phrased in words no example used."""

    text: TextFeatures
    concern_text: Linear
    concern_meaning: Linear
    concern_threshold: float
    net_threshold: float
    adult_text: Linear
    adult_meaning: Linear
    adult_threshold: float
    model_id: str
    examples_sha: str

    def concern(self, vector: np.ndarray, text: str) -> float:
        """How strongly *text* (embedded as *vector*) reads as a live concern; flagged from concern_threshold."""
        cols, vals = self.text.vector(text)
        return 0.5 * self.concern_text.score_sparse(cols, vals) + 0.5 * self.concern_meaning.score_dense(vector)

    def about_adult(self, vector: np.ndarray, text: str) -> float:
        """How strongly a concern reads as being about an adult who works with children."""
        cols, vals = self.text.vector(text)
        return 0.5 * self.adult_text.score_sparse(cols, vals) + 0.5 * self.adult_meaning.score_dense(vector)

    def save(self, path: Path = MODEL_FILE) -> None:
        grams = sorted(self.text.index, key=self.text.index.__getitem__)
        arrays: dict[str, np.ndarray] = {"grams": np.array(grams), "idf": self.text.idf,
                                         "thresholds": np.array([self.concern_threshold, self.net_threshold,
                                                                          self.adult_threshold]),
                                         "ids": np.array([self.model_id, self.examples_sha])}
        for name in _LINEARS:
            part: Linear = getattr(self, name)
            arrays[f"{name}_w"] = part.weights
            arrays[f"{name}_b"] = np.array([part.bias, part.scale])
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ConcernModel:
        with np.load(path, allow_pickle=False) as z:
            text = TextFeatures({str(g): i for i, g in enumerate(z["grams"].tolist())}, z["idf"])
            parts = {name: Linear(z[f"{name}_w"], float(z[f"{name}_b"][0]), float(z[f"{name}_b"][1]))
                     for name in _LINEARS}
            concern_t, net_t, adult_t = (float(v) for v in z["thresholds"])
            model_id, sha = (str(v) for v in z["ids"])
        return cls(text, parts["concern_text"], parts["concern_meaning"], concern_t, net_t, parts["adult_text"],
                   parts["adult_meaning"], adult_t, model_id, sha)


_LINEARS = ("concern_text", "concern_meaning", "adult_text", "adult_meaning")


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
    score = model.concern(vector, text)
    if score < model.concern_threshold and not (rules.flagged and score >= model.net_threshold):
        return Concern(False, "", score=score)
    adult = model.about_adult(vector, text) >= model.adult_threshold
    reason = rules.reason or ("a possible concern about an adult who works with children" if adult
                              else "a possible concern about a child")
    return Concern(True, reason, _whom(text, adult), score)


def _whom(text: str, adult: bool) -> str:
    if not adult:
        return "child"
    return "head" if _HEAD.search(text) else "staff"


def embed_texts(texts: list[str]) -> list[str]:
    """What is embedded for a message: the same rewrite of chat shorthand the search embeds."""
    from bot.retrieval.analysis import informal_to_formal

    return [informal_to_formal(t) for t in texts]
