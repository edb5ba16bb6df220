"""Dashboard sign-in for SLT members: who may sign in is the org file's `slt` list; their passwords are
argon2id hashes in the database (argon2-cffi), set with `policybot slt password`.

Three things keep it safe, all in the database (several servers may share one):
- Failed sign-ins are limited per client (its address), across every account, and per (account, client),
  so that someone elsewhere guessing cannot lock the real member out; a slower per-account ceiling
  against guessing from many addresses applies only to browsers the account never signed in on (see
  `Limits`). A refused attempt never checks the password.
- A browser that signed in gets a signed device cookie naming the account (and remembering the school).
- Each sign-in is a session record: the cookie carries a random id; signing out, a password change or
  expiry ends it, so a copied cookie stops working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import math
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import AccessDenied, ConfigError, StorageError
from bot.reading.documents import Organisation, SltMember
from bot.storage.results import rows_matched
from bot.storage.tables import SignInFailure, SltCredential, SltSession

MIN_PASSWORD = 12
SESSION_HOURS = 8  # one working day (the cookie's max_age in bot.server is the same)
DEVICE_DAYS = 180
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anyone has")  # same work whether or not the member exists
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def member(org: Organisation | None, email: str) -> SltMember | None:
    if org is None:
        return None
    email = email.strip().lower()
    return next((m for m in org.slt if m.email == email), None)


def set_password(db: sessionmaker[Session], org: Organisation, email: str, password: str, now: datetime) -> None:
    """Set (or reset) a member's password; every session they have open ends (a password is reset when
    someone else may know it, and they may be signed in with it)."""
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
        session.execute(delete(SltSession).where(SltSession.org == org.slug, SltSession.email == who.email))


def _credential(session: Session, org: str, email: str) -> SltCredential | None:
    stmt = select(SltCredential).where(SltCredential.org == org, SltCredential.email == email)
    return session.scalars(stmt).first()


@dataclass(frozen=True)
class Limits:
    """Failed sign-ins allowed before a client is refused for a while (a failure counts for as long as
    its window). Why three:
    - per client (address), across accounts: one address guessing at many accounts is stopped after
      `per_client`, whoever it aims at;
    - per (account, client): the usual lock-out, but only for the client that failed, so an attacker
      elsewhere cannot lock the real member out;
    - per account, from unrecognised browsers: an attacker with many addresses gets `per_account`
      guesses an hour at one account (720 a day against a password of 12+ characters), while the member
      still signs in from any browser they signed in on before (its device cookie), which this ceiling
      never blocks. A recognised browser has its own counter (`per_device`), apart from its address's:
      a school's staff share one address, and a pupil guessing on the school network must not lock out
      the SLT's own computers."""

    window_s: int = 900
    per_client: int = 10
    per_account_client: int = 5
    per_device: int = 5
    account_window_s: int = 3600
    per_account: int = 30

    @property
    def keep_s(self) -> int:
        return max(self.window_s, self.account_window_s)


class TooManyAttempts(AccessDenied):
    """Refused before the password is checked; *retry_after_s* is when the client may try again."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Attempt:
    org: str
    email: str
    client: str  # the address, or "device:<hash>" for a browser this account signed in on before
    recognised: bool


def attempt(org: str, email: str, address: str, device: str | None) -> Attempt:
    """What a sign-in is counted under: *device* is the browser's device cookie, when it is this account's."""
    email = email.strip().lower()[:200]
    if device:
        return Attempt(org[:100], email, "device:" + hashlib.sha256(device.encode()).hexdigest()[:40], True)
    return Attempt(org[:100], email, address[:100], False)


class SignIn:
    """Checks a password, within the limits on failed sign-ins (`Limits`)."""

    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime], limits: Limits = Limits()) -> None:
        self.db = db
        self.clock = clock
        self.limits = limits

    def check(self, org: Organisation | None, who: Attempt, password: str) -> SltMember:
        """The member signing in; AccessDenied (TooManyAttempts before any password check) if not;
        StorageError if the database cannot be used."""
        try:
            claim = self._claim(who)
            found = member(org, who.email)
            with self.db() as session:
                row = _credential(session, who.org, who.email) if found else None
            if not _verify(row.password_hash if row else _DUMMY, password) or found is None or row is None:
                raise AccessDenied("Those details are not right, or you are not on your school's SLT list.")
            self._succeeded(who, claim)
            return found
        except SQLAlchemyError as exc:
            raise StorageError(f"sign-in could not use the database ({exc.__class__.__name__})") from exc

    def _claim(self, who: Attempt) -> int:
        """Record the attempt as a failure first (so that parallel attempts count each other), then refuse
        it, unrecorded, if it is over a limit."""
        now = self.clock()
        with self.db.begin() as session:
            row = SignInFailure(at=now, client=who.client, org=who.org, email=who.email, recognised=who.recognised)
            session.add(row)
            session.flush()
            claim = row.id
        with self.db() as session:
            refusal = self._over_limit(session, who, now)
        if refusal is not None:
            with self.db.begin() as session:
                session.execute(delete(SignInFailure).where(SignInFailure.id == claim))
            raise refusal
        return claim

    def _over_limit(self, session: Session, who: Attempt, now: datetime) -> TooManyAttempts | None:
        lim = self.limits
        recent = SignInFailure.at >= now - timedelta(seconds=lim.window_s)
        account = (SignInFailure.org == who.org, SignInFailure.email == who.email)
        from_here = SignInFailure.client == who.client
        checks: list[tuple[tuple[ColumnElement[bool], ...], int, int, str]]
        if who.recognised:
            checks = [((from_here, recent, *account), lim.per_device, lim.window_s, _ACCOUNT_HERE)]
        else:
            checks = [((from_here, recent), lim.per_client, lim.window_s, _CLIENT),
                      ((from_here, recent, *account), lim.per_account_client, lim.window_s, _ACCOUNT_HERE),
                      ((*account, SignInFailure.recognised.is_(False),
                        SignInFailure.at >= now - timedelta(seconds=lim.account_window_s)),
                       lim.per_account, lim.account_window_s, _ACCOUNT)]
        for where, limit, window_s, message in checks:
            count, oldest = session.execute(select(func.count(), func.min(SignInFailure.at)).where(*where)).one()
            if count > limit:  # this attempt's own record is one of them
                wait = window_s - (now - _aware(oldest)).total_seconds()
                minutes = max(1, math.ceil(wait / 60))
                return TooManyAttempts(message.format(minutes=minutes, s="" if minutes == 1 else "s"),
                                       max(1, math.ceil(wait)))
        return None

    def _succeeded(self, who: Attempt, claim: int) -> None:
        """This attempt was no failure, and the earlier ones of this account from this client are forgiven
        (the member got it right); other clients' failures still count."""
        with self.db.begin() as session:
            session.execute(delete(SignInFailure).where(SignInFailure.id == claim))
            session.execute(delete(SignInFailure).where(SignInFailure.client == who.client,
                                                        SignInFailure.org == who.org,
                                                        SignInFailure.email == who.email))


