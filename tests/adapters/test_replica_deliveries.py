"""Teams and Telegram deliveries sent again: a Teams message activity with an id already handled, a Telegram
webhook update with an update_id already handled, to the same replica or to another one sharing the
database (each runtime's deliveries given to its adapter, as the server does), is acknowledged and not
answered again. SQLite (one file) and a real PostgreSQL for the shared cases."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.adapters import telegram, teams
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.teams.conftest import ANSWERABLE, chat_of, dev_settings, message
from tests.adapters.telegram.conftest import SECRET, telegram_settings
from tests.conftest import add_hostile_policy, built_runtime, logged_entries, map_platforms
from tests.doubles import fake_telegram_api as tg
from tests.doubles.fake_teams_connector import FakeConnector, fake_teams_connector
from tests.doubles.fake_telegram_api import FakeTelegramApi

pytestmark = [pytest.mark.integration,
              pytest.mark.filterwarnings(f"ignore:{teams.SDK_DEPRECATION}:DeprecationWarning")]

FRIEND_REQUEST = "can I accept a friend request from a pupil on facebook?"


@pytest.fixture
def two_runtimes(tmp_path: Path, database_url: str) -> Iterator[tuple[Runtime, Runtime]]:
    with ExitStack() as stack:
        a, b = (stack.enter_context(built_runtime(tmp_path / name, map_platforms, add_hostile_policy,
                                                  database_url=database_url)) for name in "ab")
        yield a, b


def answered(connector: FakeConnector) -> int:
    return [r.body["type"] for r in connector.activities].count("typing")  # each answer starts with typing


def test_a_teams_activity_sent_to_both_replicas_is_answered_once(two_runtimes: tuple[Runtime, Runtime],
                                                                 database_url: str) -> None:
    with fake_teams_connector() as connector, ExitStack() as stack:
        a, b = (stack.enter_context(TestClient(build_app(rt, chores=False, adapters=[
            teams.build(dev_settings(rt), chat_of(rt), deliveries=rt.deliveries)]))) for rt in two_runtimes)
        activity = message(connector, ANSWERABLE, msg_id="1700000000001")
        assert a.post("/api/messages", json=activity).status_code == 200
        assert answered(connector) == 1
        assert b.post("/api/messages", json=activity).status_code == 200  # resent, to the other replica
        assert a.post("/api/messages", json=activity).status_code == 200
        assert answered(connector) == 1
        other_chat = message(connector, ANSWERABLE, msg_id="1700000000001", conversation="a:personal-chat-2")
        assert b.post("/api/messages", json=other_chat).status_code == 200  # same id, another conversation
        assert answered(connector) == 2
    assert len(logged_entries(database_url)) == 2


def test_a_teams_activity_sent_twice_to_one_process_is_answered_once_without_a_database(
        two_runtimes: tuple[Runtime, Runtime]) -> None:
    runtime = two_runtimes[0]
    with fake_teams_connector() as connector:
        with TestClient(build_app(runtime, chores=False, adapters=[teams.build(dev_settings(runtime),
                                                                               chat_of(runtime))])) as client:
            activity = message(connector, ANSWERABLE)
            for _ in range(2):
                assert client.post("/api/messages", json=activity).status_code == 200
        assert answered(connector) == 1


def _sent_after_settling(api: FakeTelegramApi) -> int:
    time.sleep(0.5)  # anything wrongly let through would have been answered by now
    return len(api.sent("sendMessage"))


def test_a_telegram_update_redelivered_to_the_other_replica_is_answered_once(
        two_runtimes: tuple[Runtime, Runtime], database_url: str) -> None:
    headers = {telegram.SECRET_HEADER: SECRET}
    with FakeTelegramApi() as api, ExitStack() as stack:
        a, b = (stack.enter_context(TestClient(build_app(rt, chores=False, adapters=[telegram.build(
            telegram_settings(rt, api, telegram_mode="webhook"), chat_of(rt), deliveries=rt.deliveries)])))
            for rt in two_runtimes)
        update = {**tg.message(4242, FRIEND_REQUEST), "update_id": 7001}
        assert a.post(telegram.WEBHOOK_PATH, json=update, headers=headers).status_code == 200
        api.wait_for("sendMessage")
        # Telegram did not get A's 200 in time and sent the update again; the proxy chose B.
        assert b.post(telegram.WEBHOOK_PATH, json=update, headers=headers).status_code == 200
        assert _sent_after_settling(api) == 1
        following = {**tg.message(4242, FRIEND_REQUEST), "update_id": 7002}
        assert b.post(telegram.WEBHOOK_PATH, json=following, headers=headers).status_code == 200
        api.wait_for("sendMessage", count=2)
    assert len(logged_entries(database_url)) == 2
