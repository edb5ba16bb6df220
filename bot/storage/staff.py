"""The staff directory of each organisation (who is who), in the database: the org file's `staff:` list and
CSV imports from a school's MIS, plus the chat identities matched to them.

An import never loses what is stored: rows are upserted by e-mail, and someone missing from a new import is
marked left (their acknowledgements keep their name) unless the import is told to prune. The question log
never reads this: it stays pseudonymous; the register and the DSL's view do, to show names.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import ParamSpec, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import ConfigError, StorageError
from bot.reading.documents import StaffMember
from bot.storage.question_log import utc_now
from bot.storage.tables import StaffIdentity, StaffLinkCode, StaffRecord

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
P = ParamSpec("P")
R = TypeVar("R")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read and retyped


class StaffImportError(ConfigError):
    """A staff CSV that cannot be imported; says which line and why. Nothing is stored when raised."""


@dataclass(frozen=True)
class StaffRow:
    """One person as a CSV import or the org file gives them."""

    name: str
    email: str | None
    role: str | None = None
    line: int = 0  # where in the file (for messages)


@dataclass(frozen=True)
class Member:
    id: int
    org: str
    name: str
    email: str | None
    role: str | None
    origin: str  # "org_file" or "import"
    left_at: datetime | None
    keys: tuple[str, ...] = ()  # chat identities matched to them ("slack:T1:U2")
    platforms: tuple[str, ...] = ()  # the platforms of those identities, same order


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    marked_left: int
    pruned: int


# --- Reading a CSV -------------------------------------------------------------------------------------

_HEADERS = {
    "name": ("name", "full name", "fullname", "staff name", "display name", "preferred name"),
    "first": ("forename", "first name", "firstname", "given name", "legal forename", "preferred forename"),
    "last": ("surname", "last name", "lastname", "family name", "legal surname", "preferred surname"),
    "email": ("email", "e-mail", "email address", "e-mail address", "work email", "work e-mail", "mail",
              "school email"),
    "role": ("role", "job title", "title", "post", "position", "staff role", "job role"),
}


def _column(header: str) -> str | None:
    flat = re.sub(r"[\s_]+", " ", header.strip().lstrip("\ufeff").lower())
    return next((k for k, names in _HEADERS.items() if flat in names), None)


def parse_csv(text: str) -> list[StaffRow]:
    """Rows of a staff CSV (name, e-mail, role; "Forename"/"Surname" and "Email Address" read too). Raises
    StaffImportError naming the line of the first bad row, or a header it cannot use."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise StaffImportError("the file is empty: expected a header row (name, email, role)") from None
    except csv.Error as exc:
        raise StaffImportError(f"line 1: not CSV ({exc})") from None
    columns = [_column(h) for h in header]
    if "email" not in columns or not ("name" in columns or {"first", "last"} <= set(columns)):
        raise StaffImportError(f"line 1: the header must name an e-mail column and a name column (or forename "
                               f"and surname); found {', '.join(h.strip() for h in header) or 'nothing'}")
    rows: list[StaffRow] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            rows.append(_row(columns, values, line, seen))
    except csv.Error as exc:
        raise StaffImportError(f"line {reader.line_num}: not CSV ({exc})") from None
    return rows


def _row(columns: list[str | None], values: list[str], line: int, seen: dict[str, int]) -> StaffRow:
    if len(values) > len(columns) and any(v.strip() for v in values[len(columns):]):
        raise StaffImportError(f"line {line}: {len(values)} values but the header has {len(columns)} columns")
    got: dict[str, str] = {}
    for column, value in zip(columns, values):
        if column and value.strip() and column not in got:
            got[column] = " ".join(value.split())
    name = got.get("name") or " ".join(p for p in (got.get("first"), got.get("last")) if p)
    email = got.get("email", "").lower()
    if not name:
        raise StaffImportError(f"line {line}: no name")
    if not email:
        raise StaffImportError(f"line {line}: no e-mail address for {name}")
    if not _EMAIL.match(email):
        raise StaffImportError(f"line {line}: {email!r} is not an e-mail address")
    if email in seen:
        raise StaffImportError(f"line {line}: {email} is already on line {seen[email]}")
    seen[email] = line
    return StaffRow(name=name[:200], email=email, role=(got.get("role") or None), line=line)


def org_file_rows(staff: Sequence[StaffMember]) -> list[StaffRow]:
    return [StaffRow(m.name, m.email.strip().lower() if m.email else None) for m in staff]


# --- The directory in the database ---------------------------------------------------------------------


