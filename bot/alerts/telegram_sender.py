"""Alerts as Telegram direct messages with python-telegram-bot.

A bot can message a user who has started a chat with it (every member of staff bound with
`/start <code>` has), by their numeric user id. The sender is called from a worker thread, so each
send runs its own short event loop; the bot token is in every request URL, so the whole send runs
inside `quiet_logs.quiet(token)`.
"""

from __future__ import annotations

import asyncio

from bot.alerts import quiet_logs
from bot.alerts.base import AlertError
from bot.alerts.message import Alert, Recipient, address_of, alert_text

TIMEOUT_S = 10.0


class TelegramSender:
    """Plain text (no parse mode, so nothing needs escaping) without a link preview (Telegram would
    otherwise fetch the dashboard link itself)."""

    channel = "telegram"

    def __init__(self, token: str, base_url: str) -> None:
        self._token = token
        self._base_url = base_url
        quiet_logs.install()
        quiet_logs.mask_secrets(token, token.partition(":")[2])  # outside a send too, at every level

    def send(self, recipient: Recipient, alert: Alert) -> bool:
        handle = address_of(recipient, self.channel)
        if handle is None:
            return False
        try:
            chat_id = int(handle)
        except ValueError:
            raise AlertError("the Telegram handle is not a numeric user id") from None
        _refuse_inside_a_loop()
        with quiet_logs.quiet(self._token):
            asyncio.run(self._send(chat_id, alert_text(alert)))
        return True

    async def _send(self, chat_id: int, text: str) -> None:
        """One message with a bot of its own; its HTTP client is closed whatever happens. Bot.initialize
        is skipped on purpose: it costs a getMe round trip and its error message quotes the token."""
        from telegram import Bot, LinkPreviewOptions
        from telegram.error import TelegramError
        from telegram.request import HTTPXRequest

        request = HTTPXRequest(connect_timeout=TIMEOUT_S, read_timeout=TIMEOUT_S, write_timeout=TIMEOUT_S,
                               pool_timeout=TIMEOUT_S)
        bot = Bot(self._token, base_url=self._base_url, request=request, get_updates_request=request)
        try:
            await bot.send_message(chat_id=chat_id, text=text,
                                   link_preview_options=LinkPreviewOptions(is_disabled=True))
        except TelegramError as exc:
            raise AlertError(f"Telegram refused the message ({_safe(exc, self._token)})") from None
        finally:
            await request.shutdown()


def _refuse_inside_a_loop() -> None:
    """asyncio.run cannot nest: a call from async code is the caller's mistake, and says so."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise AlertError("Telegram send must run outside an event loop (call it from a worker thread)")


def _safe(exc: Exception, token: str) -> str:
    """The exception's class and message with the token blanked out (PTB quotes it in some messages)."""
    return quiet_logs.redact(f"{exc.__class__.__name__}: {exc}", token)
