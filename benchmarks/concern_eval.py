"""The safeguarding detector, measured: cross-validated on its training examples, and on a batch written
after training (benchmarks/concern_fresh.jsonl), against the rules alone in the same run.

    .venv/bin/python benchmarks/concern_eval.py      # writes benchmarks/results/concern_eval.{json,md}

Cross-validation is nested: each of 5 folds is scored by a model trained on the other 4 exactly as the
shipped one is (`python -m bot.core.concern_training`: thresholds from those 4's own cross-validated
scores), so neither weights nor thresholds have seen it. The fresh batches, written after training, are
scored by the shipped model (bot/core/concern_model.npz). Latency is what the detector adds to an answer:
the question's embedding is the one search already computed, so it is the rules, the n-grams and two dot
products.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.core import concern_model as cm  # noqa: E402
from bot.core import concern_training  # noqa: E402
from bot.core.safeguarding import check_concern  # noqa: E402
from bot.wiring import embedder  # noqa: E402

FRESH = [ROOT / "benchmarks" / f"concern_fresh{n}.jsonl" for n in ("", "2", "3", "4")]
OUT = ROOT / "benchmarks" / "results"


def rates(flagged: np.ndarray, y: np.ndarray) -> dict[str, float]:
    pos, neg = y > 0, y == 0
    return {"recall": float(flagged[pos].mean()) if pos.any() else 1.0,
            "false_flags": float(flagged[neg].mean()) if neg.any() else 0.0,
            "missed": int((~flagged[pos]).sum()), "false": int(flagged[neg].sum()),
            "concerns": int(pos.sum()), "ordinary": int(neg.sum())}


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y > 0], scores[y == 0]
    return float(((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()))


def nested_cv(examples: list[cm.Example], vectors: np.ndarray, model_id: str,
              encode: Callable[[str], np.ndarray]) -> list[cm.Concern]:
    y = np.array([e.concern for e in examples], dtype=np.int64)
    fold_of = concern_training.folds_of(y, seed=1)
    out: list[cm.Concern | None] = [None] * len(examples)
    for f in range(concern_training.FOLDS):
        train = [i for i in range(len(y)) if fold_of[i] != f]
        model = concern_training.train([examples[i] for i in train], vectors[train], model_id, "cv")
        for i in np.flatnonzero(fold_of == f):
            out[i] = cm.detect_told(examples[i].text, vectors[i], model_id, encode, model)
    return [c for c in out if c is not None]


def scored(rows: list[dict[str, str]], vectors: np.ndarray, model_id: str, model: cm.ConcernModel,
           encode: Callable[[str], np.ndarray]) -> dict[str, object]:
    y = np.array([r["label"] == "concern" for r in rows], dtype=np.float64)
    found = [cm.detect_told(r["text"], v, model_id, encode, model) for r, v in zip(rows, vectors)]
    return summary(rows, found, y)


def summary(rows: list[dict[str, str]], found: list[cm.Concern], y: np.ndarray) -> dict[str, object]:
    flagged = np.array([c.flagged for c in found])
    scores = np.array([c.score if c.score is not None else 0.0 for c in found])
    rules = np.array([check_concern(r["text"]).flagged for r in rows])
    routed = [(r["about"], c.about) for r, c in zip(rows, found) if r["label"] == "concern" and c.flagged]
    return {"model": {**rates(flagged, y), "auc": auc(scores, y),
                      "routing": float(np.mean([a == b for a, b in routed])) if routed else 0.0},
            "rules_only": rates(rules, y),
            "missed": [r["text"] for r, c in zip(rows, found) if r["label"] == "concern" and not c.flagged],
            "false_flags": [r["text"] for r, c in zip(rows, found) if r["label"] != "concern" and c.flagged],
            "misrouted": [(r["text"], r["about"], c.about) for r, c in zip(rows, found)
                          if r["label"] == "concern" and c.flagged and r["about"] != c.about]}


def main() -> None:
    emb = embedder(Settings())

    def encode(text: str) -> np.ndarray:  # the telling part of a message, as the service embeds it
        return emb.encode(cm.embed_texts([text]))[0]

    examples = cm.load_examples()
    vectors = emb.encode(cm.embed_texts([e.text for e in examples]))
    rows = [{"text": e.text, "label": "concern" if e.concern else "ordinary", "about": e.about} for e in examples]
    cv = summary(rows, nested_cv(examples, vectors, emb.model_id, encode),
                 np.array([e.concern for e in examples], dtype=np.float64))
    model = cm.bundled()
    assert model is not None and model.model_id == emb.model_id, "train first: python -m bot.core.concern_training"
    assert model.examples_sha == cm.examples_sha(), "the examples changed: python -m bot.core.concern_training"
    sets = {"cross-validated (training examples, nested 5-fold)": cv}
    timings: list[float] = []
    for path in FRESH:
        if not path.is_file():
            continue
        fresh = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        f_vectors = emb.encode(cm.embed_texts([r["text"] for r in fresh]))
        sets[f"{path.name} (written after training)"] = scored(fresh, f_vectors, emb.model_id, model, encode)
        for r, v in zip(fresh * 5, np.vstack([f_vectors] * 5)):
            start = time.perf_counter()
            cm.detect_told(r["text"], v, emb.model_id, encode, model)
            timings.append((time.perf_counter() - start) * 1000)
    result = {"training_examples": len(examples), "thresholds": [model.concern_threshold, model.net_threshold,
                                                                 model.adult_threshold],
              "sets": sets, "latency_ms": {"p50": float(np.percentile(timings, 50)),
                                           "p99": float(np.percentile(timings, 99))}}
    OUT.mkdir(exist_ok=True)
    (OUT / "concern_eval.json").write_text(json.dumps(result, indent=1))
    md = ["# Safeguarding detector (benchmarks/concern_eval.py)", "",
          "| set | detector | concerns / ordinary | recall | false flags | missed | false | AUC | routing |",
          "|---|---|---|---|---|---|---|---|---|"]
    for name, r in sets.items():
        m, ro = r["model"], r["rules_only"]  # type: ignore[index]
        md.append(f"| {name} | model + rules as safety net | {m['concerns']} / {m['ordinary']} | {m['recall']:.3f} |"
                  f" {m['false_flags']:.3f} | {m['missed']} | {m['false']} | {m['auc']:.3f} | {m['routing']:.3f} |")
        md.append(f"| | rules alone | | {ro['recall']:.3f} | {ro['false_flags']:.3f} | {ro['missed']} | {ro['false']} | | |")
    md += ["", "Routing: the share of flagged concerns sent to the right person (a child: the DSL; an adult who works "
           "with children: the headteacher; the headteacher: the chair of governors).",
           f"Added latency per question p50 {result['latency_ms']['p50']:.2f} ms, p99 "
           f"{result['latency_ms']['p99']:.2f} ms (the embedding is the one search computed).", ""]
    (OUT / "concern_eval.md").write_text("\n".join(md))
    print("\n".join(md))
    for name, r in sets.items():
        print(f"== {name}")
        for key in ("missed", "false_flags", "misrouted"):
            print(f"  {key}:", *r[key], sep="\n    ")  # type: ignore[index]


if __name__ == "__main__":
    main()
