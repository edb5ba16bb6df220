"""Alerts as Microsoft Teams direct messages, through the Bot Framework connector's REST API.

A bot may message a person first ("proactive message") once the bot is installed for them: it creates
(or gets back) the one-to-one conversation with POST {serviceUrl}/v3/conversations, then posts the message
to it. The recipient is the org file's Teams id for the contact ("29:…"); the tenant is the school's
mapped Teams tenant. Tokens come from Entra with the bot's app id and client secret (client credentials
for the Bot Framework scope) and are reused until a minute before they expire.

Plain httpx, not the Teams SDK: the alert is sent from a worker thread, outside the server's event loop,
and importing bot.alerts must load no chat SDK.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import httpx

from bot.alerts.base import AlertError
from bot.alerts.message import Alert, Recipient, address_of, alert_text
from bot.alerts.quiet_logs import mask_secrets

TIMEOUT_S = 10
# The global service URL Microsoft documents for proactive messages when none has been seen for a tenant.
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
TENANT_HANDLE = "teams_tenant"  # a Recipient handle: the tenant the person's Teams id belongs to


@dataclass(frozen=True)
class TeamsEndpoints:
    """Where tokens come from (Entra, public cloud by default; a fake in tests)."""

    login_endpoint: str = "https://login.microsoftonline.com"
    login_tenant: str = "botframework.com"
    bot_scope: str = "https://api.botframework.com/.default"


def teams_escape(text: str) -> str:
    """Teams renders message text as Markdown: escape what would format (or link) the alert's fields."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!<>|~" else c for c in text)


class TeamsSender:
    channel = "teams"

    def __init__(self, app_id: str, password: str, tenant_id: str = "", service_url: str = DEFAULT_SERVICE_URL,
                 endpoints: TeamsEndpoints = TeamsEndpoints(), token: Callable[[str], str] | None = None) -> None:
        """*token*, when given, supplies the access token for a scope (tests, or a managed identity)."""
        mask_secrets(password)  # it goes into token requests: into no log record
        self._app_id = app_id
        self._password = password
        self._tenant_id = tenant_id
        self._service_url = service_url.rstrip("/")
        self._endpoints = endpoints
        self._token_for = token
        self._token: tuple[str, float] | None = None  # (access token, when to fetch a new one)
        self._conversations: dict[tuple[str, str], str] = {}  # (tenant, user id) -> one-to-one conversation
        self._lock = threading.Lock()

    def send(self, recipient: Recipient, alert: Alert) -> bool:
        user_id = address_of(recipient, self.channel)
        if user_id is None:
            return False
        tenant = address_of(recipient, TENANT_HANDLE) or self._tenant_id
        try:
            with httpx.Client(timeout=TIMEOUT_S) as http:
                headers = {"Authorization": f"Bearer {self._access_token(http)}"}
                conversation = self._conversation(http, headers, tenant, user_id)
                reply = http.post(f"{self._service_url}/v3/conversations/{conversation}/activities",
                                  headers=headers, json={"type": "message", "textFormat": "markdown",
                                                         "text": teams_escape(alert_text(alert))
                                                         .replace("\n", "\n\n")})
        except httpx.HTTPError as exc:
            raise AlertError(f"Teams unreachable ({exc.__class__.__name__})") from None
        if reply.status_code >= 300:
            raise AlertError(f"Teams refused the message (HTTP {reply.status_code})")
        return True

    def _conversation(self, http: httpx.Client, headers: dict[str, str], tenant: str, user_id: str) -> str:
        with self._lock:
            known = self._conversations.get((tenant, user_id))
        if known:
            return known
        body = {"isGroup": False, "bot": {"id": f"28:{self._app_id}"}, "members": [{"id": user_id}],
                "tenantId": tenant, "channelData": {"tenant": {"id": tenant}}}
        reply = http.post(f"{self._service_url}/v3/conversations", headers=headers, json=body)
        if reply.status_code >= 300:  # e.g. 403: the bot is not installed for that person
            raise AlertError(f"Teams would not open a chat with the recipient (HTTP {reply.status_code})")
        conversation = str(_field(reply, "id"))
        with self._lock:
            self._conversations[(tenant, user_id)] = conversation
        return conversation

    def _access_token(self, http: httpx.Client) -> str:
        if self._token_for is not None:
            return self._token_for(self._endpoints.bot_scope)
        with self._lock:
            if self._token is not None and time.monotonic() < self._token[1]:
                return self._token[0]
        url = f"{self._endpoints.login_endpoint}/{self._tenant_id or self._endpoints.login_tenant}/oauth2/v2.0/token"
        reply = http.post(url, data={"grant_type": "client_credentials", "client_id": self._app_id,
                                     "client_secret": self._password, "scope": self._endpoints.bot_scope})
        if reply.status_code >= 300:
            raise AlertError(f"Entra refused the bot's credentials (HTTP {reply.status_code})")
        token = str(_field(reply, "access_token"))
        # seconds, as a JSON number or a string of one (anything else fails in float(), as it should)
        lifetime = float(cast(float | str, _field(reply, "expires_in")) or 3600)
        with self._lock:
            self._token = (token, time.monotonic() + max(lifetime - 60, 0))
        return token


def _field(reply: httpx.Response, name: str) -> object:
    try:
        value = reply.json()[name]
    except (ValueError, KeyError, TypeError):
        raise AlertError(f"Teams answered without '{name}'") from None
    if not value and name != "expires_in":
        raise AlertError(f"Teams answered without '{name}'")
    return value
