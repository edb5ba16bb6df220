"""Where ours spends a query's time, a part of the speed benchmark run by benchmarks/speed_search.py on each
synthetic layout: ours alone (no peer in between, real encoder), each query split into the question
embedding and the rest, with a what-if (numpy's BLAS on one thread, threadpoolctl) in alternate blocks;
and a cProfile of ours with the question embeddings memoised."""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.speed_common import K, CpuMeter, _short, percentiles  # noqa: E402
from bot.retrieval.embeddings import Embedder  # noqa: E402
from bot.retrieval.search import HybridSearcher  # noqa: E402


class TimingEmbedder:
    """The real embedder, timed: splits a query's latency into the question embedding and the rest."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.last = 0.0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        t = time.perf_counter()
        out = self.inner.encode(texts, progress)
        self.last = time.perf_counter() - t
        return out


def ours_alone(ours: HybridSearcher, plan: Sequence[tuple[str, str]], block: int = 25, settle_queries: int = 3) -> dict:
    """Ours on its own (no peer in between), real encoder, in alternating blocks of two set-ups: the
    product as it is, and a what-if with numpy's BLAS limited to one thread (threadpoolctl; torch keeps
    its threads). Blocks, not alternate queries, because idle BLAS and OpenMP worker threads keep
    spinning for a while after a call; the first queries of each block are not counted. Each query's
    time is split into the question embedding and the rest."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    real = ours.embedder
    timer = TimingEmbedder(real)
    ours.embedder = timer  # type: ignore[assignment]
    runs: dict[str, dict[str, list[float]]] = {v: {"total": [], "encode": [], "rest": []}
                                               for v in ("product", "blas_one_thread")}
    gc.collect()
    gc.freeze()
    meter = CpuMeter()
    try:
        for b, start in enumerate(range(0, len(plan), block)):
            variant = "product" if b % 2 == 0 or threadpool_limits is None else "blas_one_thread"
            limiter = threadpool_limits(1, user_api="blas") if variant != "product" else None
            try:
                for j, (org, q) in enumerate(plan[start:start + block]):
                    t = time.perf_counter()
                    ours.search(org, q, k=K)
                    total = time.perf_counter() - t
                    if j >= settle_queries:
                        runs[variant]["total"].append(total)
                        runs[variant]["encode"].append(timer.last)
                        runs[variant]["rest"].append(total - timer.last)
            finally:
                if limiter is not None:
                    limiter.restore_original_limits()
    finally:
        gc.unfreeze()
        ours.embedder = real
    return {v: {part: percentiles(x) for part, x in parts.items()} for v, parts in runs.items() if parts["total"]} | {
        "other_processes_cpu_cores": meter.other_cores()}


def profile_ours(ours: HybridSearcher, plan: Sequence[tuple[str, str]], memo: Embedder, top: int = 14) -> dict:
    """cProfile of ours over *plan*, question embeddings memoised (the encoder's cost is measured on its
    own): what is left is the product's retrieval code."""
    real = ours.embedder
    ours.embedder = memo  # type: ignore[assignment]
    try:
        for org, q in dict.fromkeys(plan):
            ours.search(org, q, k=K)
        prof = cProfile.Profile()
        gc.collect()
        gc.freeze()
        prof.enable()
        for org, q in plan:
            ours.search(org, q, k=K)
        prof.disable()
        gc.unfreeze()
    finally:
        ours.embedder = real
    stats = pstats.Stats(prof)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(file)}:{line}({func})", "calls": nc,
                     "tottime_ms_per_query": round(tt * 1000 / len(plan), 3),
                     "cumtime_ms_per_query": round(ct * 1000 / len(plan), 3),
                     "tottime_share": round(tt / total, 3)})
    by_tot = sorted(rows, key=lambda r: -r["tottime_ms_per_query"])[:top]
    by_cum = sorted(rows, key=lambda r: -r["cumtime_ms_per_query"])[:top + 6]
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    return {"queries": len(plan), "total_ms_per_query": round(total * 1000 / len(plan), 2),
            "by_tottime": by_tot, "by_cumtime": by_cum, "text": buf.getvalue()}
