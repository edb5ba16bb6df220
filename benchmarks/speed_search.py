"""Warm query latency, a part of the speed benchmark (benchmarks/speed.py): the product's hybrid search
against the brute-force peer (benchmarks/speed_peer.py), on the seed corpus in this process and on each
synthetic layout (benchmarks/speed_synthetic.py) in a child process of its own, so that its memory figures
are its own.

  * ours: bot.retrieval.search.HybridSearcher.search(org, question, k=3), exactly as the product calls
    it, with SentenceTransformerEmbedder() at its defaults: the question is rewritten, spell-corrected,
    embedded with the real all-MiniLM-L6-v2 (bundled, offline), scored by the scope's bm25s index and
    its dense matrix, fused, re-weighted, its best 100 clauses scored again on their passages' embeddings
    (memory-mapped, as the product loads them) and cut to 3. The peer embeds the question with the same
    real model, so both pay the same encoder cost.
  * warm latency: every organisation's scope (ours and the peer's) is built by a first query before
    anything is timed (the question embedding stubbed out there; that scope build time is reported on
    its own). Ours and the peer answer the same (organisation, question) pairs, interleaved one by one
    with alternating order, so background load hits both alike; the CPU that other processes used during
    each loop is measured (/proc/stat) and reported. gc.collect() + gc.freeze() before each timed loop
    (steady state: the collector does not rescan the corpus built before the loop).
  * supplementary: the same loop with question embeddings memoised (retrieval alone); on each synthetic
    layout, where ours spends its time (benchmarks/speed_breakdown.py: ours alone, a BLAS what-if, a
    cProfile).
  * memory (VmRSS, KiB from /proc/self/status): with the model loaded, + the corpus, + ours' scopes,
    + the peer's scopes; and each process's peak (ru_maxrss).

    .venv/bin/python benchmarks/speed_search.py [--quick]    # this part alone: prints its figures (JSON)
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.speed_common import (DIM, K, QUESTIONS, CpuMeter, add_options, hwm_kib,  # noqa: E402
                                     load_avg, log, maxrss_kib, percentiles, reset_hwm, rss_kib, settle)
from benchmarks.speed_breakdown import ours_alone, profile_ours  # noqa: E402
from benchmarks.speed_peer import Peer, scope_rows  # noqa: E402
from benchmarks.speed_synthetic import (ClauseFactory, Synthetic, layout_many, layout_one,  # noqa: E402
                                        random_unit_rows, synthetic_texts)
from bot.reading.corpus import load_corpus  # noqa: E402
from bot.retrieval import index_store  # noqa: E402
from bot.retrieval.embeddings import Embedder, SentenceTransformerEmbedder  # noqa: E402
from bot.retrieval.search import HybridSearcher  # noqa: E402


class ConstantEmbedder:
    """Stands in for the encoder while scopes are built, so that a first query's time is the scope
    build (and one retrieval), not the question embedding measured elsewhere."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.vector = inner.encode(["warm up"])[0]

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return np.tile(self.vector, (len(texts), 1))


@contextmanager
def embedder_swapped(ours: HybridSearcher, peer: Peer, stand_in: object):
    real_ours, real_peer = ours.embedder, peer.embedder
    ours.embedder = stand_in  # type: ignore[assignment]
    peer.embedder = stand_in  # type: ignore[assignment]
    try:
        yield stand_in
    finally:
        ours.embedder, peer.embedder = real_ours, real_peer


def first_queries(searcher: HybridSearcher | Peer, org_list: Sequence[str]) -> list[float]:
    """Seconds each organisation's first query takes (it builds that organisation's scope)."""
    took = []
    for i, org in enumerate(org_list):
        t = time.perf_counter()
        searcher.search(org, QUESTIONS[i % len(QUESTIONS)], k=K)
        took.append(time.perf_counter() - t)
    return took


