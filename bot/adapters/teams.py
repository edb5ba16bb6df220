"""Microsoft Teams, through the Teams SDK for Python v2 (microsoft-teams-apps), inside our one server.

How the SDK is hosted: the SDK's `App` talks HTTP only through an `HttpServerAdapter` (its default
one is FastAPI + its own uvicorn). We give it `StarletteBridge` instead, which turns the route the SDK
registers (POST /api/messages) into a Starlette `Route` on our server. So the SDK still does all the
Teams work — Bot Framework JWT validation (401 without valid credentials), activity parsing and routing,
replies to the activity's serviceUrl with its own HTTP client and tokens — but there is one server, one
port, one lifespan: `start()` runs `App.initialize()` (JWT validator, route registration), never
`App.start()` (which would start a second uvicorn).

Translation only: a message becomes `ChatService.handle(Sender, text)` ("/induction…" included); the
`Reply` becomes Adaptive Cards (answers and induction steps, see bot.adapters.teams_cards) or plain text;
feedback buttons become `ChatService.feedback`, induction buttons (Action.Submit, {"induction": action,
"step": token}) `ChatService.induction_action`, whose step replaces the pressed card (an update of that
activity), and a press on a card the walkthrough has moved on from changes nothing.

A message activity delivered again with the same id (the Bot Framework resends one it thinks was lost) is
handled once: `first_time` on the deliveries the server passes in (the database's, shared by replicas and
kept across a restart), or on this process's memory without them. Only after the SDK has checked the
token, so that a forged activity cannot use up a real one's id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import warnings
from typing import Any, Protocol

import jwt
from microsoft_teams.cards import AdaptiveCard
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.adapters.log_privacy import withhold
from bot.adapters.teams_cards import (
    FEEDBACK_VERB,
    STEP_KEY,
    answer_card,
    is_induction,
    parse_feedback,
    parse_induction,
    step_card,
)
from bot.alerts.quiet_logs import mask_secrets
from bot.config import Settings
from bot.core.chat import SORRY, ChatService, Reply, Sender, step_text
from bot.core.deliveries import Deliveries, MemoryDeliveries, delivery_key, off_loop
from bot.core.induction import MOVED_ON, InductionStep
from bot.errors import ConfigError

with warnings.catch_warnings():
    # Importing the SDK builds a preview HTML-widget default and warns about it; we use no widgets.
    from microsoft_teams.common.experimental import ExperimentalWarning

    warnings.simplefilter("ignore", ExperimentalWarning)
    # Concrete modules: the package root re-exports through star imports that type checkers cannot follow.
    from microsoft_teams.api.activities.install_update.add import InstalledActivity
    from microsoft_teams.api.activities.invoke.adaptive_card.action import AdaptiveCardInvokeActivity
    from microsoft_teams.api.activities.message.message import MessageActivity, MessageActivityInput
    from microsoft_teams.api.activities.typing import TypingActivityInput
    from microsoft_teams.api.models import ActivityBase
    from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import (
        AdaptiveCardActionMessageResponse,
    )
    from microsoft_teams.api.activities.utils import StripMentionsTextOptions
    from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment
    from microsoft_teams.api.auth.credentials import TokenProvider
    from microsoft_teams.apps import ActivityContext, App
    from microsoft_teams.apps.http.adapter import HttpMethod, HttpRequest, HttpRouteHandler
    from microsoft_teams.apps.utils import extract_tenant_id

log = logging.getLogger(__name__)

MESSAGING_ENDPOINT = "/api/messages"
MAX_BODY_BYTES = 256 * 1024  # Teams activities are a few KB; refuse anything absurd before parsing it
FEEDBACK_FAILED = "Sorry, I couldn't record that just now. Please try again later."
UNKNOWN_BUTTON = "Sorry, that button doesn't do anything any more."
_AT_TAGS = re.compile(r"</?at>", re.IGNORECASE)
# The longest a Bot Framework token may still have to live. Its tokens live about an hour and Entra's up to
# 28 hours (continuous access evaluation); a token whose `exp` is further away is as good as one without.
MAX_TOKEN_LIFETIME = 30 * 3600
# A DeprecationWarning the SDK raises on itself for every activity (tests filter it by this message).
SDK_DEPRECATION = "The bot client is deprecated"
ACTIVITY_TTL = 3600.0  # a resent activity comes within minutes; an hour also covers a replica's restart


class StarletteBridge:
    """The SDK's HttpServerAdapter protocol over our Starlette server: it records the handlers the SDK
    registers and serves them from Starlette routes; it never starts a server of its own."""

    def __init__(self) -> None:
        self._handlers: dict[str, HttpRouteHandler] = {}

    def register_route(self, method: HttpMethod, path: str, handler: HttpRouteHandler) -> None:
        if method != "POST":
            raise ValueError(f"unsupported method {method}")
        self._handlers[path] = handler

    def serve_static(self, path: str, directory: str) -> None:
        raise NotImplementedError("policybot serves no Teams tabs or static pages")

    async def start(self, port: int) -> None:
        raise NotImplementedError("the Teams app is hosted by policybot's server (bot.server)")

    async def stop(self) -> None:
        return None

    def route(self, path: str) -> Route:
        async def endpoint(request: Request) -> Response:
            handler = self._handlers.get(path)
            if handler is None:  # the lifespan has not run App.initialize() yet
                return JSONResponse({"error": "not ready"}, status_code=503)
            raw = await _read_capped(request, MAX_BODY_BYTES)
            if raw is None:
                return JSONResponse({"error": "too large"}, status_code=413)
            try:
                body = json.loads(raw)
            except ValueError:
                return JSONResponse({"error": "invalid JSON"}, status_code=400)
            if not isinstance(body, dict):
                return JSONResponse({"error": "expected an activity object"}, status_code=400)
            problem = invalid_activity(body)
            if problem:  # the SDK would fail on it mid-request: a 500 and a traceback
                log.warning("teams: refused an activity the SDK cannot read (%s)", problem)
                return JSONResponse({"error": "not a valid activity"}, status_code=400)
            result = await handler(HttpRequest(body=body, headers=dict(request.headers)))
            if result.get("body") is None:
                return Response(status_code=result["status"])
            return JSONResponse(result["body"], status_code=result["status"])

        return Route(path, endpoint, methods=["POST"])


def invalid_activity(body: dict[str, Any]) -> str:
    """Why the SDK could not read *body* as an activity ("" when it can): checked with the SDK's own
    models, as it will check it, before it is handed over."""
    from microsoft_teams.api.activities import ActivityTypeAdapter
    from microsoft_teams.apps.events import CoreActivity
    from pydantic import ValidationError

    try:
        core = CoreActivity.model_validate(body)
        ActivityTypeAdapter.validate_python(core.model_dump(by_alias=True, exclude_none=True))
    except (ValidationError, ValueError, TypeError, UnicodeError) as exc:
        return exc.__class__.__name__
    return ""


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it passes *limit* bytes (read no further: no memory for junk)."""
    if int(request.headers.get("content-length") or 0) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class _TokenValidator(Protocol):
    async def validate_token(self, raw_token: str, service_url: str | None = None) -> dict[str, Any]: ...


