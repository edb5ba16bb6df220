"""How soon a second replica quotes an SLT answer saved on the first (a benchmark, not a timed test).

    .venv/bin/python benchmarks/index_follow.py                 # bundled corpus x 10, writes results
    .venv/bin/python benchmarks/index_follow.py --copies 1 --quick   # writes nothing

Two server runtimes (bot.runtime.build) on one fresh PostgreSQL database (127.0.0.1:5432, trust; dropped
afterwards), sharing one corpus and one index folder, as two replicas on one host. The corpus is the
bundled organisations copied --copies times (each copy its own organisation folders). The embedder is the
hashing test double (tests/doubles/hash_embedder.py): what is measured is the publishing, the poll and the
swap, not the model (a real model adds the time to embed one answer and its passage: one call).

Measured: the poll (publishing.latest, one SELECT; median of 200); the SLT answer saved on A and A's
reindex (build with the one new clause, snapshot, record, load, swap); B's follow_index (load the
published version and swap). Saved-to-quoted on B, worst case = A's save and reindex + the poll interval
(bot.server.FOLLOW_INDEX_EVERY_S) + B's follow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RESULTS = ROOT / "benchmarks" / "results"


def _admin(statement: str) -> None:
    engine = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _corpus(target: Path, copies: int) -> None:
    from tests.conftest import CORPUS

    for n in range(copies):
        for org in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            name = org.name if n == 0 else f"{org.name}-{n}"
            shutil.copytree(org, target / name)
            spec = (target / name / "org.yaml").read_text("utf-8")
            if n:  # a copy's parent is the copy of its parent
                spec = "\n".join(line + (f"-{n}" if line.startswith("parent:") else "") for line in spec.splitlines())
            (target / name / "org.yaml").write_text(spec + "\n", "utf-8")


def run(copies: int) -> dict[str, object]:
    from bot import publishing
    from bot import runtime as runtime_mod
    from bot.admin.gaps import answer_gap
    from bot.core.models import Question
    from bot.server import FOLLOW_INDEX_EVERY_S
    from tests.conftest import settings_for
    from tests.doubles.hash_embedder import HashEmbedder

    name = f"policybot_bench_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    work = Path(tempfile.mkdtemp(prefix="policybot-follow-"))
    try:
        url = make_url(ADMIN).set(database=name).render_as_string(hide_password=False)
        _corpus(work / "corpus", copies)
        load = [round(x, 2) for x in os.getloadavg()]  # the cores are shared: how busy they were
        started = time.perf_counter()
        a = runtime_mod.build(settings_for(work / "corpus", work / "index", work / "a", database_url=url),
                              emb=HashEmbedder())
        a_start = time.perf_counter() - started
        started = time.perf_counter()
        b = runtime_mod.build(settings_for(work / "corpus", work / "index", work / "b", database_url=url),
                              emb=HashEmbedder())
        b_start = time.perf_counter() - started
        clauses = len(a.service.searcher.clauses) if hasattr(a.service.searcher, "clauses") else None
        polls = []
        for _ in range(200):
            t = time.perf_counter()
            publishing.latest(b.db)
            polls.append(time.perf_counter() - t)
        question = "Can I wear jeans on the staff training day?"
        gap = a.service.answer(Question(question, "stone-bay-school", channel="web"))
        t = time.perf_counter()
        answer_gap(a.db, "stone-bay-school", [gap.log_id or ""], question,
                   "Yes: smart jeans are fine on INSET days.", "Jane Hatwell", a.clock())
        a.reindex()
        a_save = time.perf_counter() - t
        t = time.perf_counter()
        assert b.follow_index()
        b_follow = time.perf_counter() - t
        quoted = b.service.answer(Question("jeans on a training day?", "stone-bay-school")).passages[0].text
        assert quoted == "Yes: smart jeans are fine on INSET days.", quoted
        a.close()
        b.close()
        return {"copies": copies, "organisations": 5 * copies, "clauses": clauses,
                "a_start_s": round(a_start, 2), "b_start_s": round(b_start, 2),
                "poll_median_ms": round(statistics.median(polls) * 1000, 3),
                "poll_p99_ms": round(sorted(polls)[int(len(polls) * 0.99) - 1] * 1000, 3),
                "a_save_and_reindex_s": round(a_save, 2), "b_follow_s": round(b_follow, 2),
                "poll_interval_s": FOLLOW_INDEX_EVERY_S,
                "saved_to_quoted_on_b_worst_s": round(a_save + FOLLOW_INDEX_EVERY_S + b_follow, 2),
                "load_average_before": load, "machine": f"{platform.machine()}, {platform.python_version()}"}
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="print only, write no results")
    args = parser.parse_args()
    result = run(args.copies)
    print(json.dumps(result, indent=1))
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "index_follow.json").write_text(json.dumps(result, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
