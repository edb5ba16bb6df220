"""Outage drill under load, through the real HTTP server: several web-chat clients ask questions
continuously while the database is stopped, left down, and started again.

The real app (bot.server.build_app over bot.runtime.build, its chores running, the adapters
bot.wiring.adapters makes) is served by uvicorn on a free port; the question log is a PostgreSQL of the
test's own (tests.throwaway_postgres: initdb into a temporary folder, a free port; the machine's own
server is never touched). Every question is unique (it carries a tag, `#<client>x<number>`), and
some are poison: a NUL or a lone surrogate (sent as raw JSON), and one spooled entry the database
refuses for what it holds. After the drill the spool is flushed and the rows are counted by tag:

* every HTTP response was 200 with an answer (100% answered), before, during and after the outage;
* every question's entry is in the database exactly once (0 lost, 0 duplicated), poison questions
  sanitised, and the refused entry in the dead-letter file `<spool>.dead` with its reason, having
  blocked nothing;
* /healthz answered 200 "ok" throughout while the spool could take the entries, and answers 503
  "degraded" with the reason when entries can be neither stored nor spooled.

How the spool is made unwritable: the spool lives in a folder of its own, and that folder is swapped
for a regular file. Nothing can be created beneath a regular file, by any user, root included (root
ignores permission bits, so chmod would not do; a full tmpfs needs a mount, which a test cannot rely
on; a symlink to /dev/full would make /healthz read endless NUL bytes counting pending entries).

`run_drill` is shared with benchmarks/outage_drill.py, which runs the same drill at a larger scale.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from bot import runtime as runtime_mod
from bot import wiring
from bot.retrieval.batching import BatchingEmbedder
from bot.server import build_app
from bot.storage.tables import LogEntry
from tests.conftest import CORPUS, settings_for
from tests.doubles.hash_embedder import HashEmbedder
from tests.doubles.live_server import live_server
from tests.storage.test_postgres_outage import _wait_until_up
from tests.throwaway_postgres import throwaway_postgres

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ORG = "stone-bay-school"
# Questions the hashing embedder answers for Stone Bay School with a quoted clause, whatever tag they
# carry (checked over 2,500 tags each); a tag of several words would tip some into abstaining.
QUESTIONS = ["a parent messaged me on my personal facebook account, what should I do?",
             "can staff post photos of pupils on social media?",
             "who is the designated safeguarding lead?"]
TAG = re.compile(r"#(\d+)x(\d+)")
CLIENT_TIMEOUT_S = 120.0  # a question not answered in this long counts as not answered
POISON_EVERY = 10  # every tenth question of each client carries a NUL or a lone surrogate


@dataclass
class Sent:
    tag: str
    phase: str  # "before", "down" or "after": when it was sent
    poison: str  # "", "nul" or "surrogate"
    status: int = 0
    kind: str = ""
    answered: bool = False  # the answer quotes the school's policies (not an abstention)
    message: str = ""
    log_id: str | None = None
    latency_s: float = 0.0
    error: str = ""


@dataclass
class Drill:
    sent: list[Sent] = field(default_factory=list)
    health: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)  # (phase, status, body)
    stored: Counter[str] = field(default_factory=Counter)  # rows per tag
    stored_text: dict[str, str] = field(default_factory=dict)
    dead: list[dict[str, Any]] = field(default_factory=list)
    refused_id: str = ""
    spooled_peak: int = 0
    drained_by_server: bool = False  # the spool emptied on its own, under load, after the restart
    flushed_at_end: int = 0
    settled: bool = False  # every question's entry was in the database before the unwritable-spool step
    settled_s: float = 0.0  # how long after the load ended that took (answers still in flight)
    down_s: float = 0.0
    degraded: tuple[int, dict[str, Any]] = (0, {})
    recovered: tuple[int, dict[str, Any]] = (0, {})
    full_disk_answer: Sent | None = None
    after_full_disk: Sent | None = None
    after_full_disk_stored: int = 0

    @property
    def answered(self) -> list[Sent]:
        return [s for s in self.sent if s.status == 200 and s.kind == "answer" and s.answered and s.message]

    @property
    def lost(self) -> list[str]:
        return [s.tag for s in self.sent if self.stored[s.tag] == 0]

    @property
    def duplicated(self) -> list[str]:
        return [tag for tag, n in self.stored.items() if n > 1]

    def latencies(self, phase: str) -> list[float]:
        return [s.latency_s for s in self.sent if s.phase == phase]

    def figures(self) -> dict[str, Any]:
        def pct(phase: str, q: float) -> float:
            values = sorted(self.latencies(phase))
            if not values:
                return float("nan")
            return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1)

        return {
            "questions_sent": len(self.sent),
            "sent_before_during_after": [len(self.latencies(p)) for p in ("before", "down", "after")],
            "answered": len(self.answered),
            "answered_pct": round(100 * len(self.answered) / max(1, len(self.sent)), 2),
            "poison_sent": sum(1 for s in self.sent if s.poison),
            "database_down_s": round(self.down_s, 1),
            "p50_ms": {p: pct(p, 0.5) for p in ("before", "down", "after")},
            "p99_ms": {p: pct(p, 0.99) for p in ("before", "down", "after")},
            "max_ms": {p: round(1000 * max(self.latencies(p), default=0), 1) for p in ("before", "down", "after")},
            "over_1s": {p: sum(1 for v in self.latencies(p) if v > 1.0) for p in ("before", "down", "after")},
            "spooled_peak": self.spooled_peak,
            "spool_drained_by_server_under_load": self.drained_by_server,
            "flushed_at_end": self.flushed_at_end,
            "all_entries_in_s_after_the_load": round(self.settled_s, 1) if self.settled else None,
            "client_timeouts": sum(1 for s in self.sent if "Timeout" in s.error),
            "entries_stored": sum(self.stored[s.tag] for s in self.sent),
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "dead_lettered": len(self.dead),
            "healthz_polls": len(self.health),
            "healthz_not_ok": sum(1 for _, status, body in self.health if status != 200 or body.get("status") != "ok"),
            "healthz_unwritable_spool": [self.degraded[0], self.degraded[1].get("status"),
                                         self.degraded[1].get("reason")],
        }


def _question(client: int, number: int) -> tuple[str, str]:
    """The raw JSON body of one unique question, and which poison it carries."""
    text = f"{QUESTIONS[(client + number) % len(QUESTIONS)]} #{client}x{number:05d}"
    poison = ""
    if number % POISON_EVERY == POISON_EVERY - 1:
        poison = "nul" if (client + number // POISON_EVERY) % 2 else "surrogate"
        # json.dumps writes both as escapes (\u0000, \ud800): the server gets exactly the raw JSON an
        # attacker would send, not what an encoder would refuse to make.
        bad = "\u0000" if poison == "nul" else "\ud800"
        first, rest = text.split(" ", 1)
        text = f"{first} {bad} {rest.replace(' the ', f' the{bad} ', 1)}"
    return json.dumps({"question": text, "org": ORG}), poison


class _Load:
    """*clients* threads, each with its own web-chat cookie, asking one question after another until
    told to stop; each question records the phase it was sent in."""

    def __init__(self, url: str, clients: int) -> None:
        self.url, self.clients = url, clients
        self.phase = "before"
        self.stop = threading.Event()
        self.sent: list[Sent] = []
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(c,), daemon=True) for c in range(clients)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def count(self, phase: str | None = None) -> int:
        with self._lock:
            return sum(1 for s in self.sent if phase is None or s.phase == phase)

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(CLIENT_TIMEOUT_S + 30)
        assert not any(t.is_alive() for t in self.threads), "a load client hung"

    def _client(self, client: int) -> None:
        with httpx.Client(base_url=self.url, timeout=CLIENT_TIMEOUT_S) as http:
            assert http.get("/").status_code == 200 and http.cookies.get("policybot_web")  # the cookie
            number = 0
            while not self.stop.is_set():
                body, poison = _question(client, number)
                sent = ask(http, body, f"{client}-{number:05d}", self.phase, poison)
                with self._lock:
                    self.sent.append(sent)
                number += 1


def ask(http: httpx.Client, body: str, tag: str, phase: str, poison: str = "") -> Sent:
    sent = Sent(tag=tag, phase=phase, poison=poison)
    began = time.perf_counter()
    try:
        response = http.post("/api/web/ask", content=body.encode("utf-8"),
                             headers={"content-type": "application/json"})
        sent.latency_s = time.perf_counter() - began
        sent.status = response.status_code
        reply = response.json()
        sent.kind = reply.get("kind", "")
        answer = reply.get("answer") or {}
        sent.message, sent.log_id = answer.get("message") or "", answer.get("log_id")
        sent.answered = bool(answer.get("answered") and answer.get("passages"))
    except Exception as exc:  # a dropped connection or a non-JSON 500 counts as not answered
        sent.latency_s = time.perf_counter() - began
        sent.error = f"{exc.__class__.__name__}: {exc}"
    return sent


def _watch_health(url: str, load: _Load, drill: Drill, stop: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        while not stop.is_set():
            phase = load.phase
            response = http.get("/healthz")
            body = response.json()
            drill.health.append((phase, response.status_code, body))
            drill.spooled_peak = max(drill.spooled_peak, int(body.get("spooled") or 0))
            stop.wait(0.2)


def _refused_entry(entry_id: str) -> dict[str, Any]:
    """A spooled entry the database refuses for what it holds (a returned clause without its NOT NULL
    columns), as a damaged spool line or a future bug would make."""
    return {"kind": "entry", "id": entry_id, "asked_at": "2026-11-21T10:00:00+00:00", "org": ORG,
            "channel": "web", "asker": "x" * 32, "asker_identity": None, "question": "refused #99x00000",
            "answered": True, "flagged": False, "flag_reason": None, "context": None,
            "clauses": [{"rank": 0, "source": None, "document": None, "section": None, "score": 1.0}]}


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def run_drill(tmp: Path, clients: int = 8, before_s: float = 3.0, down_s: float = 6.0, after_s: float = 8.0,
              say: Callable[[str], None] = print, refused: bool = True) -> Drill:
    """The drill: load for *before_s*, the database down for *down_s* under load, back for *after_s*
    under load; then the unwritable-spool check; then the counts. *refused*: put an entry the database
    refuses into the spool during the outage."""
    drill = Drill()
    shutil.copytree(CORPUS, tmp / "corpus")
    with throwaway_postgres() as server:
        settings = settings_for(tmp / "corpus", tmp / "index", tmp / "var", database_url=server.url,
                                spool_file=tmp / "var" / "spool" / "log-spool.jsonl", web_org=ORG,
                                rate_limit_per_minute=600, rate_limit_burst=100)
        # As `policybot serve` builds it, but the hashing embedder (batched like the real model) for speed.
        runtime = runtime_mod.build(settings, emb=BatchingEmbedder(HashEmbedder()))
        assert runtime.chat is not None
        spool = runtime.log.spool
        try:
            app = build_app(runtime, chores=True, adapters=wiring.adapters(settings, runtime.chat))
            with live_server(app) as url:
                load = _Load(url, clients)
                watching = threading.Event()
                watcher = threading.Thread(target=_watch_health, args=(url, load, drill, watching), daemon=True)
                load.start()
                watcher.start()
                time.sleep(before_s)
                say(f"drill: {load.count()} questions answered with the database up; stopping it")
                server.stop()
                down_at = time.monotonic()
                load.phase = "down"
                assert _wait(lambda: spool.pending() > 0, 20), "nothing was spooled with the database down"
                if refused:
                    drill.refused_id = "d" * 32
                    spool.append(_refused_entry(drill.refused_id))  # waits in the spool with the others
                time.sleep(max(0.0, down_s - (time.monotonic() - down_at)))
                say(f"drill: {load.count('down')} questions asked with the database down, "
                    f"{spool.pending()} entries spooled; starting it again")
                server.start()
                _wait_until_up(server.url)
                drill.down_s = time.monotonic() - down_at
                load.phase = "after"
                # The server writes the spool itself at its next successful write (within the log's retry
                # interval), while questions keep arriving.
                # (A generous wait, not a speed check: how long it took shows in the latencies.)
                drill.drained_by_server = _wait(lambda: spool.pending() == 0, max(180.0, after_s + 10))
                time.sleep(max(0.0, after_s - (time.monotonic() - down_at - drill.down_s)))
                load.join()
                watching.set()
                watcher.join(30)
                drill.sent = load.sent
                drill.flushed_at_end = runtime.flush_spool()
                # Questions whose client gave up are still being answered; their entries are written when
                # they are done. Wait for every entry before the next step takes the log down again.
                began = time.monotonic()
                drill.settled = _wait(lambda: runtime.flush_spool() >= 0 and _rows(server.url) >= len(drill.sent),
                                      180)
                drill.settled_s = time.monotonic() - began

                _unwritable_spool(drill, server, url, spool.path.parent)
                drill.after_full_disk_stored = runtime.flush_spool()
        finally:
            runtime.close()
        _count_rows(drill, server.url)
        if spool.dead_path.exists():
            drill.dead = [json.loads(line) for line in spool.dead_path.read_text("utf-8").splitlines() if line]
    return drill


def _unwritable_spool(drill: Drill, server: Any, url: str, folder: Path) -> None:
    """Database down and the spool unwritable: /healthz says degraded, with the reason; the question is
    still answered. Then the spool is writable again (database still down): /healthz is ok again."""
    server.stop()
    saved = folder.with_name(folder.name + ".saved")
    folder.rename(saved)
    folder.write_text("not a folder: nothing can be written beneath this, even by root")
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            http.get("/")
            body, _ = _question(90, 0)
            drill.full_disk_answer = ask(http, body, "90-00000", "unwritable")
            health = http.get("/healthz")
            drill.degraded = (health.status_code, health.json())
            folder.unlink()
            saved.rename(folder)
            body, _ = _question(91, 0)
            drill.after_full_disk = ask(http, body, "91-00000", "writable-again")
            health = http.get("/healthz")
            drill.recovered = (health.status_code, health.json())
    finally:
        if folder.is_file():
            folder.unlink()
        if saved.exists():
            saved.rename(folder)
        server.start()
        _wait_until_up(server.url)


def _rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(LogEntry)) or 0)
    finally:
        engine.dispose()


def _count_rows(drill: Drill, url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for question in conn.scalars(select(LogEntry.question)):
                found = TAG.search(question)
                tag = f"{found.group(1)}-{found.group(2)}" if found else f"untagged:{question}"
                drill.stored[tag] += 1
                drill.stored_text[tag] = question
    finally:
        engine.dispose()


def report(drill: Drill) -> str:
    f = drill.figures()
    return "\n".join([
        f"questions sent: {f['questions_sent']} (before/during/after the outage: {f['sent_before_during_after']}),"
        f" {f['poison_sent']} of them poison (NUL or lone surrogate)",
        f"answered: {f['answered']} ({f['answered_pct']}%)",
        f"database down for {f['database_down_s']} s under load; spool peaked at {f['spooled_peak']} entries; "
        f"drained by the server itself under load: {f['spool_drained_by_server_under_load']}",
        f"latency p50 ms before/during/after: {f['p50_ms']['before']} / {f['p50_ms']['down']} / {f['p50_ms']['after']}",
        f"latency p99 ms before/during/after: {f['p99_ms']['before']} / {f['p99_ms']['down']} / {f['p99_ms']['after']}",
        f"latency max ms before/during/after: {f['max_ms']['before']} / {f['max_ms']['down']} / {f['max_ms']['after']}"
        f"; answers over 1 s: {f['over_1s']['before']} / {f['over_1s']['down']} / {f['over_1s']['after']}",
        f"client timeouts ({CLIENT_TIMEOUT_S:g} s): {f['client_timeouts']}; every entry in the database "
        f"{f['all_entries_in_s_after_the_load']} s after the load ended",
        f"entries stored: {f['entries_stored']}, lost: {f['lost']}, duplicated: {f['duplicated']}, "
        f"dead-lettered: {f['dead_lettered']}",
        f"/healthz polls: {f['healthz_polls']}, not 200 ok: {f['healthz_not_ok']}; "
        f"with the spool unwritable too: {f['healthz_unwritable_spool']}",
    ])


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Drill:
    """The drill, run once for this module's tests: 8 clients, the database down for 6 s mid-load."""
    done = run_drill(tmp_path_factory.mktemp("drill"), clients=8, before_s=3.0, down_s=6.0, after_s=8.0)
    print("\n" + report(done))
    return done


