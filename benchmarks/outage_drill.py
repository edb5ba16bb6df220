"""Outage drill at scale: the question log's database stopped under load and started again, through the
real HTTP server (a benchmark, not a timed test; the test is tests/storage/test_outage_drill.py).

    .venv/bin/python benchmarks/outage_drill.py            # 16 clients, 10 s up, 30 s down, 40 s back; writes
                                                           # benchmarks/results/outage_drill.md
    .venv/bin/python benchmarks/outage_drill.py --quick    # 8 clients, 3 / 6 / 8 s; writes nothing

The same drill as the test (tests.storage.test_outage_drill.run_drill): the real app (bot.server.build_app
over bot.runtime.build, chores running) under uvicorn on a free port, the hashing embedder batched as the
real model is, the bundled corpus, the question log on a PostgreSQL of its own (initdb into a temporary
folder, a free port; never the machine's own server). Web-chat clients, each with its own cookie, ask
unique tagged questions back to back, one in ten poisoned with a NUL or a lone surrogate (raw JSON); the
database is stopped, left down, and started again while they ask; a spooled entry the database refuses is
added during the outage. Then the spool is flushed and the rows are counted by tag. Last, with the
database down again, the spool's folder is swapped for a regular file (unwritable by anyone, root
included) and /healthz is read.

Latency is per HTTP request, from sending the question to the whole reply, by when it was sent: before the
outage, while the database was down, after it was started again.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.storage.test_outage_drill import CLIENT_TIMEOUT_S, Drill, report, run_drill  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "outage_drill.md"


def verdicts(drill: Drill) -> list[tuple[str, bool, str]]:
    f = drill.figures()
    dead_ok = [d["item"]["id"] for d in drill.dead] == [drill.refused_id] and "IntegrityError" in drill.dead[0]["reason"]
    status, body = drill.degraded
    return [
        ("100% of questions answered (HTTP 200, an answer quoting the policies)", f["answered"] == f["questions_sent"],
         f"{f['answered']} / {f['questions_sent']}"),
        ("0 log entries lost", f["lost"] == 0, str(f["lost"])),
        ("0 log entries duplicated", f["duplicated"] == 0, str(f["duplicated"])),
        ("poison questions answered and stored sanitised", all(
            "\x00" not in drill.stored_text.get(s.tag, "\x00") for s in drill.sent if s.poison), str(f["poison_sent"])),
        ("the refused entry dead-lettered with its reason, blocking nothing", dead_ok,
         drill.dead[0]["reason"][:90] if drill.dead else "none"),
        ("/healthz 200 ok throughout while the spool worked", f["healthz_not_ok"] == 0,
         f"{f['healthz_polls']} polls, {f['healthz_not_ok']} not ok"),
        ("/healthz 503 degraded with the reason when nothing can be kept",
         status == 503 and body.get("status") == "degraded" and bool(body.get("reason")),
         f"{status} {body.get('reason')}"),
        ("/healthz ok again once the spool is writable (database still down)",
         drill.recovered[0] == 200, f"{drill.recovered[0]} {drill.recovered[1].get('status')}"),
    ]


def markdown(drill: Drill, args: argparse.Namespace, took_s: float) -> str:
    f = drill.figures()
    rows = "\n".join(f"| {name} | {'yes' if ok else '**no**'} | {seen} |" for name, ok, seen in verdicts(drill))
    lat = "\n".join(f"| {phase} | {n} | {f['p50_ms'][key]} | {f['p99_ms'][key]} | {f['max_ms'][key]} | {f['over_1s'][key]} |"
                    for phase, key, n in [("before the outage", "before", f["sent_before_during_after"][0]),
                                          ("database down", "down", f["sent_before_during_after"][1]),
                                          ("after it was started again", "after", f["sent_before_during_after"][2])])
    return f"""# Outage drill under load

`benchmarks/outage_drill.py`: {args.clients} web-chat clients asking back to back through the real server;
the question log's PostgreSQL (a throwaway one) up for {args.before:g} s, stopped for {f['database_down_s']} s
under load, then started again for {args.after:g} s. Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on
{platform.machine()}, {platform.python_version()}, {_cores()} cores shared with other work; the hashing
embedder (batched), so latencies are the server's and the log's, not the model's. Whole run {took_s:.0f} s.

| Check | Held | Seen |
|---|---|---|
{rows}

| Figure | Value |
|---|---|
| questions sent | {f['questions_sent']} ({f['poison_sent']} poison: NUL or lone surrogate) |
| answered | {f['answered']} ({f['answered_pct']}%) |
| spool peak | {f['spooled_peak']} entries |
| spool drained by the server itself, under load, after the restart | {f['spool_drained_by_server_under_load']} |
| questions whose client gave up (no reply in {CLIENT_TIMEOUT_S:g} s) | {f['client_timeouts']} |
| every entry in the database, after the load ended | {f['all_entries_in_s_after_the_load']} s |
| entries stored | {f['entries_stored']} |
| lost / duplicated / dead-lettered | {f['lost']} / {f['duplicated']} / {f['dead_lettered']} |

Latency per question (ms), by when it was sent:

| Phase | Questions | p50 | p99 | max | over 1 s |
|---|---|---|---|---|---|
{lat}

When the database is back, the spool drains in a background thread, 100 entries to a transaction
(`SqlQuestionLog._flush_in_background`); on PostgreSQL the questions answered meanwhile write beside it.
Before that change the first request after the restart drained the whole spool itself and every other
client waited on the log's lock: after-restart p99 was 47.8 s in this drill.
"""


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 clients, 3 / 6 / 8 s; writes nothing")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--before", type=float, default=10.0)
    parser.add_argument("--down", type=float, default=30.0)
    parser.add_argument("--after", type=float, default=40.0)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.ERROR)  # the outage's expected warnings (one per question) would drown the figures
    if args.quick:
        args.clients, args.before, args.down, args.after = 8, 3.0, 6.0, 8.0
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="policybot-drill-") as tmp:
        drill = run_drill(Path(tmp), clients=args.clients, before_s=args.before, down_s=args.down,
                          after_s=args.after, say=lambda line: print(line, flush=True))
    took = time.monotonic() - began
    print(report(drill))
    for name, ok, seen in verdicts(drill):
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {seen}")
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(markdown(drill, args, took), "utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
