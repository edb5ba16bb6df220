"""Load benchmark: questions per second through /slack/events (a benchmark, not a timed test).

    .venv/bin/python benchmarks/slack_load.py            # 60 s of load, writes benchmarks/results/slack_load.{json,md}
    .venv/bin/python benchmarks/slack_load.py --quick    # 10 s, writes nothing

Three processes on one 2-core machine, all on loopback:
  * the server: `bot.server.build_app` with the real Slack adapter (slack-bolt, HTTP mode, signing
    secret verified) under uvicorn, the real all-MiniLM-L6-v2 embedder, the bundled corpus (every
    organisation mapped to a Slack workspace) and the question log on SQLite - as `policybot serve`
    runs it;
  * a fake Slack Web API (Starlette under uvicorn) that answers chat.postMessage and friends with ok and
    records when each answer arrived;
  * the load generator (this process): asyncio + httpx, a fixed number of requests in flight, each a
    signed app_mention event with a unique event_id from one of 2,000 staff (so the per-person rate limit
    never applies), questions cycling through benchmarks/questions.jsonl (41 questions, 5 organisations).
Answered = a chat.postMessage reached the fake API in the event's thread. Latency = from sending the
event to that post arriving (end to end: ack, answer, log write, Block Kit, Web API call). Throughput =
answers that arrived during the measured window / its length (after a 5 s warm-up).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "benchmark-signing-secret"


def fake_slack_app(waiting: dict[str, "asyncio.Future[float]"]) -> Any:
    """The fake Slack Web API, in the load generator's event loop: a chat.postMessage in a thread resolves
    that question's future with its arrival time."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def api(request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if method == "chat.postMessage":
            body = await request.body()
            try:
                form = json.loads(body)
            except ValueError:
                from urllib.parse import parse_qs

                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            future = waiting.get(str(form.get("thread_ts", "")))
            if future is not None and not future.done():
                future.set_result(time.time())
            return JSONResponse({"ok": True, "channel": form.get("channel", "C1"), "ts": f"{time.time():.6f}"})
        if method == "auth.test":
            return JSONResponse({"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T0"})
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/api/{method}", api, methods=["POST", "GET"])])


def serve_policybot(port: int, slack_port: int, work: str, ready: Any) -> None:
    import uvicorn
    import yaml

    from bot import runtime as runtime_mod
    from bot import wiring
    from bot.config import Settings
    from bot.server import build_app

    corpus = Path(work) / "corpus"
    for n, folder in enumerate(sorted(p for p in corpus.iterdir() if p.is_dir())):
        spec = yaml.safe_load((folder / "org.yaml").read_text()) or {}
        spec["platforms"] = {"slack_teams": [f"T{n}"]}
        (folder / "org.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    settings = Settings(corpus_dir=corpus, index_dir=Path(work) / "index", database_url=f"sqlite:///{work}/log.db",
                        spool_file=Path(work) / "spool.jsonl", secret_key_file=Path(work) / "key",
                        slack_bot_token="xoxb-benchmark", slack_signing_secret=SECRET,
                        slack_api_url=f"http://127.0.0.1:{slack_port}/api/")  # type: ignore[arg-type]
    runtime = runtime_mod.build(settings)
    assert runtime.chat is not None
    adapters = [a for a in wiring.adapters(settings, runtime.chat) if a.name == "slack"]
    ready.set()
    uvicorn.run(build_app(runtime, adapters=adapters), host="127.0.0.1", port=port, log_level="warning")


def signed(body: bytes, ts: int) -> dict[str, str]:
    base = f"v0:{ts}:".encode() + body
    sig = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig, "Content-Type": "application/json"}


