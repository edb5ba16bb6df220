"""Two replicas (two runtimes, each with its own bolt app and server) sharing one database, as
`policybot serve` builds them (the adapter given the runtime's deliveries): Slack delivering an event to
one and again to the other, or again after a restart, gets one answer and one log entry; a signed request
replayed to the other replica is ignored there too. On SQLite (one file) and on a real PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.adapters import slack as slack_adapter
from bot.adapters.slack import ACKNOWLEDGED
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.slack.conftest import SlackHarness, slack_settings
from tests.adapters.slack.payloads import STONE, command_form, event_callback, mention, signed_headers
from tests.conftest import add_hostile_policy, built_runtime, logged_entries, map_platforms
from tests.doubles.fake_slack_api import FakeSlackApi

pytestmark = pytest.mark.integration

QUESTION = "a learner messaged my personal social media account, who do I report it to?"


@contextmanager
def replica(where: Path, database_url: str, fake: FakeSlackApi) -> Iterator[SlackHarness]:
    """A runtime of its own (its own corpus copy, index, spool) on the shared database, served with the
    Slack adapter wired as the server wires it."""
    with built_runtime(where, map_platforms, add_hostile_policy, database_url=database_url) as runtime:
        yield from _served(runtime, fake)


def _served(runtime: Runtime, fake: FakeSlackApi) -> Iterator[SlackHarness]:
    assert runtime.chat is not None and runtime.deliveries is not None
    adapter = slack_adapter.build(slack_settings(runtime, fake), runtime.chat, deliveries=runtime.deliveries)
    with TestClient(build_app(runtime, chores=False, adapters=[adapter])) as http:
        yield SlackHarness(http, fake, runtime, adapter)


def _settled(fake: FakeSlackApi, method: str) -> int:
    """How many *method* calls, once anything wrongly let through would have been answered."""
    time.sleep(0.5)
    return len(fake.calls_to(method))


def test_an_event_delivered_to_both_replicas_and_after_a_restart_is_answered_once(
        tmp_path: Path, database_url: str, fake_slack: FakeSlackApi) -> None:
    event, now = mention(QUESTION), int(time.time())
    with replica(tmp_path / "a", database_url, fake_slack) as a:
        with replica(tmp_path / "b", database_url, fake_slack) as b:
            assert a.event(event, "EvTwice", timestamp=now - 2).status_code == 200
            fake_slack.wait_for("chat.postMessage")
            # Slack thought it was lost and retried (signed afresh); the proxy sent the retry to B.
            assert b.event(event, "EvTwice", retry=1, timestamp=now - 1).status_code == 200
            assert _settled(fake_slack, "chat.postMessage") == 1
    # A restart: a new process, nothing in its memory; Slack's last retry comes to it.
    with replica(tmp_path / "c", database_url, fake_slack) as c:
        assert c.event(event, "EvTwice", retry=2, timestamp=now).status_code == 200
        assert _settled(fake_slack, "chat.postMessage") == 1
        assert c.event(event, "EvOther").status_code == 200  # another event is answered as ever
        fake_slack.wait_for("chat.postMessage", count=2)
    assert len(logged_entries(database_url)) == 2


def test_a_signed_request_replayed_to_the_other_replica_is_ignored(
        tmp_path: Path, database_url: str, fake_slack: FakeSlackApi) -> None:
    body = command_form(QUESTION, fake_slack.response_url("command"), STONE)
    headers = signed_headers(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 60)
    event_body = json.dumps(event_callback(mention(QUESTION), "EvReplayed"))
    event_headers = signed_headers(event_body, "application/json")
    with replica(tmp_path / "a", database_url, fake_slack) as a:
        with replica(tmp_path / "b", database_url, fake_slack) as b:
            first = a.http.post("/slack/events", content=body.encode(), headers=headers)
            assert first.status_code == 200 and first.json()["text"] == ACKNOWLEDGED
            fake_slack.wait_for("response_url")
            replay = b.http.post("/slack/events", content=body.encode(), headers=headers)
            assert replay.status_code == 200 and replay.content == b""
            assert b.http.post("/slack/events", content=event_body.encode(), headers=event_headers).status_code == 200
            fake_slack.wait_for("chat.postMessage")
            assert a.http.post("/slack/events", content=event_body.encode(), headers=event_headers).status_code == 200
            assert _settled(fake_slack, "response_url") == 1 and len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(logged_entries(database_url)) == 2