class ExpiringTokensOnly:
    """The SDK's inbound token check, then ours: the verified token must carry an expiry (`exp`, a number)
    no more than MAX_TOKEN_LIFETIME away. The SDK (2.1.x) checks `exp`, `nbf` and `iat` only when they are
    present (PyJWT's verify_exp without `require`), so a validly signed token without `exp` would be good
    for ever. Any exception here is the SDK's 401."""

    def __init__(self, inner: _TokenValidator, max_lifetime: float = MAX_TOKEN_LIFETIME) -> None:
        self.inner = inner
        self.max_lifetime = max_lifetime

    async def validate_token(self, raw_token: str, service_url: str | None = None) -> dict[str, Any]:
        payload = await self.inner.validate_token(raw_token, service_url)
        exp = payload.get("exp")
        if not isinstance(exp, (int, float)) or isinstance(exp, bool):
            raise jwt.MissingRequiredClaimError("exp")
        if exp > time.time() + self.max_lifetime:
            raise jwt.InvalidTokenError("token expiry is too far in the future")
        return payload


class TeamsAdapter:
    name = "teams"

    def __init__(self, app: App, bridge: StarletteBridge, chat: ChatService, *,
                 authenticated: bool = True, deliveries: Deliveries | None = None) -> None:
        self.app = app
        self.bridge = bridge
        self.chat = chat
        self.authenticated = authenticated
        self.deliveries: Deliveries = deliveries or MemoryDeliveries()
        app.on_message(self.on_message)
        app.on_card_action(self.on_card_action)
        app.on_install_add(self.on_install)

    def routes(self) -> list[BaseRoute]:
        return [self.bridge.route(MESSAGING_ENDPOINT)]

    async def start(self) -> None:
        await self.app.initialize()
        if self.authenticated:
            _require_expiry(self.app)


    async def stop(self) -> None:
        if self.chat.identities is not None:  # member lookups in flight use the SDK's client closed below
            await self.chat.identities.drain()
        try:
            await self.app.stop()
        finally:  # the SDK's HTTP clients (replies, proactive API) are ours to close: no sockets left
            await self.app.http_client.http.aclose()
            await self.app.api.http.http.aclose()

    async def on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        if not await self._first_time(ctx.activity):
            log.info("teams: ignored a message activity delivered again")
            return
        sender = sender_of(ctx.activity)
        value = ctx.activity.value
        try:
            feedback = parse_feedback(value)
            if feedback is not None:  # Action.Submit from a client without Action.Execute
                reply = await asyncio.to_thread(self.chat.feedback, sender, *feedback)
                await ctx.send(plain(reply.text))
                return
            if is_induction(value):  # an induction button (Action.Submit): its card becomes the next step
                action = parse_induction(value)
                if action is None:
                    await ctx.send(plain(UNKNOWN_BUTTON))
                    return
                reply = await asyncio.to_thread(self.chat.induction_action, sender, action, step_token_of(value))
                await self._show_step(ctx, reply)
                return
            await ctx.send(TypingActivityInput())
            reply = await asyncio.to_thread(self.chat.handle, sender, question_text(ctx.activity))
            if reply.welcome:
                await ctx.send(plain(reply.welcome))
            for activity in render(reply):
                await ctx.send(activity)
            self._learn(ctx, sender)
        except Exception:  # the edge: whatever broke, the person hears back and we keep the traceback
            log.exception("teams: could not answer a message")
            await _apologise(ctx)

    def _learn(self, ctx: ActivityContext[MessageActivity], sender: Sender) -> None:
        """Who they are, from the conversation's member info, in the background once answered."""
        identities = self.chat.identities
        if identities is None:
            return
        conversation, member = ctx.activity.conversation.id, ctx.activity.from_.id

        async def lookup() -> str | None:
            account = await ctx.api.conversations.get_member_by_id(conversation, member)
            return account.email or account.user_principal_name or None
        identities.spawn(sender, lookup)

    async def _show_step(self, ctx: ActivityContext[MessageActivity], reply: Reply) -> None:
        """The step a press led to, in place of the card whose button was pressed (Teams gives that card's
        activity id as the press's replyToId; the SDK's send of an activity with an id is the connector's
        update, PUT .../activities/{id}), so the old step's buttons are gone with it. A new card when there
        is no card to update or the update fails; a press of an older step's button (MOVED_ON) changes
        nothing and is answered in plain text, the card left as it is."""
        if reply.step == MOVED_ON:
            await ctx.send(plain(MOVED_ON.text))
            return
        messages = render(reply)
        card_id = ctx.activity.reply_to_id
        if reply.kind == "induction" and reply.step is not None and card_id and len(messages) == 1:
            messages[0].id = card_id
            try:
                await ctx.send(messages[0])
                return
            except Exception as exc:  # the card is gone, or too old to edit: the step is sent as a new one
                log.warning("teams: could not update the induction card (%s); sending a new one",
                            exc.__class__.__name__)
                messages[0].id = None
        for activity in messages:
            await ctx.send(activity)

    async def _first_time(self, activity: ActivityBase) -> bool:
        """Whether this activity (bot, conversation, activity id) is new; in a thread (off_loop), since the
        shared deliveries ask the database. An activity without an id cannot be recognised: new."""
        if not activity.id:
            return True
        key = delivery_key(activity.recipient.id if activity.recipient else "",
                           activity.conversation.id if activity.conversation else "", activity.id)
        return await off_loop(self.deliveries.first_time, "teams", key, ACTIVITY_TTL)

    async def on_card_action(self, ctx: ActivityContext[AdaptiveCardInvokeActivity]
                             ) -> AdaptiveCardActionMessageResponse:
        action = ctx.activity.value.action
        feedback = parse_feedback(action.data) if action.verb in (FEEDBACK_VERB, None) else None
        if feedback is None:
            return AdaptiveCardActionMessageResponse(value=UNKNOWN_BUTTON)
        try:
            reply = await asyncio.to_thread(self.chat.feedback, sender_of(ctx.activity), *feedback)
        except Exception:  # the edge: the button shows a polite message instead of an error
            log.exception("teams: could not record feedback")
            return AdaptiveCardActionMessageResponse(value=FEEDBACK_FAILED)
        return AdaptiveCardActionMessageResponse(value=reply.text)

    async def on_install(self, ctx: ActivityContext[InstalledActivity]) -> None:
        """Installed in a chat or team: say what the bot does (the same text as /help)."""
        try:
            reply = await asyncio.to_thread(self.chat.handle, sender_of(ctx.activity), "/help")
            await ctx.send(plain(reply.text))
        except Exception:  # an unsent greeting is not worth more than a log line
            log.exception("teams: could not greet after installation")


