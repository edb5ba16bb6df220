"""What a running server holds: settings, the answer service, the log's database, and the chores
(reindex after an SLT answer, following the published index, retention purge, spool flush) that change
them while it runs."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot import publishing, wiring
from bot.alerts import build_dispatcher
from bot.concern_alerts import ConcernAlerts
from bot.admin import auth as admin_auth
from bot.admin import register as register_mod
from bot.config import Settings
from bot.errors import ConfigError
from bot.core.chat import ChatService
from bot.core.induction import Induction
from bot.core.service import AnswerService
from bot.privacy.redaction import redact
from bot.reading.corpus import load_org
from bot.retrieval.batching import BatchingEmbedder
from bot.reading.documents import Organisation
from bot.retrieval.embeddings import Embedder
from bot.core.deliveries import Deliveries
from bot.core.ratelimit import RateLimiter
from bot.storage import concerns, deliveries, rate_buckets, retention
from bot.storage.access import SqlAccess
from bot.storage.acknowledgements import SqlAcknowledgements
from bot.storage import chat_state
from bot.storage.concerns import SqlConcerns
from bot.storage.leader import Leadership
from bot.storage.staff import SqlStaff
from bot.core.identities import Identities, smtp_code_sender
from bot.storage.question_log import SqlQuestionLog, utc_now

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    db: sessionmaker[Session]
    service: AnswerService
    clock: Callable[[], datetime] = utc_now
    access: SqlAccess | None = None
    chat: ChatService | None = None
    alerts: ConcernAlerts | None = None  # tells the DSL and deputies of each flagged question
    deliveries: Deliveries | None = None  # platform deliveries seen, shared by replicas (the adapters')
    index_version: str = ""  # the published index version being answered from (bot.publishing)
    leader: Leadership | None = None  # whether this replica runs the shared chores (None: always)
    staff: SqlStaff | None = None  # the staff directory (names for the register, never for the log)
    _reindexing: threading.Lock = field(default_factory=threading.Lock)

    @property
    def log(self) -> SqlQuestionLog:
        assert isinstance(self.service.log, SqlQuestionLog)
        return self.service.log

    @property
    def orgs(self) -> dict[str, Organisation]:
        return self.service.orgs

    def current_org(self, slug: str) -> Organisation | None:
        """The org file as it is now (SLT membership changes take effect without a reindex); while it is
        broken (mid-edit, say), the last one read, so that nobody is locked out by a typo."""
        folder = self.settings.corpus_dir / slug
        if slug not in self.orgs or not folder.is_dir():
            return None
        try:
            return load_org(folder)
        except ConfigError as exc:
            log.warning("%s: using the org file as it was last read: %s", slug, exc)
            return self.orgs[slug]

    def reindex(self) -> None:
        """Bring the index up to date with the corpus and the SLT answers, publish it (the other replicas
        follow within seconds: follow_index) and answer from it from now on. Questions being answered
        meanwhile finish on the old index; nothing waits."""
        with self._reindexing:
            self._swap(publishing.current(self.settings, self.embedder, self.db))

    def follow_index(self) -> bool:
        """Swap in the newest published index version if it is not the one answering now (a chore, every
        few seconds: one small SELECT when nothing changed). True when it swapped."""
        newest = publishing.latest(self.db)
        if newest is None or newest == self.index_version:
            return False
        with self._reindexing:
            if newest == self.index_version:  # swapped meanwhile (a reindex here published it)
                return False
            self._swap(publishing.load(self.settings, self.embedder, self.db, newest))
        log.info("index: now answering from version %s", newest)
        return True

    def _swap(self, loaded: publishing.Loaded) -> None:
        fresh = wiring.answer_service(self.settings, loaded.index, self.embedder, log=self.service.log)
        fresh.searcher.warm()
        fresh.on_concern = self.service.on_concern
        self.service = fresh
        self.index_version = loaded.version

    def purge(self) -> dict[str, int]:
        now = self.clock()
        deleted = retention.purge(self.db, {o.slug: o.retention_days for o in self.orgs.values()}, now)
        for org, count in deleted.items():
            log.info("retention: deleted %d expired question log entries of %s", count, org)
        kept = concerns.purge(self.db, {o.slug: o.concern_retention_days for o in self.orgs.values()}, now)
        for org, count in kept.items():
            log.info("retention: deleted %d expired safeguarding concerns of %s", count, org)
        admin_auth.purge(self.db, now)  # expired dashboard sessions, sign-in failures past every limit's window
        deliveries.purge(self.db, now)  # platform deliveries past their expiry, rate buckets full again
        rate_buckets.purge(self.db, time.time(), rate_buckets.full_after(self.settings.rate_limit_per_minute,
                                                                         self.settings.rate_limit_burst))
        chat_state.purge(self.db, now)  # walkthroughs left untouched for a month, old reminders and notices
        return deleted

    def flush_spool(self) -> int:
        """Write what waits in this replica's spool (a local file: every replica flushes its own), then,
        on the leader only (bot.storage.leader), embed new unanswered questions for grouping."""
        written = self.log.flush()
        if self.leader is not None and not self.leader.leads():
            return written
        try:
            self.log.fill_gap_vectors()
        except SQLAlchemyError as exc:  # the database is down: flush() has said so; try again next time
            log.warning("gap grouping waits for the database (%s)", exc.__class__.__name__)
        return written

    def remind_concerns(self) -> int:
        """Raise again, with the DSL and deputies, each concern nobody has marked seen in time (a chore)."""
        return self.alerts.remind_due() if self.alerts is not None else 0

    def register(self, org: str) -> list[register_mod.PolicyRegister]:
        """The acknowledgement register of *org*'s induction policies."""
        assert self.chat is not None and self.chat.induction is not None
        everyone, by_source = self._people_and_acks(org)
        return register_mod.build(self.chat.induction.documents(org), everyone, by_source)

    def remind_outstanding(self, org: str, platform: str | None = None) -> int:
        """Ask everyone of the directory outstanding on any induction policy, whom the bot can reach (on
        *platform* only, when given), to complete it at their next message; returns how many accounts."""
        assert self.chat is not None and self.chat.induction is not None
        everyone, by_source = self._people_and_acks(org)
        registers = register_mod.build(self.chat.induction.documents(org), everyone, by_source)
        keys = register_mod.outstanding_keys(registers, everyone, platform)
        self.chat.remind(keys)
        return len(keys)

    def _people_and_acks(self, org: str) -> tuple[list[register_mod.Person], dict[str, list[register_mod.AckRow]]]:
        assert self.access is not None
        by_source: dict[str, list[register_mod.AckRow]] = {}
        for a in SqlAcknowledgements(self.db).for_org(org):
            by_source.setdefault(a.source, []).append(register_mod.AckRow(
                a.person_key, a.person_name, a.version_hash, a.version_date, a.acknowledged_at, a.channel))
        assert self.staff is not None
        seen = [*self.access.seen_in(org), *(row.person_key for rows in by_source.values() for row in rows)]
        self.staff.sync_org_file(org, self.orgs[org].staff, seen)  # the org file's list as it is now
        return register_mod.people(self.staff.members(org)), by_source

    def close(self) -> None:
        """Close the database connections (a restarted or stopped server leaves none behind)."""
        if self.alerts is not None:
            self.alerts.close()
        if self.chat is not None and self.chat.identities is not None:
            self.chat.identities.close()
        if self.leader is not None:
            self.leader.resign()
        bind = self.db.kw.get("bind")
        if bind is not None:
            bind.dispose()


