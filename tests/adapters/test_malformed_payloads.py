"""Payloads no platform sends, which the SDKs would fail on mid-request (found by tests/fuzz): each adapter
names what is wrong before the SDK sees them (known answers)."""

from __future__ import annotations

from telegram import Bot, Update

from bot.adapters.slack import malformed
from bot.adapters.teams import invalid_activity
from bot.adapters.telegram import unusable

ACTIVITY = {"type": "message", "id": "1", "from": {"id": "29:x"}, "conversation": {"id": "c"},
            "recipient": {"id": "28:b"}, "channelId": "msteams", "serviceUrl": "https://smba.example/", "text": "hi"}
USER = {"id": 4242, "is_bot": False, "first_name": "Sam"}


def test_slack_payloads_of_the_wrong_shape_are_named() -> None:
    mention = {"type": "app_mention", "channel": "C1", "ts": "1.2", "text": "hi", "user": "U1"}
    assert malformed({"type": "event_callback", "event": mention}) == ""
    assert "text" in malformed({"type": "event_callback", "event": {**mention, "text": True}})
    assert "channel" in malformed({"type": "event_callback", "event": {k: v for k, v in mention.items() if k != "channel"}})
    assert malformed({"type": "event_callback", "event": None}) == "event is not an object"
    assert malformed({"command": "/policy", "user_id": "U1", "text": "x"}) == ""
    assert "user_id" in malformed({"command": "/policy", "user_id": ["U1"]})
    assert malformed({"type": "block_actions", "user": {"id": "U1"}, "actions": [{}]}) == ""
    assert "actions" in malformed({"type": "block_actions", "user": {"id": "U1"}, "actions": "x"})
    assert "user" in malformed({"type": "block_actions", "user": [], "actions": []})


def test_teams_activities_the_sdk_cannot_read_are_named() -> None:
    assert invalid_activity(ACTIVITY) == ""
    assert invalid_activity({**ACTIVITY, "timestamp": "yesterday"}) == "ValidationError"
    assert invalid_activity({**ACTIVITY, "from": []}) == "ValidationError"
    assert invalid_activity({**ACTIVITY, "id": {}}) == "ValidationError"


def test_telegram_updates_without_a_chat_or_a_sender_are_named() -> None:
    bot = Bot("123456:" + "a" * 35)
    message = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "from": USER, "text": "hello"}
    assert unusable(Update.de_json({"update_id": 1, "message": message}, bot)) == ""
    no_chat = {k: v for k, v in message.items() if k != "chat"}
    assert unusable(Update.de_json({"update_id": 1, "message": no_chat}, bot)) == "a message without a chat"
    press = {"id": "1", "chat_instance": "c", "data": "x"}
    assert unusable(Update.de_json({"update_id": 1, "callback_query": press}, bot)) == "a button press without a sender"
    assert unusable(Update.de_json({"update_id": 1, "callback_query": {**press, "from": USER}}, bot)) == ""


def test_slack_top_level_fields_of_the_wrong_shape_are_named() -> None:
    from bot.adapters.slack import malformed_json

    assert malformed_json('{"type": "x", "event": []}') == "event is not an object"
    assert "team_id" in malformed_json('{"type": "event_callback", "team_id": {}, "event": {}}')
    assert malformed_json('{"authorizations": [1]}') == "authorizations are not a list of objects"
    assert malformed_json('{"type": "url_verification", "challenge": "abc"}') == ""
    assert malformed_json("token=x&command=%2Fpolicy") == ""  # a form: not JSON
