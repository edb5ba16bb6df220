"""What the server needs from an adapter: its HTTP routes, and background work (Socket Mode, polling)
started and stopped with the server."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute


class Adapter(Protocol):
    name: str

    def routes(self) -> list[BaseRoute]:
        """Routes mounted on the one server (may be empty, e.g. Telegram in polling mode)."""
        ...

    async def start(self) -> None:
        """Begin background work, if any (called once the server is up)."""
        ...

    async def stop(self) -> None:
        ...
