"""The Slack adapter end to end: the real bolt and slack_sdk, our Starlette server (TestClient) and a
fake Slack on 127.0.0.1 (tests.doubles.fake_slack_api) that records what the bot sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.adapters import slack as slack_adapter
from bot.config import Settings
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.slack.payloads import SECRET, TOKEN, button_form, command_form, event_callback, signed_headers
from tests.doubles.fake_slack_api import FakeSlackApi

if TYPE_CHECKING:
    from httpx2 import Response  # what starlette's TestClient returns (httpx2 when installed)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def slack_settings(runtime: Runtime, fake: FakeSlackApi, **more: Any) -> Settings:
    values: dict[str, Any] = {"slack_bot_token": SecretStr(TOKEN), "slack_signing_secret": SecretStr(SECRET),
                              "slack_api_url": fake.url, **more}
    return runtime.settings.model_copy(update=values)


@dataclass
class SlackHarness:
    """Signed requests to /slack/events, and the fake Slack that sees the bot's replies."""

    http: TestClient
    fake: FakeSlackApi
    runtime: Runtime
    adapter: slack_adapter.SlackAdapter

    def post(self, body: str, content_type: str, **signing: Any) -> Response:
        return self.http.post("/slack/events", content=body.encode("utf-8"),
                              headers=signed_headers(body, content_type, **signing))

    def event(self, event: dict[str, Any], event_id: str, team: str = "T_STONE", **signing: Any) -> Response:
        return self.post(json.dumps(event_callback(event, event_id, team)), "application/json", **signing)

    def command(self, text: str, team: str = "T_STONE") -> Response:
        return self.post(command_form(text, self.fake.response_url("command"), team),
                         "application/x-www-form-urlencoded")

    def click(self, action_id: str, value: str) -> Response:
        return self.post(button_form(action_id, value, self.fake.response_url("button")),
                         "application/x-www-form-urlencoded")

    def replays_remembered(self) -> int:
        """How many signed requests the adapter's replay guard remembers."""
        assert self.adapter.listeners is not None
        return len(self.adapter.listeners.signatures)


@contextmanager
def harness(runtime: Runtime, fake_slack: FakeSlackApi) -> Iterator[SlackHarness]:
    """Our server with the Slack adapter over *runtime*, talking to *fake_slack*."""
    assert runtime.chat is not None
    adapter = slack_adapter.build(slack_settings(runtime, fake_slack), runtime.chat)
    with TestClient(build_app(runtime, chores=False, adapters=[adapter])) as http:
        yield SlackHarness(http, fake_slack, runtime, adapter)


@pytest.fixture
def slack(adapter_runtime: Runtime, fake_slack: FakeSlackApi) -> Iterator[SlackHarness]:
    with harness(adapter_runtime, fake_slack) as h:
        yield h
