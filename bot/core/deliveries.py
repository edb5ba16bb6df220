"""Platform deliveries already handled: the small interface the adapters use to answer an event, update or
activity once however often the platform delivers it (a retry, a replay, a second replica behind the same
proxy), and the in-process memory that implements it for one process.

    adapter ─▶ deliveries.first_time(platform, key, ttl) ─▶ True: handle it / False: acknowledge only

The shared implementation is in the database (bot.storage.deliveries, one unique key per delivery), so
several replicas, and one replica across a restart, behave as one. This module's MemoryDeliveries is the
default without a database (unit tests) and the shared store's fallback while the database is down.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

log = logging.getLogger(__name__)

MAX_KEY_CHARS = 128  # longer keys are kept as their sha256 (a signature, a long conversation id)
REMEMBERED = 100_000  # in memory, past this the soonest to expire are forgotten first
CHECKERS = 4  # threads asking the database whether a delivery is new (see off_loop)
T = TypeVar("T")
_checkers: ThreadPoolExecutor | None = None
_checkers_made = threading.Lock()


class Deliveries(Protocol):
    def first_time(self, platform: str, key: str, ttl: float) -> bool:
        """True the first time (*platform*, *key*) is seen within *ttl* seconds, and remember it that long;
        False for a delivery already seen."""
        ...


async def off_loop(check: Callable[..., T], *args: object) -> T:
    """*check(*args)* in a thread of its own pool: the shared deliveries ask the database, which must hold up
    neither the event loop nor the platform's acknowledgement. Not asyncio's default pool, whose few
    threads (cores + 4) may all be answering questions: Slack, waiting for the ack meanwhile, would retry."""
    global _checkers
    with _checkers_made:
        if _checkers is None:
            _checkers = ThreadPoolExecutor(CHECKERS, thread_name_prefix="deliveries")
    return await asyncio.get_running_loop().run_in_executor(_checkers, check, *args)


def delivery_key(*parts: object) -> str:
    """One key from its parts ("A1:T1:Ev1"); its sha256 ("sha256:…") when that would be long."""
    key = ":".join(str(p) for p in parts)
    return key if len(key) <= MAX_KEY_CHARS else "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class MemoryDeliveries:
    """Deliveries remembered in this process only, each until its ttl is over; at most *size* of them.
    Thread-safe: the adapters call it from worker threads."""

    def __init__(self, size: int = REMEMBERED, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._expiry: dict[tuple[str, str], float] = {}
        self._by_expiry: list[tuple[float, tuple[str, str]]] = []  # a heap: the soonest to expire first
        self._lock = threading.Lock()
        self._warned = False

    def __len__(self) -> int:
        return len(self._expiry)

    def first_time(self, platform: str, key: str, ttl: float) -> bool:
        item, now = (platform, delivery_key(key)), self.clock()
        with self._lock:
            self._forget_expired(now)
            if item in self._expiry:
                return False
            self._remember(item, now + max(ttl, 0.0))
            return True

    def seen(self, platform: str, key: str) -> bool:
        """Whether (*platform*, *key*) is remembered and not expired (without remembering it)."""
        expires = self._expiry.get((platform, delivery_key(key)))
        return expires is not None and expires >= self.clock()

    def remember(self, platform: str, key: str, ttl: float) -> None:
        """Remember (*platform*, *key*) for *ttl* seconds, seen or not."""
        item, now = (platform, delivery_key(key)), self.clock()
        with self._lock:
            self._forget_expired(now)
            if self._expiry.get(item, -1.0) < now + ttl:
                self._remember(item, now + max(ttl, 0.0))

    def _remember(self, item: tuple[str, str], expires: float) -> None:
        self._expiry[item] = expires
        heapq.heappush(self._by_expiry, (expires, item))
        while len(self._expiry) > self.size:
            expired, oldest = heapq.heappop(self._by_expiry)
            if self._expiry.get(oldest) == expired:
                del self._expiry[oldest]
            if not self._warned:
                self._warned = True
                log.warning("more than %d platform deliveries remembered: the soonest to expire are "
                            "forgotten early", self.size)

    def _forget_expired(self, now: float) -> None:
        while self._by_expiry and self._by_expiry[0][0] < now:
            expires, item = heapq.heappop(self._by_expiry)
            if self._expiry.get(item) == expires:
                del self._expiry[item]
