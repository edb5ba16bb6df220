"""The question log's tables (SQLAlchemy 2.0 typed models). Changes go through an Alembic migration.

Nothing here holds a question as typed: `question` and feedback comments are stored after redaction
(bot.privacy.redaction), and the asker is a keyed hash unless the organisation opts in to identities.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class LogEntry(Base):
    """One question, answered or not, from any channel."""

    __tablename__ = "log_entries"
    # Chosen by the bot before the write, so an entry spooled while the database was down is written
    # once only when it comes back.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    week: Mapped[date] = mapped_column(Date)  # Monday of asked_at's week: portable weekly counts
    org: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(40))
    asker: Mapped[str] = mapped_column(String(64))  # keyed hash of (org, platform user id)
    asker_identity: Mapped[str | None] = mapped_column(String(200))  # only where the org opts in
    question: Mapped[str] = mapped_column(Text)  # redacted before storing
    answered: Mapped[bool] = mapped_column(Boolean)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # describes a live concern about a child
    flag_reason: Mapped[str | None] = mapped_column(String(100))
    top_source: Mapped[str | None] = mapped_column(String(300))  # the first clause's document file
    top_document: Mapped[str | None] = mapped_column(String(300))
    top_section: Mapped[str | None] = mapped_column(String(600))
    resolved_by: Mapped[str | None] = mapped_column(ForeignKey("slt_answers.id", ondelete="SET NULL"))
    context: Mapped[str | None] = mapped_column(String(80))  # "induction", or "session:<id>" (group session)

    clauses: Mapped[list[ReturnedClause]] = relationship(back_populates="entry", cascade="all, delete-orphan",
                                                         passive_deletes=True, order_by="ReturnedClause.rank")
    feedback: Mapped[Feedback | None] = relationship(back_populates="entry", cascade="all, delete-orphan",
                                                     passive_deletes=True)
    gap: Mapped[GapVector | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    # Covering indexes: the dashboard's counts read only the index, never the rows (100k entries: see
    # benchmarks/log_dashboard.py).
    __table_args__ = (
        Index("ix_log_period", "org", "asked_at", "week", "answered", "flagged", "asker"),
        Index("ix_log_top", "org", "answered", "top_document", "top_section", "asked_at"),
    )


class GapVector(Base):
    """The embedding of an unanswered question (float32), for grouping similar gaps. Kept apart from
    the entry so that scanning entries never reads vectors."""

    __tablename__ = "gap_vectors"
    entry_id: Mapped[str] = mapped_column(ForeignKey("log_entries.id", ondelete="CASCADE"), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class ReturnedClause(Base):
    """A clause the answer quoted, with its score."""

    __tablename__ = "returned_clauses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("log_entries.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))
    document: Mapped[str] = mapped_column(String(300))
    section: Mapped[str] = mapped_column(String(600))
    score: Mapped[float] = mapped_column(Float)

    entry: Mapped[LogEntry] = relationship(back_populates="clauses")


class Feedback(Base):
    """Helpful / not helpful on one answer; a second click replaces the first."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("log_entries.id", ondelete="CASCADE"), unique=True)
    org: Mapped[str] = mapped_column(String(100))  # the entry's, so that a school's feedback is one index range
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)  # redacted before storing
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    entry: Mapped[LogEntry] = relationship(back_populates="feedback")

    __table_args__ = (Index("ix_feedback_org_helpful_given", "org", "helpful", "given_at"),)


class Deletion(Base):
    """A record that retention deleted entries: when, for whom, up to which date, how many."""

    __tablename__ = "deletions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org: Mapped[str] = mapped_column(String(100))
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cutoff: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entries: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))


class SltAnswer(Base):
    """An answer SLT wrote to close a gap; the same text is added to the organisation's corpus."""

    __tablename__ = "slt_answers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org: Mapped[str] = mapped_column(String(100), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SltCredential(Base):
    """A dashboard password (argon2 hash) for an SLT member named in the organisation's org file."""

    __tablename__ = "slt_credentials"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("org", "email", name="uq_credential_org_email"),)


