"""Socket Mode (what a school behind a firewall uses): the adapter opens the connection when the server
starts, answers what arrives over it, acknowledges each envelope, and closes it when the server stops."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.adapters import slack as slack_adapter
from bot.adapters.slack import ACKNOWLEDGED
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.payloads import command_form, event_callback, mention
from tests.conftest import logged_entries
from tests.doubles.fake_slack_api import FakeSlackApi

pytestmark = pytest.mark.integration
QUESTION = "a learner messaged my personal social media account, who do I report it to?"


def test_socket_mode_connects_answers_acknowledges_and_closes(adapter_runtime: Runtime,
                                                              fake_slack: FakeSlackApi) -> None:
    settings = slack_settings(adapter_runtime, fake_slack, slack_app_token=SecretStr("xapp-test"),
                              slack_signing_secret=SecretStr(""))
    assert adapter_runtime.chat is not None
    adapter = slack_adapter.build(settings, adapter_runtime.chat)
    with TestClient(build_app(adapter_runtime, chores=False, adapters=[adapter])) as http:
        assert http.post("/slack/events", content=b"{}").status_code == 404  # nothing exposed over HTTP
        fake_slack.wait_for_socket()
        [opened] = fake_slack.calls_to("apps.connections.open")
        assert opened.token == "xapp-test"

        fake_slack.send_envelope("events_api", event_callback(mention(QUESTION), "EvSocket"), "envelope-1")
        [post] = fake_slack.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == "1700000000.000100" and post.params["blocks"]
        assert {"envelope_id": "envelope-1"} in [a.params for a in fake_slack.wait_for("socket.ack")]

        command = dict(parse_qsl(command_form(QUESTION, fake_slack.response_url("socket"))))
        fake_slack.send_envelope("slash_commands", command, "envelope-2")
        [answer] = fake_slack.wait_for("response_url")
        assert answer.params["response_type"] == "ephemeral" and answer.params["blocks"]
        acks = {a.params["envelope_id"]: a.params for a in fake_slack.wait_for("socket.ack", count=2)}
        assert acks["envelope-2"]["payload"]["text"] == ACKNOWLEDGED
    assert [e.channel for e in logged_entries(adapter_runtime.settings.database_url)] == ["slack", "slack"]
    fake_slack.wait_for_socket(connected=False, timeout=5)  # the stopping server closed its connection
