"""Dashboard sign-in for SLT members: who may sign in is the org file's `slt` list; their passwords are
argon2id hashes in the database (argon2-cffi), set with `policybot slt password`."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import AccessDenied, ConfigError
from bot.reading.documents import Organisation, SltMember
from bot.storage.tables import SltCredential

MIN_PASSWORD = 12
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anyone has")  # same work whether or not the member exists


def member(org: Organisation | None, email: str) -> SltMember | None:
    if org is None:
        return None
    email = email.strip().lower()
    return next((m for m in org.slt if m.email == email), None)


def set_password(db: sessionmaker[Session], org: Organisation, email: str, password: str, now: datetime) -> None:
    who = member(org, email)
    if who is None:
        raise ConfigError(f"{email} is not in {org.slug}'s SLT list (org.yaml `slt:`); add them there first")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password must be at least {MIN_PASSWORD} characters")
    digest = _hasher.hash(password)
    with db.begin() as session:
        row = _credential(session, org.slug, who.email)
        if row is None:
            session.add(SltCredential(org=org.slug, email=who.email, password_hash=digest, updated_at=now))
        else:
            row.password_hash, row.updated_at = digest, now


def _credential(session: Session, org: str, email: str) -> SltCredential | None:
    stmt = select(SltCredential).where(SltCredential.org == org, SltCredential.email == email)
    return session.scalars(stmt).first()


class SignIn:
    """Checks a password; after repeated failures for one account, refuses for a while."""

    MAX_FAILURES = 5
    LOCKOUT_S = 300.0

    def __init__(self, db: sessionmaker[Session]) -> None:
        self.db = db
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def check(self, org: Organisation | None, email: str, password: str) -> SltMember:
        key = (org.slug if org else "", email.strip().lower())
        if self._locked_out(key):
            raise AccessDenied("Too many failed sign-ins: try again in a few minutes.")
        who = member(org, email)
        with self.db() as session:
            row = _credential(session, key[0], key[1]) if who else None
        if not _verify(row.password_hash if row else _DUMMY, password) or who is None or row is None:
            self._failed(key)
            raise AccessDenied("Those details are not right, or you are not on your school's SLT list.")
        with self._lock:
            self._failures.pop(key, None)
        return who

    def _locked_out(self, key: tuple[str, str]) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < self.LOCKOUT_S]
            self._failures[key] = recent
            return len(recent) >= self.MAX_FAILURES

    def _failed(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(time.monotonic())


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
