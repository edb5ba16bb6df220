"""Train the safeguarding detector (bot.core.concern_model) on bot/core/concern_examples.jsonl:

    .venv/bin/python -m bot.core.concern_training      # writes bot/core/concern_model.npz

scikit-learn (installed with sentence-transformers) fits the models here; answering needs only numpy. Each
half (character n-grams, sentence embedding) is a class-balanced logistic regression. Thresholds and the
halves' scales come from 5-fold cross-validated scores, so no threshold is set on scores of examples the
model was trained on: the concern threshold keeps RECALL_TARGET of the concerns, the safety net's keeps
SAFETY_NET_RECALL, and the adult threshold is the one with the fewest misrouted concerns.
"""

from __future__ import annotations

import numpy as np

from bot.core import concern_model as cm

C = 10.0  # inverse regularisation strength of both halves
FOLDS = 5


def _text_half(texts: list[str], y: np.ndarray) -> tuple[cm.TextFeatures, np.ndarray, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=cm.char_ngrams, sublinear_tf=True)
    x = vec.fit_transform(texts)
    fit = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x, y)
    index = {str(g): int(j) for g, j in vec.vocabulary_.items()}
    return cm.TextFeatures(index, vec.idf_.astype(np.float64)), fit.coef_[0].astype(np.float64), float(fit.intercept_[0])


def _meaning_half(vectors: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(vectors, y)
    return fit.coef_[0].astype(np.float64), float(fit.intercept_[0])


def _halves(texts: list[str], vectors: np.ndarray, y: np.ndarray, scales: tuple[float, float] = (1.0, 1.0)
            ) -> tuple[cm.TextFeatures, cm.Linear, cm.Linear]:
    features, wt, bt = _text_half(texts, y)
    wm, bm = _meaning_half(vectors, y)
    return features, cm.Linear(wt, bt, scales[0]), cm.Linear(wm, bm, scales[1])


def _raw_scores(features: cm.TextFeatures, text: cm.Linear, meaning: cm.Linear, texts: list[str],
                vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.array([text.score_sparse(*features.vector(t)) for t in texts])
    b = np.array([meaning.score_dense(v) for v in vectors])
    return a, b


def folds_of(y: np.ndarray, folds: int = FOLDS, seed: int = 0) -> np.ndarray:
    """A stratified fold number per example."""
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(y), dtype=np.int64)
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        fold_of[idx] = np.arange(idx.size) % folds
    return fold_of


def cross_validated(texts: list[str], vectors: np.ndarray, y: np.ndarray, seed: int = 0
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Each half's out-of-fold scores (unscaled)."""
    fold_of = folds_of(y, seed=seed)
    a, b = np.empty(len(y)), np.empty(len(y))
    for f in range(FOLDS):
        train, test = fold_of != f, fold_of == f
        features, text, meaning = _halves([t for t, k in zip(texts, train) if k], vectors[train], y[train])
        a[test], b[test] = _raw_scores(features, text, meaning, [t for t, k in zip(texts, test) if k], vectors[test])
    return a, b


def _fewest_errors(scores: np.ndarray, y: np.ndarray) -> float:
    candidates = np.unique(scores)
    errors = [int(((scores >= t) != (y > 0)).sum()) for t in candidates]
    return float(candidates[int(np.argmin(errors))]) if candidates.size else 0.0


def train(examples: list[cm.Example], vectors: np.ndarray, model_id: str, sha: str) -> cm.ConcernModel:
    texts = [e.text for e in examples]
    y = np.array([e.concern for e in examples], dtype=np.int64)
    a, b = cross_validated(texts, vectors, y)
    scales = (float(a.std()) or 1.0, float(b.std()) or 1.0)
    combined = 0.5 * a / scales[0] + 0.5 * b / scales[1]
    threshold = cm.threshold_for_recall(combined, y, cm.RECALL_TARGET)
    net = cm.threshold_for_recall(combined, y, cm.SAFETY_NET_RECALL)
    features, text, meaning = _halves(texts, vectors, y, scales)

    concerns = y > 0
    c_texts = [t for t, k in zip(texts, concerns) if k]
    c_vectors = vectors[concerns]
    ya = np.array([e.about in {"staff", "head"} for e in examples], dtype=np.int64)[concerns]
    fold_of = folds_of(ya)
    aa, ab = np.empty(len(ya)), np.empty(len(ya))
    for f in range(FOLDS):  # the adult halves read the concern model's n-gram columns
        train_, test = fold_of != f, fold_of == f
        t_half = _refit_on(features, [t for t, k in zip(c_texts, train_) if k], ya[train_], 1.0)
        wm, bm = _meaning_half(c_vectors[train_], ya[train_])
        aa[test], ab[test] = _raw_scores(features, t_half, cm.Linear(wm, bm, 1.0),
                                         [t for t, k in zip(c_texts, test) if k], c_vectors[test])
    a_scales = (float(aa.std()) or 1.0, float(ab.std()) or 1.0)
    adult_threshold = _fewest_errors(0.5 * aa / a_scales[0] + 0.5 * ab / a_scales[1], ya)
    adult_text = _refit_on(features, c_texts, ya, a_scales[0])
    wm, bm = _meaning_half(c_vectors, ya)
    return cm.ConcernModel(features, text, meaning, threshold, min(net, threshold), adult_text,
                           cm.Linear(wm, bm, a_scales[1]), adult_threshold, model_id, sha)


def _refit_on(features: cm.TextFeatures, texts: list[str], y: np.ndarray, scale: float) -> cm.Linear:
    """A text half over an existing n-gram vocabulary (the concern model's)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows, cols, vals = [], [], []
    for i, t in enumerate(texts):
        c, v = features.vector(t)
        rows.extend([i] * len(c))
        cols.extend(c.tolist())
        vals.extend(v.tolist())
    x = csr_matrix((vals, (rows, cols)), shape=(len(texts), len(features.idf)))
    fit = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x, y)
    return cm.Linear(fit.coef_[0].astype(np.float64), float(fit.intercept_[0]), scale)


def main() -> None:
    from bot.config import Settings
    from bot.wiring import embedder

    examples = cm.load_examples()
    emb = embedder(Settings())
    vectors = emb.encode(cm.embed_texts([e.text for e in examples]))
    model = train(examples, vectors, emb.model_id, cm.examples_sha())
    model.save()
    print(f"trained on {len(examples)} examples ({len(model.text.index)} n-grams): concern threshold "
          f"{model.concern_threshold:.3f} (safety net from {model.net_threshold:.3f}), adult threshold "
          f"{model.adult_threshold:.3f} -> {cm.MODEL_FILE}")


if __name__ == "__main__":
    main()