def warm_up(ours: HybridSearcher, peer: Peer, org_list: Sequence[str]) -> dict:
    """First query of every organisation (builds its scope), ours then the peer, with the question
    embedding stubbed out; then a few warm queries with the real encoder."""
    settle()
    rss_before = rss_kib()
    with embedder_swapped(ours, peer, ConstantEmbedder(ours.embedder)):
        first_ours = first_queries(ours, org_list)
        settle()
        rss_after_ours = rss_kib()
        first_peer = first_queries(peer, org_list)
        settle()
        rss_after_peer = rss_kib()
    for q in QUESTIONS[:10]:
        ours.search(org_list[0], q, k=K)
        peer.search(org_list[0], q, k=K)
    return {"ours_first_query": {**percentiles(first_ours), "total_s": round(sum(first_ours), 2)},
            "peer_first_query": {**percentiles(first_peer), "total_s": round(sum(first_peer), 2)},
            "rss_before_scopes_kib": rss_before, "rss_after_ours_scopes_kib": rss_after_ours,
            "rss_after_peer_scopes_kib": rss_after_peer}


def timed(ours: HybridSearcher, peer: Peer, plan: Sequence[tuple[str, str]]) -> dict:
    gc.collect()
    gc.freeze()
    t_ours: list[float] = []
    t_peer: list[float] = []
    load_before = load_avg()
    meter = CpuMeter()
    for i, (org, q) in enumerate(plan):
        order = ((ours.search, t_ours), (peer.search, t_peer))
        for fn, sink in (order if i % 2 == 0 else order[::-1]):
            t = time.perf_counter()
            fn(org, q, k=K)
            sink.append(time.perf_counter() - t)
    gc.unfreeze()
    o, p = percentiles(t_ours), percentiles(t_peer)
    return {"ours": o, "peer": p, "speedup_p50": round(p["p50_ms"] / o["p50_ms"], 2),
            "speedup_p99": round(p["p99_ms"] / o["p99_ms"], 2), "queries_timed": len(plan),
            "other_processes_cpu_cores": meter.other_cores(),
            "load_avg_before": load_before, "load_avg_after": load_avg()}


class MemoEmbedder:
    """The real embedder, but each distinct text is embedded once: for the supplementary
    "retrieval only" figures, which leave out the question-embedding cost both sides share."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.cache: dict[str, np.ndarray] = {}

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.inner.encode(missing)))
        return np.stack([self.cache[t] for t in texts])


def timed_retrieval_only(ours: HybridSearcher, peer: Peer, plan: Sequence[tuple[str, str]],
                         memo: MemoEmbedder) -> dict:
    """The same interleaved loop with the question embeddings memoised (filled before timing)."""
    with embedder_swapped(ours, peer, memo):
        for org, q in dict.fromkeys(plan):
            ours.search(org, q, k=K)
            peer.search(org, q, k=K)
        return timed(ours, peer, plan)


def make_plan(org_list: Sequence[str], n: int, rng: random.Random) -> list[tuple[str, str]]:
    return [(rng.choice(org_list), rng.choice(QUESTIONS)) for _ in range(n)]


def check_scopes(ours: HybridSearcher, peer: Peer, org_list: Iterable[str]) -> str:
    """Both sides must search the same clauses: compare with the product's scope rows where visible."""
    scopes = getattr(ours, "_scopes", None)
    if not isinstance(scopes, dict):
        return "not checked (product scopes not visible)"
    checked = 0
    for org in org_list:
        rows = getattr(scopes.get(org), "rows", None)
        if rows is None:
            return "not checked (product scope rows not visible)"
        if not np.array_equal(np.sort(np.asarray(rows)), np.sort(peer.scope(org).rows)):
            raise SystemExit(f"scope mismatch for {org}: ours {len(rows)} rows, peer {len(peer.scope(org).rows)}")
        checked += 1
    return f"identical clause rows for all {checked} organisations"