class _OrgsNow(Mapping[str, Organisation]):
    """The organisations of whichever index answers now: what the question log asks each entry's policy
    of (identities kept or not, names kept), so a school added by `policybot index` is logged by its own
    org file without a restart."""

    def __init__(self, first: dict[str, Organisation]) -> None:
        self.current: Callable[[], dict[str, Organisation]] = lambda: first

    def __getitem__(self, slug: str) -> Organisation:
        return self.current()[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self.current())

    def __len__(self) -> int:
        return len(self.current())


def build(settings: Settings, emb: Embedder | None = None, clock: Callable[[], datetime] = utc_now) -> Runtime:
    """Everything a server answers with, ready to answer fast: the model loaded and run once, every
    organisation's scope built, the name lists loaded, the database migrated."""
    # Questions answered at the same moment share one model call (bot.retrieval.batching).
    emb = emb or BatchingEmbedder(wiring.embedder(settings))
    db = wiring.open_database(settings)
    loaded = publishing.current(settings, emb, db)
    orgs_now = _OrgsNow(loaded.index.orgs)  # the log's policies follow the index swapped in (a new school)
    service = wiring.answer_service(settings, loaded.index, emb,
                                    log=wiring.question_log(settings, orgs_now, emb, db, clock))
    service.searcher.warm()
    emb.encode(["warm up"])  # loads the model (and its first-run costs) now, not at the first question
    redact("warm up")  # loads the name lists now, not on the first member of staff's question
    runtime = Runtime(settings=settings, embedder=emb, db=db, service=service, clock=clock,
                      index_version=loaded.version, leader=Leadership(db.kw["bind"]))
    orgs_now.current = lambda: runtime.orgs
    runtime.access = SqlAccess(db, lambda: runtime.orgs, web_org=settings.web_org,
                               development=settings.environment == "development", clock=clock)
    runtime.alerts = ConcernAlerts(lambda: runtime.orgs, build_dispatcher(settings), SqlConcerns(db, clock),
                                   settings.public_url, settings.concern_realert_minutes, clock)
    service.on_concern = runtime.alerts.raised
    outage = chat_state.Outage()  # walkthroughs and group sessions: one warning when the database goes
    induction = Induction(lambda: runtime.service, SqlAcknowledgements(db, clock),
                          chat_state.SqlWalks(db, clock, outage), chat_state.SqlRooms(db, clock, outage))
    runtime.deliveries = deliveries.SqlDeliveries(db)
    # Buckets are shared only where replicas can be (PostgreSQL): SQLite is one server, whose buckets in
    # memory are the same limit without a write per question (a restart refills them, as a minute would).
    limiter = rate_buckets.SqlRateLimiter(db, settings.rate_limit_per_minute, settings.rate_limit_burst) \
        if db.kw["bind"].dialect.name == "postgresql" else \
        RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    runtime.chat = ChatService(lambda: runtime.service, runtime.access, limiter, induction)
    runtime.chat.nudges = chat_state.SqlNudges(db, clock)  # reminders and notices shown, shared by replicas
    runtime.staff = SqlStaff(db, clock)
    runtime.chat.identities = Identities(runtime.staff, lambda: runtime.orgs, runtime.access.org_for,
                                         send_code=smtp_code_sender(settings), clock=clock)
    # What was built at start (model, index, name lists) lives as long as the server: keep it out of the
    # collector's full passes, which otherwise rescan it all and stall a request (~280 ms seen).
    gc.collect()
    gc.freeze()
    return runtime
