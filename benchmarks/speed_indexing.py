"""Indexing speed, a part of the speed benchmark (benchmarks/speed.py runs it first):

  * index build of the seed corpus: cold (fresh folder, new embedder: imports torch, loads the model,
    embeds every clause) and warm (unchanged corpus, new embedder: the embedding cache means the model is
    never loaded);
  * clauses/s embedded while indexing: SentenceTransformerEmbedder().encode on 2,000 seed-derived clause
    texts as the product embeds them (search.clause_embedding_text), model already loaded;
  * the question embedding alone: one question per call, as the product embeds it.

    .venv/bin/python benchmarks/speed_indexing.py [--quick]    # this part alone: prints its figures (JSON)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.speed_common import QUESTIONS, add_options, log, percentiles, settle  # noqa: E402
from benchmarks.speed_synthetic import ClauseFactory  # noqa: E402
from bot.reading.documents import Clause  # noqa: E402
from bot.retrieval import index_store  # noqa: E402
from bot.retrieval.embeddings import Embedder, SentenceTransformerEmbedder  # noqa: E402
from bot.retrieval.search import clause_embedding_text  # noqa: E402


@dataclass
class Indexed:
    """The figures, and what the search part goes on with: the seed corpus's index and the loaded model."""
    indexing: dict
    query_embedding_only: dict
    index: index_store.Index
    embedder: SentenceTransformerEmbedder


def build_times() -> tuple[dict, index_store.Index, SentenceTransformerEmbedder]:
    """The seed corpus built cold (first, so that it pays for importing torch and loading the model), then
    warm with a new embedder; the index loaded as a server loads it."""
    with tempfile.TemporaryDirectory(prefix="speed-index-") as tmp:
        index_dir = Path(tmp)
        log("seed corpus: cold index build")
        embedder = SentenceTransformerEmbedder()
        t = time.perf_counter()
        cold = index_store.build(ROOT / "corpus", index_dir, embedder)
        cold_s = time.perf_counter() - t
        log("seed corpus: warm index build")
        fresh = SentenceTransformerEmbedder()
        t = time.perf_counter()
        warm = index_store.build(ROOT / "corpus", index_dir, fresh)
        warm_s = time.perf_counter() - t
        index = index_store.load(index_dir)
    figures = {"seed_build_cold_s": round(cold_s, 2), "seed_build_warm_s": round(warm_s, 4),
               "seed_clauses": cold.clauses, "seed_embedded_cold": cold.embedded,
               "seed_embedded_warm": warm.embedded,
               "model_loaded_on_warm_build": getattr(fresh, "_model", None) is not None}
    return figures, index, embedder


def embedding_throughput(embedder: Embedder, seed_clauses: list[Clause], seed: int, quick: bool) -> dict:
    factory = ClauseFactory(seed_clauses, seed)
    n_embed = 256 if quick else 2000
    names = factory.org_names()
    sample = []
    for i in range(n_embed):  # the text the product embeds for a clause (search.clause_embedding_text)
        section, kind = factory.shape()
        sample.append(clause_embedding_text(Clause(id=f"x#{i}", org="x", source="x", document="x",
                                                   section=section, text=factory.text(names), kind=kind)))
    settle()
    log(f"embedding throughput: {n_embed} clause texts")
    embedder.encode(sample[:64])
    t = time.perf_counter()
    embedder.encode(sample)
    emb_s = time.perf_counter() - t
    return {"texts": n_embed, "batch_size": getattr(embedder, "batch_size", None), "seconds": round(emb_s, 2),
            "clauses_per_s": round(n_embed / emb_s, 1), "mean_chars": round(float(np.mean([len(s) for s in sample])), 1)}


def query_embedding_alone(embedder: Embedder, n: int) -> dict:
    """One question per call, as the product embeds it; with torch's default thread count (the product)
    and, interleaved, with one thread (a what-if: torch.set_num_threads(1), restored afterwards)."""
    import torch

    default = torch.get_num_threads()
    runs: dict[int, list[float]] = {default: [], 1: []}
    try:
        for i in range(2 * n):
            threads = default if i % 2 == 0 else 1
            torch.set_num_threads(threads)
            q = QUESTIONS[(i // 2) % len(QUESTIONS)]
            t = time.perf_counter()
            embedder.encode([q])
            runs[threads].append(time.perf_counter() - t)
    finally:
        torch.set_num_threads(default)
    return {**percentiles(runs[default]), "torch_threads": default,
            "one_thread_what_if": percentiles(runs[1]) if default != 1 else None}


def measure(args: argparse.Namespace) -> Indexed:
    indexing, index, embedder = build_times()
    indexing["embedding_throughput"] = embedding_throughput(embedder, index.clauses, args.seed, args.quick)
    query = query_embedding_alone(embedder, 200 if not args.quick else 50)
    return Indexed(indexing, query, index, embedder)


def main(argv: Iterable[str] | None = None) -> int:
    args = add_options(argparse.ArgumentParser(description=__doc__.split("\n\n")[0])).parse_args(
        list(argv) if argv is not None else None)
    from bot import wiring

    wiring.limit_blas_threads()  # as benchmarks/speed.py does
    done = measure(args)
    print(json.dumps({"indexing": done.indexing, "query_embedding_only": done.query_embedding_only}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
