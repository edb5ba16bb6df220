"""Plain data for a corpus: organisations, their directory of contacts, documents and clauses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SEP = " › "  # between the headings of a clause's section path


@dataclass(frozen=True)
class Person:
    """Somebody named as responsible for something, from an org file or a policy's text."""

    role: str  # as written ("Designated Safeguarding Lead")
    role_key: str | None  # canonical role ("dsl"), None when the role is not one we know
    name: str | None  # a person's name; None when only the role is known
    title: str | None = None  # job title given beside the name ("Head of Care")
    how: str | None = None  # e-mail or phone, in plain words
    handles: tuple[tuple[str, str], ...] = ()  # (platform, id) pairs, e.g. ("slack", "U123")
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class DocumentInfo:
    org: str
    source: str  # path relative to the corpus folder
    title: str
    sha256: str
    approved: str | None = None  # as written ("September 2023")
    approver: str | None = None
    review_cycle: str | None = None  # as written ("Annual", "yearly")
    next_review: date | None = None  # last day the policy counts as current
    next_review_text: str | None = None
    replaced_by: str | None = None  # "Policy will be replaced in Sept 2025 with ..."
    replaced_on: date | None = None
    owner_role: str | None = None  # the role that leads on / monitors the policy
    people: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Clause:
    id: str  # "<org>/<source>#<n>", stable while the document does not change
    org: str
    source: str
    document: str  # document title
    section: str  # "3. Personal use › When using social media, staff must not"
    text: str  # verbatim, whitespace repaired, at most 600 characters
    roles: tuple[str, ...] = ()  # canonical roles the clause mentions, in order of appearance
    names: tuple[str, ...] = ()  # people the clause itself names
    kind: str = "text"  # "bullet", "numbered", "sentence", "text", "contact", "slt-answer"
    note: str = ""  # shown beside the quote: who approved an SLT answer and when


@dataclass(frozen=True)
class SltMember:
    """A senior leader who may sign in to the dashboard (the password lives in the database)."""

    email: str
    name: str
    dsl: bool = False  # DSL or deputy: sees safeguarding-flagged questions


@dataclass(frozen=True)
class Statement:
    """A true/false check at the end of a policy's induction walkthrough."""

    text: str
    true: bool


@dataclass(frozen=True)
class InductionPolicy:
    file: str  # a document file in the organisation's (or its trust's) folder
    key_points: tuple[str, ...] = ()  # phrases picking the key clauses; empty = chosen automatically
    statements: tuple[Statement, ...] = ()


@dataclass(frozen=True)
class StaffMember:
    """Someone expected to complete induction; platform ids link their chat accounts to their name."""

    name: str
    email: str | None = None
    handles: tuple[tuple[str, str], ...] = ()  # ("slack", "U01"), ("telegram", "42"), ("teams", "...")


@dataclass(frozen=True)
class Organisation:
    slug: str
    name: str
    parent: str | None = None
    general_contact: str | None = None  # a role or a name
    people: tuple[Person, ...] = ()  # the org file's contacts directory
    document_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    retention_days: int = 365
    concern_retention_days: int = 2555  # safeguarding concerns: seven years unless the org file says otherwise
    log_identities: bool = False
    slt: tuple[SltMember, ...] = ()
    # (kind, id) pairs from the org file's `platforms:`: ("slack_teams", "T01"), ("telegram_users", "42")
    platform_ids: tuple[tuple[str, str], ...] = ()
    induction: tuple[InductionPolicy, ...] = ()  # in the order new starters read them
    induction_max_points: int = 6
    staff: tuple[StaffMember, ...] = ()
