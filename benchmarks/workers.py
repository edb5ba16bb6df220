"""Throughput with worker processes: Slack HTTP questions answered per second by `policybot serve` with one
worker and with two, in the same run, on one PostgreSQL database (a benchmark, not a timed test).

    .venv/bin/python benchmarks/workers.py            # writes benchmarks/results/workers.{json,md}
    .venv/bin/python benchmarks/workers.py --quick    # 10 s runs, writes nothing

As benchmarks/slack_load.py measures one server (and with its load generator: benchmarks.slack_load.load,
signed app_mention events from 2,000 staff, a fake Slack Web API recording each answer), but the server is
the real command, `python -m bot serve [--workers 2]`, each worker building its own runtime (real
all-MiniLM-L6-v2 model, the bundled corpus, every organisation mapped to a Slack workspace), logging to a
fresh database on the machine's PostgreSQL (created here, dropped at the end; --database-url for another
server). Each worker's model gets the cores divided between the workers (serve's default). The runs
alternate 1, 2, 1, 2 workers so that the other work on the machine weighs on both alike; the load
(uptime's 1-minute average) is recorded before each run. Ratio = mean answered/s with 2 workers / with 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import slack_load  # noqa: E402  (the load generator and fake Slack of the one-server benchmark)

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def load_average() -> float:
    return os.getloadavg()[0]


def map_orgs(corpus: Path) -> list[str]:
    import yaml

    orgs = sorted(p.name for p in corpus.iterdir() if p.is_dir())
    for n, slug in enumerate(orgs):
        spec = yaml.safe_load((corpus / slug / "org.yaml").read_text()) or {}
        spec["platforms"] = {"slack_teams": [f"T{n}"]}
        (corpus / slug / "org.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return orgs


def admin(statement: str, url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def healthz(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return dict(json.loads(r.read()))
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read() or b"{}"))
    except (OSError, ValueError):
        return None


def start_server(workers: int, port: int, work: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(work / f"serve-{workers}.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers),
                             "--corpus", str(work / "corpus"), "--index", str(work / "index")],
                            env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    pids: set[int] = set()
    deadline = time.monotonic() + 600
    while len(pids) < workers:  # every worker ready, not just the first
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server with {workers} workers did not start: see {log.name}")
        body = healthz(port)
        if body and body.get("status") == "ok":
            pids.add(int(body["pid"]))
        else:
            time.sleep(0.2)
    return proc


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="1-worker/2-worker pairs, alternated")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="a PostgreSQL database to CREATE/DROP from")
    args = parser.parse_args()
    seconds = 10.0 if args.quick else args.seconds
    questions = [(r["org"], r["question"]) for r in map(json.loads, open(ROOT / "benchmarks" / "questions.jsonl"))]
    from sqlalchemy.engine import make_url

    name = f"policybot_bench_workers_{uuid.uuid4().hex[:8]}"
    database_url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
    runs: list[dict[str, Any]] = []
    admin(f'CREATE DATABASE "{name}"', args.admin_url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            shutil.copytree(ROOT / "corpus", work / "corpus")
            orgs = map_orgs(work / "corpus")
            port, slack_port = 8940, 8941
            env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
            env.update({"POLICYBOT_DATABASE_URL": database_url, "POLICYBOT_SECRET_KEY": "benchmark-key",
                        "POLICYBOT_SLACK_BOT_TOKEN": "xoxb-benchmark", "POLICYBOT_SLACK_SIGNING_SECRET": slack_load.SECRET,
                        "POLICYBOT_SLACK_API_URL": f"http://127.0.0.1:{slack_port}/api/",
                        "POLICYBOT_MODEL_CACHE_DIR": str(ROOT / "var" / "models"), "PYTHONPATH": str(ROOT)})
            subprocess.run([sys.executable, "-m", "bot", "index", "--corpus", str(work / "corpus"), "--index",
                            str(work / "index")], env=env, cwd=work, check=True, capture_output=True)
            url = f"http://127.0.0.1:{port}/slack/events"
            for n, workers in enumerate([1, 2] * args.rounds):
                proc = start_server(workers, port, work, env)
                try:
                    asyncio.run(slack_load.load(url, questions, orgs, 5, 4, slack_port, first=900_000_000 + n * 10_000))
                    load_before = load_average()
                    run = asyncio.run(slack_load.load(url, questions, orgs, seconds, args.concurrency, slack_port,
                                                      first=n * 10_000_000))
                finally:
                    stop_server(proc)
                runs.append({"workers": workers, "load_before": round(load_before, 2), **run})
                print(json.dumps(runs[-1]), flush=True)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', args.admin_url)
    report(runs, seconds, args.concurrency, args.quick)


def commit() -> str:
    """The commit benchmarked (POLICYBOT_BENCH_COMMIT for a copy of the tree without .git)."""
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return os.environ.get("POLICYBOT_BENCH_COMMIT") or (found.stdout.strip() if found.returncode == 0 else "unknown")


def report(runs: list[dict[str, Any]], seconds: float, concurrency: int, quick: bool) -> None:
    import statistics

    mean = {w: statistics.mean(r["answered_per_s"] for r in runs if r["workers"] == w) for w in (1, 2)}
    ratio = mean[2] / mean[1]
    summary = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "python": platform.python_version(),
               "commit": commit(),
               "seconds": seconds, "concurrency": concurrency, "mean_answered_per_s": mean, "ratio": ratio,
               "runs": runs}
    print(json.dumps({"mean_answered_per_s": mean, "ratio": round(ratio, 2)}))
    if quick:
        return
    results = ROOT / "benchmarks" / "results"
    (results / "workers.json").write_text(json.dumps(summary, indent=1))
    rows = "".join(f"| {n + 1} | {r['workers']} | {r['load_before']:.1f} | {r['answered']} | {r['lost']} | "
                   f"{r['answered_per_s']:.1f} | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms |\n"
                   for n, r in enumerate(runs))
    (results / "workers.md").write_text(
        f"# Slack throughput with worker processes ({summary['machine']}, {seconds:.0f} s per run, "
        f"{concurrency} staff asking at once, commit {summary['commit']})\n\n"
        "`python -m bot serve --workers N` on PostgreSQL, Slack HTTP mode, load generator and fake Slack on the "
        "same machine (benchmarks/workers.py).\n\n"
        "| run | workers | load before (1 min) | answered | lost | answered/s | p50 | p99 |\n"
        "|---|---|---|---|---|---|---|---|\n" + rows +
        f"\nMean answered/s: 1 worker {mean[1]:.1f}, 2 workers {mean[2]:.1f}: **{ratio:.2f}×**.\n")


if __name__ == "__main__":
    main()
