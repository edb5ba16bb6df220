"""Chat state in the database (bot.core.chat_state's interfaces), so that every server sharing it, and a
server after a restart, carries on the same conversations: walkthrough positions (ChatWalk), group
sessions (ChatRoomSession), SLT's reminders (ChatReminder) and notices already shown (ChatNoticeShown).

Every write is one statement that decides by itself, so two servers racing get one winner:
- a walkthrough changes by `UPDATE ... WHERE version = :expected` (compare-and-set: PostgreSQL makes
  the second of two concurrent updates re-check the condition on the first's result; SQLite writes one
  at a time) and is (re)started by an upsert (INSERT ... ON CONFLICT DO UPDATE, in both dialects);
- a reminder is taken by the DELETE that removes its row; a notice is shown by the INSERT ... ON
  CONFLICT DO NOTHING that adds its row; a group session ends by the DELETE ... RETURNING that removes it.

While the database cannot be reached, walkthroughs and group sessions carry on in this process (its
copy of what it last read or wrote; one warning when the database goes, one line when it is back), and
what changed meanwhile is written back at the person's (or room's) next message. Reminders and notices
wait for the database, as the "policy changed" notice always has.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.chat_state import WalkState, notice_key
from bot.storage.results import rows_matched
from bot.storage.question_log import utc_now
from bot.storage.tables import ChatNoticeShown, ChatReminder, ChatRoomSession, ChatWalk

log = logging.getLogger(__name__)

WALK_IDLE_DAYS = 30  # a walkthrough nobody touched for this long is purged (/induction starts it again)
REMINDER_DAYS = 90  # SLT's reminder is dropped if the person has not written since
NOTICE_DAYS = 90  # after this, a "policy changed" notice still true is shown once more


class Outage:
    """Says once that the database is gone and once that it is back, not at every message."""

    def __init__(self) -> None:
        self._down = False
        self._lock = threading.Lock()

    def lost(self, exc: Exception) -> None:
        with self._lock:
            was, self._down = self._down, True
        if not was:
            log.warning("chat state: the database cannot be reached (%s); walkthroughs and group sessions carry "
                        "on in this process until it is back", exc.__class__.__name__)

    def back(self) -> None:
        with self._lock:
            was, self._down = self._down, False
        if was:
            log.info("chat state: the database is back; what changed meanwhile is written at each person's next "
                     "message")


def _upsert(session: Session, table: type) -> Any:
    """INSERT with ON CONFLICT for the session's dialect (both have it, under the same method names)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class SqlWalks:
    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime] = utc_now,
                 outage: Outage | None = None) -> None:
        self.db = db
        self.clock = clock
        self.outage = outage or Outage()
        self._local: dict[str, WalkState] = {}  # as last read or written here: what an outage carries on from
        self._dirty: set[str] = set()  # changed here while the database was away (absent from _local: ended)
        self._lock = threading.Lock()  # guards the copy; the database decides races between servers

    @contextmanager
    def _database(self, person: str) -> Iterator[Session]:
        """A transaction that first writes back what changed here during an outage."""
        with self.db.begin() as session:
            if person in self._dirty:
                self._write_back(session, person)
            yield session
        self._dirty.discard(person)
        self.outage.back()

    def get(self, person: str) -> WalkState | None:
        try:
            with self._database(person) as session:
                row = session.get(ChatWalk, person)
                state = _state(row) if row is not None else None
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            return self._local.get(person)
        if state is None:
            self._local.pop(person, None)
        else:
            self._local[person] = state
        return state

    def put(self, person: str, state: WalkState) -> WalkState:
        try:
            with self._database(person) as session:
                values = _values(state, self.clock())
                stmt = _upsert(session, ChatWalk).values(person_key=person, version=1, **values)
                stmt = stmt.on_conflict_do_update(index_elements=[ChatWalk.person_key],
                                                  set_={**values, "version": ChatWalk.version + 1})
                version = session.execute(stmt.returning(ChatWalk.version)).scalar_one()
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            with self._lock:
                old = self._local.get(person)
                stored = self._local[person] = replace(state, version=(old.version if old else 0) + 1)
                self._dirty.add(person)
            return stored
        stored = self._local[person] = replace(state, version=version)
        return stored

    def swap(self, person: str, expected: int, state: WalkState) -> WalkState | None:
        stored = replace(state, version=expected + 1)
        try:
            with self._database(person) as session:
                changed = rows_matched(session.execute(
                    update(ChatWalk).where(ChatWalk.person_key == person, ChatWalk.version == expected)
                    .values(**_values(state, self.clock()), version=expected + 1))) == 1
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            with self._lock:  # the same compare-and-set, on this process's copy
                old = self._local.get(person)
                if old is None or old.version != expected:
                    return None
                self._local[person] = stored
                self._dirty.add(person)
            return stored
        if not changed:
            return None
        self._local[person] = stored
        return stored

    def end(self, person: str, expected: int) -> bool:
        try:
            with self._database(person) as session:
                ended = rows_matched(session.execute(delete(ChatWalk).where(
                    ChatWalk.person_key == person, ChatWalk.version == expected))) == 1
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            with self._lock:
                old = self._local.get(person)
                if old is None or old.version != expected:
                    return False
                del self._local[person]
                self._dirty.add(person)
            return True
        if ended:
            self._local.pop(person, None)
        return ended

    def drop(self, person: str) -> None:
        try:
            with self._database(person) as session:
                session.execute(delete(ChatWalk).where(ChatWalk.person_key == person))
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            with self._lock:
                self._dirty.add(person)
        self._local.pop(person, None)

    def _write_back(self, session: Session, person: str) -> None:
        """What this process did during an outage wins (nobody else could write meanwhile); the version
        moves past both, so a press prepared on either copy is applied again, to the result."""
        where = ChatWalk.person_key == person
        stored = session.scalar(select(ChatWalk.version).where(where).with_for_update())
        with self._lock:
            state = self._local.get(person)
            if state is not None:
                state = self._local[person] = replace(state, version=max(state.version, stored or 0) + 1)
        if state is None:
            session.execute(delete(ChatWalk).where(where))
        elif stored is None:
            session.execute(insert(ChatWalk).values(person_key=person, version=state.version,
                                                    **_values(state, self.clock())))
        else:
            session.execute(update(ChatWalk).where(where).values(version=state.version, **_values(state, self.clock())))