def _require_expiry(app: App) -> None:
    """Put ExpiringTokensOnly in front of the validator App.initialize() gave the SDK's HttpServer (a private
    attribute: if a new SDK moves it, refuse to start rather than accept tokens without an expiry)."""
    server = app.server
    inner = getattr(server, "_token_validator", None)
    if inner is None or not callable(getattr(inner, "validate_token", None)):
        raise RuntimeError("teams: the SDK's inbound token validator was not found (SDK changed?); "
                           "refusing to start without the token expiry check")
    if not isinstance(inner, ExpiringTokensOnly):
        server._token_validator = ExpiringTokensOnly(inner)  # type: ignore[assignment]


def sender_of(activity: ActivityBase) -> Sender:
    """Who wrote: their Entra object id (stable across chats) or Teams id, in their tenant."""
    user = activity.from_
    return Sender("teams", user.aad_object_id or user.id, workspace=extract_tenant_id(activity) or "",
                  display_name=user.name or "")


def question_text(activity: MessageActivity) -> str:
    """The text without the @mention of the bot; other people's mentions keep their names."""
    bot_id = activity.recipient.id if activity.recipient else None
    activity.strip_mentions_text(StripMentionsTextOptions(account_id=bot_id))
    activity.strip_mentions_text(StripMentionsTextOptions(tag_only=True))
    return _AT_TAGS.sub("", activity.text or "").strip()


