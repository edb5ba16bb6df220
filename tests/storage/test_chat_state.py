"""Chat state in the database (bot.storage.chat_state), on SQLite and on a real PostgreSQL: two stores on
separate engines stand for two servers sharing the database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.chat_state import WalkState
from bot.storage import chat_state
from bot.storage.chat_state import Outage, SqlNudges, SqlRooms, SqlWalks
from bot.storage.database import make_engine, sessions, upgrade
from bot.storage.tables import ChatNoticeShown, ChatReminder, ChatWalk

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
WALK = WalkState("oak", (("oak/social-media-policy.txt", "a" * 64), ("oak/phones.txt", "b" * 64)))


@pytest.fixture
def two(database_url: str) -> Iterator[tuple[sessionmaker[Session], sessionmaker[Session]]]:
    """Two servers' session factories on one migrated database."""
    first, second = make_engine(database_url), make_engine(database_url)
    upgrade(first)
    yield sessions(first), sessions(second)
    first.dispose()
    second.dispose()


def test_a_walkthrough_written_by_one_server_is_read_by_the_other(two: Any) -> None:
    a, b = SqlWalks(two[0], lambda: NOW), SqlWalks(two[1], lambda: NOW)
    assert b.get("slack:T1:U1") is None
    stored = a.put("slack:T1:U1", WALK)
    assert b.get("slack:T1:U1") == stored and stored.version == 1
    moved = b.swap("slack:T1:U1", 1, WalkState(WALK.org, WALK.plan, policy=1, step=2, asking=True,
                                               session="s1", note="Right: that statement is false."))
    assert moved is not None and moved.version == 2
    assert a.get("slack:T1:U1") == moved
    again = a.put("slack:T1:U1", WALK)  # /induction again: from the top, whatever was there
    assert again.version == 3 and b.get("slack:T1:U1") == again


def test_only_one_of_two_changes_from_the_same_version_is_applied(two: Any) -> None:
    a, b = SqlWalks(two[0], lambda: NOW), SqlWalks(two[1], lambda: NOW)
    a.put("p", WALK)
    seen_a, seen_b = a.get("p"), b.get("p")
    assert seen_a is not None and seen_b is not None and seen_a.version == seen_b.version == 1
    assert a.swap("p", 1, WalkState(WALK.org, WALK.plan, step=1)) is not None
    assert b.swap("p", 1, WalkState(WALK.org, WALK.plan, step=5)) is None  # lost: b reads again and retries
    fresh = b.get("p")
    assert fresh is not None and (fresh.step, fresh.version) == (1, 2)
    assert not b.end("p", 1) and a.get("p") is not None  # the last acknowledgement, claimed once
    assert b.end("p", 2) and not a.end("p", 2)
    assert a.get("p") is None and b.get("p") is None


