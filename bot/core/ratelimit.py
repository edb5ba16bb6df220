"""Per-user rate limit: a token bucket per sender, so one person (or a stuck script) cannot crowd out
everyone else's questions on two cores."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int = 10, burst: int = 5, clock: Callable[[], float] = time.monotonic,
                 max_users: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self.max_users = max_users
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def wait_seconds(self, key: str) -> float:
        """0 and one token taken if *key* may ask now; otherwise how long until they may."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._store(key, tokens - 1.0, now)
                return 0.0
            self._store(key, tokens, now)
            return (1.0 - tokens) / self.rate if self.rate > 0 else float("inf")

    def _store(self, key: str, tokens: float, now: float) -> None:
        if len(self._buckets) >= self.max_users and key not in self._buckets:
            # Forget full buckets first: they hold no state a fresh bucket would not.
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst}
        self._buckets[key] = (tokens, now)
