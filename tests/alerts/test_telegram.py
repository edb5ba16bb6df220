"""TelegramSender with the real python-telegram-bot against tests.doubles.fake_telegram_api."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.alerts import AlertError, Recipient, TelegramSender, alert_text
from tests.alerts.conftest import ALERT, DSL
from tests.doubles.fake_telegram_api import TOKEN, FakeTelegramApi

TEAMS_ONLY = Recipient("Teams only", None, (("teams", "29:x"),))


def test_the_alert_is_a_direct_message_to_the_user_id(fake_telegram: FakeTelegramApi) -> None:
    assert TelegramSender(TOKEN, fake_telegram.url).send(DSL, ALERT) is True

    [call] = fake_telegram.wait_for("sendMessage")
    assert call.params["chat_id"] == "4242"
    assert call.params["text"] == alert_text(ALERT)
    assert "parse_mode" not in call.params  # plain text: nothing in a name can become markup
    assert call.json("link_preview_options") == {"is_disabled": True}
    assert [c.method for c in fake_telegram.calls] == ["sendMessage"]  # no getMe first


def test_the_token_appears_in_no_log_at_any_level(fake_telegram: FakeTelegramApi,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):  # as a deployment debugging these libraries would
        caplog.set_level(logging.DEBUG, logger=name)
    TelegramSender(TOKEN, fake_telegram.url).send(DSL, ALERT)
    fake_telegram.wait_for("sendMessage")
    assert TOKEN not in caplog.text
    assert "physical abuse" not in caplog.text  # nor the alert text (PTB logs parameters at DEBUG)


def test_the_quietening_is_confined_to_the_alert(caplog: pytest.LogCaptureFixture) -> None:
    """Outside a send, httpx keeps logging as configured (the Telegram adapter's diagnostics stay)."""
    TelegramSender(TOKEN, "http://127.0.0.1:9/bot")  # installs the filter
    caplog.set_level(logging.INFO, logger="httpx")
    logging.getLogger("httpx").info("HTTP Request: POST elsewhere")
    assert "HTTP Request: POST elsewhere" in caplog.text


def test_a_refused_message_is_an_alert_error_without_the_token(fake_telegram: FakeTelegramApi,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AlertError, match="Telegram refused") as caught:
        TelegramSender("999:wrong-token", fake_telegram.url).send(DSL, ALERT)
    assert "wrong-token" not in str(caught.value) and "wrong-token" not in caplog.text


def test_an_unreachable_telegram_is_an_alert_error(closed_port: int) -> None:
    with pytest.raises(AlertError, match="NetworkError"):
        TelegramSender(TOKEN, f"http://127.0.0.1:{closed_port}/bot").send(DSL, ALERT)


def test_without_a_numeric_telegram_id_nothing_is_sent(fake_telegram: FakeTelegramApi) -> None:
    assert TelegramSender(TOKEN, fake_telegram.url).send(TEAMS_ONLY, ALERT) is False
    with pytest.raises(AlertError, match="numeric"):
        TelegramSender(TOKEN, fake_telegram.url).send(Recipient("x", None, (("telegram", "@jo"),)), ALERT)
    assert fake_telegram.calls == []


def test_called_from_an_event_loop_it_fails_cleanly(fake_telegram: FakeTelegramApi) -> None:
    async def inside_a_loop() -> None:
        with pytest.raises(AlertError, match="outside an event loop"):
            TelegramSender(TOKEN, fake_telegram.url).send(DSL, ALERT)

    asyncio.run(inside_a_loop())


def test_control_without_the_quietening_the_token_would_be_logged(fake_telegram: FakeTelegramApi,
                                                                   caplog: pytest.LogCaptureFixture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Shows the log test above has teeth: httpx and PTB really do log the token."""
    from contextlib import nullcontext

    from bot.alerts import telegram_sender

    monkeypatch.setattr(telegram_sender.quiet_logs, "quiet", lambda *_secrets: nullcontext())
    monkeypatch.setattr(telegram_sender.quiet_logs, "mask", lambda text: text)  # and no masking either
    caplog.set_level(logging.DEBUG)
    TelegramSender(TOKEN, fake_telegram.url).send(DSL, ALERT)
    assert TOKEN in caplog.text


def test_outside_the_quietening_the_token_is_still_masked(fake_telegram: FakeTelegramApi,
                                                          caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The second layer (quiet_logs.mask_secrets, installed when the sender is built) holds on its own:
    the token's records are still made, but with the token blanked out."""
    from contextlib import nullcontext

    from bot.alerts import telegram_sender

    monkeypatch.setattr(telegram_sender.quiet_logs, "quiet", lambda *_secrets: nullcontext())
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):
        caplog.set_level(logging.DEBUG, logger=name)
    TelegramSender(TOKEN, fake_telegram.url).send(DSL, ALERT)
    assert TOKEN not in caplog.text and TOKEN.partition(":")[2] not in caplog.text
    assert "/bot[redacted]/sendMessage" in caplog.text
