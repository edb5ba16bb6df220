"""Replicas starting together migrate an empty PostgreSQL database once: the real processes of
test_replicas rarely overlap by the few hundred milliseconds migrating takes, so here four processes
(Alembic's context is one per process: threads would share it) are lined up on a barrier and migrate at
the same instant."""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

import pytest
from sqlalchemy import text

from bot.storage.database import head_revision, make_engine
from tests.conftest import fresh_postgres

pytestmark = pytest.mark.integration
STARTS = 4


def _start(url: str, barrier: Any, results: Any, n: int) -> None:
    """One replica's start-up migration, at the barrier's instant; what it ended with, in *results*."""
    from bot.storage.database import make_engine, upgrade

    engine = make_engine(url)
    engine.connect().close()  # connected before the barrier: all four reach the database together
    barrier.wait(60)
    try:
        results[n] = upgrade(engine)
    except Exception as exc:  # what a replica would have logged: the test reports it
        results[n] = f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        engine.dispose()


def test_four_starts_at_the_same_instant_on_an_empty_database_migrate_it_once() -> None:
    ctx = mp.get_context("spawn")
    with fresh_postgres() as url, ctx.Manager() as manager:
        barrier, results = manager.Barrier(STARTS), manager.dict()
        procs = [ctx.Process(target=_start, args=(url, barrier, results, n)) for n in range(STARTS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(180)
        for p in procs:  # a start that hangs is a failure, not a stuck test run
            if p.is_alive():
                p.kill()
                p.join(10)
        assert dict(results) == {n: head_revision() for n in range(STARTS)}
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [(head_revision(),)]
        finally:
            engine.dispose()
