"""What the optional second stage (bot.retrieval.rerank) adds to a question, warm, on 2 cores.

    POLICYBOT_RERANK_MODEL=var/models/all-mpnet-base-v2 .venv/bin/python benchmarks/rerank_speed.py
    (after `make reranker`; about 5 minutes; writes benchmarks/results/rerank_speed.{json,md})

What is measured
  * seeds: the product's AnswerService over the bundled corpus (indexed into a temporary folder, no
    question log), with and without the second stage, the seed benchmark questions
    (benchmarks/questions.jsonl) asked in turn, interleaved one by one. The clause vectors are the real
    model's, made by `prepare` as the server does at start.
  * 100k clauses in one scope (benchmarks/speed.py's synthetic corpus: seed sentences recombined, random
    unit vectors for the first stage, and as the passages' vectors, so the passage rescoring runs): the
    first stage's search alone, against the search with the second stage's reading of the best 100
    passages blended in (`Reranker.similarity`) and `Reranker.order` over its head (k = the reranker's
    depth). The second stage's clause vectors are random unit rows too
    (encoding 100,000 clauses with the larger model would take hours; a lookup does not depend on the
    values); the question is always encoded by the real models, both of them. Every question is reranked
    here, answered or not (the service reranks only answered ones), so this is the upper bound.
Target (issue 10): p50 <= 100 ms a question with a reranker, on a 100k-clause library.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bot.config import Settings  # noqa: E402
from bot.core.models import Question  # noqa: E402
from bot.reading.corpus import load_corpus  # noqa: E402
from bot.retrieval.rerank import ClauseVectors  # noqa: E402
from bot.retrieval.search import HybridSearcher  # noqa: E402
from bot import wiring  # noqa: E402
import speed  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "rerank_speed"


def questions() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (ROOT / "benchmarks" / "questions.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    return [(r["org"], r["question"]) for r in rows]


def timed_pair(first: Callable[[str, str], object], second: Callable[[str, str], object],
               plan: list[tuple[str, str]]) -> tuple[list[float], list[float]]:
    """Each (org, question) through both, interleaved, alternating which goes first."""
    a: list[float] = []
    b: list[float] = []
    gc.collect()
    gc.freeze()
    for n, (org, q) in enumerate(plan):
        for fn, out in ((first, a), (second, b)) if n % 2 == 0 else ((second, b), (first, a)):
            t = time.perf_counter()
            fn(org, q)
            out.append(time.perf_counter() - t)
    return a, b


def seeds(settings: Settings, rounds: int) -> dict[str, object]:
    emb = wiring.embedder(settings)
    folder = Path(tempfile.mkdtemp(prefix="rerank-speed-"))
    plain_settings = settings.model_copy(update={"corpus_dir": ROOT / "corpus", "index_dir": folder, "rerank_model": ""})
    wiring.build_index(plain_settings, emb)
    index = wiring.ensure_index(plain_settings, emb)
    plain = wiring.answer_service(plain_settings, index, emb)
    t = time.perf_counter()
    second = wiring.answer_service(plain_settings.model_copy(update={"rerank_model": settings.rerank_model}), index, emb)
    prepare_s = time.perf_counter() - t
    plan = questions() * rounds
    for org, q in plan[:10]:  # warm both
        plain.answer(Question(q, org))
        second.answer(Question(q, org))
    without, with_ = timed_pair(lambda o, q: plain.answer(Question(q, o)), lambda o, q: second.answer(Question(q, o)),
                                plan)
    answered = sum(plain.answer(Question(q, o)).answered for o, q in questions())
    return {"clauses": len(index.clauses), "questions": len(plan), "answered_share": answered / len(questions()),
            "service_built_with_prepare_s": round(prepare_s, 2),
            "without": speed.percentiles(without), "with": speed.percentiles(with_)}


def large(settings: Settings, n_clauses: int, n_queries: int, seed: int) -> dict[str, object]:
    emb = wiring.embedder(settings)
    emb.encode(["warm up"])
    factory = speed.ClauseFactory(load_corpus(ROOT / "corpus").clauses, seed)
    texts = speed.synthetic_texts(factory, n_clauses // 200, 200)
    syn = speed.layout_one(texts, speed.random_unit_rows(n_clauses, seed), per_doc=200)
    plain = HybridSearcher(syn.orgs, syn.documents, syn.clauses, syn.embeddings, emb,
                           passage_embeddings=syn.embeddings)  # the passage rescoring runs, as in a server
    reranker = wiring.reranker(settings)
    assert reranker is not None
    width = reranker.encode(["warm up"]).shape[1]
    rng = np.random.default_rng(seed)

    def random_rows(batch: list[str]) -> np.ndarray:
        m = rng.standard_normal((len(batch), width)).astype(np.float32)
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    t = time.perf_counter()
    reranker.clauses = ClauseVectors(random_rows)
    reranker.prepare(syn.clauses)  # every passage search can quote
    reranker.clauses.encode = reranker.encode  # anything not prepared would be encoded for real
    fill_s = time.perf_counter() - t
    searcher = HybridSearcher(syn.orgs, syn.documents, syn.clauses, syn.embeddings, emb,
                              passage_embeddings=syn.embeddings, second=reranker.similarity)
    org = "one-trust"
    plain.search(org, "warm up the scope", k=3)
    searcher.search(org, "warm up the scope", k=reranker.depth)
    plan = [(org, q) for _o, q in questions()]
    plan = [plan[i % len(plan)] for i in random.Random(seed).sample(range(n_queries * 3), n_queries)]

    def first(o: str, q: str) -> object:
        return plain.search(o, q, k=3)

    def both(o: str, q: str) -> object:
        result = searcher.search(o, q, k=reranker.depth)
        return reranker.order(q, result.hits, lambda h: h.clause, lambda h: h.score)

    for o, q in plan[:10]:
        first(o, q)
        both(o, q)
    without, with_ = timed_pair(first, both, plan)
    return {"clauses": len(syn.clauses), "questions": len(plan), "vectors_filled_s": round(fill_s, 1),
            "without": speed.percentiles(without), "with": speed.percentiles(with_)}


def markdown(r: dict[str, object]) -> str:
    def row(label: str, e: dict) -> str:  # type: ignore[type-arg]
        w, x = e["without"], e["with"]
        return (f"| {label} | {e['clauses']:,} | {e['questions']} | {w['p50_ms']:.1f} / {w['p99_ms']:.1f} | "
                f"{x['p50_ms']:.1f} / {x['p99_ms']:.1f} | {x['p50_ms'] - w['p50_ms']:+.1f} |")

    return "\n".join([
        "# Second stage: added cost per question (benchmarks/rerank_speed.py)", "",
        f"Model: `{r['model']}`, backend {r['backend']}; load average at start {r['load_start']}, at end {r['load_end']}.",
        "", "| corpus | clauses | questions | without: p50 / p99 ms | with: p50 / p99 ms | p50 added |",
        "|---|---:|---:|---|---|---:|",
        row("seeds (AnswerService.answer)", r["seeds"]),  # type: ignore[arg-type]
        row("100k in one scope (search + order, every question)", r["large"]),  # type: ignore[arg-type]
        "", f"Seeds: the service built (its clause vectors encoded in a fresh index folder) in "
            f"{r['seeds']['service_built_with_prepare_s']} s; answered share {r['seeds']['answered_share']:.2f}.",  # type: ignore[index]
        ""])


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clauses", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5, help="times the seed questions are asked")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    if not settings.rerank_model:
        print("set POLICYBOT_RERANK_MODEL (make reranker) first", file=sys.stderr)
        return 2
    wiring.limit_blas_threads()
    result: dict[str, object] = {"model": settings.rerank_model, "load_start": os.getloadavg()[0]}
    result["seeds"] = seeds(settings, args.rounds)
    result["large"] = large(settings, args.clauses, args.queries, 20261203)
    result["load_end"] = os.getloadavg()[0]
    result["backend"] = "onnx" if any(settings.model_cache_dir.glob("all-mpnet*.onnx")) else "torch"
    print(markdown(result))
    if not args.no_write:
        OUT.with_suffix(".json").write_text(json.dumps(result, indent=2), "utf-8")
        OUT.with_suffix(".md").write_text(markdown(result), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
