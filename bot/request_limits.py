"""Limits every request meets before any route reads it: the body's size and, for JSON, its nesting.

Nothing the server answers needs a large body (a chat message, a Slack event, a Teams activity, a
dashboard form are a few kilobytes), so a body is refused with 413 as soon as its declared length, or the
bytes actually received, pass the limit: no memory is spent on junk, and nothing is parsed. A JSON body
nested deeper than anything a platform sends is refused with 400 before a parser recurses through it.
Accepted bodies are handed on whole, so the routes read them as usual.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32  # Slack and Teams payloads nest under ten levels
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"?', re.DOTALL)  # a JSON string, to the end if unclosed
_OPEN, _CLOSE = np.frombuffer(b"[{", dtype=np.uint8), np.frombuffer(b"]}", dtype=np.uint8)


class RequestLimits:
    """ASGI middleware: 413 for a body over *max_bytes*, 400 for a bad Content-Length or JSON nested
    deeper than *max_depth*; everything else passes through with its body replayed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _refuse(400, "bad Content-Length", scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await _refuse(413, "too large", scope, receive, send)
                return
        body = await _read_up_to(receive, self.max_bytes)
        if body is None:
            await _refuse(413, "too large", scope, receive, send)
            return
        if too_deep(body, self.max_depth):
            await _refuse(400, "JSON nested too deeply", scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def too_deep(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether *body*, if it is JSON, nests arrays and objects deeper than *max_depth*. Brackets inside
    strings are not nesting: strings are blanked out first (no parsing, so no recursion)."""
    if body.lstrip()[:1] not in (b"[", b"{") or body.count(b"[") + body.count(b"{") <= max_depth:
        return False  # not JSON (a form, say), or too few brackets to nest that deep
    marks = np.frombuffer(_STRINGS.sub(b"", body), dtype=np.uint8)
    steps = np.isin(marks, _OPEN).astype(np.int32) - np.isin(marks, _CLOSE).astype(np.int32)
    return bool(steps.size) and int(np.cumsum(steps).max()) > max_depth


def _header(scope: Scope, name: bytes) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


async def _read_up_to(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it passes *limit* bytes (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, when it comes

    return replay


async def _refuse(status: int, error: str, scope: Scope, receive: Receive, send: Send) -> None:
    log.info("refused a %s request to %s: %s", scope.get("method"), scope.get("path"), error)
    response = JSONResponse({"error": error}, status_code=status, headers={"Connection": "close"})
    await response(scope, receive, send)

