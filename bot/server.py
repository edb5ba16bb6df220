"""The one ASGI server: the chat adapters' endpoints, the web chat, the SLT dashboard and /healthz.

The server answers from its first second: while the runtime is built in the background (bot.startup),
/healthz answers 503 {"status": "starting"} and every other route 503 with Retry-After (chat platforms
retry); once it is ready, /healthz answers 200 and the other routes are served. A failed start-up
answers 503 {"status": "failed", "error": ...} everywhere.

Chores run beside it once it is ready: the spool is flushed every half minute, expired log entries and
concerns are purged every hour (and once at start), and safeguarding concerns nobody has marked seen are
raised again with the DSL (checked every minute). Several servers may share one PostgreSQL database: the
chores over shared tables (purge, gap embeddings, reminders) run on the leader only (bot.storage.leader),
while each server flushes its own spool (a local file). Every few seconds each server looks for a newer
published index (bot.publishing) and swaps it in. Adapters start (Socket Mode, polling) once it is ready too.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence

from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from bot import wiring
from bot.adapters.base import Adapter
from bot.config import Settings
from bot.admin import auth, dashboard
from bot.alerts.quiet_logs import mask_secrets
from bot.request_limits import RequestLimits
from bot.runtime import Runtime
from bot.startup import Ready, Startup

log = logging.getLogger(__name__)
FLUSH_EVERY_S = 30.0
PURGE_EVERY_S = 3600.0
ADAPTER_RETRY_S = 5.0  # an adapter that could not start is tried again, then at doubling intervals
ADAPTER_RETRY_MAX_S = 300.0
REMIND_EVERY_S = 60.0  # safeguarding concerns not marked seen are raised again (bot.concern_alerts)
FOLLOW_INDEX_EVERY_S = 3.0  # a newly published index version is answered from within seconds
RETRY_AFTER_S = 5


def build_app(runtime: Runtime | Startup, chores: bool = True, adapters: Sequence[Adapter] = ()) -> Starlette:
    """The server over *runtime* (built already, with *adapters*), or over a Startup still building it
    (its builder makes the adapters too); adapters start once the server is up and the runtime ready."""
    startup = runtime if isinstance(runtime, Startup) else Startup.built(runtime, adapters)

    async def healthz(_request: Request) -> Response:
        if startup.ready is None:
            return _unavailable(startup)
        rt = startup.ready.runtime
        body = {"organisations": len(rt.orgs), "spooled": rt.log.spool.pending(), "started_in_s": startup.took_s,
                "pid": os.getpid()}  # which process answered (one of several workers, behind a proxy)
        if rt.log.problem:  # questions are answered, but their log entries are being lost
            return JSONResponse({"status": "degraded", "reason": rt.log.problem, **body}, status_code=503)
        return JSONResponse({"status": "ok", **body})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        running = _Running(chores)
        if startup.ready is not None:  # built already: adapters are up before the first request
            await running.begin(startup.ready)
            follow = None
        else:
            startup.start()
            follow = asyncio.create_task(running.when_ready(startup))
        yield
        if follow is not None:
            follow.cancel()
        await running.end()

    secret = wiring.secret_key(startup.settings)
    session_key = hmac.new(secret, b"dashboard sessions", hashlib.sha256).hexdigest()
    _keep_out_of_logs(startup.settings, secret, session_key)
    middleware = [Middleware(RequestLimits),  # first: no route reads an oversized or absurdly nested body
                  Middleware(SessionMiddleware, secret_key=session_key, session_cookie="policybot_slt",
                             max_age=auth.SESSION_HOURS * 3600, same_site="strict",
                             https_only=startup.settings.secure_cookies)]
    routes = [Route("/healthz", healthz), Mount("", app=_Deferred(startup))]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def _keep_out_of_logs(settings: Settings, *keys: bytes | str) -> None:
    """Every configured secret, blanked from every log record (bot.alerts.quiet_logs), whether or not the
    part that uses it is built: passwords, tokens, the database URL's password and the session keys."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        db_password = make_url(settings.database_url).password or ""
    except ArgumentError:
        db_password = ""
    secrets = [value.get_secret_value() for value in settings.__dict__.values() if isinstance(value, SecretStr)]
    text_keys = [k.decode("utf-8", "ignore") if isinstance(k, bytes) else k for k in keys]
    mask_secrets(*secrets, str(db_password), *text_keys)


