"""The Slack adapter: bolt's AsyncApp on the one server (HTTP mode, POST /slack/events) or over Socket
Mode (an app-level token; no public URL). It only translates: a mention, direct message, `/policy`
command or feedback button becomes `ChatService.handle/feedback(Sender, text)`, and the Reply becomes a
Slack message (bot.adapters.slack_blocks). Who may ask, what to answer and every log entry are the chat
service's business.

    Slack ─▶ bolt (signature, ack, auth.test) ─▶ SlackListeners ─▶ ChatService (in a worker thread)
                                                       │
                    chat.postMessage / respond() ◀─────┘ slack_blocks.render(reply)

Induction: `/induction…` typed after an @mention or in a direct message is just text for the chat service,
and so is `/policy induction…` (Slack's composer keeps a leading `/` for its own commands). A step carries
one button per step button; a press goes to `ChatService.induction_action`, and the next step is posted
where the pressed one was (its thread or DM; through response_url for an ephemeral /policy step).

Bolt acknowledges events at once and runs listeners in the background, so Slack never waits for an
answer; ChatService is synchronous and CPU-bound, so it runs in a worker thread and the event loop stays
free. Slack re-sends an event it thinks was missed (x-slack-retry-num, signed afresh each time); a bounded
memory of event ids makes sure nobody gets a second answer. A signed request sent again as it was (a
replay: same timestamp, same signature, accepted by the signature check for 5 minutes) is acknowledged
and otherwise ignored, whatever it is: command, event or button (SeenSignatures). The server gives both
guards the runtime's deliveries (bot.core.deliveries, kept in the database: SharedEvents,
SharedSignatures), so that replicas sharing a database, and one replica across a restart, answer an event
once; without them (unit tests) each guard is a bounded memory in this process.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import heapq
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import parse_qs

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.adapters.log_privacy import withhold
from bot.request_limits import too_deep
from bot.adapters.slack_blocks import (ACTION_HELPFUL, ACTION_INDUCTION, ACTION_NOT_HELPFUL, SlackMessage, home_view,
                                       incoming_text, render)
from bot.alerts.quiet_logs import mask_secrets
from bot.config import Settings
from bot.core.chat import SORRY, ChatService, Reply, Sender
from bot.core.deliveries import Deliveries, delivery_key, off_loop
from bot.errors import ConfigError

log = logging.getLogger(__name__)

Payload = dict[str, Any]
THINKING = "is looking that up…"
ACKNOWLEDGED = "Looking that up…"
REMEMBERED_EVENTS = 4096  # Slack retries within ~5 minutes; this covers far more than that at school volumes
DELIVERY_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)
# slack_sdk's SignatureVerifier accepts a request whose timestamp is within 5 minutes of now, either side;
# a replay is possible only inside that window, so a signature need be remembered no longer (plus a margin
# for the moment between bolt's check and ours).
REPLAY_WINDOW = 5 * 60 + 5
# Signed requests are Slack's own traffic (forged ones never get this far): at 50,000 in ten minutes a
# school would be sending 80 a second. Past the cap the soonest to expire are forgotten first.
REMEMBERED_SIGNATURES = 50_000
# Slack retries an event three times within about 5 minutes; an hour also covers a replica's restart.
EVENT_TTL = 3600.0


class SeenEvents:
    """The ids of the last *size* events, oldest forgotten first (a bounded LRU)."""

    def __init__(self, size: int = REMEMBERED_EVENTS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()  # called from worker threads (the middleware, off_loop)

    def first_time(self, event_id: str) -> bool:
        """True the first time *event_id* is seen (and remember it); False for a re-delivery."""
        with self._lock:
            if event_id in self._ids:
                self._ids.move_to_end(event_id)
                return False
            self._ids[event_id] = None
            if len(self._ids) > self.size:
                self._ids.popitem(last=False)
            return True


class SeenSignatures:
    """The signed requests already accepted, each remembered (as a hash of its timestamp and signature)
    until its timestamp is too old for the signature check to accept it again; at most *size* of them.

    In process memory: the default without a database (SharedSignatures is the server's)."""

    def __init__(self, window: float = REPLAY_WINDOW, size: int = REMEMBERED_SIGNATURES,
                 clock: Callable[[], float] = time.time) -> None:
        self.window = window
        self.size = size
        self.clock = clock
        self._expiry: dict[str, float] = {}
        self._by_expiry: list[tuple[float, str]] = []  # a heap: the soonest to expire first
        self._warned = False
        self._lock = threading.Lock()  # called from worker threads (the middleware, asyncio.to_thread)

    def __len__(self) -> int:
        return len(self._expiry)

    def first_time(self, timestamp: str, signature: str) -> bool:
        """True the first time this (timestamp, signature) is seen, and remember it; False for a replay."""
        with self._lock:
            return self._first_time(timestamp, signature)

    def _first_time(self, timestamp: str, signature: str) -> bool:
        now = self.clock()
        self._forget_expired(now)
        key = hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
        if key in self._expiry:
            return False
        try:
            expires = float(int(timestamp)) + self.window
        except ValueError:  # bolt refuses such a request before we see it; remember it the longest anyway
            expires = now + 2 * self.window
        expires = max(expires, now)
        self._expiry[key] = expires
        heapq.heappush(self._by_expiry, (expires, key))
        while len(self._expiry) > self.size:
            _, oldest = heapq.heappop(self._by_expiry)
            self._expiry.pop(oldest, None)
            if not self._warned:
                self._warned = True
                log.warning("more than %d signed Slack requests in %d s: the oldest are forgotten early",
                            self.size, self.window)
        return True

    def _forget_expired(self, now: float) -> None:
        while self._by_expiry and self._by_expiry[0][0] < now:
            _, key = heapq.heappop(self._by_expiry)
            self._expiry.pop(key, None)


class SharedEvents:
    """SeenEvents over *deliveries* shared by the replicas (and kept across a restart)."""

    def __init__(self, deliveries: Deliveries, ttl: float = EVENT_TTL) -> None:
        self.deliveries = deliveries
        self.ttl = ttl

    def first_time(self, event_id: str) -> bool:
        return self.deliveries.first_time("slack", f"event:{event_id}", self.ttl)


class SharedSignatures:
    """SeenSignatures over *deliveries* shared by the replicas: each signed request remembered until the
    signature check would refuse it anyway."""

    def __init__(self, deliveries: Deliveries, window: float = REPLAY_WINDOW,
                 clock: Callable[[], float] = time.time) -> None:
        self.deliveries = deliveries
        self.window = window
        self.clock = clock

    def first_time(self, timestamp: str, signature: str) -> bool:
        key = hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
        try:
            ttl = float(int(timestamp)) + self.window - self.clock()
        except ValueError:  # bolt refuses such a request before we see it; remember it the longest anyway
            ttl = 2 * self.window
        return self.deliveries.first_time("slack", f"signature:{key}", max(ttl, 0.0))


class _EventGuard(Protocol):
    def first_time(self, event_id: str) -> bool: ...


class _ReplayGuard(Protocol):
    def first_time(self, timestamp: str, signature: str) -> bool: ...


class SlackListeners:
    """Bolt listeners: Slack payloads in, ChatService calls, Slack messages out."""

    def __init__(self, chat: ChatService, seen: _EventGuard | None = None,
                 signatures: _ReplayGuard | None = None) -> None:
        self.chat = chat
        self.seen = seen or SeenEvents()
        self.signatures = signatures or SeenSignatures()

    def register(self, app: AsyncApp) -> None:
        # Bolt runs its own middleware (the signature check first) before any registered here: only
        # requests signed with our secret are ever remembered, so forged ones cannot fill the memory.
        app.middleware(self.no_replays)
        app.middleware(self.well_formed)
        app.middleware(self.dedupe)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home)
        app.command("/policy")(self.on_command)
        app.command("/induction")(self.on_command)
        app.action(ACTION_HELPFUL)(self.on_feedback)
        app.action(ACTION_NOT_HELPFUL)(self.on_feedback)
        app.action(re.compile(f"^{re.escape(ACTION_INDUCTION)}"))(self.on_induction)
        app.error(self.on_error)

    async def no_replays(self, req: AsyncBoltRequest, body: Payload,
                         next_: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Acknowledge a signed HTTP request seen before (same timestamp and signature) and do nothing
        else: no answer, no log entry. Socket Mode requests carry no signature and pass."""
        if req.mode == "http":
            timestamp = (req.headers.get("x-slack-request-timestamp") or [""])[0]
            signature = (req.headers.get("x-slack-signature") or [""])[0]
            # In a thread (off_loop): a shared guard asks the database, and the event loop serves others meanwhile.
            if timestamp and signature and not await off_loop(self.signatures.first_time, timestamp, signature):
                log.info("ignored a replayed Slack %s (a signed request already handled)", _kind(body))
                return BoltResponse(status=200, body="")
        await next_()
        return None

    async def well_formed(self, body: Payload, next_: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Acknowledge a payload whose fields have shapes Slack never sends (a signed request can still be
        junk) and handle it no further: one warning line, no traceback, nobody answered."""
        problem = malformed(body)
        if problem:
            log.warning("ignored a malformed Slack %s: %s", _kind(body), problem)
            return BoltResponse(status=200, body="")
        await next_()
        return None

    async def dedupe(self, body: Payload, next_: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Acknowledge a re-delivered event (same event_id, same app and workspace) without handling it
        again."""
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not await off_loop(
                self.seen.first_time, delivery_key(_text(body.get("api_app_id")), _text(body.get("team_id")),
                                                   event_id)):
            log.info("ignored a re-delivery of Slack event %s", event_id)
            return BoltResponse(status=200, body="")
        await next_()
        return None

    async def on_mention(self, event: Payload, body: Payload, context: AsyncBoltContext,
                         client: AsyncWebClient) -> None:
        """@policybot in a channel: answer in the message's thread."""
        if event.get("bot_id") or event.get("subtype"):
            return
        thread_ts = event.get("thread_ts") or event["ts"]
        text = incoming_text(event.get("text", ""), context.bot_user_id)
        await self._answer(client, _event_sender(event, body), text, event["channel"], thread_ts)

    async def on_message(self, event: Payload, body: Payload, context: AsyncBoltContext,
                         client: AsyncWebClient) -> None:
        """A direct message (not an edit, a bot's message or any other subtype): answer it, in its
        thread when it was written in one."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        text = incoming_text(event.get("text", ""), context.bot_user_id)
        await self._answer(client, _event_sender(event, body), text, event["channel"], event.get("thread_ts"))

    async def on_command(self, ack: AsyncAck, command: Payload, respond: AsyncRespond) -> None:
        """`/policy <question>` (or `/induction`): acknowledged at once, answered privately (only the asker
        sees it)."""
        await ack(text=ACKNOWLEDGED, response_type="ephemeral")
        sender = Sender("slack", command["user_id"], workspace=command.get("team_id", ""))
        typed = incoming_text(command.get("text", ""))
        if command.get("command") == "/induction":  # "/induction", "/induction session", "/induction end"
            typed = f"/induction {typed}".strip()
        reply = await self._handle(sender, command_text(typed))
        message = render(reply)
        await respond(text=message.text, blocks=list(message.blocks) or None, response_type="ephemeral",
                      replace_original=False, unfurl_links=False, unfurl_media=False)

    async def on_feedback(self, ack: AsyncAck, body: Payload, action: Payload, client: AsyncWebClient,
                          respond: AsyncRespond) -> None:
        """Helpful / Not helpful: kept against the answer's log entry; the clicker is thanked privately."""
        await ack()
        user = body["user"]
        sender = Sender("slack", user["id"], workspace=user.get("team_id") or (body.get("team") or {}).get("id", ""))
        reply = await asyncio.to_thread(self.chat.feedback, sender, str(action.get("value", "")),
                                        action["action_id"] == ACTION_HELPFUL)
        await _tell_privately(body, client, respond, render(reply).text)

    async def on_induction(self, ack: AsyncAck, body: Payload, action: Payload, client: AsyncWebClient,
                           respond: AsyncRespond) -> None:
        """An induction button: the next step goes where the pressed one is; a refusal (or anything
        else without a step) only to whoever pressed."""
        await ack()
        user = body["user"]
        sender = Sender("slack", user["id"], workspace=user.get("team_id") or (body.get("team") or {}).get("id", ""))
        value = str(action.get("value") or str(action.get("action_id", "")).removeprefix(ACTION_INDUCTION))
        reply = await asyncio.to_thread(self.chat.induction_action, sender, value)
        message = render(reply)
        if reply.step is None:
            await _tell_privately(body, client, respond, message.text)
            return
        channel = (body.get("channel") or {}).get("id")
        container = body.get("container") or {}
        if channel and not container.get("is_ephemeral"):
            thread_ts = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
            await _post(client, channel, thread_ts, message)
        else:
            await respond(text=message.text, blocks=list(message.blocks) or None, response_type="ephemeral",
                          replace_original=False, unfurl_links=False, unfurl_media=False)

    async def on_home(self, event: Payload, body: Payload, client: AsyncWebClient) -> None:
        """The App Home tab: help, published whenever someone opens it."""
        if event.get("tab", "home") != "home":
            return
        reply = await self._handle(_event_sender(event, body), "help")
        await client.views_publish(user_id=event["user"], view=home_view(reply.text))

    async def on_error(self, error: Exception, body: Payload, client: AsyncWebClient,
                       respond: AsyncRespond) -> None:
        """Anything that went wrong while answering: logged, and the person told politely."""
        log.error("Slack %s failed", _kind(body), exc_info=error)
        event = body.get("event") or {}
        try:
            if body.get("response_url"):
                await respond(text=SORRY, response_type="ephemeral", replace_original=False)
            elif event.get("channel") and event.get("type") in ("app_mention", "message"):
                thread_ts = event.get("thread_ts") or (event.get("ts") if event["type"] == "app_mention" else None)
                await client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, text=SORRY)
        except DELIVERY_ERRORS:
            log.exception("could not tell the Slack user that their %s failed", _kind(body))

    async def _answer(self, client: AsyncWebClient, sender: Sender, text: str, channel: str,
                      thread_ts: str | None) -> None:
        if thread_ts:
            await _thinking(client, channel, thread_ts)
        message = render(await self._handle(sender, text or "help"))  # a bare @policybot: the help
        await _post(client, channel, thread_ts, message)
        if self.chat.identities is not None:  # who they are, in the background once answered
            self.chat.identities.spawn(sender, lambda: _email_of(client, sender.user_id))

    async def _handle(self, sender: Sender, text: str) -> Reply:
        return await asyncio.to_thread(self.chat.handle, sender, text)  # CPU-bound: off the event loop


class SlackAdapter:
    """The Adapter the server mounts: a route in HTTP mode; a Socket Mode connection otherwise."""

    name = "slack"

    def __init__(self, app: AsyncApp, app_token: str = "", listeners: SlackListeners | None = None) -> None:
        self.app = app
        self.app_token = app_token
        self.listeners = listeners
        self._http = AsyncSlackRequestHandler(app)
        self._socket: AsyncSocketModeHandler | None = None

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def routes(self) -> list[BaseRoute]:
        return [] if self.socket_mode else [Route("/slack/events", self._endpoint, methods=["POST"])]

    async def start(self) -> None:
        if self.socket_mode:  # made here, inside the server's event loop, which its client binds to
            self._socket = AsyncSocketModeHandler(self.app, self.app_token)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        if self.listeners is not None and self.listeners.chat.identities is not None:
            await self.listeners.chat.identities.drain()  # users.info lookups in flight finish first
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None

    async def _endpoint(self, request: Request) -> Response:
        """Requests bolt would fail on before it checks the signature (a timestamp that is not a number, a
        body that is not UTF-8) are refused here as unsigned: 401, never a 500 with a traceback."""
        timestamp = request.headers.get("x-slack-request-timestamp", "").strip()
        if not (timestamp.isascii() and timestamp.isdigit()):  # "²".isdigit(), and int("²") fails
            return Response("invalid request", status_code=401)
        try:
            raw = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            return Response("invalid request", status_code=401)
        payload = parse_qs(raw).get("payload", [""])[0] if "payload=" in raw else ""
        if too_deep(payload.encode("utf-8")):  # JSON inside a form: request_limits saw only %5B%5B…
            return Response("invalid request", status_code=400)
        problem = malformed_json(payload or raw) if (payload or raw.lstrip()[:1] == "{") else ""
        if problem:  # bolt's own middleware reads these fields before any listener (or ours) runs
            log.warning("refused a malformed Slack request (%s)", problem)
            return Response("invalid request", status_code=400)
        try:
            return await self._http.handle(request)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
            # bolt reads the body's fields before its listeners (and error handler) run: junk in a
            # request is the sender's mistake, refused in one line, not a 500 with a traceback.
            log.warning("refused a malformed Slack request (%s)", exc.__class__.__name__)
            return Response("invalid request", status_code=400)


def build(settings: Settings, chat: ChatService, deliveries: Deliveries | None = None) -> SlackAdapter:
    """The Slack adapter for *settings*: Socket Mode when an app token is set, HTTP mode otherwise (the
    signing secret is then required: bolt answers 401 to anything not signed with it). With *deliveries*
    (the runtime's, shared by the replicas) re-deliveries and replays are recognised by any replica;
    without, by this process only."""
    token = settings.slack_bot_token.get_secret_value()
    secret = settings.slack_signing_secret.get_secret_value()
    app_token = settings.slack_app_token.get_secret_value()
    mask_secrets(token, secret, app_token)  # in no log record, whoever logs it (bolt, slack_sdk, aiohttp)
    if not token:
        raise ConfigError("Slack needs a bot token (POLICYBOT_SLACK_BOT_TOKEN, xoxb-…)")
    if not app_token and not secret:
        raise ConfigError("Slack needs a signing secret (POLICYBOT_SLACK_SIGNING_SECRET) for HTTP mode, "
                          "or an app-level token (POLICYBOT_SLACK_APP_TOKEN, xapp-…) for Socket Mode")
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url)
    app = AsyncApp(client=client, signing_secret=secret, name="policybot", logger=_bolt_logger(),
                   request_verification_enabled=not app_token)  # Socket Mode requests come over the socket
    if deliveries is None:
        listeners = SlackListeners(chat)
    else:
        listeners = SlackListeners(chat, SharedEvents(deliveries), SharedSignatures(deliveries))
    listeners.register(app)
    return SlackAdapter(app, app_token, listeners)