def test_outage_drill_under_load_through_the_real_server(drill: Drill) -> None:
    sent = drill.sent
    assert len(sent) >= 100 and all(drill.latencies(p) for p in ("before", "down", "after"))
    # 100% answered, in every phase.
    not_answered = [s for s in sent if s not in drill.answered]
    assert not_answered == [], not_answered[:5]
    assert all(s.log_id for s in sent)  # every entry was kept (stored or spooled), none refused
    assert drill.spooled_peak > 0 and drill.drained_by_server and drill.settled
    # 0 lost, 0 duplicated: each question's entry once, counted by its tag in the database.
    assert drill.lost == [] and drill.duplicated == []
    unexpected = [t for t in drill.stored if t.startswith("untagged:")]
    assert unexpected == []
    # Poison questions are answered and stored sanitised (no NUL, no lone surrogate), never blocking.
    poison = [s for s in sent if s.poison]
    assert len(poison) >= 8 and {s.poison for s in poison} == {"nul", "surrogate"}
    for s in poison:
        stored = drill.stored_text[s.tag]
        assert "\x00" not in stored and not re.search("[\ud800-\udfff]", stored)
    # The entry the database refused is in the dead-letter file with the reason, and nothing else is.
    assert [d["item"]["id"] for d in drill.dead] == [drill.refused_id]
    assert "IntegrityError" in drill.dead[0]["reason"] and drill.stored["99-00000"] == 0
    # /healthz: ok throughout while the spool could take the entries...
    assert drill.health and all(status == 200 and body["status"] == "ok" for _, status, body in drill.health)
    assert any(body["spooled"] > 0 for phase, _, body in drill.health if phase == "down")
    # ... and degraded, with the reason, when entries can be neither stored nor spooled; the question asked
    # then is still answered (its entry, and only that one, is lost, and /healthz said so).
    status, body = drill.degraded
    assert status == 503 and body["status"] == "degraded" and "spool cannot be written" in body["reason"]
    assert drill.full_disk_answer is not None
    assert drill.full_disk_answer.status == 200 and drill.full_disk_answer.kind == "answer"
    assert drill.full_disk_answer.log_id is None and drill.stored["90-00000"] == 0
    # Once the spool is writable again, the next entry is spooled and later stored.
    assert drill.after_full_disk is not None and drill.after_full_disk.log_id
    assert drill.stored["91-00000"] == 1


def test_healthz_is_ok_again_once_the_spool_is_writable_while_the_database_is_still_down(drill: Drill) -> None:
    status, body = drill.recovered
    assert status == 200 and body["status"] == "ok", body
