"""The long fuzz run: 10,000 generated requests against one long-lived server (a benchmark, not a test).

    .venv/bin/python benchmarks/fuzz.py                      # 10,000 requests, writes benchmarks/results/fuzz.md
    .venv/bin/python benchmarks/fuzz.py --requests 500 --no-write --no-big
    .venv/bin/python benchmarks/fuzz.py --postgres           # the log on a fresh database of the local PostgreSQL

The server is tests/fuzz/serve.py in a process of its own (the real app under uvicorn, every platform live
against the local fakes, SLT members signed in: tests/fuzz/harness.py). Requests come from the fuzz
suite's strategies (tests/fuzz/strategies.py: every route, before and after authentication), drawn by
hypothesis with a fixed seed and sent over raw sockets. Measured:
  * answers by status; 5xx; requests left without an answer that was due (tests.fuzz.harness.verdict);
  * log records with a traceback (exc_info, or "Traceback" in the text), each with the request sent just
    before it; log records naming a secret or token;
  * the server's resident memory (VmRSS from /proc) at start, after a warm-up of 500 requests, every 500
    requests and at the end — the target: the end within 10% of the post-warm-up value;
  * /healthz polled every second throughout: up = every poll answered 200;
  * then two 300 MB uploads, streamed (Content-Length 300 MB; then chunked without a length) to
    /api/web/ask: how much was sent before the server answered, and what it did to its memory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzz import client  # noqa: E402
from tests.fuzz.harness import exchange, healthz, rss_kb, verdict  # noqa: E402
from tests.fuzz.strategies import Creds, Req, any_request  # noqa: E402

WARM_UP = 500
SAMPLE_EVERY = 500
BIG = 300 * 1024 * 1024


class Server:
    """tests/fuzz/serve.py in a subprocess; stopped by closing its standard input."""

    def __init__(self, base: Path, database_url: str | None) -> None:
        self.events = base / "events.jsonl"
        self.stderr = (base / "server.stderr").open("wb")
        cmd = [sys.executable, "-m", "tests.fuzz.serve", "--base", str(base / "server"), "--events", str(self.events)]
        if database_url:
            cmd += ["--database-url", database_url]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the server did not start: see {base / 'server.stderr'}")
        info = json.loads(line)
        self.url, self.pid = info["url"], info["pid"]
        self.creds = Creds(**info["creds"])
        self.host, self.port = self.url.removeprefix("http://").split(":")[0], int(self.url.rsplit(":", 1)[1])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss_kb(self) -> int:
        return rss_kb(self.pid) if self.alive() else 0

    def read_events(self) -> list[dict[str, Any]]:
        if not self.events.exists():
            return []
        return [json.loads(line) for line in self.events.read_text("utf-8").splitlines() if line.strip()]

    def stop(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            return self.proc.wait(60)
        finally:
            self.stderr.close()


class HealthPoller(threading.Thread):
    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.codes: Counter[int] = Counter()
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(1.0):
            self.codes[healthz(self.url, timeout=10)] += 1


@contextlib.contextmanager
def database(postgres: bool) -> Iterator[str | None]:
    if not postgres:
        yield None
        return
    from tests.conftest import fresh_postgres  # a new database on the local server, dropped after

    with fresh_postgres() as url:
        yield url


def fuzz(server: Server, total: int, first_seed: int, rss: dict[str, int], samples: list[tuple[int, int]]
         ) -> dict[str, Any]:
    """Send *total* generated requests; counts, failures and the send time of each request."""
    by_status: Counter[int] = Counter()
    by_route: Counter[str] = Counter()
    failures: list[str] = []
    kinds: Counter[str] = Counter()
    sent: list[tuple[float, str]] = []  # (when, what) for attributing tracebacks
    state = {"n": 0, "down": 0, "unanswered": 0, "5xx": 0}

    def one(req: Req) -> None:
        if state["n"] >= total:
            return
        started = time.time()
        try:
            result = exchange(server.host, server.port, server.creds, req, timeout=30)
        except OSError as exc:  # refused: the server is not listening
            result = client.Result(0, error=f"connect: {exc.__class__.__name__}")
            state["down"] += 1
        state["n"] += 1
        sent.append((started, req.describe(300)))
        by_status[result.status] += 1
        by_route[f"{req.route} ({'after' if req.auth else 'before'})"] += 1
        problems = verdict(req, result)
        if result.status >= 500:
            state["5xx"] += 1
        elif problems:
            state["unanswered"] += 1
        if problems:  # the first request of each kind of failure, and how many of that kind
            kind = f"{req.route} ({'after' if req.auth else 'before'}): {problems[0][:40]}"
            kinds[kind] += 1
            if kinds[kind] == 1:
                failures.append(f"{kind}\n{req.describe(300)}\n  -> {result.status} {result.error}: {problems}")
        if state["n"] == WARM_UP:
            rss["warm"] = server.rss_kb()
        if state["n"] % SAMPLE_EVERY == 0:
            samples.append((state["n"], server.rss_kb()))
            print(f"  {state['n']:>6} requests, RSS {samples[-1][1] / 1024:.0f} MB, 5xx {state['5xx']}",
                  flush=True)

    run_seed = first_seed
    while state["n"] < total:
        left = total - state["n"]

        @seed(run_seed)
        @settings(max_examples=left, database=None, deadline=None, derandomize=False, print_blob=False,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        @given(req=any_request())
        def run(req: Req) -> None:
            one(req)

        run()
        run_seed += 1
    return {"by_status": by_status, "by_route": by_route, "failures": failures, "kinds": kinds, "sent": sent, **state}


def big_uploads(server: Server) -> list[dict[str, Any]]:
    """300 MB to /api/web/ask, streamed, twice: with its Content-Length, then chunked without one."""
    out = []
    for chunked in (False, True):
        before = server.rss_kb()
        length = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % BIG
        head = (b"POST /api/web/ask HTTP/1.1\r\nHost: " + server.creds.host.encode() + b"\r\n"
                b"Content-Type: application/json\r\nConnection: close\r\n" + length + b"\r\n\r\n")
        started = time.monotonic()
        result, sent = client.stream(server.host, server.port, head, b"A" * (1024 * 1024), BIG, chunked=chunked,
                                     timeout=120)
        took = time.monotonic() - started
        time.sleep(1.0)
        out.append({"how": "chunked, no length" if chunked else "Content-Length: 300 MB", "status": result.status,
                    "error": result.error, "sent_mb": sent / 2**20, "seconds": took,
                    "rss_before_mb": before / 1024, "rss_after_mb": server.rss_kb() / 1024})
    return out


def attribute(tracebacks: list[dict[str, Any]], sent: list[tuple[float, str]]) -> list[str]:
    """Each traceback with the request sent last before it was seen (events are polled every 0.2 s, so
    this is a lead, not proof: a nearby request may be the cause)."""
    out, kinds = [], set()
    for event in tracebacks:
        lines = [line for line in event["text"].splitlines() if line.strip()]
        errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Warning)\b", line)]
        kind = (errors or lines)[-1][:200]
        if kind in kinds:  # the first of each kind of failure
            continue
        kinds.add(kind)
        before = [s for s in sent if s[0] <= event["at"]]
        lead = before[-1][1] if before else "(before any request)"
        out.append(f"{event['text'][-2500:]}\n  last request before it: {lead}")
    return out


def markdown(figures: dict[str, Any]) -> str:
    f = figures
    rss = f["rss"]
    within = abs(rss["end"] - rss["warm"]) <= 0.10 * rss["warm"]
    within_start = abs(rss["end"] - rss["start"]) <= 0.10 * rss["start"]
    lines = [
        "# Fuzz run (benchmarks/fuzz.py)", "",
        f"{f['total']:,} generated requests (tests/fuzz/strategies.py: every route, before and after "
        f"authentication; seed {f['seed']}) against one server process (tests/fuzz/serve.py: the real app under "
        f"uvicorn, Slack/Teams/Telegram live against local fakes, the log on {f['database']}). "
        f"Code: {f['commit']}. {f['when']}, {f['machine']}; {f['seconds']:.0f} s.", "",
        "| measure | value | target |", "|---|---|---|",
        f"| requests sent | {f['total']:,} | 10,000 |",
        f"| responses 5xx | {f['5xx']} | 0 |",
        f"| log records with a traceback | {f['tracebacks']} | 0 |",
        f"| no answer where one was due (reset, timeout) | {f['unanswered']} | 0 |",
        f"| connections refused | {f['down']} | 0 |",
        f"| /healthz polls (1/s): 200 / other | {f['health'].get(200, 0)} / "
        f"{sum(v for k, v in f['health'].items() if k != 200)} | all 200 |",
        f"| server process alive at the end | {'yes' if f['alive'] else 'NO'} | yes |",
        f"| RSS at start / after {WARM_UP} requests / end (MB) | {rss['start'] / 1024:.0f} / {rss['warm'] / 1024:.0f}"
        f" / {rss['end'] / 1024:.0f} | end within 10% |",
        f"| RSS end vs after warm-up | {100 * (rss['end'] - rss['warm']) / rss['warm']:+.1f}% "
        f"({'within' if within else 'NOT within'} 10%) | ±10% |",
        f"| RSS end vs start | {100 * (rss['end'] - rss['start']) / rss['start']:+.1f}% "
        f"({'within' if within_start else 'NOT within'} 10%) | ±10% |",
        f"| RSS peak sampled (MB) | {max(v for _, v in f['samples']) / 1024:.0f} | |",
        f"| log records naming a secret or token | {f['secrets']} | 0 |",
        f"| log entries still spooled at the end | {f['spooled']} | 0 |", "",
        "## Answers by status", "", "| status | count |", "|---|---|",
        *(f"| {s if s else 'none (connection closed: we lied about the body, or it was over a limit)'} | {n} |"
          for s, n in sorted(f["by_status"].items())), "",
        "## 300 MB uploads, streamed", "",
        "| framing | answer | sent before the answer | seconds | RSS before → after (MB) |", "|---|---|---|---|---|",
        *(f"| {b['how']} | {b['status'] or b['error']} | {b['sent_mb']:.0f} MB | {b['seconds']:.1f} | "
          f"{b['rss_before_mb']:.0f} → {b['rss_after_mb']:.0f} |" for b in f["big"]), "",
        "## RSS through the run", "", "| requests | RSS (MB) |", "|---|---|",
        *(f"| {n:,} | {kb / 1024:.0f} |" for n, kb in f["samples"]), "",
        "## Requests by route", "", "| route (before/after authentication) | count |", "|---|---|",
        *(f"| {r} | {n} |" for r, n in sorted(f["by_route"].items())), "",
    ]
    if f["kinds"]:
        lines += ["## Failed answers by kind", "", "| route (side): problem | count |", "|---|---|",
                  *(f"| {k.replace('|', '/')} | {n} |" for k, n in f["kinds"].most_common()), ""]
    if f["failure_examples"] or f["traceback_examples"]:
        lines += ["## What failed (the first request of each kind; then each kind of traceback)", ""]
        for text in f["failure_examples"][:20] + f["traceback_examples"][:20]:
            lines += ["```", text[:3000], "```", ""]
    return "\n".join(lines)


def commit() -> str:
    """The commit the server ran (with "+ changes" if the working tree differs from it)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "bot"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("POLICYBOT_FUZZ_COMMIT", "unknown (not a git checkout)")
    return f"{head}{' + uncommitted changes in bot/' if dirty else ''}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--postgres", action="store_true", help="log to a fresh database on the local PostgreSQL")
    parser.add_argument("--no-big", action="store_true", help="skip the two 300 MB uploads")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fuzz.md")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="policybot-fuzz-") as tmp, database(args.postgres) as url:
        server = Server(Path(tmp), url)
        poller = HealthPoller(server.url)
        try:
            rss = {"start": server.rss_kb()}
            samples: list[tuple[int, int]] = [(0, rss["start"])]
            poller.start()
            print(f"server {server.url} pid {server.pid}, RSS {rss['start'] / 1024:.0f} MB", flush=True)
            result = fuzz(server, args.requests, args.seed, rss, samples)
            time.sleep(2.0)  # what is handled after the answer (Slack, Telegram) is logged by now
            rss["end"] = server.rss_kb()
            rss.setdefault("warm", rss["end"])
            fuzz_seconds = time.monotonic() - started
            big = [] if args.no_big else big_uploads(server)
            time.sleep(1.0)
            poller.halt.set()
            poller.join()
            alive = server.alive() and healthz(server.url) == 200
            events = server.read_events()
        finally:
            poller.halt.set()
            code = server.stop()
    tracebacks = [e for e in events if e["kind"] == "traceback"]
    secrets = [e for e in events if e["kind"] == "secret"]
    spooled = next((e["spooled"] for e in reversed(events) if e["kind"] == "records"), 0)
    figures = {
        "total": result["n"], "seed": args.seed, "database": "PostgreSQL" if args.postgres else "SQLite",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "seconds": fuzz_seconds, "5xx": result["5xx"], "unanswered": result["unanswered"], "down": result["down"],
        "tracebacks": len(tracebacks), "secrets": len(secrets), "spooled": spooled, "health": poller.codes,
        "alive": alive, "rss": rss, "samples": samples, "by_status": result["by_status"],
        "by_route": result["by_route"], "big": big, "kinds": result["kinds"], "failure_examples": result["failures"],
        "traceback_examples": attribute(tracebacks, result["sent"]) + [f"secret in a log record: {e['text']}"
                                                                        for e in secrets[:3]],
    }
    text = markdown(figures)
    print(text)
    print(f"(server exit code {code})")
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, "utf-8")
        print(f"wrote {args.out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
