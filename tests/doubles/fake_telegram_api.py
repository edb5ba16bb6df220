"""A fake Telegram Bot API on 127.0.0.1 for end-to-end tests of the real python-telegram-bot stack.

It answers getMe, getUpdates (long polling over updates queued with `push`), sendMessage,
sendChatAction, answerCallbackQuery, editMessageReplyMarkup, setWebhook, deleteWebhook and
getWebhookInfo, and records every call (method and form parameters, as PTB sends them) for assertions.
Payload builders for the updates Telegram would send are at the bottom.

    with FakeTelegramApi() as api:
        settings = settings.model_copy(update={"telegram_token": SecretStr(TOKEN), "telegram_api_url": api.url})
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:TEST-fake-token"
BOT_ID = 123456
BOT_USERNAME = "policybot_test_bot"
MAX_LONG_POLL_S = 2.0  # a long poll is cut short here so that a stopping bot never waits long


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, str]  # as sent: strings as they are, everything else JSON-encoded

    def json(self, name: str) -> Any:
        return json.loads(self.params[name])


class FakeTelegramApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.webhook_url = ""
        self._updates: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self._closing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-telegram-api", daemon=True)

    @property
    def url(self) -> str:
        """The base URL for ApplicationBuilder().base_url (PTB appends the token)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def __enter__(self) -> FakeTelegramApi:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- for tests --------------------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (its update_id is assigned here); returns the id."""
        with self._changed:
            update = {**update, "update_id": next(self._ids)}
            self._updates.append(update)
            self._changed.notify_all()
            return int(update["update_id"])

    def sent(self, method: str = "sendMessage") -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str = "sendMessage", count: int = 1, timeout: float = 15.0) -> list[Call]:
        """Block until *count* calls of *method* have arrived; AssertionError after *timeout* seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [c for c in self.calls if c.method == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} {method} calls after {timeout}s, expected {count}: "
                                         f"{[c.method for c in self.calls]}")
                self._changed.wait(left)
            return found

    # --- the API --------------------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._changed:
            self.calls.append(Call(method, params))
            self._changed.notify_all()
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        problem = _check(method, params)
        if problem:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {problem}"}
        answer = self._answer(method, params)
        if answer is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        return 200, {"ok": True, "result": answer}

    def _answer(self, method: str, params: dict[str, str]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Policybot", "username": BOT_USERNAME,
                    "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False}
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            return {"message_id": 10_000 + len(self.sent()), "date": int(time.time()), "text": params["text"],
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Policybot", "username": BOT_USERNAME}}
        if method == "setWebhook":
            self.webhook_url = params.get("url", "")
            return True
        if method == "deleteWebhook":
            self.webhook_url = ""
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}
        if method in ("sendChatAction", "answerCallbackQuery", "editMessageReplyMarkup"):
            return True
        return None

    def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        """Updates from *offset* on, waiting up to the poll's timeout for one to arrive."""
        offset = int(params.get("offset", "0") or 0)
        wait = min(float(params.get("timeout", "0") or 0), MAX_LONG_POLL_S)
        deadline = time.monotonic() + wait
        with self._changed:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if self._updates or self._closing or left <= 0:
                    return list(self._updates)
                self._changed.wait(left)


def _check(method: str, params: dict[str, str]) -> str:
    """The Bot API's limits that a bot can break: what is wrong, or "" (lengths as PTB sends them,
    so a text over the limit in HTML is refused even if its parsed text would not be)."""
    if method == "sendMessage" and not 1 <= len(params.get("text", "").encode("utf-16-le")) // 2 <= 4096:
        return "message is too long" if params.get("text") else "message text is empty"
    if method == "answerCallbackQuery" and len(params.get("text", "")) > 200:
        return "MESSAGE_TOO_LONG"
    rows = json.loads(params["reply_markup"]).get("inline_keyboard", []) if "reply_markup" in params else []
    if any(not 1 <= len(b.get("callback_data", "x").encode()) <= 64 for row in rows for b in row):
        return "BUTTON_DATA_INVALID"
    return ""


def _handler_for(api: FakeTelegramApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            token, _, method = self.path.removeprefix("/bot").partition("/")
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if token != api.token:
                status, payload = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            else:
                status, payload = api.handle(method, dict(parse_qsl(body, keep_blank_values=True)))
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the bot gave up on a long poll: fine
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet test output)
            pass

    return Handler


# --- the updates Telegram sends ---------------------------------------------------------------
_message_ids = itertools.count(1)


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"Staff {user_id}", "language_code": "en"}


def message(user_id: int, text: str, chat_id: int | None = None, reply_to_bot: bool = False) -> dict[str, Any]:
    """A text message update; a negative chat id is a group. Commands carry their bot_command entity,
    mentions of the bot their mention entity, as Telegram sends them."""
    chat_id = user_id if chat_id is None else chat_id
    chat = ({"id": chat_id, "type": "private", "first_name": f"Staff {user_id}"} if chat_id > 0
            else {"id": chat_id, "type": "group", "title": "Staffroom"})
    msg: dict[str, Any] = {"message_id": next(_message_ids), "date": int(time.time()), "chat": chat,
                           "from": user(user_id), "text": text}
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    mention = f"@{BOT_USERNAME}"
    if mention in text:
        entities.append({"type": "mention", "offset": _utf16_offset(text, text.index(mention)),
                         "length": len(mention)})
    if entities:
        msg["entities"] = entities
    if reply_to_bot:
        msg["reply_to_message"] = {"message_id": 9_999, "date": int(time.time()), "chat": chat,
                                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Policybot",
                                            "username": BOT_USERNAME}, "text": "an earlier answer"}
    return {"message": msg}


def callback(user_id: int, data: str, chat_id: int | None = None, message_id: int = 10_000) -> dict[str, Any]:
    """A press of an inline button under the bot's message *message_id*."""
    chat_id = user_id if chat_id is None else chat_id
    bot_message = {"message_id": message_id, "date": int(time.time()), "text": "an answer",
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Policybot", "username": BOT_USERNAME}}
    return {"callback_query": {"id": f"cq{next(_message_ids)}", "from": user(user_id), "chat_instance": "ci",
                               "data": data, "message": bot_message}}


def _utf16_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2