class ChatUser(Base):
    """Someone the bot has talked to on a chat platform: when first seen, and for Telegram users who
    joined with a code, which organisation they belong to."""

    __tablename__ = "chat_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_key: Mapped[str] = mapped_column(String(200), unique=True)  # "telegram::42", "slack:T1:U2"
    org: Mapped[str] = mapped_column(String(100), index=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    joined_via: Mapped[str] = mapped_column(String(20))  # "mapping" (org file) or "invite"


class Invite(Base):
    """A one-time join code an SLT member issued (`policybot invite`); only its hash is kept."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org: Mapped[str] = mapped_column(String(100))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[str | None] = mapped_column(String(200))


class PolicyVersion(Base):
    """The clauses of a policy version someone acknowledged, kept so that a later version can be compared
    with it (clauses added, removed, reworded)."""

    __tablename__ = "policy_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(300))
    version_hash: Mapped[str] = mapped_column(String(64))
    clauses: Mapped[str] = mapped_column(Text)  # JSON list of clause texts
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("source", "version_hash", name="uq_policy_version"),)


class Acknowledgement(Base):
    """"I have read and understood <policy>": who, which version (content hash and the policy's own date),
    when, on which channel."""

    __tablename__ = "acknowledgements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org: Mapped[str] = mapped_column(String(100))
    person_key: Mapped[str] = mapped_column(String(200))  # the chat identity ("slack:T1:U2")
    person_name: Mapped[str] = mapped_column(String(200))  # from the staff list, else the platform's name
    source: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    version_hash: Mapped[str] = mapped_column(String(64))
    version_date: Mapped[str | None] = mapped_column(String(100))  # the policy's own date, as written
    acknowledged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(40))
    session: Mapped[str | None] = mapped_column(String(40))  # a group induction session, if any

    __table_args__ = (Index("ix_ack_org_source", "org", "source"), Index("ix_ack_person", "person_key"))


class Concern(Base):
    """A question flagged as a live safeguarding concern, for the DSL and deputies only: who raised it
    (revealed to them alone, every view recorded in ConcernView), and what was done: new -> seen ->
    followed up, with a note, who and when. Kept apart from the question log, and for longer (an org
    file's concern_retention_days): a safeguarding record outlives the log entry it came from."""

    __tablename__ = "concerns"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the log entry's id
    org: Mapped[str] = mapped_column(String(100))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(40))
    raiser: Mapped[str] = mapped_column(String(300))  # "Jo Bloggs (slack:T1:U9)": the DSL's to see
    question: Mapped[str] = mapped_column(Text)  # redacted, as in the log
    reason: Mapped[str] = mapped_column(String(100))
    about: Mapped[str] = mapped_column(String(10))  # child | staff | head
    status: Mapped[str] = mapped_column(String(20), default="new")  # new | seen | followed_up
    seen_by: Mapped[str | None] = mapped_column(String(200))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    followed_up_by: Mapped[str | None] = mapped_column(String(200))
    followed_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    alerts_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_alert_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_concern_org_status", "org", "status", "raised_at"),)


class ConcernView(Base):
    """Every time a DSL or deputy opened a concern or changed it: who, when, what."""

    __tablename__ = "concern_views"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    concern_id: Mapped[str] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    org: Mapped[str] = mapped_column(String(100))
    viewer: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # viewed | seen | followed_up | note
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SltSession(Base):
    """A signed-in dashboard session. The cookie carries a random id; only its hash is kept, so reading
    the table gives no one a session. Signing out deletes the record, a password change deletes all of
    the member's, and a cookie whose record is gone (or expired) signs no one in."""

    __tablename__ = "slt_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's id
    org: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    __table_args__ = (Index("ix_slt_session_member", "org", "email"),)


class SignInFailure(Base):
    """A dashboard sign-in that failed (or is being checked), for the limits in bot.admin.auth. Kept in
    the database, not in memory, so that servers sharing it share the counts; purged after an hour."""

    __tablename__ = "slt_sign_in_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    client: Mapped[str] = mapped_column(String(100))  # the client's address, or "device:<hash>"
    org: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    recognised: Mapped[bool] = mapped_column(Boolean)  # from a browser this account signed in on before

    __table_args__ = (Index("ix_failure_client", "client", "at"), Index("ix_failure_account", "org", "email", "at"))


# --- Shared by replicas: platform deliveries seen, rate-limit buckets (migration 0007) -------------------


class DeliveryKey(Base):
    """A platform delivery already handled (a Slack event or signed request, a Teams activity, a Telegram
    update), kept until *expires_at* so that a re-delivery to any replica, or after a restart, is only
    acknowledged. The primary key is what makes "first time" atomic across processes."""

    __tablename__ = "delivery_keys"
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # long ones as their sha256
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RateBucket(Base):
    """One sender's token bucket (bot.storage.rate_buckets): *tokens* left at *at* (seconds since the
    epoch, so that the refill is arithmetic in SQL). A bucket full again holds nothing a fresh one would
    not, and is purged."""

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float, index=True)


# --- Shared by replicas: chat state (bot.storage.chat_state, migration 0008) ------------------------------


class ChatWalk(Base):
    """Where one person is in their induction walkthrough, so that any replica (or this one after a
    restart) carries on from there. *version* is bumped by every change: a press is applied by
    compare-and-set on it. Removed when the walkthrough ends; purged when left untouched for long."""

    __tablename__ = "chat_walks"
    person_key: Mapped[str] = mapped_column(String(200), primary_key=True)  # the chat identity
    org: Mapped[str] = mapped_column(String(100))
    plan: Mapped[str] = mapped_column(Text)  # JSON [[source, version hash], ...]: the policies to acknowledge
    policy: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    asking: Mapped[bool] = mapped_column(Boolean)
    session: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ChatRoomSession(Base):
    """A group induction session running in a room ("platform:workspace")."""

    __tablename__ = "chat_room_sessions"
    room: Mapped[str] = mapped_column(String(200), primary_key=True)
    session: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChatReminder(Base):
    """SLT asked (from the register) that this person be reminded to complete their induction at their
    next message: taken, by one replica, when it is shown."""

    __tablename__ = "chat_reminders"
    person_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ChatNoticeShown(Base):
    """A notice ("a policy you acknowledged has changed") shown to a person, so no replica shows it again."""

    __tablename__ = "chat_notices_shown"
    person_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    notice: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of its text
    shown_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


# --- One index for every replica (bot.publishing) ---------------------------------------------------------


class IndexVersion(Base):
    """An index version `policybot index` (or a server, after an SLT answer) built and published: its
    folder is index/versions/<version>. Every replica polls for the newest and swaps it in."""

    __tablename__ = "index_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # publication order
    version: Mapped[str] = mapped_column(String(80), unique=True)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    built_by: Mapped[str] = mapped_column(String(200))  # host and process id
    clauses: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(200))  # what it was built from (corpus files, SLT answers)


