"""Platform deliveries already handled, in the database (table delivery_keys), so that a Slack event, a
Teams activity or a Telegram update delivered twice — to two replicas behind one proxy, or to one replica
before and after a restart — is handled once.

"First time" is one INSERT that the primary key (platform, key) makes atomic across processes: PostgreSQL
and SQLite both take `INSERT … ON CONFLICT (platform, key) DO UPDATE … WHERE expires_at < now`, which
inserts a new key, takes over an expired one not yet purged, and otherwise changes nothing (RETURNING no
row: seen already). Two replicas racing on one key: PostgreSQL makes the second wait for the first's commit,
then finds the key live.

While the database cannot be used (down, not yet migrated), deliveries are remembered in this process
(bot.core.deliveries.MemoryDeliveries) and answering carries on: a re-delivery to another replica during
an outage may then be answered twice, never a question lost or held up. Said once in the log per outage.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.deliveries import MemoryDeliveries, delivery_key
from bot.storage.results import rows_matched
from bot.storage.tables import DeliveryKey

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0  # after a failure, use memory only for this long rather than wait on a dead server


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SqlDeliveries:
    """bot.core.deliveries.Deliveries over the database, with this process's memory in front (a delivery
    this process saw is refused without a query) and behind (while the database is down)."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now,
                 memory: MemoryDeliveries | None = None, retry_after: float = RETRY_AFTER_S) -> None:
        self.sessions = sessions
        self.clock = clock
        self.memory = memory or MemoryDeliveries()
        self.retry_after = retry_after
        self._retry_at = 0.0
        self._down = False  # said so in the log; said again only after the database answered once more
        self._state = threading.Lock()

    def first_time(self, platform: str, key: str, ttl: float) -> bool:
        key = delivery_key(key)
        if self.memory.seen(platform, key):
            return False
        if time.monotonic() >= self._retry_at:
            try:
                first = self._insert(platform, key, ttl)
            except SQLAlchemyError as exc:
                self._failed(exc)
            else:
                self._answered()
                self.memory.remember(platform, key, ttl)
                return first
        return self.memory.first_time(platform, key, ttl)

    def _insert(self, platform: str, key: str, ttl: float) -> bool:
        now = self.clock()
        expires = now + timedelta(seconds=max(ttl, 0.0))
        with self.sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            stmt = insert(DeliveryKey).values(platform=platform, key=key, expires_at=expires)
            stmt = stmt.on_conflict_do_update(index_elements=[DeliveryKey.platform, DeliveryKey.key],
                                              set_={"expires_at": expires},
                                              where=DeliveryKey.expires_at < now)
            # A row back: inserted, or an expired key taken over; none: the key is live (seen already).
            return session.execute(stmt.returning(DeliveryKey.key)).first() is not None

    def _failed(self, exc: SQLAlchemyError) -> None:
        with self._state:
            self._retry_at = time.monotonic() + self.retry_after
            if self._down:
                return
            self._down = True
        log.warning("deliveries seen: the database cannot be used (%s); remembering them in this process "
                    "only until it can", exc.__class__.__name__)

    def _answered(self) -> None:
        if self._down:
            with self._state:
                self._down = False
            log.info("deliveries seen: the database answers again")


def purge(sessions: sessionmaker[Session], now: datetime) -> int:
    """Delete the deliveries whose expiry is past; returns how many."""
    with sessions.begin() as session:
        result = session.execute(delete(DeliveryKey).where(DeliveryKey.expires_at < now))
        return rows_matched(result)