def _bolt_logger() -> logging.Logger:
    """Bolt logs a request that fails the signature check with its whole body at INFO, and the Socket Mode
    client each envelope at DEBUG: both withheld (bot.adapters.log_privacy)."""
    return withhold("bot.adapters.slack.bolt", "body", "Received message")


def command_text(text: str) -> str:
    """What `/policy <text>` asks: the help when empty, `/induction…` for "induction…" (with or without
    its slash), else the question as typed."""
    word, _, rest = text.partition(" ")
    if word.lower() in ("induction", "/induction"):
        return " ".join(["/induction", rest]).strip()
    return text or "help"


async def _post(client: AsyncWebClient, channel: str, thread_ts: str | None, message: SlackMessage) -> None:
    await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=message.text,
                                  blocks=list(message.blocks) or None, unfurl_links=False, unfurl_media=False)


def malformed_json(text: str) -> str:
    """malformed() of a JSON body as sent ("" for text that is not JSON: bolt refuses that itself)."""
    try:
        body = json.loads(text)
    except ValueError:
        return ""
    return malformed(body)


def malformed(body: Payload) -> str:
    """Why *body* cannot be handled ("" when it can): fields the listeners read, of the wrong type."""
    if not isinstance(body, dict):
        return "not an object"
    bad: list[str] = [k for k in ("type", "team_id", "event_id", "api_app_id", "enterprise_id", "token")
           if k in body and not isinstance(body[k], (str, type(None)))]
    if bad:
        return f"fields {bad} are not strings"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (isinstance(authorizations, list)
                                           and all(isinstance(a, dict) for a in authorizations)):
        return "authorizations are not a list of objects"
    if "event" in body and not isinstance(body["event"], dict):
        return "event is not an object"
    if body.get("type") == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict):
            return "event is not an object"
        if event.get("type") in ("app_mention", "message") and not event.get("subtype"):
            bad = [k for k in ("channel", "ts") if not isinstance(event.get(k), str)]
            bad += [k for k in ("text", "user", "thread_ts") if k in event and not isinstance(event[k], (str, type(None)))]
            return f"event fields {bad} are not strings" if bad else ""
        if event.get("type") == "app_home_opened" and not isinstance(event.get("user"), str):
            return "event user is not a string"
        return ""
    if "command" in body:
        bad = [k for k in ("user_id", "command") if not isinstance(body.get(k), str)]
        return f"command fields {bad} are not strings" if bad else ""
    if body.get("type") == "block_actions":
        user, actions = body.get("user"), body.get("actions")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return "user is not an object with an id"
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "actions are not a list of objects"
    return ""


