"""The question from the brief, with the real embedding model (the hashing embedder abstains on it)."""

from __future__ import annotations


import pytest
from starlette.testclient import TestClient

from bot.adapters import slack as slack_adapter
from bot.adapters.slack_blocks import ZWSP
from bot.runtime import Runtime
from bot.server import build_app
from tests.adapters.slack.conftest import SlackHarness, slack_settings
from tests.adapters.slack.payloads import mention
from tests.conftest import logged_entries, seed_text
from tests.doubles.fake_slack_api import FakeSlackApi

pytestmark = [pytest.mark.slow, pytest.mark.integration]



def test_a_friend_request_question_is_answered_from_stone_bays_policy(real_runtime: Runtime,
                                                                      fake_slack: FakeSlackApi) -> None:
    assert real_runtime.chat is not None
    adapter = slack_adapter.build(slack_settings(real_runtime, fake_slack), real_runtime.chat)
    with TestClient(build_app(real_runtime, chores=False, adapters=[adapter])) as http:
        slack = SlackHarness(http, fake_slack, real_runtime, adapter)
        slack.event(mention("can I accept a friend request from an ex-pupil on facebook?"), "EvFriend")
        [post] = fake_slack.wait_for("chat.postMessage", timeout=60)
    quotes = [line[2:].replace(ZWSP, "").replace("&amp;", "&") for b in post.params["blocks"] if b["type"] == "section"
              for line in b["text"]["text"].split("\n") if line.startswith("> ")]
    policy = " ".join(seed_text("stone-bay-school").split())
    assert any("'friends' on any personal social media accounts" in q for q in quotes)
    assert all(q in policy for q in quotes)
    [entry] = logged_entries(real_runtime.settings.database_url)
    assert entry.channel == "slack" and entry.answered
