"""Two server runtimes on one PostgreSQL database (two replicas): the shared chores run on one of them
(the leader) and move to the other when the leader's connection closes; an SLT answer saved on one is
quoted by the other after its poll; an index published by a separate `policybot index` run is picked up
by both without a restart. Each replica with the index folder shared (one host) or its own (one per host,
the same corpus deployed to each)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot import runtime as runtime_mod
from bot import server, wiring
from bot.admin.gaps import answer_gap
from bot.core.models import Question
from bot.runtime import Runtime
from bot.storage.tables import Deletion, LogEntry
from tests.conftest import CORPUS, RUNTIME_NOW, fresh_postgres, settings_for
from tests.doubles.hash_embedder import HashEmbedder

pytestmark = pytest.mark.integration
LOCKERS = """Locker Policy

1. Staff lockers
Staff lockers in the east corridor are emptied for cleaning on the last Friday of every half term.
"""


@pytest.fixture(params=["shared-index-folder", "index-folder-per-host"])
def replicas(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Runtime, Runtime]]:
    shared = request.param == "shared-index-folder"
    with fresh_postgres() as url:
        built = []
        for name in ("a", "b"):
            home = tmp_path / ("shared" if shared else name)
            if not (home / "corpus").exists():
                shutil.copytree(CORPUS, home / "corpus")
            settings = settings_for(home / "corpus", home / "index", tmp_path / name / "var", database_url=url,
                                    secret_key="one key for every replica")
            built.append(runtime_mod.build(settings, emb=HashEmbedder(), clock=lambda: RUNTIME_NOW))
        try:
            yield built[0], built[1]
        finally:
            for rt in built:
                rt.close()


def _run_chores(*replicas: Runtime) -> None:
    """Every chore of each replica, once, as its server's loop would run them (bot.server.chores)."""
    for rt in replicas:
        for _every, _first, chore in server.chores(rt):
            chore()


def _counting(ran: list[str], name: str, real: Callable[[], object]) -> Callable[[], object]:
    def counted() -> object:
        ran.append(name)
        return real()
    return counted


def test_the_shared_chores_run_on_one_replica_and_move_when_its_connection_closes(
        replicas: tuple[Runtime, Runtime]) -> None:
    a, b = replicas
    purged: list[str] = []
    gaps: list[str] = []
    reminded: list[str] = []
    flushed: list[str] = []
    for name, rt in (("a", a), ("b", b)):
        rt.purge = _counting(purged, name, rt.purge)  # type: ignore[method-assign]
        rt.remind_concerns = _counting(reminded, name, rt.remind_concerns)  # type: ignore[method-assign]
        rt.log.fill_gap_vectors = _counting(gaps, name, rt.log.fill_gap_vectors)  # type: ignore[method-assign]
        rt.log.flush = _counting(flushed, name, rt.log.flush)  # type: ignore[method-assign]
    old = a.service.answer(Question("Can I park in the head's space?", "stone-bay-school", channel="web"))
    assert old.log_id
    with a.db.begin() as session:  # a year and more ago: past Stone Bay's retention
        session.get(LogEntry, old.log_id).asked_at = RUNTIME_NOW - timedelta(days=800)  # type: ignore[union-attr]

    _run_chores(a, b)
    assert purged == ["a"] and gaps == ["a"] and reminded == ["a"]  # the leader's alone
    assert flushed == ["a", "b"]  # each replica's own spool, leader or not
    with a.db() as session:
        assert session.get(LogEntry, old.log_id) is None
        assert session.scalar(select(func.count()).select_from(Deletion)) == 1

    assert a.leader is not None and a.leader._conn is not None
    pid = a.leader._conn.execute(text("SELECT pg_backend_pid()")).scalar()
    a.leader._conn.commit()
    with b.db() as session:  # the leader's session ends (its process died, say)
        session.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    _run_chores(b, a)  # b's next try finds the lock free
    assert purged == ["a", "b"] and gaps == ["a", "b"] and reminded == ["a", "b"]
    _run_chores(a, b)
    assert purged == ["a", "b", "b"] and reminded == ["a", "b", "b"]  # a stays a follower


def test_an_slt_answer_saved_on_one_replica_is_quoted_by_the_other_after_its_poll(
        replicas: tuple[Runtime, Runtime]) -> None:
    a, b = replicas
    question = "Can I wear jeans on the staff training day?"
    gap = a.service.answer(Question(question, "stone-bay-school", channel="web"))
    assert gap.log_id
    answer_gap(a.db, "stone-bay-school", [gap.log_id], question, "Yes: smart jeans are fine on INSET days.",
               "Jane Hatwell", RUNTIME_NOW)
    a.reindex()  # what the dashboard does after saving (bot.admin.dashboard)
    asked = Question("jeans on a training day?", "stone-bay-school")
    assert a.service.answer(asked).passages[0].text == "Yes: smart jeans are fine on INSET days."
    assert all(p.text != "Yes: smart jeans are fine on INSET days." for p in b.service.answer(asked).passages)
    assert b.follow_index()  # b's poll (every few seconds in a server)
    quoted = b.service.answer(asked).passages[0]
    assert quoted.text == "Yes: smart jeans are fine on INSET days."
    assert quoted.approved == "SLT answer, approved by Jane Hatwell on 21 November 2026"
    assert b.index_version == a.index_version
    assert not a.follow_index() and not b.follow_index()  # nothing newer: nothing swapped


def test_an_index_published_by_a_separate_index_run_is_picked_up_by_each_running_replica(
        replicas: tuple[Runtime, Runtime]) -> None:
    a, b = replicas
    for rt in (a, b):  # the same corpus deployed to each host (one folder when they share it)
        (rt.settings.corpus_dir / "stone-bay-school" / "locker-policy.txt").write_text(LOCKERS, "utf-8")
    job = wiring.build_index(a.settings.model_copy(), HashEmbedder())  # `policybot index`, its own process
    assert job.new
    question = Question("When are the staff lockers emptied for cleaning?", "stone-bay-school")
    for rt in (a, b):
        assert rt.index_version != job.version
        assert rt.follow_index()
        assert rt.index_version == job.version
        assert rt.service.answer(question).passages[0].text.startswith("Staff lockers in the east corridor")
