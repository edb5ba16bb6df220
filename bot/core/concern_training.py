"""Train the safeguarding detector (bot.core.concern_model) on bot/core/concern_examples.jsonl:

    .venv/bin/python -m bot.core.concern_training      # writes bot/core/concern_model.npz

scikit-learn (installed with sentence-transformers) fits the models here; answering needs only numpy.

- Is it a concern: class-balanced logistic regressions over character n-grams (0.3) and word uni- and
  bigrams (0.3), and a support-vector machine with a Gaussian kernel over the sentence embedding (0.4).
  Chosen on cross-validated scores of the training examples (benchmarks/concern_eval.py): at 98% recall
  the three false-flagged 0.14 of the ordinary examples, against 0.20 for characters and a linear model of
  the embedding, 0.23 for characters alone, 0.35 for the embedding alone.
- Is a concern about an adult who works with children: characters (0.5) and a linear model of the
  embedding (0.5), over the concerns only.
Each part's scale and every threshold come from 5-fold cross-validated scores, never from scores of
examples a model was trained on: the concern threshold keeps RECALL_TARGET of the concerns, the safety
net's keeps SAFETY_NET_RECALL, and the adult threshold misroutes the fewest concerns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.core import concern_model as cm

FOLDS = 5


@dataclass(frozen=True)
class Recipe:
    kind: str  # "chars", "words", "meaning", "kernel"
    weight: float
    c: float  # inverse regularisation strength


CONCERN = (Recipe("chars", 0.3, 10.0), Recipe("words", 0.3, 100.0), Recipe("kernel", 0.4, 3.0))
ADULT = (Recipe("chars", 0.5, 10.0), Recipe("meaning", 0.5, 10.0))


def fit_part(recipe: Recipe, texts: list[str], vectors: np.ndarray, y: np.ndarray) -> cm.Scorer:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    if recipe.kind in cm.ANALYSERS:
        vec = TfidfVectorizer(analyzer=cm.ANALYSERS[recipe.kind], sublinear_tf=True)
        fit = LogisticRegression(C=recipe.c, class_weight="balanced", max_iter=5000).fit(vec.fit_transform(texts), y)
        features = cm.TextFeatures({str(g): int(j) for g, j in vec.vocabulary_.items()}, vec.idf_.astype(np.float64))
        return cm.Lexical(recipe.kind, features, fit.coef_[0].astype(np.float64), float(fit.intercept_[0]))
    if recipe.kind == "meaning":
        fit = LogisticRegression(C=recipe.c, class_weight="balanced", max_iter=5000).fit(vectors, y)
        return cm.Meaning(fit.coef_[0].astype(np.float64), float(fit.intercept_[0]))
    svm = SVC(C=recipe.c, gamma="scale", class_weight="balanced").fit(vectors, y)
    gamma = 1.0 / (vectors.shape[1] * float(vectors.var()))  # what gamma="scale" chose
    return cm.Kernel(svm.support_vectors_.astype(np.float32), svm.dual_coef_[0].astype(np.float64),
                     float(svm.intercept_[0]), gamma)


def folds_of(y: np.ndarray, folds: int = FOLDS, seed: int = 0) -> np.ndarray:
    """A stratified fold number per example."""
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(y), dtype=np.int64)
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        fold_of[idx] = np.arange(idx.size) % folds
    return fold_of


def cross_validated(recipes: tuple[Recipe, ...], texts: list[str], vectors: np.ndarray, y: np.ndarray,
                    seed: int = 0) -> np.ndarray:
    """Out-of-fold raw scores, one column per part."""
    fold_of = folds_of(y, seed=seed)
    out = np.empty((len(y), len(recipes)))
    for f in range(FOLDS):
        train, test = np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)
        for j, recipe in enumerate(recipes):
            scorer = fit_part(recipe, [texts[i] for i in train], vectors[train], y[train])
            out[test, j] = [scorer.raw(texts[i], vectors[i]) for i in test]
    return out


def ensemble(recipes: tuple[Recipe, ...], texts: list[str], vectors: np.ndarray, y: np.ndarray,
             threshold: Callable[[np.ndarray], float]) -> tuple[cm.Ensemble, np.ndarray]:
    """The ensemble trained on every example, with scales and threshold from cross-validated scores
    (also returned, combined, for further thresholds)."""
    raw = cross_validated(recipes, texts, vectors, y)
    scales = raw.std(axis=0)
    scales[scales == 0] = 1.0
    combined = raw @ (np.array([r.weight for r in recipes]) / scales)
    parts = tuple(cm.Part(fit_part(r, texts, vectors, y), r.weight, float(s)) for r, s in zip(recipes, scales))
    return cm.Ensemble(parts, threshold(combined)), combined


def _fewest_errors(scores: np.ndarray, y: np.ndarray) -> float:
    candidates = np.unique(scores)
    errors = [int(((scores >= t) != (y > 0)).sum()) for t in candidates]
    return float(candidates[int(np.argmin(errors))]) if candidates.size else 0.0


def train(examples: list[cm.Example], vectors: np.ndarray, model_id: str, sha: str) -> cm.ConcernModel:
    texts = [e.text for e in examples]
    y = np.array([e.concern for e in examples], dtype=np.int64)
    concern, combined = ensemble(CONCERN, texts, vectors, y,
                                 lambda s: cm.threshold_for_recall(s, y, cm.RECALL_TARGET))
    net = min(cm.threshold_for_recall(combined, y, cm.SAFETY_NET_RECALL), concern.threshold)
    is_concern = np.flatnonzero(y > 0)
    c_texts = [texts[i] for i in is_concern]
    ya = np.array([examples[i].about in {"staff", "head"} for i in is_concern], dtype=np.int64)
    adult, _ = ensemble(ADULT, c_texts, vectors[is_concern], ya, lambda s: _fewest_errors(s, ya))
    return cm.ConcernModel(concern, net, adult, model_id, sha)


def main() -> None:
    from bot.config import Settings
    from bot.wiring import embedder

    examples = cm.load_examples()
    emb = embedder(Settings())
    vectors = emb.encode(cm.embed_texts([e.text for e in examples]))
    model = train(examples, vectors, emb.model_id, cm.examples_sha())
    model.save()
    print(f"trained on {len(examples)} examples: concern threshold {model.concern_threshold:.3f} (safety net from "
          f"{model.net_threshold:.3f}), adult threshold {model.adult_threshold:.3f} -> {cm.MODEL_FILE}")


if __name__ == "__main__":
    main()