def test_concurrent_presses_each_apply_once(two: Any) -> None:
    """Eight presses at once from two servers, each a read then a compare-and-set retried on losing:
    the step counts every press once (none lost, none applied twice)."""
    stores = [SqlWalks(two[0], lambda: NOW), SqlWalks(two[1], lambda: NOW)]
    stores[0].put("p", WALK)
    start = threading.Barrier(8)
    tries: list[int] = []

    def press(store: SqlWalks) -> None:
        start.wait()
        for attempt in range(1, 100):
            state = store.get("p")
            assert state is not None
            if store.swap("p", state.version, WalkState(state.org, state.plan, step=state.step + 1)):
                tries.append(attempt)
                return

    threads = [threading.Thread(target=press, args=(stores[n % 2],)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = stores[1].get("p")
    assert final is not None and final.step == 8 and final.version == 9 and len(tries) == 8


def test_a_group_session_opened_on_one_server_is_seen_and_ended_once(two: Any) -> None:
    a, b = SqlRooms(two[0], lambda: NOW), SqlRooms(two[1], lambda: NOW)
    assert b.session_of("slack:T1") is None
    a.open("slack:T1", "abc123")
    assert b.session_of("slack:T1") == "abc123" and b.session_of("slack:T2") is None
    a.open("slack:T1", "def456")  # a new session in the same room replaces it
    assert b.session_of("slack:T1") == "def456"
    assert b.close("slack:T1") == "def456" and a.close("slack:T1") is None
    assert a.session_of("slack:T1") is None


def test_a_reminder_is_taken_once_and_a_notice_shown_once_whichever_server(two: Any) -> None:
    a, b = SqlNudges(two[0], lambda: NOW), SqlNudges(two[1], lambda: NOW)
    a.remind(["slack:T1:U1", "slack:T1:U2", "slack:T1:U1"])
    assert not b.take_reminder("slack:T1:U9")
    assert b.take_reminder("slack:T1:U1") and not a.take_reminder("slack:T1:U1")
    assert a.take_reminder("slack:T1:U2")
    notice = "Social Media Policy has changed since you acknowledged it (1 added): added “x”."
    assert a.first_showing("slack:T1:U1", notice) and not b.first_showing("slack:T1:U1", notice)
    assert b.first_showing("slack:T1:U2", notice)  # someone else's
    assert b.first_showing("slack:T1:U1", notice + " And another change.")  # a different notice


def test_purge_removes_idle_walkthroughs_and_old_reminders_and_notices(two: Any) -> None:
    old = NOW - timedelta(days=91)
    SqlWalks(two[0], lambda: old).put("idle", WALK)
    SqlWalks(two[0], lambda: NOW - timedelta(days=29)).put("recent", WALK)
    SqlNudges(two[0], lambda: old).remind(["stale"])
    SqlNudges(two[0], lambda: NOW).remind(["fresh"])
    SqlNudges(two[0], lambda: old).first_showing("p", "an old notice")
    SqlNudges(two[0], lambda: NOW).first_showing("p", "a new notice")
    assert chat_state.purge(two[0], NOW) == {"walkthroughs": 1, "reminders": 1, "notices": 1}
    with two[1]() as s:
        assert s.scalars(select(ChatWalk.person_key)).all() == ["recent"]
        assert s.scalars(select(ChatReminder.person_key)).all() == ["fresh"]
        assert s.scalar(select(func.count()).select_from(ChatNoticeShown)) == 1
    assert chat_state.purge(two[0], NOW) == {"walkthroughs": 0, "reminders": 0, "notices": 0}


class _Flaky:
    """A session factory whose database can be switched off (every use raises, as a dead server does)."""

    def __init__(self, real: sessionmaker[Session]) -> None:
        self.real = real
        self.down = False
        self.kw = real.kw

    def _check(self) -> None:
        if self.down:
            raise OperationalError("connect", {}, ConnectionRefusedError("the database is down"))

    def __call__(self) -> Session:
        self._check()
        return self.real()

    def begin(self) -> Any:
        self._check()
        return self.real.begin()


def test_while_the_database_is_down_walkthroughs_carry_on_here_and_are_written_back(
        two: Any, caplog: pytest.LogCaptureFixture) -> None:
    flaky = _Flaky(two[0])
    outage = Outage()
    walks, rooms = SqlWalks(flaky, lambda: NOW, outage), SqlRooms(flaky, lambda: NOW, outage)  # type: ignore[arg-type]
    other = SqlWalks(two[1], lambda: NOW)
    walks.put("p", WALK)
    rooms.open("slack:T1", "abc123")
    flaky.down = True
    with caplog.at_level(logging.INFO, logger="bot.storage.chat_state"):
        seen = walks.get("p")
        assert seen is not None and seen.step == 0
        moved = walks.swap("p", seen.version, WalkState(WALK.org, WALK.plan, step=1))
        assert moved is not None and walks.get("p") == moved
        assert walks.swap("p", seen.version, WalkState(WALK.org, WALK.plan, step=9)) is None  # still compare-and-set
        walks.put("q", WALK)  # started during the outage
        assert rooms.session_of("slack:T1") == "abc123"
        rooms.open("slack:T2", "new")
        downs = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(downs) == 1 and "carry on in this process" in downs[0].getMessage()  # said once
        flaky.down = False
        back = walks.get("p")  # the next message: what changed here is written to the database
        assert back is not None and back.step == 1
    assert [r.levelno for r in caplog.records].count(logging.INFO) == 1
    shared = other.get("p")
    assert shared is not None and shared.step == 1 and shared.version == back.version
    assert walks.swap("p", back.version, WalkState(WALK.org, WALK.plan, step=2)) is not None
    assert walks.get("q") is not None and other.get("q") is not None
    assert SqlRooms(two[1]).session_of("slack:T2") is None  # not written back until that room's next message
    assert rooms.session_of("slack:T2") == "new" and SqlRooms(two[1]).session_of("slack:T2") == "new"


def test_a_walkthrough_ended_during_an_outage_is_removed_when_the_database_is_back(two: Any) -> None:
    flaky = _Flaky(two[0])
    walks = SqlWalks(flaky, lambda: NOW)  # type: ignore[arg-type]
    stored = walks.put("p", WALK)
    flaky.down = True
    assert walks.end("p", stored.version) and walks.get("p") is None
    flaky.down = False
    assert walks.get("p") is None and SqlWalks(two[1]).get("p") is None


def test_the_migration_goes_down_and_up_again(database_url: str) -> None:
    from alembic import command

    from bot.storage.database import _alembic_config

    engine = make_engine(database_url)
    upgrade(engine)
    tables = {"chat_walks", "chat_room_sessions", "chat_reminders", "chat_notices_shown"}
    assert tables <= set(inspect(engine).get_table_names())
    command.downgrade(_alembic_config(engine), "0007")
    assert not tables & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert tables <= set(inspect(engine).get_table_names())
    engine.dispose()