def _event_sender(event: Payload, body: Payload) -> Sender:
    """The person behind an event. Their own workspace decides their organisation: in a channel shared
    with another organisation (Slack Connect) `user_team` is theirs, not the installing workspace's."""
    team = event.get("user_team") or event.get("team") or body.get("team_id", "")
    return Sender("slack", event.get("user", ""), workspace=str(team))


async def _email_of(client: AsyncWebClient, user_id: str) -> str | None:
    """The user's e-mail from users.info (the app needs the users:read.email scope; without it Slack
    leaves the field out, and the person can still /link)."""
    response = await client.users_info(user=user_id)
    profile = (response.get("user") or {}).get("profile") or {}
    return profile.get("email") or None


async def _thinking(client: AsyncWebClient, channel: str, thread_ts: str) -> None:
    """The 'is looking that up…' status under the thread (cleared by Slack when the answer is posted).
    Where Slack refuses it (an older workspace, a missing scope) the answer simply comes without it."""
    try:
        await client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=THINKING)
    except DELIVERY_ERRORS as exc:
        log.debug("no thinking status in Slack thread: %s", exc)


async def _tell_privately(body: Payload, client: AsyncWebClient, respond: AsyncRespond, text: str) -> None:
    """An ephemeral message to whoever clicked: in the message's channel and thread, or through the
    response_url where the bot cannot post (an ephemeral answer to /policy, a channel it is not in)."""
    channel = (body.get("channel") or {}).get("id")
    container = body.get("container") or {}
    if channel and not container.get("is_ephemeral"):
        thread_ts = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
        try:
            await client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text, thread_ts=thread_ts)
            return
        except SlackClientError as exc:
            log.info("chat.postEphemeral refused (%s); answering through response_url", exc)
    await respond(text=text, response_type="ephemeral", replace_original=False)


def _kind(body: Payload) -> str:
    return str((body.get("event") or {}).get("type") or body.get("command") or body.get("type") or "request")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
