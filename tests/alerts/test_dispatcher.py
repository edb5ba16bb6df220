"""The dispatcher: everyone on every channel they have, one failure never stopping the rest, and logs
that name the channel and the exception class only."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.alerts import (Alert, AlertError, Dispatcher, EmailSender, Recipient, SlackSender, TelegramSender,
                        build_dispatcher)
from bot.config import Settings
from tests.alerts.conftest import ALERT, DSL, Mailbox, _AnyPortController
from tests.conftest import settings_for
from tests.doubles.fake_slack_api import FakeSlackApi
from tests.doubles.fake_telegram_api import TOKEN as TELEGRAM_TOKEN
from tests.doubles.fake_telegram_api import FakeTelegramApi

SLACK_TOKEN = "xoxb-dispatch-test-token"
SLACK_AND_EMAIL = Recipient("Martyn Nash", "dsl@stonebay.example", (("slack", "U0DSL"),))
DEPUTY = Recipient("Sam Deputy", "deputy@stonebay.example", (("slack", "U0DEP"),))


class Exploding:
    """A sender whose channel is down, with a secret in its error to prove the log never shows it."""

    channel = "slack"

    def send(self, recipient: Recipient, alert: Alert) -> bool:
        raise AlertError(f"boom {SLACK_TOKEN} {alert.raiser} {alert.reason}")


class Crashing:
    """A sender with a bug: not even an AlertError."""

    channel = "telegram"

    def send(self, recipient: Recipient, alert: Alert) -> bool:
        raise ZeroDivisionError(alert.raiser)


def email(server: _AnyPortController) -> EmailSender:
    return EmailSender("127.0.0.1", server.port, "policybot@stonebay.example", starttls=False)


def test_a_recipient_with_slack_and_email_gets_both(smtp_server: _AnyPortController, mailbox: Mailbox,
                                                    fake_slack: FakeSlackApi) -> None:
    dispatcher = Dispatcher([email(smtp_server), SlackSender(SLACK_TOKEN, fake_slack.url)])
    delivered = dispatcher.send(ALERT, [SLACK_AND_EMAIL, DEPUTY])

    assert delivered == ["email:dsl@stonebay.example", "slack:U0DSL", "email:deputy@stonebay.example",
                         "slack:U0DEP"]
    assert [c.params["channel"] for c in fake_slack.wait_for("chat.postMessage", count=2)] == ["U0DSL", "U0DEP"]
    assert sorted(e.rcpt_tos[0] for e in mailbox.envelopes) == ["deputy@stonebay.example", "dsl@stonebay.example"]


def test_all_three_channels(smtp_server: _AnyPortController, fake_slack: FakeSlackApi,
                            fake_telegram: FakeTelegramApi) -> None:
    dispatcher = Dispatcher([email(smtp_server), SlackSender(SLACK_TOKEN, fake_slack.url),
                             TelegramSender(TELEGRAM_TOKEN, fake_telegram.url)])
    assert dispatcher.send(ALERT, [DSL]) == ["email:dsl@stonebay.example", "slack:U0DSL", "telegram:4242"]


def test_one_failing_channel_does_not_stop_the_others_and_is_logged_without_secrets(
        smtp_server: _AnyPortController, mailbox: Mailbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    dispatcher = Dispatcher([Exploding(), Crashing(), email(smtp_server)])  # type: ignore[list-item]

    delivered = dispatcher.send(ALERT, [DSL, DEPUTY])

    assert delivered == ["email:dsl@stonebay.example", "email:deputy@stonebay.example"]
    warnings = [r for r in caplog.records if r.name == "bot.alerts.dispatch" and r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "safeguarding alert not delivered by slack: AlertError",
        "safeguarding alert not delivered by telegram: ZeroDivisionError"] * 2
    assert all(r.exc_info is None for r in warnings)  # no traceback, which would quote the message
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))  # not the test server's
    for secret in (SLACK_TOKEN, "Jo Bloggs", ALERT.reason, "boom"):
        assert secret not in ours


def test_a_failing_recipient_does_not_stop_the_next(fake_slack: FakeSlackApi, closed_port: int) -> None:
    dead_mail = EmailSender("127.0.0.1", closed_port, "policybot@stonebay.example", starttls=False)
    dispatcher = Dispatcher([dead_mail, SlackSender(SLACK_TOKEN, fake_slack.url)])
    assert dispatcher.send(ALERT, [Recipient("Bad id", None, (("slack", "U_GONE"),)), DEPUTY]) == [
        "slack:U_GONE", "slack:U0DEP"]  # the fake accepts any id; the dead mail server fails both


def test_recipients_with_no_address_anywhere_give_nothing(fake_slack: FakeSlackApi,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    nobody = [Recipient("Teams only", None, (("teams", "29:dsl"),)), Recipient("Nothing", None)]
    assert Dispatcher([SlackSender(SLACK_TOKEN, fake_slack.url)]).send(ALERT, nobody) == []
    assert fake_slack.calls == []
    assert "safeguarding alert reached nobody: 2 recipient(s), channels ['slack']" in caplog.text
    assert Dispatcher([]).send(ALERT, [DSL]) == []
    assert Dispatcher([SlackSender(SLACK_TOKEN, fake_slack.url)]).send(ALERT, []) == []


def test_a_person_listed_twice_is_told_once(fake_slack: FakeSlackApi) -> None:
    dispatcher = Dispatcher([SlackSender(SLACK_TOKEN, fake_slack.url)])
    assert dispatcher.send(ALERT, [SLACK_AND_EMAIL, SLACK_AND_EMAIL]) == ["slack:U0DSL"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def _settings(tmp_path: Path, **more: object) -> Settings:
    return settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var", **more)


def test_build_dispatcher_picks_the_senders_whose_settings_are_set(tmp_path: Path) -> None:
    assert build_dispatcher(_settings(tmp_path)).senders == []

    everything = _settings(tmp_path, smtp_host="mail.stonebay.example", smtp_from="policybot@stonebay.example",
                           slack_bot_token=SecretStr(SLACK_TOKEN), telegram_token=SecretStr(TELEGRAM_TOKEN))
    assert [s.channel for s in build_dispatcher(everything).senders] == ["email", "slack", "telegram"]

    only_telegram = _settings(tmp_path, telegram_token=SecretStr(TELEGRAM_TOKEN))
    assert [type(s) for s in build_dispatcher(only_telegram).senders] == [TelegramSender]


def test_build_dispatcher_passes_the_settings_through(tmp_path: Path, smtp_server: _AnyPortController,
                                                      mailbox: Mailbox, fake_slack: FakeSlackApi) -> None:
    settings = _settings(tmp_path, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_starttls=False,
                         smtp_from="policybot@stonebay.example", smtp_user="alerts",
                         smtp_password=SecretStr("right-password"), slack_bot_token=SecretStr(SLACK_TOKEN),
                         slack_api_url=fake_slack.url)
    assert build_dispatcher(settings).send(ALERT, [SLACK_AND_EMAIL]) == ["email:dsl@stonebay.example",
                                                                         "slack:U0DSL"]
    assert mailbox.logins == [(b"alerts", b"right-password")]
    assert mailbox.envelopes[0].mail_from == "policybot@stonebay.example"
    assert fake_slack.calls_to("chat.postMessage")[0].token == SLACK_TOKEN


def test_email_without_a_from_address_is_off_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(tmp_path, smtp_host="mail.stonebay.example")
    assert build_dispatcher(settings).senders == []
    assert "smtp_from is empty" in caplog.text
    with_user = _settings(tmp_path, smtp_host="mail.stonebay.example", smtp_user="alerts@stonebay.example")
    [sender] = build_dispatcher(with_user).senders
    assert sender.channel == "email"


def test_a_malformed_recipient_is_skipped_not_raised(fake_slack: FakeSlackApi) -> None:
    broken = Recipient("Broken", None, handles=("slack",))  # type: ignore[arg-type]  # a bad org-file entry
    dispatcher = Dispatcher([SlackSender(SLACK_TOKEN, fake_slack.url)])
    assert dispatcher.send(ALERT, [broken, DEPUTY]) == ["slack:U0DEP"]