def step_token_of(value: object) -> str:
    """The step an induction button was shown on (teams_cards.STEP_KEY), "" when absent or malformed."""
    token = value.get(STEP_KEY) if isinstance(value, dict) else None
    return token if isinstance(token, str) and len(token) <= 64 else ""


def render(reply: Reply) -> list[MessageActivityInput]:
    """The messages for *reply*, in order: an answer as a card, then its induction step, if any, as a
    card of its own (one card would put the answer's feedback buttons and Next/Back in one action bar,
    read as one choice; the step sent last sits at the bottom of the chat, where the walk carries on); a
    step alone as a card; anything else as plain text. The notice goes first, in the first card."""
    messages: list[MessageActivityInput] = []
    notice = reply.notice
    if reply.kind == "answer" and reply.answer is not None:
        summary = reply.answer.urgent or reply.answer.message or "policybot"
        messages.append(card_message(answer_card(reply.answer, reply.text, notice=notice), summary))
        notice = ""
    elif reply.step is None:
        return [*([plain(notice)] if notice else []), plain(reply.text)]
    if reply.step is not None:
        step = reply.step
        lead = "" if reply.answer is not None else _lead(reply.text, step)
        messages.append(card_message(step_card(step, step_text(step), lead=lead, notice=notice), step.title))
    return messages