# --- Who is who: the staff directory and the chat identities matched to it (bot.storage.staff) ----------


class StaffRecord(Base):
    """A member of staff of one organisation: from the org file's `staff:` list or a CSV import (a school's
    MIS export). Someone no longer in an import is marked left, never deleted, unless pruned."""

    __tablename__ = "staff_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))  # lower-cased; the key imports upsert by
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(20))  # "org_file" or "import"
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # not in the latest import

    __table_args__ = (UniqueConstraint("org", "email", name="uq_staff_org_email"),
                      Index("ix_staff_org_name", "org", "name"))


class StaffIdentity(Base):
    """A chat identity ("slack:T1:U2") and who it is: matched by the platform's e-mail, the org file's
    handles or a one-time code the person confirmed. staff_id is None while nobody matches (the lookup is
    remembered, and retried later)."""

    __tablename__ = "staff_identities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org: Mapped[str] = mapped_column(String(100))
    person_key: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))  # as the platform reported it, lower-cased
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    matched_by: Mapped[str | None] = mapped_column(String(20))  # "email", "org_file", "code"
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("org", "person_key", name="uq_identity_org_key"),
                      Index("ix_identity_staff", "staff_id"))


class StaffLinkCode(Base):
    """A one-time code e-mailed to a directory address for a chat account with no e-mail (Telegram): typed
    back from that same account, it links the two. Only the code's hash is kept."""

    __tablename__ = "staff_link_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org: Mapped[str] = mapped_column(String(100))
    person_key: Mapped[str] = mapped_column(String(200), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