def _stored(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Database failures as StorageError (what the chat layer and the CLI catch)."""
    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except SQLAlchemyError as exc:
                raise StorageError(f"{what} ({exc.__class__.__name__})") from exc
        return inner
    return wrap


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


class SqlStaff:
    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock

    def import_rows(self, org: str, rows: Sequence[StaffRow], prune: bool = False) -> ImportResult:
        """Upsert *rows* (a whole MIS export) by e-mail; earlier imports' people missing from it are marked
        left (or, with *prune*, deleted). The org file's people are not touched. One transaction."""
        try:
            return self._import(org, rows, prune)
        except SQLAlchemyError as exc:
            raise StorageError(f"the staff list could not be stored ({exc.__class__.__name__})") from exc

    def _import(self, org: str, rows: Sequence[StaffRow], prune: bool) -> ImportResult:
        now = self.clock()
        added = updated = unchanged = left = pruned = 0
        with self.db.begin() as s:
            stored = {r.email: r for r in s.scalars(select(StaffRecord).where(StaffRecord.org == org))}
            for row in rows:
                record = stored.get(row.email)
                if record is None:
                    record = StaffRecord(org=org, email=row.email, name=row.name, role=row.role, origin="import",
                                         added_at=now, updated_at=now)
                    s.add(record)
                    stored[row.email] = record
                    added += 1
                elif (record.name, record.role, record.left_at) != (row.name, row.role or record.role, None):
                    record.name, record.role = row.name, row.role or record.role
                    record.left_at, record.updated_at = None, now
                    updated += 1
                else:
                    unchanged += 1
            wanted = {r.email for r in rows}
            for record in list(stored.values()):
                if record.origin != "import" or record.email in wanted:
                    continue
                if prune:
                    s.delete(record)
                    pruned += 1
                elif record.left_at is None:
                    record.left_at = record.updated_at = now
                    left += 1
            s.flush()
            self._rematch(s, org)
        return ImportResult(added, updated, unchanged, left, pruned)

    @_stored("the org file's staff list could not be stored")
    def sync_org_file(self, org: str, staff: Sequence[StaffMember], seen_keys: Iterable[str] = ()) -> None:
        """The org file's `staff:` list into the directory, with the chat handles it gives: any identity
        already known or in *seen_keys* (people the bot has talked to, or who acknowledged) with such a
        handle is theirs. Someone taken off the list is marked left; an e-mail the import also has is the same
        person (the import's role kept)."""
        now = self.clock()
        with self.db.begin() as s:
            idents = {i.person_key: i for i in s.scalars(select(StaffIdentity).where(StaffIdentity.org == org))}
            for key in seen_keys:
                if key not in idents and any(key.partition(":")[0] == p and key.rsplit(":", 1)[-1] == u
                                             for m in staff for p, u in m.handles):
                    idents[key] = StaffIdentity(org=org, person_key=key, platform=key.partition(":")[0],
                                                checked_at=now)
                    s.add(idents[key])
            stored = list(s.scalars(select(StaffRecord).where(StaffRecord.org == org)))
            by_email = {r.email: r for r in stored if r.email}
            by_name = {r.name: r for r in stored if r.email is None and r.origin == "org_file"}
            kept: set[int] = set()
            for member in staff:
                email = member.email.strip().lower() if member.email else None
                record = by_email.get(email) if email else by_name.get(member.name)
                if record is None:
                    record = StaffRecord(org=org, email=email, name=member.name, origin="org_file",
                                         added_at=now, updated_at=now)
                    s.add(record)
                    s.flush()
                elif record.origin == "org_file" and (record.name != member.name or record.left_at):
                    record.name, record.left_at, record.updated_at = member.name, None, now
                kept.add(record.id)
                for ident in idents.values():
                    handle = (ident.platform, ident.person_key.rsplit(":", 1)[-1])
                    if handle in member.handles and ident.matched_by in (None, "org_file"):
                        ident.staff_id, ident.matched_by = record.id, "org_file"
            for record in stored:
                if record.origin == "org_file" and record.id not in kept and record.left_at is None:
                    record.left_at = record.updated_at = now
            s.flush()
            self._rematch(s, org)

    def _rematch(self, s: Session, org: str) -> None:
        """Identities whose platform e-mail is now in the directory are matched (and unmatched if it left
        the directory altogether)."""
        ids = {r.email: r.id for r in s.scalars(select(StaffRecord).where(StaffRecord.org == org)) if r.email}
        for ident in s.scalars(select(StaffIdentity).where(StaffIdentity.org == org,
                                                           StaffIdentity.email.is_not(None))):
            if ident.matched_by in (None, "email"):
                ident.staff_id = ids.get(ident.email or "")
                ident.matched_by = "email" if ident.staff_id else None

    def members(self, org: str, include_left: bool = True) -> list[Member]:
        """Everyone in *org*'s directory, by name, with their matched chat identities."""
        try:
            with self.db() as s:
                records = list(s.scalars(select(StaffRecord).where(StaffRecord.org == org)
                                         .order_by(StaffRecord.name, StaffRecord.id)))
                idents = list(s.scalars(select(StaffIdentity).where(StaffIdentity.org == org,
                                                                    StaffIdentity.staff_id.is_not(None))
                                        .order_by(StaffIdentity.id)))
        except SQLAlchemyError as exc:
            raise StorageError(f"the staff directory could not be read ({exc.__class__.__name__})") from exc
        keys: dict[int, list[StaffIdentity]] = {}
        for ident in idents:
            keys.setdefault(ident.staff_id or 0, []).append(ident)
        return [_member(r, keys.get(r.id, ())) for r in records if include_left or r.left_at is None]

    @_stored("the staff directory could not be read")
    def who(self, org: str, person_key: str) -> Member | None:
        """The member of staff a chat identity is matched to, if any."""
        with self.db() as s:
            ident = s.scalars(select(StaffIdentity).where(StaffIdentity.org == org,
                                                          StaffIdentity.person_key == person_key)).first()
            record = s.get(StaffRecord, ident.staff_id) if ident is not None and ident.staff_id else None
            return _member(record, [ident]) if record is not None and ident is not None else None

    @_stored("the staff directory could not be read")
    def checked_at(self, org: str, person_key: str) -> datetime | None:
        """When this identity was last looked up (None: never)."""
        with self.db() as s:
            when = s.scalars(select(StaffIdentity.checked_at).where(StaffIdentity.org == org,
                                                                    StaffIdentity.person_key == person_key)).first()
        return _aware(when) if when is not None else None  # SQLite gives it back naive

    @_stored("the match could not be stored")
    def record_lookup(self, org: str, person_key: str, platform: str, email: str | None,
                      named: StaffMember | None = None) -> Member | None:
        """What the platform said this identity's e-mail is (None: it has none, or would not say); matched
        to the directory by it, or to *named* (the org file lists this handle for them). A match made by
        the org file or a confirmed code is kept."""
        email = email.strip().lower() if email else None
        now = self.clock()
        for _ in range(2):  # two servers recording the same new identity: the second updates the first's row
            try:
                with self.db.begin() as s:
                    ident = s.scalars(select(StaffIdentity).where(StaffIdentity.org == org,
                                                                  StaffIdentity.person_key == person_key)).first()
                    if ident is None:
                        ident = StaffIdentity(org=org, person_key=person_key, platform=platform)
                        s.add(ident)
                    ident.email, ident.checked_at = email, now
                    if ident.matched_by not in ("org_file", "code"):
                        staff_id = s.scalars(select(StaffRecord.id).where(StaffRecord.org == org,
                                                                          StaffRecord.email == email)).first() \
                            if email else None
                        ident.staff_id, ident.matched_by = staff_id, ("email" if staff_id else None)
                    if named is not None and ident.matched_by != "code":
                        self._match_named(s, org, ident, named)
                break
            except IntegrityError:
                continue
        return self.who(org, person_key)

    @staticmethod
    def _match_named(s: Session, org: str, ident: StaffIdentity, named: StaffMember) -> None:
        email = named.email.strip().lower() if named.email else None
        where = StaffRecord.email == email if email else (StaffRecord.name == named.name) & StaffRecord.email.is_(None)
        staff_id = s.scalars(select(StaffRecord.id).where(StaffRecord.org == org, where)).first()
        if staff_id is not None:
            ident.staff_id, ident.matched_by = staff_id, "org_file"

    # --- one-time codes for identities without an e-mail (Telegram) ---

    @_stored("the code could not be stored")
    def issue_code(self, org: str, person_key: str, email: str, days: int = 1) -> tuple[str, Member] | None:
        """A one-time code for *person_key* to prove it is the directory's *email* (sent to that address);
        None when the address is not a current member's."""
        email = email.strip().lower()
        now = self.clock()
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        with self.db.begin() as s:
            record = s.scalars(select(StaffRecord).where(StaffRecord.org == org, StaffRecord.email == email,
                                                         StaffRecord.left_at.is_(None))).first()
            if record is None:
                return None
            s.execute(delete(StaffLinkCode).where(StaffLinkCode.person_key == person_key,
                                                  StaffLinkCode.used_at.is_(None)))
            s.add(StaffLinkCode(org=org, person_key=person_key, staff_id=record.id, code_hash=_hash(code),
                                created_at=now, expires_at=now + timedelta(days=days)))
            member = _member(record, ())
        return code, member

    @_stored("the code could not be checked")
    def confirm_code(self, org: str, person_key: str, platform: str, code: str) -> Member | None:
        """Link *person_key* to the member a code was issued for, if this identity asked for it, it is unused
        and unexpired; None otherwise."""
        now = self.clock()
        with self.db.begin() as s:
            row = s.scalars(select(StaffLinkCode).where(StaffLinkCode.code_hash == _hash(code))).first()
            if row is None or row.used_at is not None or row.person_key != person_key or row.org != org \
                    or _aware(row.expires_at) < now:
                return None
            row.used_at = now
            ident = s.scalars(select(StaffIdentity).where(StaffIdentity.org == org,
                                                          StaffIdentity.person_key == person_key)).first()
            if ident is None:
                ident = StaffIdentity(org=org, person_key=person_key, platform=platform, checked_at=now)
                s.add(ident)
            ident.staff_id, ident.matched_by, ident.checked_at = row.staff_id, "code", now
        return self.who(org, person_key)

    def names_by_key(self, org: str) -> dict[str, str]:
        """Chat identity -> name, for everyone matched (the register)."""
        return {key: m.name for m in self.members(org) for key in m.keys}


def _member(record: StaffRecord, idents: Iterable[StaffIdentity]) -> Member:
    idents = list(idents)
    return Member(record.id, record.org, record.name, record.email, record.role, record.origin, record.left_at,
                  tuple(i.person_key for i in idents), tuple(i.platform for i in idents))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
