"""The one ASGI server: the chat adapters' endpoints, the web chat, the SLT dashboard and /healthz.

Chores run beside it: the spool is flushed every half minute and expired log entries are purged
every hour (and once at start).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import wiring
from bot.adapters.base import Adapter
from bot.admin import dashboard
from bot.runtime import Runtime

log = logging.getLogger(__name__)
FLUSH_EVERY_S = 30.0
PURGE_EVERY_S = 3600.0
SESSION_HOURS = 8  # one working day


def build_app(runtime: Runtime, chores: bool = True, adapters: Sequence[Adapter] = ()) -> Starlette:
    """The server over *runtime*, with each adapter's routes; adapters start after the server is up."""
    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok", "organisations": len(runtime.orgs),
                             "spooled": runtime.log.spool.pending()})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(_every(FLUSH_EVERY_S, runtime.flush_spool)),
                 asyncio.create_task(_every(PURGE_EVERY_S, runtime.purge))] if chores else []
        for adapter in adapters:
            await adapter.start()
            log.info("%s adapter started", adapter.name)
        yield
        for adapter in adapters:
            await adapter.stop()
        for task in tasks:
            task.cancel()

    session_key = hmac.new(wiring.secret_key(runtime.settings), b"dashboard sessions", hashlib.sha256).hexdigest()
    middleware = [Middleware(SessionMiddleware, secret_key=session_key, session_cookie="policybot_slt",
                             max_age=SESSION_HOURS * 3600, same_site="strict",
                             https_only=runtime.settings.secure_cookies)]
    routes = [Route("/healthz", healthz), *dashboard.routes(runtime),
              *(route for adapter in adapters for route in adapter.routes())]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


async def _every(seconds: float, chore: object) -> None:
    """Run *chore* now and then every *seconds*, off the event loop; a failure is logged, not fatal."""
    assert callable(chore)
    while True:
        try:
            await asyncio.to_thread(chore)
        except Exception:  # a chore must never take the server down; the next run tries again
            log.exception("background chore %s failed", getattr(chore, "__name__", chore))
        await asyncio.sleep(seconds)
