"""Embedding throughput while indexing (a benchmark, not a timed test): clauses per second of each way
of running all-MiniLM-L6-v2, and how close each one's vectors are to the old way's.

    .venv/bin/python benchmarks/embedding_speed.py [--corpus ../shared/corpora] [--n 2000] [--rounds 3]

What is measured
  * texts: --n clauses sampled (seeded) from bot.reading.corpus.load_corpus(--corpus), kept in corpus
    order, as the product embeds them (search.clause_embedding_text).
  * ways, each with the model already loaded and warmed, interleaved round by round (a noisy machine
    hits them alike); the best and the median round are reported:
      old       - sentence-transformers fed 64 texts at a time in corpus order (the product before);
      torch     - sentence-transformers given the whole list (it sorts by length), batch 16 / 32;
      onnx      - the product's ONNX Runtime path (bot.retrieval.onnx_model), batch 16 / 32 / 64;
      onnx-int8 - the same graph with int8 dynamic quantisation (onnxruntime.quantization), batch 32.
  * quality: per text cosine between each way's vector and the old way's (min and mean).
Writes benchmarks/results/embedding_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.reading.corpus import load_corpus  # noqa: E402
from bot.retrieval import onnx_model  # noqa: E402
from bot.retrieval.embeddings import SentenceTransformerEmbedder, bundled_model_dir  # noqa: E402
from bot.retrieval.search import clause_embedding_text  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def sample_texts(corpus: Path, n: int) -> list[str]:
    texts = [clause_embedding_text(c) for c in load_corpus(corpus).clauses]
    keep = sorted(random.Random(0).sample(range(len(texts)), min(n, len(texts))))
    return [texts[i] for i in keep]


def ways(cache: Path) -> dict[str, Callable[[list[str]], np.ndarray]]:
    from sentence_transformers import SentenceTransformer
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model_dir = bundled_model_dir()
    st = SentenceTransformer(str(model_dir), device="cpu")
    exported = onnx_model.cached_export(model_dir, SentenceTransformerEmbedder().model_id, cache)
    int8 = cache / "int8.onnx"
    if not int8.is_file():
        quantize_dynamic(str(exported), str(int8), weight_type=QuantType.QInt8)

    def old(texts: list[str]) -> np.ndarray:
        return np.vstack([st.encode(texts[i:i + 64], normalize_embeddings=True, show_progress_bar=False)
                          for i in range(0, len(texts), 64)])

    def torch_whole(batch: int) -> Callable[[list[str]], np.ndarray]:
        return lambda texts: st.encode(texts, batch_size=batch, normalize_embeddings=True, show_progress_bar=False)

    def onnx(path: Path, batch: int) -> Callable[[list[str]], np.ndarray]:
        return onnx_model.OnnxEncoder(path, model_dir, batch_size=batch).encode

    return {"old (torch, 64 at a time, corpus order)": old, "torch whole list, batch 16": torch_whole(16),
            "torch whole list, batch 32": torch_whole(32), "onnx, batch 16": onnx(exported, 16),
            "onnx, batch 32": onnx(exported, 32), "onnx, batch 64": onnx(exported, 64),
            "onnx-int8, batch 32": onnx(int8, 32)}


def run(texts: list[str], rounds: int, cache: Path) -> dict[str, dict[str, float]]:
    candidates = ways(cache)
    for encode in candidates.values():
        encode(texts[:32])  # warm
    rates: dict[str, list[float]] = {name: [] for name in candidates}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, encode in candidates.items():
            start = time.perf_counter()
            vectors[name] = np.asarray(encode(texts), dtype=np.float32)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    reference = vectors[next(iter(candidates))]
    out = {}
    for name, got in rates.items():
        cos = np.sum(vectors[name] * reference, axis=1)
        out[name] = {"best_per_s": round(max(got), 1), "median_per_s": round(statistics.median(got), 1),
                     "cos_min": round(float(cos.min()), 6), "cos_mean": round(float(cos.mean()), 6)}
    return out


def markdown(report: dict) -> str:
    lines = ["# Embedding throughput while indexing", "",
             f"{report['texts']} real clauses from `{report['corpus']}` (mean {report['mean_chars']} characters), "
             f"{report['rounds']} interleaved rounds, {report['cores']} cores, load average before "
             f"{report['load_before']}. Cosine against the old way's vectors.", "",
             "| way | best clauses/s | median clauses/s | cos min | cos mean |", "|---|---:|---:|---:|---:|"]
    for name, r in report["ways"].items():
        lines.append(f"| {name} | {r['best_per_s']} | {r['median_per_s']} | {r['cos_min']} | {r['cos_mean']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    texts = sample_texts(args.corpus, args.n)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as cache:
        ways_report = run(texts, args.rounds, Path(cache))
    report = {"corpus": str(args.corpus), "texts": len(texts), "rounds": args.rounds, "cores": os.cpu_count(),
              "mean_chars": round(statistics.mean(len(t) for t in texts), 1), "load_before": load_before,
              "ways": ways_report}
    write_results("embedding_speed", report, markdown(report))
    return 0


def write_results(name: str, report: dict, table: str) -> None:
    """benchmarks/results/NAME.json and NAME.md, and the table on stdout."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    (RESULTS / f"{name}.md").write_text(table, "utf-8")
    print(table)


if __name__ == "__main__":
    raise SystemExit(main())
