"""What a conversation remembers between messages: where someone is in their induction walkthrough, the
group sessions running in rooms, the reminders SLT asked for and the notices already shown.

Behind small interfaces, so that servers sharing one database share it (bot.storage.chat_state) while
unit tests and a bare `Induction` keep it in memory (the classes here). The semantics are the same in
both, and hold when two servers race:
- a walkthrough changes by compare-and-set on its version: each button press is applied once, to the
  position it finds when it is applied (a press that lost the race is applied again to the new
  position, never to the old one), so no press is lost or counted twice, and one acknowledgement is
  recorded however many servers see the same "I have read and understood";
- a reminder is taken by exactly one server (the first message after it was set);
- a notice is shown once to each person, whichever server shows it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol


@dataclass(frozen=True)
class WalkState:
    """One person's walkthrough: which policies it covers and where they are in it."""

    org: str
    plan: tuple[tuple[str, str], ...]  # (source, version hash) of each policy to acknowledge, in order
    policy: int = 0  # index into plan
    step: int = 0  # index into that policy's steps (key points, checks, the acknowledgement)
    asking: bool = False  # "I have a question" pressed: the next message is a question in induction
    session: str | None = None  # the group session it was started in, if any
    note: str = ""  # the result of the last check, shown with the next step
    version: int = 0  # set by the store; every change bumps it


class Walks(Protocol):
    def get(self, person: str) -> WalkState | None: ...

    def put(self, person: str, state: WalkState) -> WalkState:
        """Store *state* whatever was there (a walkthrough (re)started); returns it as stored."""
        ...

    def swap(self, person: str, expected: int, state: WalkState) -> WalkState | None:
        """Store *state* only if the stored version is still *expected*; returns it as stored, or None
        when another change came first (or the walkthrough is gone)."""
        ...

    def end(self, person: str, expected: int) -> bool:
        """Remove the walkthrough only if its version is still *expected* (the last acknowledgement);
        True if this call removed it."""
        ...

    def drop(self, person: str) -> None:
        """Remove the walkthrough, if any, whatever its version."""
        ...


class Rooms(Protocol):
    """Group induction sessions, by room ("platform:workspace")."""

    def open(self, room: str, session: str) -> None: ...

    def close(self, room: str) -> str | None:
        """End the room's session; its id, or None if none was running (one caller gets it)."""
        ...

    def session_of(self, room: str) -> str | None: ...


class Nudges(Protocol):
    def remind(self, people: Iterable[str]) -> None:
        """Ask these people (chat identities) to complete their induction at their next message."""
        ...

    def take_reminder(self, person: str) -> bool:
        """True once per reminder: the reminder is taken (only one caller gets True)."""
        ...

    def first_showing(self, person: str, notice: str) -> bool:
        """True the first time *notice* is to be shown to *person* (it is recorded as shown)."""
        ...


def notice_key(notice: str) -> str:
    """A notice's text as a short key (notices quote policy text, which can be long)."""
    return hashlib.sha256(notice.encode("utf-8")).hexdigest()


@dataclass
class MemoryWalks:
    _walks: dict[str, WalkState] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, person: str) -> WalkState | None:
        return self._walks.get(person)

    def put(self, person: str, state: WalkState) -> WalkState:
        with self._lock:
            old = self._walks.get(person)
            stored = self._walks[person] = replace(state, version=(old.version if old else 0) + 1)
            return stored

    def swap(self, person: str, expected: int, state: WalkState) -> WalkState | None:
        with self._lock:
            old = self._walks.get(person)
            if old is None or old.version != expected:
                return None
            stored = self._walks[person] = replace(state, version=expected + 1)
            return stored

    def end(self, person: str, expected: int) -> bool:
        with self._lock:
            old = self._walks.get(person)
            if old is None or old.version != expected:
                return False
            del self._walks[person]
            return True

    def drop(self, person: str) -> None:
        with self._lock:
            self._walks.pop(person, None)


@dataclass
class MemoryRooms:
    _sessions: dict[str, str] = field(default_factory=dict)  # "platform:workspace" -> session id
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, room: str, session: str) -> None:
        with self._lock:
            self._sessions[room] = session

    def close(self, room: str) -> str | None:
        with self._lock:
            return self._sessions.pop(room, None)

    def session_of(self, room: str) -> str | None:
        return self._sessions.get(room)


@dataclass
class MemoryNudges:
    _reminders: set[str] = field(default_factory=set)
    _shown: set[tuple[str, str]] = field(default_factory=set)  # (person, notice_key)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def remind(self, people: Iterable[str]) -> None:
        with self._lock:
            self._reminders.update(people)

    def take_reminder(self, person: str) -> bool:
        with self._lock:
            if person not in self._reminders:
                return False
            self._reminders.discard(person)
            return True

    def first_showing(self, person: str, notice: str) -> bool:
        key = (person, notice_key(notice))
        with self._lock:
            if key in self._shown:
                return False
            self._shown.add(key)
            return True
