"""Alerts as Slack direct messages: chat.postMessage with a user id as the channel opens (or reuses) the
bot's DM with that person, so no conversation needs to be stored."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.alerts.base import AlertError
from bot.alerts.message import Alert, Recipient, address_of, alert_text

if TYPE_CHECKING:
    from slack_sdk import WebClient

TIMEOUT_S = 10
# slack_sdk logs each request's body (the alert text) at DEBUG unless its logger has a level above DEBUG
# set on it (it checks `logger.level`, not the effective level): give the client its own quiet logger.
_SDK_LOG = logging.getLogger("bot.alerts.slack_sdk")
_SDK_LOG.setLevel(logging.INFO)


def slack_escape(text: str) -> str:
    """Slack reads &, < and > in message text as markup (<!channel>, <@U1>): escape them, as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackSender:
    """The SDK is imported when the sender is made, so importing bot.alerts loads no platform SDK."""

    channel = "slack"

    def __init__(self, token: str, base_url: str) -> None:
        self._token = token
        self._base_url = base_url
        self._client: WebClient | None = None

    def send(self, recipient: Recipient, alert: Alert) -> bool:
        user_id = address_of(recipient, self.channel)
        if user_id is None:
            return False
        from slack_sdk.errors import SlackApiError, SlackClientError

        try:
            self._web().chat_postMessage(channel=user_id, text=slack_escape(alert_text(alert)),
                                         unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            raise AlertError(f"Slack refused the message ({_slack_error(exc)})") from None
        except (SlackClientError, OSError) as exc:
            raise AlertError(f"Slack unreachable ({exc.__class__.__name__})") from None
        return True

    def _web(self) -> WebClient:
        """One client per sender (it is thread-safe and keeps no connection open between calls)."""
        if self._client is None:
            from slack_sdk import WebClient

            self._client = WebClient(token=self._token, base_url=self._base_url, timeout=TIMEOUT_S,
                                     logger=_SDK_LOG)
        return self._client


def _slack_error(exc: Exception) -> str:
    """Slack's error code ("channel_not_found", "invalid_auth"), which carries no secret."""
    response: Any = getattr(exc, "response", None)  # a SlackApiError's SlackResponse; None on others
    try:
        return str(response["error"])
    except (TypeError, KeyError):
        return exc.__class__.__name__