def run_corpus(label: str, ours: HybridSearcher, peer: Peer, org_list: list[str], n_queries: int,
               rng: random.Random, clauses: int, sizes: list[int], n_retrieval: int) -> tuple[dict, MemoEmbedder]:
    reset_hwm()
    log(f"{label}: warming up {len(org_list)} organisation(s)")
    w = warm_up(ours, peer, org_list)
    scope_check = check_scopes(ours, peer, org_list)
    log(f"{label}: scopes: {scope_check}; timing {n_queries} queries x 2")
    t = timed(ours, peer, make_plan(org_list, n_queries, rng))
    log(f"{label}: ours p50 {t['ours']['p50_ms']} p99 {t['ours']['p99_ms']} ms; peer p50 {t['peer']['p50_ms']} "
        f"p99 {t['peer']['p99_ms']} ms; speed-up {t['speedup_p50']}x")
    memo = MemoEmbedder(ours.embedder)
    r = timed_retrieval_only(ours, peer, make_plan(org_list, n_retrieval, rng), memo)
    log(f"{label}: retrieval only: ours p50 {r['ours']['p50_ms']} p99 {r['ours']['p99_ms']} ms; "
        f"peer p50 {r['peer']['p50_ms']} p99 {r['peer']['p99_ms']} ms")
    return ({"label": label, "clauses": clauses, "orgs": len(org_list),
             "scope_clauses": {"min": min(sizes), "median": int(np.median(sizes)), "max": max(sizes)},
             "scope_check": scope_check, "warm_up": w, "timing": t, "retrieval_only": r,
             "phase_peak_kib": hwm_kib()}, memo)


