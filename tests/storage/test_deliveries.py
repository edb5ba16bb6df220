"""Platform deliveries seen, in the database: first_time is atomic across engines (two engines = two
replicas), survives a restart (a new engine), expires and is purged, and falls back to memory while the
database cannot be used. Each test runs on SQLite and on a real PostgreSQL (tests.conftest.database_url)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import deliveries
from bot.storage.database import make_engine, sessions, upgrade
from bot.storage.deliveries import SqlDeliveries
from bot.storage.tables import DeliveryKey

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def open_db(database_url: str) -> Iterator[list[sessionmaker[Session]]]:
    """Open engines on *database_url* (migrated by the first) with open_db[0](); all disposed afterwards."""
    opened: list[sessionmaker[Session]] = []
    yield opened
    for db in opened:
        db.kw["bind"].dispose()


def engine_on(url: str, opened: list[sessionmaker[Session]]) -> sessionmaker[Session]:
    engine = make_engine(url)
    upgrade(engine)
    opened.append(sessions(engine))
    return opened[-1]


def stored(db: sessionmaker[Session]) -> list[tuple[str, str]]:
    with db() as session:
        return [(r.platform, r.key) for r in session.scalars(select(DeliveryKey).order_by(DeliveryKey.key))]


def test_a_delivery_is_new_once_for_every_replica_and_after_a_restart(database_url: str,
                                                                     open_db: list[sessionmaker[Session]]) -> None:
    a, b = engine_on(database_url, open_db), engine_on(database_url, open_db)
    replica_a, replica_b = SqlDeliveries(a), SqlDeliveries(b)
    assert replica_a.first_time("slack", "A1:T1:Ev1", 3600)
    assert not replica_b.first_time("slack", "A1:T1:Ev1", 3600)  # another process, same database
    assert not replica_a.first_time("slack", "A1:T1:Ev1", 3600)
    assert replica_b.first_time("teams", "A1:T1:Ev1", 3600)  # another platform
    a.kw["bind"].dispose()
    restarted = SqlDeliveries(engine_on(database_url, open_db))  # a new process: nothing in its memory
    assert not restarted.first_time("slack", "A1:T1:Ev1", 3600)
    assert stored(b) == [("slack", "A1:T1:Ev1"), ("teams", "A1:T1:Ev1")]


def test_an_expired_key_is_new_again_and_purged(database_url: str, open_db: list[sessionmaker[Session]]) -> None:
    db = engine_on(database_url, open_db)
    now = [T0]
    first = SqlDeliveries(db, clock=lambda: now[0])
    assert first.first_time("telegram", "42:1", 60) and first.first_time("telegram", "42:2", 600)
    now[0] = T0 + timedelta(seconds=61)
    other = SqlDeliveries(db, clock=lambda: now[0])  # its memory has not seen either
    assert other.first_time("telegram", "42:1", 60)  # expired, not yet purged: taken over
    assert not other.first_time("telegram", "42:2", 600)
    assert deliveries.purge(db, T0 + timedelta(seconds=200)) == 1  # 42:1 again expired at T0+121
    assert stored(db) == [("telegram", "42:2")]
    assert deliveries.purge(db, T0 + timedelta(seconds=601)) == 1 and stored(db) == []


def test_long_keys_are_stored_hashed(database_url: str, open_db: list[sessionmaker[Session]]) -> None:
    db = engine_on(database_url, open_db)
    long_a, long_b = "19:" + "a" * 300 + ":1", "19:" + "a" * 300 + ":2"
    assert SqlDeliveries(db).first_time("teams", long_a, 60) and SqlDeliveries(db).first_time("teams", long_b, 60)
    assert not SqlDeliveries(db).first_time("teams", long_a, 60)
    keys = [k for _, k in stored(db)]
    assert len(keys) == 2 and all(k.startswith("sha256:") and len(k) <= 200 for k in keys)


def test_replicas_racing_one_key_from_threads_get_one_first_time(database_url: str,
                                                                 open_db: list[sessionmaker[Session]]) -> None:
    """Eight threads over two engines (two replicas), released together, deliver each of 15 keys: exactly
    one of them handles each."""
    engines = [engine_on(database_url, open_db), engine_on(database_url, open_db)]
    stores = [SqlDeliveries(engines[n % 2]) for n in range(8)]  # each its own memory: only the database decides
    wins: dict[str, int] = {}
    lock = threading.Lock()
    for round_ in range(15):
        key, start = f"A1:T1:Ev{round_}", threading.Barrier(len(stores))

        def deliver(store: SqlDeliveries) -> None:
            start.wait()
            if store.first_time("slack", key, 3600):
                with lock:
                    wins[key] = wins.get(key, 0) + 1

        threads = [threading.Thread(target=deliver, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert wins == {f"A1:T1:Ev{n}": 1 for n in range(15)}
    with engines[0]() as session:
        assert session.scalar(select(func.count()).select_from(DeliveryKey)) == 15


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_with_the_database_down_deliveries_are_remembered_in_memory_and_said_once(
        caplog: pytest.LogCaptureFixture) -> None:
    db = sessions(make_engine(f"postgresql://postgres@127.0.0.1:{_closed_port()}/nothing"))
    store = SqlDeliveries(db, retry_after=0)  # tries the database every time
    with caplog.at_level(logging.INFO, logger="bot.storage.deliveries"):
        assert store.first_time("slack", "Ev1", 60)
        assert not store.first_time("slack", "Ev1", 60)
        assert store.first_time("slack", "Ev2", 60)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.storage.deliveries"]
    assert len(warnings) == 1 and "OperationalError" in warnings[0].getMessage()
    db.kw["bind"].dispose()


def test_a_database_back_is_used_again_and_what_was_seen_meanwhile_stays_seen(
        tmp_path: object, caplog: pytest.LogCaptureFixture) -> None:
    """Not migrated yet (as when the database was down at start): memory; migrated: the database again."""
    url = f"sqlite:///{tmp_path}/late.db"
    db = sessions(make_engine(url))
    store = SqlDeliveries(db, retry_after=0)
    with caplog.at_level(logging.INFO, logger="bot.storage.deliveries"):
        assert store.first_time("slack", "during", 60)
        upgrade(db.kw["bind"])
        assert not store.first_time("slack", "during", 60)  # seen by this process while the table was missing
        assert store.first_time("slack", "after", 60)
    assert stored(db) == [("slack", "after")]
    assert not SqlDeliveries(db).first_time("slack", "after", 60)
    said = [r.levelname for r in caplog.records if r.name == "bot.storage.deliveries"]
    assert said == ["WARNING", "INFO"]  # down once, back once
    db.kw["bind"].dispose()