async def load(url: str, questions: list[tuple[str, str]], orgs: list[str], seconds: float, concurrency: int,
               slack_port: int, first: int = 0) -> dict[str, Any]:
    """Closed loop: *concurrency* members of staff, each asking again as soon as their answer arrives."""
    import httpx
    import uvicorn

    waiting: dict[str, asyncio.Future[float]] = {}
    fake = uvicorn.Server(uvicorn.Config(fake_slack_app(waiting), host="127.0.0.1", port=slack_port,
                                         log_level="warning"))
    fake_task = asyncio.create_task(fake.serve())
    while not fake.started:
        await asyncio.sleep(0.05)
    latencies: list[float] = []
    done_at: list[float] = []
    status: dict[int, int] = {}
    lost = 0
    counter = iter(range(first, 10**9))
    stop_at = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal lost
        while time.monotonic() < stop_at:
            n = next(counter)
            org, text = questions[n % len(questions)]
            ts = f"{1_700_000_000 + n}.000100"
            event = {"type": "app_mention", "user": f"U{n % 2000:05d}", "text": f"<@UBOT> {text}", "ts": ts,
                     "channel": "C1", "event_ts": ts}
            body = json.dumps({"token": "x", "team_id": f"T{orgs.index(org)}", "api_app_id": "A1",
                               "event": event, "type": "event_callback", "event_id": f"Ev{n:08d}",
                               "event_time": int(time.time())}).encode()
            future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            waiting[ts] = future
            sent = time.time()
            resp = await client.post(url, content=body, headers=signed(body, int(time.time())))
            status[resp.status_code] = status.get(resp.status_code, 0) + 1
            try:
                arrived = await asyncio.wait_for(future, 30)
                latencies.append((arrived - sent) * 1000)
                done_at.append(time.monotonic())
            except asyncio.TimeoutError:
                lost += 1
            waiting.pop(ts, None)

    begin = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.monotonic() - begin
    fake.should_exit = True
    await fake_task
    latencies.sort()
    return {"answered": len(latencies), "lost": lost, "status": status, "seconds": elapsed,
            "answered_per_s": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) if latencies else float("nan"),
            "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
            "max_ms": latencies[-1] if latencies else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 8, 16])
    args = parser.parse_args()
    seconds = 10.0 if args.quick else 60.0
    questions = [(r["org"], r["question"]) for r in map(json.loads, open(ROOT / "benchmarks" / "questions.jsonl"))]
    runs = []
    with tempfile.TemporaryDirectory() as work:
        shutil.copytree(ROOT / "corpus", Path(work) / "corpus")
        orgs = sorted(p.name for p in (Path(work) / "corpus").iterdir() if p.is_dir())
        ctx = mp.get_context("spawn")
        bot_ready = ctx.Event()
        bot = ctx.Process(target=serve_policybot, args=(8930, 8931, work, bot_ready), daemon=True)
        bot.start()
        bot_ready.wait(600)
        time.sleep(3)  # uvicorn binding
        url = "http://127.0.0.1:8930/slack/events"
        asyncio.run(load(url, questions, orgs, 5, 4, 8931, first=900_000_000))  # warm-up, not counted
        for n, concurrency in enumerate(args.concurrency):
            run = asyncio.run(load(url, questions, orgs, seconds, concurrency, 8931, first=n * 10_000_000))
            runs.append({"concurrency": concurrency, **run})
            print(json.dumps(runs[-1]))
        bot.terminate()
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "python": platform.python_version(),
           "seconds": seconds, "runs": runs}
    if not args.quick:
        results = ROOT / "benchmarks" / "results"
        (results / "slack_load.json").write_text(json.dumps(out, indent=1))
        rows = "".join(f"| {r['concurrency']} | {r['answered']} | {r['lost']} | {r['answered_per_s']:.1f} | "
                       f"{r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['max_ms']:.0f} ms |\n" for r in runs)
        (results / "slack_load.md").write_text(
            f"# Slack load ({out['machine']}, {seconds:.0f} s per run)\n\n"
            "| staff asking at once | answered | lost | answered/s | p50 | p99 | max |\n"
            "|---|---|---|---|---|---|---|\n" + rows)


if __name__ == "__main__":
    main()
