"""Which replica does the shared chores: the leader, one at a time.

Several servers may share one PostgreSQL database. The chores that work on shared tables — the retention
purge, embedding unanswered questions for gap grouping, raising unseen safeguarding concerns again — must
run on one of them only, or each row is worked on (and each DSL reminded) once per replica. The leader
is whoever holds a session-level advisory lock (pg_try_advisory_lock) on a connection of its own, kept
open while it leads. If the leader dies, or its connection breaks, PostgreSQL drops the lock with the
session and another replica takes it at its next try (every chore run tries).

Not everything is the leader's: each replica's spool is a local file of its own (entries written while
the database was down), so every replica flushes its own spool whether it leads or not. Only chores over
shared tables are led.

On SQLite there is one process: it is always the leader.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
LEADER_LOCK = 0x706F6C6963790002  # "policy" + 2 (migrations hold + 1, bot.storage.migrations.env)
T = TypeVar("T")


class Leadership:
    """Whether this process is the leader now: `leads()` takes the lock if it is free, and checks that a
    lock taken earlier is still held (its connection alive)."""

    def __init__(self, engine: Engine, key: int = LEADER_LOCK) -> None:
        self.engine = engine
        self.key = key
        self.shared = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._guard = threading.Lock()  # chores run in worker threads

    def leads(self) -> bool:
        if not self.shared:
            return True
        with self._guard:
            if self._conn is not None and self._alive(self._conn):
                return True
            return self._take()

    def _alive(self, conn: Connection) -> bool:
        try:
            conn.execute(text("SELECT 1"))
            conn.commit()
            return True
        except SQLAlchemyError as exc:  # the connection broke: the lock went with it
            log.warning("leader: the connection holding the chores' lock broke (%s); no longer leading",
                        exc.__class__.__name__)
            self._drop()
            return False

    def _take(self) -> bool:
        try:
            conn = self.engine.connect()
        except SQLAlchemyError:  # the database is down: nobody leads until it is back
            return False
        try:
            # Out of the pool for good: a lock must never outlive its holder in a pooled connection.
            conn.detach()
            taken = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
            conn.commit()
        except SQLAlchemyError:
            conn.close()
            return False
        if not taken:
            conn.close()
            return False
        self._conn = conn
        log.info("leader: this replica now runs the shared chores (purge, gap embeddings, concern reminders)")
        return True

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except SQLAlchemyError:
                pass

    def resign(self) -> None:
        """Give the lock up (at shutdown): closing the connection ends the session, and with it the lock."""
        with self._guard:
            self._drop()

    def only(self, chore: Callable[[], T]) -> Callable[[], T | None]:
        """*chore*, run only while this process leads (None when it does not)."""
        def led() -> T | None:
            return chore() if self.leads() else None

        led.__name__ = getattr(chore, "__name__", "chore")
        return led
