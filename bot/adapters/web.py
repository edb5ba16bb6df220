"""The local web chat at `/`: a page that asks the answer service through a small JSON API.

Who is asking: with sign-in configured (bot.adapters.web_signin; required in production), the person
signed in with their school's identity provider, for the school their tenant belongs to; without it
(development), a random id in a cookie (no account), and the organisation the server serves
(`POLICYBOT_WEB_ORG`) or the one picked on the page. The page builds every
message with textContent, so nothing retrieved or typed is ever interpreted as markup.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.adapters import plain_text
from bot.adapters.web_signin import SignIn
from bot.config import Settings
from bot.core.chat import ChatService, Reply, Sender
from bot.core.compose import describe, links, who
from bot.core.models import Contact, Passage

STATIC = Path(__file__).with_name("web_static")
COOKIE = "policybot_web"
MAX_BODY = 16_000


class WebAdapter:
    name = "web"

    def __init__(self, settings: Settings, chat: ChatService, signin: SignIn) -> None:
        self.settings = settings
        self.chat = chat
        self.signin = signin

    def routes(self) -> list[BaseRoute]:
        return [*self.signin.routes(), Route("/", self.page), Route("/api/web/config", self.config),
                Route("/api/web/ask", self.ask, methods=["POST"]),
                Route("/api/web/feedback", self.feedback, methods=["POST"]),
                Route("/api/web/induction", self.induction, methods=["POST"]),
                Mount("/static/web", StaticFiles(directory=str(STATIC)), name="web-static")]

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def page(self, request: Request) -> Response:
        response = FileResponse(STATIC / "index.html", headers=_SECURITY)
        if not self.signin.required:
            _ensure_cookie(request, response)
        return response

    async def config(self, request: Request) -> Response:
        """Which organisations the page may offer: the fixed one, all (development), or none."""
        orgs = self.chat.answers().orgs
        signin = self.signin.describe(request)
        if self.signin.required:  # the school the person signed in to, or none before they sign in
            who = self.signin.identity(request)
            offered = [who.org] if who is not None and who.org in orgs else []
            return JSONResponse({"orgs": [{"slug": s, "name": orgs[s].name} for s in offered], "picker": False,
                                 "signin": signin})
        if self.settings.web_org:
            offered = [self.settings.web_org] if self.settings.web_org in orgs else []
        else:
            offered = sorted(orgs) if self.settings.environment == "development" else []
        return JSONResponse({"orgs": [{"slug": s, "name": orgs[s].name} for s in offered],
                             "picker": not self.settings.web_org and bool(offered), "signin": signin})

    async def ask(self, request: Request) -> Response:
        got = await self._posted(request, "question", "Reload the page to start a conversation.")
        if isinstance(got, Response):
            return got
        sender, body = got
        reply = await asyncio.to_thread(self.chat.handle, sender, body["question"][:MAX_BODY])
        return JSONResponse(reply_json(reply))

    async def feedback(self, request: Request) -> Response:
        got = await self._posted(request, "log_id", "Reload the page to give feedback.")
        if isinstance(got, Response):
            return got
        sender, body = got
        comment = body.get("comment")
        reply = await asyncio.to_thread(self.chat.feedback, sender, body["log_id"], bool(body.get("helpful")),
                                        comment if isinstance(comment, str) else None)
        return JSONResponse(reply_json(reply))

    async def induction(self, request: Request) -> Response:
        """A walkthrough button: Next, Back, True/False, I have a question, acknowledge."""
        got = await self._posted(request, "action", "Reload the page to carry on.")
        if isinstance(got, Response):
            return got
        sender, body = got
        reply = await asyncio.to_thread(self.chat.induction_action, sender, body["action"][:20])
        return JSONResponse(reply_json(reply))

    async def _posted(self, request: Request, field: str, stale: str) -> tuple[Sender, dict[str, Any]] | Response:
        """The sender and the JSON body, which must carry the string *field*; or the error response to
        send: 401 with where to sign in when sign-in is required and nobody is signed in."""
        body = await _json(request)
        if isinstance(body, Response):
            return body
        if self.signin.required:
            who = self.signin.identity(request)
            if who is None:
                return JSONResponse({"error": "Sign in with your school account to use the chat.",
                                     "signin_url": "/auth/signin"}, status_code=401)
            sender: Sender | None = who.sender()
        else:
            sender = _sender(request, str(body.get("org", "")))
        if sender is None or not isinstance(body.get(field), str):
            return JSONResponse({"error": stale}, status_code=400)
        return sender, body


_SECURITY = {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
             "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def _ensure_cookie(request: Request, response: Response) -> None:
    if not request.cookies.get(COOKIE):
        response.set_cookie(COOKIE, secrets.token_urlsafe(18), max_age=365 * 86400, httponly=True,
                            samesite="strict")


def _sender(request: Request, org: str) -> Sender | None:
    user = request.cookies.get(COOKIE)
    return Sender("web", user, org_hint=org) if user else None


async def _json(request: Request) -> dict[str, Any] | Response:
    """A JSON object from a same-site request. Requiring application/json means another site's page cannot
    post here without a CORS preflight, which this server never grants."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"error": "Send JSON."}, status_code=415)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return JSONResponse({"error": "That message is too long."}, status_code=413)
    try:
        import json

        body = json.loads(raw)
    except ValueError:
        return JSONResponse({"error": "That was not valid JSON."}, status_code=400)
    return body if isinstance(body, dict) else JSONResponse({"error": "Send a JSON object."}, status_code=400)


def reply_json(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": reply.kind, "text": reply.text, "welcome": reply.welcome, "org": reply.org,
                           "notice": reply.notice}
    if reply.step is not None:
        st = reply.step
        out["step"] = {"title": plain_text.heading(st.title), "text": st.text,
                       "passage": _passage(st.passage) if st.passage else None,
                       "contact": contact_json(st.contact) if st.contact else None,
                       "buttons": [{"label": b.label, "action": b.action} for b in st.buttons]}
    if reply.answer is not None:
        a = reply.answer
        out["answer"] = {"urgent": a.urgent, "message": a.message, "answered": a.answered, "log_id": a.log_id,
                         "passages": [_passage(p) for p in a.passages], "warnings": list(a.warnings),
                         "contacts": [contact_json(c) for c in a.contacts]}
    return out


def _passage(passage: Passage) -> dict[str, Any]:
    """The passage's fields, and `where`: its source line as shown (headings without Markdown)."""
    return {**asdict(passage), "where": plain_text.source(passage)}


def contact_json(contact: Contact) -> dict[str, Any]:
    """Who they are, in words, and how to reach them as links ({"text", "href"}; href "" for words)."""
    return {"text": describe(contact), "who": who(contact),
            "links": [{"text": shown, "href": uri} for shown, uri in links(contact)]}


def build(settings: Settings, chat: ChatService, clock: Callable[[], float] = time.time) -> WebAdapter:
    """The web chat; ConfigError if its sign-in settings cannot be used (bot.adapters.web_signin).
    *clock* is the time sign-ins' ID tokens are checked against."""
    from bot import wiring

    signin = SignIn(settings, wiring.secret_key(settings), lambda: chat.answers().orgs, clock=clock)
    return WebAdapter(settings, chat, signin)