def card_message(card: AdaptiveCard, summary: str) -> MessageActivityInput:
    # `summary` (notification, chat-list preview): a Bot Framework field the SDK's model keeps as an extra.
    message = MessageActivityInput.model_validate({"summary": summary[:200]})
    return message.add_card(card)


def _lead(text: str, step: InductionStep) -> str:
    """What the reply's text says before the step (e.g. "Group induction session started: ...")."""
    full = step_text(step)
    return text[: -len(full)].strip() if text.endswith(full) and text != full else ""


def plain(text: str) -> MessageActivityInput:
    return MessageActivityInput(text=text, text_format="plain")


async def _apologise(ctx: ActivityContext[Any]) -> None:
    try:
        await ctx.send(plain(SORRY))
    except Exception:  # the connector itself is failing: nothing more we can say to them
        log.exception("teams: could not send the apology either")


def build(settings: Settings, chat: ChatService, *, cloud: CloudEnvironment | None = None,
          token: TokenProvider | None = None, deliveries: Deliveries | None = None) -> TeamsAdapter:
    """The Teams adapter for *settings*. *cloud* (the Bot Framework/Entra endpoints: sovereign clouds, or a
    fake in tests) and *token* (where reply tokens come from, instead of the client secret) are seams;
    *deliveries* (the runtime's) recognises an activity another replica already handled."""
    unauthenticated = _unauthenticated(settings)
    secret = settings.teams_app_password.get_secret_value()
    mask_secrets(secret)  # the client secret goes into token requests: into no log record
    withhold("microsoft_teams.apps.app_process", "Received activity")  # the whole activity, at DEBUG
    # Without a secret or a token provider the SDK would fall back to a managed identity: never here.
    credentials = bool(settings.teams_app_id and (secret or token))
    if not unauthenticated and not credentials:
        raise ConfigError("Teams needs teams_app_id and teams_app_password (the Azure bot's credentials); "
                          "for local testing only, set environment=development and "
                          "teams_allow_unauthenticated=true")
    bridge = StarletteBridge()
    with warnings.catch_warnings():
        # Every SDK ApiClient builds a deprecated BotClient and warns (2.1.x): not ours to change.
        warnings.filterwarnings("ignore", SDK_DEPRECATION, DeprecationWarning)
        app = App(client_id=settings.teams_app_id if credentials else None,
                  client_secret=secret if credentials and token is None else None,
                  token=token if credentials else None,
                  tenant_id=settings.teams_tenant_id or None,
                  dangerously_allow_unauthenticated_requests=unauthenticated,
                  http_server_adapter=bridge, messaging_endpoint=MESSAGING_ENDPOINT,
                  cloud=cloud or PUBLIC, state=False, telemetry={"agent365": False})
    if unauthenticated:
        log.warning("teams: accepting UNAUTHENTICATED requests on %s (development only)", MESSAGING_ENDPOINT)
    return TeamsAdapter(app, bridge, chat, authenticated=not unauthenticated, deliveries=deliveries)


def _unauthenticated(settings: Settings) -> bool:
    """Unauthenticated requests only when development *and* explicitly allowed; production refuses."""
    if not settings.teams_allow_unauthenticated:
        return False
    if settings.environment != "development":
        raise ConfigError("teams_allow_unauthenticated is only allowed with environment=development: in "
                          "production Teams requests must carry a valid Bot Framework token")
    return True
