"""What the shared delivery de-duplication and rate limit cost per question (a benchmark, not a timed
test): SqlDeliveries.first_time (a new key, and a key seen by another replica) and
SqlRateLimiter.wait_seconds, each timed call by call, on SQLite (a file under a temporary folder) and
on the local PostgreSQL (a database of its own, dropped afterwards), one thread, warm engines.

    .venv/bin/python benchmarks/shared_state.py [--calls 2000] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Writes benchmarks/results/shared_state.{json,md}. A Slack event costs two first_time calls (its signed
request and its event id), a question one wait_seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.storage.database import make_engine, sessions, upgrade  # noqa: E402
from bot.storage.deliveries import SqlDeliveries  # noqa: E402
from bot.storage.rate_buckets import SqlRateLimiter  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def timed(call: Callable[[int], object], n: int) -> dict[str, float]:
    laps = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        laps.append((time.perf_counter() - start) * 1000)
    laps.sort()
    return {"p50_ms": round(statistics.median(laps), 3), "p99_ms": round(laps[int(0.99 * (n - 1))], 3),
            "mean_ms": round(statistics.fmean(laps), 3)}


def measure(url: str, n: int) -> dict[str, dict[str, float]]:
    a, b = sessions(make_engine(url)), sessions(make_engine(url))
    upgrade(a.kw["bind"])
    try:
        first, other = SqlDeliveries(a), SqlDeliveries(b)
        limiter = SqlRateLimiter(a, per_minute=600, burst=100)
        for i in range(50):  # warm the pools
            first.first_time("bench", f"warm{i}", 60)
            limiter.wait_seconds(f"warm{i}")
        return {
            "first_time, new key": timed(lambda i: first.first_time("slack", f"Ev{i}", 3600), n),
            "first_time, seen by the other replica": timed(lambda i: other.first_time("slack", f"Ev{i}", 3600), n),
            "wait_seconds, 200 senders": timed(lambda i: limiter.wait_seconds(f"slack:T1:U{i % 200}"), n),
        }
    finally:
        a.kw["bind"].dispose()
        b.kw["bind"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    results: dict[str, object] = {"calls": args.calls, "load_average_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(f"sqlite:///{tmp}/bench.db", args.calls)
    name = f"policybot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        results["postgresql"] = measure(make_url(args.postgres).set(database=name).render_as_string(False), args.calls)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "shared_state.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    lines = [f"# Shared deliveries and rate limit: per-call latency ({args.calls} calls each, one thread)", "",
             f"Load average before the run: {results['load_average_before']:.1f} on {os.cpu_count()} cores "
             "(other work on the machine inflates these figures).", "",
             "| database | call | p50 ms | p99 ms | mean ms |", "|---|---|---|---|---|"]
    for db in ("sqlite", "postgresql"):
        for call, figures in results[db].items():  # type: ignore[attr-defined]
            lines.append(f"| {db} | {call} | {figures['p50_ms']} | {figures['p99_ms']} | {figures['mean_ms']} |")
    (RESULTS / "shared_state.md").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
