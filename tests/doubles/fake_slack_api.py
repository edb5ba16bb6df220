"""A local stand-in for Slack on 127.0.0.1, in its own thread (after bolt-python's
tests/mock_web_api_server): the Web API methods policybot uses, response_url targets for slash commands
and buttons, and a Socket Mode WebSocket. Every call is recorded for the test to inspect; messages are
checked against Slack's Block Kit limits and refused as Slack would (`invalid_blocks`).

    with FakeSlackApi() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.url)
        ...
        [call] = slack.wait_for("chat.postMessage")
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
SECTION_LIMIT = 3000
MAX_BLOCKS = 50


@dataclass(frozen=True)
class ApiCall:
    method: str  # "chat.postMessage", ..., "response_url" (a respond()), "socket.ack" (a Socket Mode ack)
    params: dict[str, Any]
    token: str = ""  # the bearer token the call carried ("" for response_url posts)
    path: str = ""  # for response_url: the name after /respond/


@dataclass
class _State:
    calls: list[ApiCall] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)


class FakeSlackApi:
    def __init__(self, team_id: str = "T_STONE") -> None:
        self.team_id = team_id
        self.emails: dict[str, str] = {}  # users.info: user id -> the profile's e-mail (users:read.email)
        self._state = _State()
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slack", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------------
    def __enter__(self) -> FakeSlackApi:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info is a GET in slack_sdk
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        for ws in list(self._state.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests use --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The Web API base URL (Settings.slack_api_url)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "command") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def fail(self, method: str, error: str) -> None:
        """Make *method* answer `{"ok": false, "error": error}` from now on."""
        self._state.failures[method] = error

    @property
    def calls(self) -> list[ApiCall]:
        with self._changed:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[ApiCall]:
        """The calls to *method* once there are at least *count* of them (AssertionError after *timeout*)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [c for c in self._state.calls if c.method == method]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._state.calls]
                    raise AssertionError(f"expected {count} call(s) to {method}; calls so far: {seen}")
                self._changed.wait(left)
            return found

    def send_envelope(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        """Push a Socket Mode envelope (kind "events_api", "slash_commands", "interactive") to the app."""
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": ""}
        future = asyncio.run_coroutine_threadsafe(self._push(envelope), self._loop)
        future.result(timeout=10)

    def wait_for_socket(self, connected: bool = True, timeout: float = 15.0) -> None:
        """Until the app holds a Socket Mode connection (or, with connected=False, holds none)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while bool(self._state.sockets) != connected:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"Socket Mode connection still {'closed' if connected else 'open'}")
                self._changed.wait(left)

    # -- the server ------------------------------------------------------------------------------------
    def _record(self, call: ApiCall) -> None:
        with self._changed:
            self._state.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or str(params.get("token", ""))
        self._record(ApiCall(method, params, token=token))
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        if method in self._state.failures:
            return web.json_response({"ok": False, "error": self._state.failures[method]})
        problem = _block_problem(params)
        if problem:
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": [problem]})
        return web.json_response(self._result(method, params))

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"{time.time():.6f}"
        results: dict[str, dict[str, Any]] = {
            "auth.test": {"url": "https://stone-bay.slack.example/", "team": "Stone Bay", "user": "policybot",
                          "team_id": self.team_id, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
                          "is_enterprise_install": False},
            "chat.postMessage": {"channel": params.get("channel"), "ts": ts, "message": {"text": params.get("text")}},
            "chat.postEphemeral": {"message_ts": ts},
            "views.publish": {"view": {"id": "V1", **(params.get("view") or {})}},
            "assistant.threads.setStatus": {},
            "apps.connections.open": {"url": f"ws://127.0.0.1:{self.port}/link"},
            "users.info": {"user": {"id": params.get("user"), "team_id": self.team_id, "profile": (
                {"email": self.emails[params["user"]]} if params.get("user") in self.emails else {})}},
        }
        if method not in results:
            return {"ok": False, "error": "unknown_method"}
        return {"ok": True, **results[method]}

    async def _respond(self, request: web.Request) -> web.Response:
        params = await _params(request)
        self._record(ApiCall("response_url", params, path=request.match_info["name"]))
        problem = _block_problem(params)
        return web.Response(status=400 if problem else 200, text=problem or "ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with self._changed:
            self._state.sockets.append(ws)
            self._changed.notify_all()
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self._record(ApiCall("socket.ack", json.loads(message.data)))
        with self._changed:
            self._state.sockets.remove(ws)
            self._changed.notify_all()
        return ws

    async def _push(self, envelope: dict[str, Any]) -> None:
        for ws in list(self._state.sockets):
            await ws.send_json(envelope)


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's arguments, JSON or form-encoded (blocks and views are JSON inside a form)."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = {k: str(v) for k, v in (await request.post()).items()} if request.method == "POST" else \
        dict(request.query)
    for key in ("blocks", "view", "payload"):
        if key in form:
            form[key] = json.loads(form[key])
    return form


def _block_problem(params: dict[str, Any]) -> str:
    """Why Slack would refuse these blocks ("" if it would not)."""
    blocks = params.get("blocks")
    if isinstance(params.get("view"), dict):
        blocks = params["view"].get("blocks")
    if not blocks:
        return ""
    if len(blocks) > MAX_BLOCKS:
        return f"{len(blocks)} blocks (at most {MAX_BLOCKS})"
    for n, block in enumerate(blocks):
        texts = [block.get("text") or {}] + list(block.get("elements") or [])
        for text in texts:
            if isinstance(text, dict) and len(str(text.get("text", ""))) > SECTION_LIMIT:
                return f"block {n}: text longer than {SECTION_LIMIT} characters"
        if block.get("type") == "context" and len(block.get("elements") or []) > 10:
            return f"block {n}: more than 10 context elements"
    return ""