def layout_child(args: argparse.Namespace) -> int:
    """One synthetic layout in a process of its own, so that its memory figures are its own."""
    n_queries, n_retrieval, n_clauses = sizes_for(args)
    per_org = 200
    n_orgs = n_clauses // per_org
    trusts = max(1, n_orgs // 10)
    rng = random.Random(f"{args.seed}-{args.layout}")
    embedder = SentenceTransformerEmbedder()
    embedder.encode(["warm up"])
    settle()
    rss_model = rss_kib()
    seed_clauses = load_corpus(ROOT / "corpus").clauses
    factory = ClauseFactory(seed_clauses, args.seed)
    log(f"synthetic corpus: generating {n_orgs * per_org:,} clause texts")
    t = time.perf_counter()
    texts = synthetic_texts(factory, n_orgs, per_org)
    vectors = random_unit_rows(n_orgs * per_org, args.seed)
    vocab = Counter(w for org in texts for (text, _s, _k) in org for w in re.findall(r"[a-z]+", text.lower()))
    synthetic = {"clauses": n_orgs * per_org, "generation_s": round(time.perf_counter() - t, 1),
                 "distinct_words": len(vocab),
                 "seed_distinct_words": len({w for c in seed_clauses for w in re.findall(r"[a-z]+", c.text.lower())}),
                 "mean_chars": round(float(np.mean([len(x[0]) for o in texts for x in o])), 1),
                 "embeddings": f"random unit vectors, {DIM}-d float32 (seeded)"}
    del vocab
    if args.layout == "many":
        syn = layout_many(texts, vectors, trusts, docs_per_org=4, rng=rng)
        label = f"synthetic {n_clauses // 1000}k, {n_orgs} orgs ({trusts} trusts + {n_orgs - trusts} schools)"
        by_source: dict[str, list[int]] = {}
        for i, c in enumerate(syn.clauses):
            by_source.setdefault(c.source, []).append(i)

        def rows_for(org: str, s: Synthetic = syn) -> np.ndarray:  # fast path of scope_rows for this layout
            chain = [org] + ([p] if (p := s.orgs[org].parent) else [])
            return np.array(sorted(i for d in s.documents if d.org in chain for i in by_source[d.source]),
                            dtype=np.int64)

        org_list = sorted(syn.orgs)
        assert np.array_equal(rows_for(org_list[-1]), scope_rows(syn.orgs, syn.documents, syn.clauses, org_list[-1]))
    else:
        syn = layout_one(texts, vectors, per_doc=per_org)
        label = f"synthetic {n_clauses // 1000}k, one scope"

        def rows_for(org: str, n: int = len(syn.clauses)) -> np.ndarray:
            return np.arange(n, dtype=np.int64)

        org_list = ["one-trust"]
    del texts, vectors
    # The passages' embeddings, memory-mapped from a file as the product loads them (index_store.load).
    passage_file = Path(tempfile.mkdtemp(prefix="speed-passages-")) / "passage_embeddings.npy"
    np.save(passage_file, random_unit_rows(len(syn.clauses), args.seed + 1))
    passages = np.load(passage_file, mmap_mode="r")
    shutil.rmtree(passage_file.parent)  # the mapping keeps the data until the process ends (Linux)
    ours = HybridSearcher(syn.orgs, syn.documents, syn.clauses, syn.embeddings, embedder,
                          passage_embeddings=passages)
    peer = Peer(syn.orgs, syn.documents, syn.clauses, syn.embeddings, embedder, rows_for=rows_for)
    sizes = [len(rows_for(o)) for o in org_list]
    entry, memo = run_corpus(label, ours, peer, org_list, n_queries, rng, len(syn.clauses), sizes, n_retrieval)
    entry["rss_model_loaded_kib"] = rss_model
    entry["synthetic"] = synthetic
    log(f"{label}: ours alone, product vs BLAS one thread")
    entry["ours_alone"] = ours_alone(ours, make_plan(org_list, max(100, n_queries * 2 // 5), rng))
    if not args.no_profile:
        log(f"{label}: profiling ours")
        prof = profile_ours(ours, make_plan(org_list, 200 if not args.quick else 50, rng), memo)
        entry["profile"] = prof
    entry["process_peak_rss_kib"] = maxrss_kib()
    Path(args.child_out).write_text(json.dumps(entry), "utf-8")
    return 0


def sizes_for(args: argparse.Namespace) -> tuple[int, int, int]:
    n_queries = args.queries or (100 if args.quick else 500)
    return n_queries, max(20, n_queries * 2 // 5), args.clauses or (10_000 if args.quick else 100_000)


def run_layout(layout: str, args: argparse.Namespace) -> dict:
    """Run one synthetic layout in a child process (same options) and read back its figures."""
    with tempfile.TemporaryDirectory(prefix="speed-layout-") as tmp:
        out = Path(tmp) / "entry.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--layout", layout, "--child-out", str(out),
               "--seed", str(args.seed)]
        cmd += ["--quick"] if args.quick else []
        cmd += ["--no-profile"] if args.no_profile else []
        cmd += ["--queries", str(args.queries)] if args.queries else []
        cmd += ["--clauses", str(args.clauses)] if args.clauses else []
        subprocess.run(cmd, cwd=ROOT, check=True)
        return json.loads(out.read_text("utf-8"))


def seed_corpus(index: index_store.Index, embedder: Embedder, args: argparse.Namespace) -> dict:
    """The seed corpus, in this process, ours and the peer over the same index and model."""
    n_queries, n_retrieval, _ = sizes_for(args)
    rng = random.Random(f"{args.seed}-seed")
    ours = HybridSearcher(index.orgs, index.documents, index.clauses, index.embeddings, embedder,
                          passage_embeddings=index.passage_embeddings)
    peer = Peer(index.orgs, index.documents, index.clauses, index.embeddings, embedder)
    seed_orgs = sorted(index.orgs)
    sizes = [len(peer.scope(o).rows) for o in seed_orgs]
    settle()
    rss_model = rss_kib()
    entry, _memo = run_corpus("seed corpus", ours, peer, seed_orgs, n_queries, rng, len(index.clauses), sizes,
                              n_retrieval)
    entry["rss_model_loaded_kib"] = rss_model
    entry["process_peak_rss_kib"] = maxrss_kib()
    del ours, peer, _memo
    settle()
    return entry


def synthetic_layouts(args: argparse.Namespace) -> list[dict]:
    """Each synthetic layout in a child process of its own (clean memory figures), this one idle meanwhile."""
    return [run_layout(layout, args) for layout in ("many", "one")]


def main(argv: Iterable[str] | None = None) -> int:
    parser = add_options(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]))
    parser.add_argument("--layout", choices=("many", "one"), help=argparse.SUPPRESS)  # child process
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else None)
    from bot import wiring

    wiring.limit_blas_threads()  # what wiring.answer_service does before serving (applies to the peer too)
    if args.layout:
        return layout_child(args)
    embedder = SentenceTransformerEmbedder()
    with tempfile.TemporaryDirectory(prefix="speed-index-") as tmp:
        index_store.build(ROOT / "corpus", Path(tmp), embedder)
        index = index_store.load(Path(tmp))
    corpora = [seed_corpus(index, embedder, args)] + synthetic_layouts(args)
    for c in corpora:
        c.pop("profile", None)
        c.pop("synthetic", None)
    print(json.dumps(corpora, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
