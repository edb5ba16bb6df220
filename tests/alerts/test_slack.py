"""SlackSender against tests.doubles.fake_slack_api: a DM by user id, escaped, and failures as AlertError."""

from __future__ import annotations

import logging

import pytest

from bot.alerts import AlertError, Recipient, SlackSender, alert_text
from tests.alerts.conftest import ALERT, DSL, alert
from tests.doubles.fake_slack_api import FakeSlackApi

TOKEN = "xoxb-alerts-test-token"


def test_the_alert_is_a_dm_to_the_user_id(fake_slack: FakeSlackApi) -> None:
    assert SlackSender(TOKEN, fake_slack.url).send(DSL, ALERT) is True

    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.token == TOKEN
    assert call.params["channel"] == "U0DSL"
    assert call.params["text"] == alert_text(ALERT)
    assert call.params["unfurl_links"] in (False, "0", "false")


def test_slack_markup_in_names_is_shown_literally(fake_slack: FakeSlackApi) -> None:
    SlackSender(TOKEN, fake_slack.url).send(DSL, alert(org_name="<!channel> & Co", raiser="<@U999>"))
    [call] = fake_slack.wait_for("chat.postMessage")
    assert "&lt;!channel&gt; &amp; Co" in call.params["text"]
    assert "&lt;@U999&gt;" in call.params["text"]
    assert "<!channel>" not in call.params["text"]


def test_without_a_slack_id_it_sends_nothing(fake_slack: FakeSlackApi) -> None:
    recipient = Recipient("Email only", "a@b.example", (("telegram", "1"),))
    assert SlackSender(TOKEN, fake_slack.url).send(recipient, ALERT) is False
    assert fake_slack.calls == []


def test_a_slack_api_error_is_an_alert_error_with_slacks_code(fake_slack: FakeSlackApi) -> None:
    fake_slack.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(AlertError, match="channel_not_found"):
        SlackSender(TOKEN, fake_slack.url).send(DSL, ALERT)


def test_an_unreachable_slack_is_an_alert_error(closed_port: int) -> None:
    with pytest.raises(AlertError, match="Slack unreachable"):
        SlackSender(TOKEN, f"http://127.0.0.1:{closed_port}/api/").send(DSL, ALERT)


def test_neither_the_token_nor_the_text_reaches_the_logs(fake_slack: FakeSlackApi,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    SlackSender(TOKEN, fake_slack.url).send(DSL, ALERT)
    assert TOKEN not in caplog.text
    assert "physical abuse" not in caplog.text and "Jo Bloggs" not in caplog.text