_CLIENT = ("Too many failed sign-ins from this computer or network: signing in from here is paused for "
           "{minutes} minute{s}.")
_ACCOUNT_HERE = ("Too many failed sign-ins to this account from here: try again in {minutes} minute{s}, or ask "
                 "whoever runs policybot to reset your password.")
_ACCOUNT = ("This account has had too many failed sign-ins from elsewhere, so it is paused for {minutes} "
            "minute{s} on computers it has not signed in on before. Sign in on a computer you have used "
            "before, or try again later.")


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite gives naive UTC


# --- Sessions ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignedIn:
    org: str
    email: str


class Sessions:
    """Server-side session records (SltSession): the cookie holds the id, the database what it means."""

    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime], hours: int = SESSION_HOURS) -> None:
        self.db = db
        self.clock = clock
        self.hours = hours

    def start(self, org: str, email: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.begin() as session:
            session.add(SltSession(id_hash=_hash(token), org=org, email=email, created_at=now,
                                   expires_at=now + timedelta(hours=self.hours)))
        return token

    def find(self, token: str | None) -> SignedIn | None:
        """Whom *token* signs in, if its record exists and has not expired."""
        if not token or not isinstance(token, str):
            return None
        with self.db() as session:
            row = session.get(SltSession, _hash(token))
            if row is None or _aware(row.expires_at) <= self.clock():
                return None
            return SignedIn(row.org, row.email)

    def end(self, token: str | None) -> None:
        if token and isinstance(token, str):
            with self.db.begin() as session:
                session.execute(delete(SltSession).where(SltSession.id_hash == _hash(token)))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def purge(db: sessionmaker[Session], now: datetime, limits: Limits = Limits()) -> tuple[int, int]:
    """Delete expired session records and failures older than any limit's window; returns how many of each."""
    with db.begin() as session:
        sessions = rows_matched(session.execute(delete(SltSession).where(SltSession.expires_at <= now)))
        failures = rows_matched(session.execute(delete(SignInFailure).where(
            SignInFailure.at < now - timedelta(seconds=limits.keep_s))))
    return sessions or 0, failures or 0


# --- Device cookies and client addresses -------------------------------------------------------------

class DeviceCookies:
    """A signed "this browser signed in as <org, email> on <date>" cookie: the browser is then recognised
    (the per-account ceiling does not block it) and its school is offered first at the next sign-in.
    It signs no one in by itself."""

    NAME = "policybot_slt_device"

    def __init__(self, key: bytes, clock: Callable[[], datetime], days: int = DEVICE_DAYS) -> None:
        self.key = hmac.new(key, b"dashboard device cookies", hashlib.sha256).digest()
        self.clock = clock
        self.days = days

    def issue(self, org: str, email: str) -> str:
        body = base64.urlsafe_b64encode(f"{org}\n{email}\n{int(self.clock().timestamp())}".encode()).decode()
        return f"{body}.{self._sign(body)}"

    def read(self, value: str | None) -> SignedIn | None:
        """The account *value* was issued for, if it is genuine and not too old."""
        if not value or value.count(".") != 1:
            return None
        body, mac = value.split(".")
        if not hmac.compare_digest(mac.encode("utf-8", "replace"), self._sign(body).encode()):
            return None
        try:
            org, email, issued = base64.urlsafe_b64decode(body.encode()).decode().split("\n")
            age = self.clock().timestamp() - int(issued)
        except ValueError:
            return None
        return SignedIn(org, email) if 0 <= age < self.days * 86400 else None

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()


def trusted_networks(text: str) -> tuple[Network, ...]:
    """POLICYBOT_TRUSTED_PROXIES: addresses or networks, comma-separated."""
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"POLICYBOT_TRUSTED_PROXIES: {exc}") from exc


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The address a request came from. X-Forwarded-For is believed only from a trusted proxy, and only as
    far as the chain of trusted proxies goes: read right to left, the first address that is not a trusted
    proxy is the client (whatever a client writes in the header itself is left of that)."""
    if not peer:
        return "unknown"
    if not _trusted(peer, trusted) or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop[:100]
    return hops[0][:100] if hops else peer


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    # Bytes: compare_digest refuses a str with non-ASCII characters, which a forged form may well hold.
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected).encode("utf-8", "replace"),
                                                              str(given).encode("utf-8", "replace"))
