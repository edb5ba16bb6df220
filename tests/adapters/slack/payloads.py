"""Slack payloads as Slack sends them (Events API JSON, slash command and interactivity forms), and the
signed request bolt expects: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
STONE = "T_STONE"

Payload = dict[str, Any]
# Slack gives every command and button press a trigger id of its own (and a press its action_ts): two
# presses of one button are two different requests, never a replay of one (bot.adapters.slack).
_TRIGGERS = itertools.count(1)


def _trigger_id() -> str:
    return f"1.2.{next(_TRIGGERS)}"


def signed_headers(body: str, content_type: str, secret: str = SECRET, timestamp: int | None = None,
                   retry: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"content-type": content_type, "x-slack-request-timestamp": ts,
               "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""}
    if retry is not None:
        headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
    return headers


def event_callback(event: Payload, event_id: str, team: str = STONE) -> Payload:
    return {"token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}]}


def mention(text: str, ts: str = "1700000000.000100", user: str = "U_ASKER", team: str = STONE,
            channel: str = "C_STAFF") -> Payload:
    return {"type": "app_mention", "user": user, "team": team, "text": f"<@UBOT> {text}", "ts": ts,
            "channel": channel, "event_ts": ts}


def direct_message(text: str, ts: str = "1700000000.000200", user: str = "U_ASKER", team: str = STONE,
                   **more: Any) -> Payload:
    return {"type": "message", "channel_type": "im", "channel": "D_ASKER", "user": user, "team": team,
            "text": text, "ts": ts, "event_ts": ts, **more}


def home_opened(user: str = "U_ASKER") -> Payload:
    return {"type": "app_home_opened", "user": user, "channel": "D_ASKER", "tab": "home",
            "event_ts": "1700000000.000300"}


def command_form(text: str, response_url: str, team: str = STONE, user: str = "U_ASKER",
                 command: str = "/policy") -> str:
    return urlencode({"token": "legacy", "team_id": team, "team_domain": "stone-bay", "channel_id": "C_STAFF",
                      "channel_name": "staff", "user_id": user, "user_name": "asker", "command": command,
                      "text": text, "api_app_id": "A1", "response_url": response_url, "trigger_id": _trigger_id()})


def button_form(action_id: str, value: str, response_url: str, team: str = STONE, user: str = "U_ASKER",
                thread_ts: str | None = "1700000000.000100", channel: str = "C_STAFF", ephemeral: bool = False,
                block_id: str = "policybot_feedback") -> str:
    """A button press under one of the bot's messages: in *thread_ts* of *channel* (None: not in a
    thread, as in a DM), or under an ephemeral message (which Slack sends without the message)."""
    container = {"type": "message", "message_ts": "1700000001.000100", "channel_id": channel,
                 "is_ephemeral": ephemeral, **({"thread_ts": thread_ts} if thread_ts else {})}
    message = {"type": "message", "ts": "1700000001.000100", "text": "answer",
               **({"thread_ts": thread_ts} if thread_ts else {})}
    payload = {"type": "block_actions", "team": {"id": team, "domain": "stone-bay"},
               "user": {"id": user, "username": "asker", "team_id": team}, "api_app_id": "A1",
               "container": container, "channel": {"id": channel, "name": "staff"}, "trigger_id": _trigger_id(),
               "response_url": response_url, **({} if ephemeral else {"message": message}),
               "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                            "value": value, "action_ts": "1700000002.000100"}]}
    return urlencode({"payload": json.dumps(payload)})