def _unavailable(startup: Startup) -> Response:
    if startup.error is not None:
        return JSONResponse({"status": "failed", "error": startup.error}, status_code=503)
    return JSONResponse({"status": "starting"}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})


class _Deferred:
    """Every route but /healthz: the dashboard's and the adapters', served once the runtime is ready."""

    def __init__(self, startup: Startup) -> None:
        self.startup = startup
        self._router: Router | None = None

    @property
    def routes(self) -> list[BaseRoute]:
        """What url_for looks through (the Mount asks its app for them)."""
        return self._ready_router().routes if self.startup.ready is not None else []

    def _ready_router(self) -> Router:
        ready = self.startup.ready
        assert ready is not None
        if self._router is None:
            self._router = Router(routes=[*dashboard.routes(ready.runtime),
                                          *(route for adapter in ready.adapters for route in adapter.routes())])
        return self._router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.startup.ready is None:
            if scope["type"] == "http":
                await _unavailable(self.startup)(scope, receive, send)
            return  # anything else (a websocket) is closed unanswered; its client reconnects
        await self._ready_router()(scope, receive, send)


def chores(rt: Runtime) -> list[tuple[float, float, Callable[[], object]]]:
    """What runs beside the server: (every how many seconds, first after how many, chore). The chores over
    shared tables run on the leader only; each server flushes its own spool (the gap vectors after it
    are the leader's: Runtime.flush_spool) and follows the published index."""
    led = rt.leader.only if rt.leader is not None else (lambda chore: chore)
    return [(FLUSH_EVERY_S, 0.0, rt.flush_spool),
            (PURGE_EVERY_S, 0.0, led(rt.purge)),
            (REMIND_EVERY_S, 0.0, led(rt.remind_concerns)),
            (FOLLOW_INDEX_EVERY_S, FOLLOW_INDEX_EVERY_S, rt.follow_index)]


class _Running:
    """The chores and adapters started once the runtime is ready, and stopped with the server."""

    def __init__(self, chores: bool) -> None:
        self.chores = chores
        self.tasks: list[asyncio.Task[None]] = []
        self.started: list[Adapter] = []

    async def begin(self, ready: Ready) -> None:
        if self.chores:
            self.tasks = [asyncio.create_task(_every(every, chore, first)) for every, first, chore in chores(ready.runtime)]
        for adapter in ready.adapters:
            if not await self._start(adapter):
                self.tasks.append(asyncio.create_task(self._retry(adapter)))

    async def _start(self, adapter: Adapter) -> bool:
        """Start one adapter; a platform that is down (or answers oddly) stops no other platform, nor the
        web chat and the dashboard: it is retried in the background."""
        try:
            await adapter.start()
        except Exception as exc:  # noqa: BLE001 - whatever the SDK raises, the rest of the server stays up
            log.error("%s adapter could not start (%s); retrying in the background", adapter.name,
                      exc.__class__.__name__)
            with contextlib.suppress(Exception):
                await adapter.stop()
            return False
        self.started.append(adapter)
        log.info("%s adapter started", adapter.name)
        return True

    async def _retry(self, adapter: Adapter) -> None:
        delay = ADAPTER_RETRY_S
        while True:
            await asyncio.sleep(delay)
            if await self._start(adapter):
                return
            delay = min(delay * 2, ADAPTER_RETRY_MAX_S)

    async def when_ready(self, startup: Startup) -> None:
        while not startup.wait(0):  # polled: a thread blocked on it would hold up the process's exit
            await asyncio.sleep(0.05)
        if startup.ready is not None:
            await self.begin(startup.ready)

    async def end(self) -> None:
        for adapter in self.started:
            await adapter.stop()
        for task in self.tasks:
            task.cancel()


async def _every(seconds: float, chore: object, first: float = 0.0) -> None:
    """Run *chore* after *first* seconds and then every *seconds*, off the event loop; a failure is logged,
    not fatal."""
    assert callable(chore)
    await asyncio.sleep(first)
    while True:
        try:
            await asyncio.to_thread(chore)
        except Exception:  # a chore must never take the server down; the next run tries again
            log.exception("background chore %s failed", getattr(chore, "__name__", chore))
        await asyncio.sleep(seconds)
