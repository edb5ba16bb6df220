"""Teams adapter tests: Activity JSON posted to /api/messages on our own server, replies caught by a fake
Bot Framework connector on 127.0.0.1 (tests.doubles.fake_teams_connector)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.adapters import teams
from bot.config import Settings
from bot.core.chat import ChatService
from bot.runtime import Runtime
from bot.server import build_app
from tests.doubles.fake_teams_connector import FakeConnector, fake_teams_connector

BOT = {"id": "28:policybot-bot", "name": "policybot"}
USER = {"id": "29:sam-teams-id", "name": "Sam Teacher", "aadObjectId": "aad-sam"}
APP_ID = "00000000-0000-4000-8000-00000000b075"
# With the hashing embedder these are answered for Stone Bay School (tests/adapters/conftest.py says why).
ANSWERABLE = "a parent messaged me on my personal facebook account, what should I do?"
EXPECTED_QUOTE = "Any communication from learners and parents/carers received on personal social media"
HOSTILE_QUESTION = "what do I do with a script alert message that says channel?"


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    with fake_teams_connector() as fake:
        yield fake


def chat_of(runtime: Runtime) -> ChatService:
    assert runtime.chat is not None
    return runtime.chat


def dev_settings(runtime: Runtime) -> Settings:
    """Local testing: development, unauthenticated requests allowed, no credentials."""
    return runtime.settings.model_copy(update={"environment": "development", "teams_allow_unauthenticated": True})


def auth_settings(runtime: Runtime) -> Settings:
    return runtime.settings.model_copy(update={"environment": "production", "teams_app_id": APP_ID,
                                               "teams_app_password": SecretStr("not-a-real-secret"),
                                               "teams_allow_unauthenticated": False})


@contextmanager
def serve(runtime: Runtime, adapter: teams.TeamsAdapter) -> Iterator[TestClient]:
    """Our server with only this adapter, its lifespan running (the adapter started and, after, stopped)."""
    with TestClient(build_app(runtime, chores=False, adapters=[adapter])) as client:
        yield client


# Every message activity the Bot Framework delivers has an id of its own (one delivered again keeps its id,
# and is handled once: bot.adapters.teams).
_MESSAGE_IDS = itertools.count(1)


def message(connector: FakeConnector, text: str, *, tenant: str = "tenant-stone", mention: bool = True,
            value: Any = None, conversation: str = "a:personal-chat-1", msg_id: str | None = None) -> dict[str, Any]:
    """A Teams message activity as the Bot Framework delivers it (a new id unless *msg_id*)."""
    activity: dict[str, Any] = {
        "type": "message", "id": msg_id or f"msg-auto-{next(_MESSAGE_IDS)}", "channelId": "msteams", "serviceUrl": connector.url + "/",
        "timestamp": "2026-11-21T09:00:00.000Z", "locale": "en-GB", "from": USER, "recipient": BOT,
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        "text": f"<at>{BOT['name']}</at> {text}" if mention else text,
    }
    if mention:
        activity["entities"] = [{"type": "mention", "text": f"<at>{BOT['name']}</at>", "mentioned": BOT}]
    if value is not None:
        activity["value"] = value
    return activity


def card_action(connector: FakeConnector, data: dict[str, Any], *, tenant: str = "tenant-stone",
                verb: str = "feedback") -> dict[str, Any]:
    """The invoke Teams sends when someone presses an Action.Execute button."""
    return {"type": "invoke", "name": "adaptiveCard/action", "id": "invoke-1", "channelId": "msteams",
            "serviceUrl": connector.url + "/", "from": USER, "recipient": BOT,
            "conversation": {"id": "a:personal-chat-1", "conversationType": "personal", "tenantId": tenant},
            "channelData": {"tenant": {"id": tenant}},
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}}


def sent_cards(connector: FakeConnector) -> list[dict[str, Any]]:
    return [a["content"] for r in connector.activities for a in (r.body or {}).get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]


def texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock text and fact in the card, depth first."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for fact in node.get("facts") or []:
                found.extend([fact["title"], fact["value"]])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card.get("body"))
    return found


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name lookups of anything but this machine fail: an SDK call to a real Microsoft endpoint would too."""
    import socket

    real = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise OSError(f"test tried to reach {host!r}: nothing may touch the internet")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
