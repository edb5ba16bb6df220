"""The leader for the shared chores: one process at a time holds the advisory lock; when its connection
closes, another takes over at its next try. On SQLite the one process always leads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.database import make_engine
from bot.storage.leader import Leadership
from tests.conftest import fresh_postgres


def test_on_sqlite_the_single_process_always_leads(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/log.db")
    first, second = Leadership(engine), Leadership(engine)
    assert first.leads() and second.leads()
    assert first.only(lambda: "ran")() == "ran"
    engine.dispose()


@pytest.mark.integration
def test_one_leader_at_a_time_and_the_other_takes_over_when_its_connection_closes() -> None:
    with fresh_postgres() as url:
        a_engine, b_engine, admin = make_engine(url), make_engine(url), make_engine(url)
        a, b = Leadership(a_engine), Leadership(b_engine)
        try:
            assert a.leads() and not b.leads()
            assert a.leads() and not b.leads()  # asked again: nothing changes hands
            assert a.only(lambda: "ran")() == "ran" and b.only(lambda: "ran")() is None
            assert a._conn is not None
            pid = a._conn.execute(text("SELECT pg_backend_pid()")).scalar()
            a._conn.commit()
            with admin.connect() as conn:  # the leader's connection dies (its process is gone, say)
                assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
            assert b.leads()  # the lock went with the session: the other replica takes over
            assert not a.leads()  # the old leader notices it lost it, and does not take it back
            b.resign()  # a clean stop hands over at once
            assert a.leads() and not b.leads()
        finally:
            for who in (a, b):
                who.resign()
            for engine in (a_engine, b_engine, admin):
                engine.dispose()


@pytest.mark.integration
def test_the_lock_never_goes_back_to_the_pool_with_a_connection() -> None:
    """A pooled connection handed to other work would keep the lock for ever: the leader's is its own."""
    with fresh_postgres() as url:
        engine = make_engine(url)
        leader = Leadership(engine)
        try:
            assert leader.leads()
            with engine.connect() as conn:  # the pool's connections hold no advisory lock
                held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                         "AND pid = pg_backend_pid()")).scalar()
            assert held == 0
            leader.resign()
            other = Leadership(make_engine(url))
            assert other.leads()
            other.resign()
            other.engine.dispose()
        finally:
            leader.resign()
            engine.dispose()
