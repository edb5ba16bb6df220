"""Rate-limit buckets in the database: one person's questions alternating between two replicas are limited
as if they went to one, a restart forgets nobody's bucket, replicas racing on one bucket take each token
once, and the in-process buckets stand in while the database is down. SQLite and a real PostgreSQL."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.ratelimit import RateLimiter
from bot.storage import rate_buckets
from bot.storage.database import make_engine, sessions, upgrade
from bot.storage.rate_buckets import SqlRateLimiter
from bot.storage.tables import RateBucket


@pytest.fixture
def engines(database_url: str) -> Iterator[list[sessionmaker[Session]]]:
    """Two engines on one migrated database: two replicas."""
    made = [sessions(make_engine(database_url)) for _ in range(2)]
    upgrade(made[0].kw["bind"])
    yield made
    for db in made:
        db.kw["bind"].dispose()


class Wall:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_ten_questions_alternating_between_two_replicas_are_limited_after_the_burst(
        engines: list[sessionmaker[Session]]) -> None:
    wall = Wall()
    a, b = (SqlRateLimiter(db, per_minute=1, burst=5, wall=wall) for db in engines)
    waits = [(a if n % 2 == 0 else b).wait_seconds("slack:T1:U1") for n in range(10)]
    assert waits[:5] == [0.0] * 5
    assert all(w == pytest.approx(60.0) for w in waits[5:])  # one token a minute, none left
    assert a.wait_seconds("slack:T1:U2") == 0.0  # someone else's bucket is their own


def test_a_restarted_replica_still_knows_the_bucket(database_url: str, engines: list[sessionmaker[Session]]) -> None:
    wall = Wall()
    first = SqlRateLimiter(engines[0], per_minute=1, burst=2, wall=wall)
    assert [first.wait_seconds("web:x") for _ in range(2)] == [0.0, 0.0]
    engines[0].kw["bind"].dispose()
    restarted = sessions(make_engine(database_url))
    try:
        assert SqlRateLimiter(restarted, per_minute=1, burst=2, wall=wall).wait_seconds("web:x") == pytest.approx(60.0)
    finally:
        restarted.kw["bind"].dispose()


def test_the_shared_buckets_refill_exactly_as_the_in_process_ones(engines: list[sessionmaker[Session]]) -> None:
    """The same asks at the same moments get the same waits from the database's buckets (two replicas in
    turn) as from bot.core.ratelimit's in memory."""
    moments = [0, 0, 0, 1, 2, 7, 7, 7, 8, 30, 31, 31, 31, 31, 90, 90, 91, 200, 200, 200, 200, 200]
    wall, mono = Wall(0.0), Wall(0.0)
    replicas = [SqlRateLimiter(db, per_minute=6, burst=3, wall=wall) for db in engines]
    memory = RateLimiter(per_minute=6, burst=3, clock=mono)
    shared, local = [], []
    for n, t in enumerate(moments):
        wall.now = mono.now = 1_800_000_000.0 + t
        shared.append(replicas[n % 2].wait_seconds("k"))
        local.append(memory.wait_seconds("k"))
    assert shared == pytest.approx(local)
    assert shared.count(0.0) < len(moments)  # some were limited: the comparison means something


def test_replicas_racing_one_bucket_take_each_token_once(engines: list[sessionmaker[Session]]) -> None:
    """Twelve threads over two engines ask at once, with five tokens and no refill: five may ask."""
    wall = Wall()
    limiters = [SqlRateLimiter(engines[n % 2], per_minute=1, burst=5, wall=wall) for n in range(12)]
    start, waits = threading.Barrier(len(limiters)), []

    def ask(limiter: SqlRateLimiter) -> None:
        start.wait()
        waits.append(limiter.wait_seconds("telegram:1:42"))

    threads = [threading.Thread(target=ask, args=(lim,)) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits)[:5] == [0.0] * 5 and all(w > 0 for w in sorted(waits)[5:])
    with engines[0]() as session:
        assert session.scalar(select(RateBucket.tokens).where(RateBucket.key == "telegram:1:42")) == pytest.approx(0.0)


def test_a_replica_whose_clock_is_behind_refills_nothing_backwards(engines: list[sessionmaker[Session]]) -> None:
    ahead, behind = Wall(), Wall(1_800_000_000.0 - 600)
    a = SqlRateLimiter(engines[0], per_minute=1, burst=1, wall=ahead)
    b = SqlRateLimiter(engines[1], per_minute=1, burst=1, wall=behind)
    assert a.wait_seconds("k") == 0.0
    assert b.wait_seconds("k") == pytest.approx(60.0)  # not 660 s, nor a token
    ahead.now += 60
    assert a.wait_seconds("k") == 0.0


def test_buckets_full_again_are_purged(engines: list[sessionmaker[Session]]) -> None:
    wall = Wall()
    limiter = SqlRateLimiter(engines[0], per_minute=10, burst=5, wall=wall)
    limiter.wait_seconds("old")
    wall.now += 31
    limiter.wait_seconds("new")
    full_after = rate_buckets.full_after(10, 5)
    assert full_after == 30.0
    assert rate_buckets.purge(engines[0], wall.now, full_after) == 1
    with engines[0]() as session:
        assert list(session.scalars(select(RateBucket.key))) == ["new"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_with_the_database_down_the_in_process_buckets_limit_and_it_is_said_once(
        caplog: pytest.LogCaptureFixture) -> None:
    db = sessions(make_engine(f"postgresql://postgres@127.0.0.1:{_closed_port()}/nothing"))
    limiter = SqlRateLimiter(db, per_minute=1, burst=3, retry_after=0)  # tries the database every time
    with caplog.at_level(logging.INFO, logger="bot.storage.rate_buckets"):
        waits = [limiter.wait_seconds("web:x") for _ in range(5)]
    assert waits[:3] == [0.0] * 3 and all(w > 0 for w in waits[3:])
    said = [r for r in caplog.records if r.name == "bot.storage.rate_buckets"]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    db.kw["bind"].dispose()
