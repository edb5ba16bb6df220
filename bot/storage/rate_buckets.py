"""The per-sender rate limit (bot.core.ratelimit) with its buckets in the database (table rate_buckets),
so that replicas share them: one person's questions alternating between two replicas are limited as if
they went to one, and a restart forgets nobody's bucket.

One question takes a token in one transaction, usually of one statement:

    UPDATE the key's bucket to (refilled - 1, now) WHERE refilled >= 1   RETURNING: a row means "ask now"
    none: INSERT (burst - 1, now) ON CONFLICT DO NOTHING RETURNING        a row: first use, "ask now"
    none: the bucket exists (empty, or made meanwhile by another replica): the UPDATE once more

where refilled = min(burst, tokens + (now - at) * rate), computed by the database from the row it
locks, so PostgreSQL replicas racing on one key each see the other's token taken (an UPDATE re-reads a
row changed under it before it applies its WHERE). On SQLite (one process) the same statements run under
this process's lock. A refused question changes nothing: (tokens, at) still gives the same refill. How
long to wait is read from the row afterwards.

`at` is wall-clock seconds (time.time), the same on every replica of one trust to within NTP; a replica
whose clock is behind never refills a bucket backwards (now - at is taken as at least 0).

While the database cannot be used the base class's buckets, in this process's memory, stand in, so that
questions are limited and answered all the same (said once in the log per outage).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.ratelimit import RateLimiter
from bot.storage.results import rows_matched
from bot.storage.tables import RateBucket

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0  # after a failure, use memory only for this long rather than wait on a dead server
MAX_KEY_CHARS = 200


def full_after(per_minute: int, burst: int) -> float:
    """Seconds after which an untouched bucket is full again (so may be forgotten)."""
    return burst * 60.0 / per_minute


class SqlRateLimiter(RateLimiter):
    """RateLimiter.wait_seconds over buckets in the database; the inherited in-memory buckets while the
    database is down."""

    def __init__(self, sessions: sessionmaker[Session], per_minute: int = 10, burst: int = 5,
                 wall: Callable[[], float] = time.time, retry_after: float = RETRY_AFTER_S) -> None:
        super().__init__(per_minute, burst)
        self.sessions = sessions
        self.wall = wall
        self.retry_after = retry_after
        self._retry_at = 0.0
        self._down = False
        bind = sessions.kw.get("bind")
        self._serial: AbstractContextManager[object] = (
            threading.Lock() if bind is None or bind.dialect.name == "sqlite" else nullcontext())

    def wait_seconds(self, key: str) -> float:
        if time.monotonic() >= self._retry_at:
            try:
                with self._serial:
                    wait = self._take(_stored_key(key), self.wall())
            except SQLAlchemyError as exc:
                self._failed(exc)
            else:
                if self._down:
                    self._down = False
                    log.info("rate limits: the database answers again")
                return wait
        return super().wait_seconds(key)

    def _take(self, key: str, now: float) -> float:
        elapsed = case((literal(now) > RateBucket.at, literal(now) - RateBucket.at), else_=0.0)
        refilled = case((RateBucket.tokens + elapsed * self.rate > self.burst, literal(self.burst)),
                        else_=RateBucket.tokens + elapsed * self.rate)
        later = case((literal(now) > RateBucket.at, literal(now)), else_=RateBucket.at)
        take = (update(RateBucket).where(RateBucket.key == key, refilled >= 1.0)
                .values(tokens=refilled - 1.0, at=later).returning(RateBucket.key))
        with self.sessions.begin() as session:
            if session.execute(take).first() is not None:  # the usual case: one statement
                return 0.0
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            first_use = (insert(RateBucket).values(key=key, tokens=self.burst - 1.0, at=now)
                         .on_conflict_do_nothing(index_elements=[RateBucket.key]).returning(RateBucket.key))
            if session.execute(first_use).first() is not None:
                return 0.0
            # The bucket is there: empty, or made just now by another replica (then try it once more).
            if session.execute(take).first() is not None:
                return 0.0
            tokens = session.execute(select(refilled).where(RateBucket.key == key)).scalar_one()
        return (1.0 - float(tokens)) / self.rate if self.rate > 0 else float("inf")

    def _failed(self, exc: SQLAlchemyError) -> None:
        self._retry_at = time.monotonic() + self.retry_after
        if not self._down:
            self._down = True
            log.warning("rate limits: the database cannot be used (%s); counting in this process only "
                        "until it can", exc.__class__.__name__)


def _stored_key(key: str) -> str:
    return key if len(key) <= MAX_KEY_CHARS else "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def purge(sessions: sessionmaker[Session], now: float, full_after_s: float) -> int:
    """Forget the buckets untouched for *full_after_s* seconds before *now* (wall-clock seconds): full
    again, they hold nothing a fresh bucket would not. Returns how many."""
    with sessions.begin() as session:
        result = session.execute(delete(RateBucket).where(RateBucket.at < now - full_after_s))
        return rows_matched(result)