def _values(state: WalkState, now: datetime) -> dict[str, Any]:
    return {"org": state.org, "plan": json.dumps([list(p) for p in state.plan]), "policy": state.policy,
            "step": state.step, "asking": state.asking, "session": state.session, "note": state.note,
            "updated_at": now}


def _state(row: ChatWalk) -> WalkState:
    plan = tuple((str(source), str(sha)) for source, sha in json.loads(row.plan))
    return WalkState(row.org, plan, row.policy, row.step, row.asking, row.session, row.note, row.version)


class SqlRooms:
    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime] = utc_now,
                 outage: Outage | None = None) -> None:
        self.db = db
        self.clock = clock
        self.outage = outage or Outage()
        self._local: dict[str, str] = {}  # room -> session id, as last read or written here
        self._dirty: set[str] = set()  # opened or closed here while the database was away

    @contextmanager
    def _database(self, room: str) -> Iterator[Session]:
        with self.db.begin() as session:
            if room in self._dirty:
                session.execute(delete(ChatRoomSession).where(ChatRoomSession.room == room))
                if room in self._local:
                    session.execute(insert(ChatRoomSession).values(room=room, session=self._local[room],
                                                                   started_at=self.clock()))
            yield session
        self._dirty.discard(room)
        self.outage.back()

    def open(self, room: str, session_id: str) -> None:
        try:
            with self._database(room) as session:
                values = {"session": session_id, "started_at": self.clock()}
                stmt = _upsert(session, ChatRoomSession).values(room=room, **values)
                session.execute(stmt.on_conflict_do_update(index_elements=[ChatRoomSession.room], set_=values))
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            self._dirty.add(room)
        self._local[room] = session_id

    def close(self, room: str) -> str | None:
        try:
            with self._database(room) as session:
                ended = session.execute(delete(ChatRoomSession).where(ChatRoomSession.room == room)
                                        .returning(ChatRoomSession.session)).scalar()
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            ended = self._local.get(room)
            self._dirty.add(room)
        self._local.pop(room, None)
        return ended

    def session_of(self, room: str) -> str | None:
        try:
            with self._database(room) as session:
                found = session.scalar(select(ChatRoomSession.session).where(ChatRoomSession.room == room))
        except SQLAlchemyError as exc:
            self.outage.lost(exc)
            return self._local.get(room)
        if found is None:
            self._local.pop(room, None)
        else:
            self._local[room] = found
        return found


class SqlNudges:
    """Reminders and notices shown. They wait for the database (an error goes up to the caller, which
    sends the answer without them)."""

    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock

    def remind(self, people: Iterable[str]) -> None:
        now = self.clock()
        with self.db.begin() as session:
            for person in dict.fromkeys(people):
                stmt = _upsert(session, ChatReminder).values(person_key=person, created_at=now)
                session.execute(stmt.on_conflict_do_update(index_elements=[ChatReminder.person_key],
                                                           set_={"created_at": now}))

    def take_reminder(self, person: str) -> bool:
        with self.db() as session:  # most messages: one read, nothing to take
            if session.scalar(select(ChatReminder.person_key).where(ChatReminder.person_key == person)) is None:
                return False
        with self.db.begin() as session:  # whoever deletes the row shows the reminder
            return rows_matched(session.execute(delete(ChatReminder).where(ChatReminder.person_key == person))) == 1

    def first_showing(self, person: str, notice: str) -> bool:
        with self.db.begin() as session:
            stmt = _upsert(session, ChatNoticeShown).values(person_key=person, notice=notice_key(notice),
                                                            shown_at=self.clock())
            # RETURNING, not rowcount: an ORM-enabled insert's rowcount is -1 on psycopg
            added = session.execute(stmt.on_conflict_do_nothing().returning(ChatNoticeShown.notice)).first()
            return added is not None


def purge(db: sessionmaker[Session], now: datetime) -> dict[str, int]:
    """Delete walkthroughs left untouched for WALK_IDLE_DAYS (ended ones are deleted when they end), and
    reminders and notices past their days; returns how many of each."""
    with db.begin() as session:
        walks = rows_matched(session.execute(delete(ChatWalk).where(
            ChatWalk.updated_at < now - timedelta(days=WALK_IDLE_DAYS))))
        reminders = rows_matched(session.execute(delete(ChatReminder).where(
            ChatReminder.created_at < now - timedelta(days=REMINDER_DAYS))))
        notices = rows_matched(session.execute(delete(ChatNoticeShown).where(
            ChatNoticeShown.shown_at < now - timedelta(days=NOTICE_DAYS))))
    return {"walkthroughs": walks or 0, "reminders": reminders or 0, "notices": notices or 0}
