"""Question log and SLT dashboard benchmark (a benchmark, not a timed test).

    .venv/bin/python benchmarks/log_dashboard.py           # full run, writes benchmarks/results/log_dashboard.{json,md}
    .venv/bin/python benchmarks/log_dashboard.py --quick   # 10,000 entries, writes nothing

What is measured
  * log writes/s: SqlQuestionLog.record(question, answer) exactly as the answer service calls it -
    redaction, pseudonym, one transaction with the entry and its 3 returned clauses - one writer, on
    SQLite (a file in a temporary folder, WAL) and on PostgreSQL (127.0.0.1:5432, a fresh database).
    Two mixes: every question answered, and 20% unanswered. Unanswered questions are embedded for
    grouping afterwards (fill_gap_vectors, beside the server): its rate with the real all-MiniLM-L6-v2
    model is reported too.
  * dashboard page time with 100,000 logged questions: entries inserted in bulk for one school over
    the past year (the worst case: every entry in one organisation), 20% unanswered, with embeddings
    drawn around 60 topic centres so that grouping has real groups to find, 2% safeguarding-flagged,
    10% with feedback. GET /slt/ is timed in process (Starlette TestClient: server time, no network),
    signed in as the DSL (the page that shows the most), for the default 12 weeks and for a whole year.
    On PostgreSQL the bulk load is followed by VACUUM ANALYZE, as autovacuum would do in service.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import runtime as runtime_mod  # noqa: E402
from bot.admin import auth  # noqa: E402
from bot.core.models import Answer, Passage, Question  # noqa: E402
from bot.privacy.redaction import redact  # noqa: E402
from bot.reading.corpus import load_org  # noqa: E402
from bot.retrieval.embeddings import SentenceTransformerEmbedder  # noqa: E402
from bot.server import build_app  # noqa: E402
from bot.storage.database import make_engine, sessions, upgrade  # noqa: E402
from bot.storage.question_log import LogPolicy, SqlQuestionLog, week_of  # noqa: E402
from bot.storage.spool import Spool  # noqa: E402
from bot.storage.tables import Feedback, GapVector, LogEntry, ReturnedClause  # noqa: E402
from tests.conftest import fresh_postgres, settings_for  # noqa: E402
from tests.doubles.hash_embedder import HashEmbedder  # noqa: E402

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
ORG = "stone-bay-school"
QUESTIONS = [
    "Can I accept a friend request from Chloe Baker who left in July?",
    "A parent messaged me on my personal Facebook, what should I do?",
    "Can I use my own phone to take photos on the Year 9 trip?",
    "Olivia's mum emailed me at sarah.jones@example.com about a post, who do I tell?",
    "Is it OK to follow the school's Instagram account from my personal account?",
    "What should I do if a pupil messages me on Snapchat?",
    "Can I post pictures of sports day on my own page?",
    "Mrs Kowalski rang me from 07700 900123 about a comment on the class page",
]
PASSAGES = tuple(Passage(text="Staff must not ...", org=ORG, document="Social Media Policy",
                         section=f"4. Staff use of social media › 4.{n}", source=f"{ORG}/social-media-policy.txt",
                         score=0.8 - n / 10) for n in range(1, 4))


def write_rate(url: str, n: int, unanswered_share: float, embed: object | None, spool: Path) -> float:
    engine = make_engine(url)
    upgrade(engine)
    log = SqlQuestionLog(sessions(engine), Spool(spool), b"k" * 32, lambda org: LogPolicy(keep_names=("Jane Hatwell",)),
                         embed=embed)  # type: ignore[arg-type]
    rng = random.Random(1)
    items = []
    for i in range(n):
        text = f"{rng.choice(QUESTIONS)} ({i})"
        answered = rng.random() >= unanswered_share
        items.append((Question(text, ORG, channel="slack", user=f"slack:T1:U{i % 300}"),
                      Answer(question=text, org=ORG, answered=answered, passages=PASSAGES if answered else ())))
    start = time.perf_counter()
    for q, a in items:
        assert log.record(q, a)
    took = time.perf_counter() - start
    assert log.spool.pending() == 0, "a write was spooled: the database was not reachable"
    gaps = 0.0
    if embed is not None:
        start = time.perf_counter()
        filled = log.fill_gap_vectors(limit=n)
        gaps = filled / (time.perf_counter() - start)
    engine.dispose()
    return n / took, gaps


def fill(url: str, n: int) -> None:
    """*n* entries over the past year for one school, inserted in bulk (setup, not timed)."""
    engine = make_engine(url)
    upgrade(engine)
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(60, 384)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    entries, clauses, feedback, gaps = [], [], [], []
    for i in range(n):
        asked = NOW - timedelta(seconds=int(rng.integers(0, 365 * 86400)))
        answered = rng.random() >= 0.2
        vector = None
        if not answered:
            v = centres[int(rng.integers(0, 60))] + rng.normal(scale=0.025, size=384).astype(np.float32)
            vector = (v / np.linalg.norm(v)).astype(np.float32).tobytes()
        entry_id = uuid.uuid4().hex
        section = f"4. Staff use of social media › 4.{int(rng.integers(1, 12))}"
        entries.append({"id": entry_id, "asked_at": asked, "week": week_of(asked), "org": ORG, "channel": "slack",
                        "asker": f"{int(rng.integers(0, 400)):032x}", "asker_identity": None,
                        "question": QUESTIONS[i % len(QUESTIONS)], "answered": answered,
                        "flagged": bool(rng.random() < 0.02), "flag_reason": None,
                        "top_source": f"{ORG}/social-media-policy.txt" if answered else None,
                        "top_document": "Social Media Policy" if answered else None,
                        "top_section": section if answered else None, "resolved_by": None})
        if vector is not None:
            gaps.append({"entry_id": entry_id, "vector": vector})
        if answered:
            clauses.extend({"entry_id": entry_id, "rank": r, "source": f"{ORG}/social-media-policy.txt",
                            "document": "Social Media Policy", "section": section, "score": 0.7} for r in range(3))
        if rng.random() < 0.1:
            feedback.append({"entry_id": entry_id, "org": ORG, "helpful": bool(rng.random() < 0.6), "comment": "too vague",
                             "given_at": asked})
    with engine.begin() as conn:
        for table, rows in ((LogEntry, entries), (ReturnedClause, clauses), (Feedback, feedback), (GapVector, gaps)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start:start + 5000])
    if engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk load: planner statistics and the visibility map
        # (index-only scans). Without it the planner guesses 12 rows for 100,000 and sorts on disk.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def page_times(url: str, work: Path, repeats: int) -> dict[str, dict[str, float]]:
    from starlette.testclient import TestClient

    corpus = work / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = settings_for(corpus, work / "index", work / "var", database_url=url)
    runtime = runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: NOW)
    auth.set_password(runtime.db, load_org(corpus / ORG), "dsl@stonebay.example", "benchmark password", NOW)
    out = {}
    with TestClient(build_app(runtime, chores=False)) as client:
        login = client.get("/slt/login").text
        csrf = login.split('name="csrf" value="')[1].split('"')[0]
        client.post("/slt/login", data={"csrf": csrf, "org": ORG, "email": "dsl@stonebay.example",
                                        "password": "benchmark password"})
        for label, query in (("12 weeks (default)", ""), ("whole year", "?since=2025-11-21")):
            assert "Safeguarding concerns" in client.get(f"/slt/{query}").text  # warm, and the DSL's view
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                resp = client.get(f"/slt/{query}")
                times.append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200
            out[label] = {"p50_ms": statistics.median(times), "max_ms": max(times), "repeats": repeats}
    runtime.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_writes, n_logged, repeats = (300, 10_000, 5) if args.quick else (2000, 100_000, 20)
    redact("warm up")  # name lists load once per process (the server does this at start)
    model = SentenceTransformerEmbedder()
    model.encode(["warm up"])
    results: dict[str, object] = {"machine": f"{platform.processor() or platform.machine()}, 2 cores",
                                  "python": platform.python_version(), "entries": n_logged}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        backends = {"sqlite": lambda: _sqlite(work)}
        backends["postgresql"] = fresh_postgres
        for name, make in backends.items():
            with make() as url:
                answered, _ = write_rate(url, n_writes, 0.0, None, work / f"{name}1.jsonl")
                mixed, gaps = write_rate(url, n_writes, 0.2, model.encode, work / f"{name}2.jsonl")
                rates = {"all answered": answered, "20% unanswered": mixed, "gap vectors embedded/s": gaps}
            with make() as url:
                start = time.perf_counter()
                fill(url, n_logged)
                fill_s = time.perf_counter() - start
                pages = page_times(url, work / f"{name}-pages", repeats)
            results[name] = {"writes_per_s": rates, "page": pages, "fill_s": fill_s}
            print(name, json.dumps(results[name], indent=1))
    if not args.quick:
        out = ROOT / "benchmarks" / "results"
        (out / "log_dashboard.json").write_text(json.dumps(results, indent=1))
        (out / "log_dashboard.md").write_text(_markdown(results))


class _sqlite:
    def __init__(self, work: Path) -> None:
        self.path = work / f"{uuid.uuid4().hex}.db"

    def __enter__(self) -> str:
        return f"sqlite:///{self.path}"

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def _markdown(r: dict[str, object]) -> str:
    lines = [f"# Question log and dashboard ({r['machine']}, Python {r['python']})", "",
             "| backend | log writes/s, all answered | log writes/s, 20% unanswered | gap vectors embedded/s | "
             f"dashboard p50 / max, 12 weeks | dashboard p50 / max, whole year ({r['entries']:,} entries) |",
             "|---|---|---|---|---|---|"]
    for name in ("sqlite", "postgresql"):
        b = r[name]  # type: ignore[index]
        w, p = b["writes_per_s"], b["page"]  # type: ignore[index]
        lines.append(f"| {name} | {w['all answered']:.0f} | {w['20% unanswered']:.0f} | {w['gap vectors embedded/s']:.0f} | "
                     f"{p['12 weeks (default)']['p50_ms']:.0f} / {p['12 weeks (default)']['max_ms']:.0f} ms | "
                     f"{p['whole year']['p50_ms']:.0f} / {p['whole year']['max_ms']:.0f} ms |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
