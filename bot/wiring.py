"""Builds every object from Settings. Nothing is built at import time, and the database layer
(SQLAlchemy, Alembic: half a second of imports) is imported only by what uses it, so `policybot index`
does not pay for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
import logging
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

from bot.config import Settings
from bot.core.service import AnswerService, QuestionLog
from bot.errors import StorageError
from bot.privacy.pseudonym import load_or_create_key
from bot.reading.documents import Organisation
from bot.retrieval import index_store
from bot.retrieval.embeddings import Embedder, SentenceTransformerEmbedder
from bot.retrieval.rerank import ClauseVectors, Encode, Reranker, sentence_model, vectors_file
from bot.retrieval.search import HybridSearcher

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.adapters.base import Adapter
    from bot.core.chat import ChatService
    from bot.core.deliveries import Deliveries
    from bot.publishing import Publication
    from bot.storage.question_log import LogPolicy, SqlQuestionLog

log = logging.getLogger(__name__)


def embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(settings.embedding_model, threads=settings.embedding_threads,
                                       backend=settings.embedding_backend, cache_dir=settings.model_cache_dir)


def build_index(settings: Settings, emb: Embedder | None = None,
                progress: Callable[[int, int], None] | None = None) -> Publication:
    """`policybot index`: build from the corpus and the database's SLT answers, and publish the version
    (every running server swaps it in within seconds: bot.publishing)."""
    from bot import publishing

    db = open_database(settings)
    try:
        done = publishing.publish(settings, emb or embedder(settings), db, progress)
    finally:
        db.kw["bind"].dispose()
    if settings.rerank_model:  # the second stage's passages encoded now, by the job, not at a server's start
        reranker(settings, index_store.load(publishing.version_folder(settings, done.version)))
    return done


def ensure_index(settings: Settings, emb: Embedder, db: sessionmaker[Session] | None = None) -> index_store.Index:
    """The published index, brought up to date first (from the embedding cache) if the corpus or the SLT
    answers changed. A damaged index (a truncated file, a line that is not JSON) is rebuilt, not a
    failed start."""
    from bot import publishing

    return publishing.current(settings, emb, db if db is not None else open_database(settings)).index


def limit_blas_threads() -> None:
    """One question's dot product over a scope is small; numpy's BLAS threads would only fight the
    embedding model's threads for the cores (benchmarks/speed.py: p99 124 ms -> 31 ms at 100k clauses)."""
    threadpool_limits(1, user_api="blas")


def secret_key(settings: Settings) -> bytes:
    configured = settings.secret_key.get_secret_value()
    return configured.encode() if configured else load_or_create_key(settings.secret_key_file)


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the question log's database, migrated to the current schema first. If the database
    cannot be reached now, the sessions are returned all the same: the log spools entries until it can
    (the next successful write applies nothing by itself, so `policybot db upgrade` or a restart
    migrates a database that was down at start)."""
    from bot.storage.database import make_engine, sessions, upgrade

    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    except StorageError as exc:
        log.warning("question log: %s; entries will be spooled to %s", exc, settings.spool_file)
    return sessions(engine)


def question_log(settings: Settings, orgs: Mapping[str, Organisation], emb: Embedder,
                 db: sessionmaker[Session], clock: Callable[[], datetime] | None = None) -> SqlQuestionLog:
    from bot.storage.database import upgrade
    from bot.storage.question_log import SqlQuestionLog, utc_now
    from bot.storage.spool import Spool

    return SqlQuestionLog(db, Spool(settings.spool_file), secret_key(settings),
                          policies=lambda org: log_policy(orgs.get(org)), embed=emb.encode,
                          prepare=lambda: upgrade(db.kw["bind"]), clock=clock or utc_now)


def log_policy(org: Organisation | None) -> LogPolicy:
    from bot.storage.question_log import LogPolicy

    if org is None:
        return LogPolicy()
    keep = (org.name, *(p.name for p in org.people if p.name), *(m.name for m in org.slt))
    return LogPolicy(log_identities=org.log_identities, keep_names=keep)


def answer_service(settings: Settings, index: index_store.Index, emb: Embedder,
                   log: QuestionLog | None = None) -> AnswerService:
    limit_blas_threads()
    second = reranker(settings, index)
    searcher = HybridSearcher(index.orgs, index.documents, index.clauses, index.embeddings, emb,
                              features=index.features, passage_embeddings=index.passage_embeddings,
                              second=second.similarity if second is not None else None)
    fixed = settings.today
    today: Callable[[], date] = (lambda: fixed) if fixed else date.today
    return AnswerService(searcher, index.orgs, index.documents, log=log, today=today, top_k=settings.top_k,
                         max_question_chars=settings.max_question_chars, reranker=second)


_rerank_models: dict[tuple[str, str, int], Encode] = {}  # one model loaded per process, kept across re-indexes


def reranker(settings: Settings, index: index_store.Index | None = None) -> Reranker | None:
    """The second stage when POLICYBOT_RERANK_MODEL names a model folder; None (off) by default. With
    *index*, its clauses' vectors are ready (read from their file, or encoded once and kept there)."""
    if not settings.rerank_model:
        return None
    folder, cache = Path(settings.rerank_model), settings.model_cache_dir
    key = (str(folder.resolve()), str(cache.resolve()), settings.embedding_threads)
    if key not in _rerank_models:
        _rerank_models[key] = sentence_model(folder, cache, settings.embedding_threads)
    encode = _rerank_models[key]
    second = Reranker(encode, settings.rerank_depth, settings.rerank_weight,
                      ClauseVectors(encode, vectors_file(folder, settings.index_dir)))
    if index is not None:
        started = time.perf_counter()
        made = second.prepare(index.clauses)
        if made:
            log.info("second stage: %d clauses encoded in %.0f s (once; kept in %s)", made,
                     time.perf_counter() - started, second.clauses.path)
    return second


def logged_service(settings: Settings, emb: Embedder, db: sessionmaker[Session] | None = None,
                   clock: Callable[[], datetime] | None = None) -> AnswerService:
    """The answer service over an up-to-date index, every question going to the question log."""
    log_db = db if db is not None else open_database(settings)
    index = ensure_index(settings, emb, log_db)
    return answer_service(settings, index, emb, log=question_log(settings, index.orgs, emb, log_db, clock))


def adapters(settings: Settings, chat: ChatService, deliveries: Deliveries | None = None) -> list[Adapter]:
    """The web chat always; each chat platform only when its credentials are set. SDKs are imported only
    for the platforms in use. *deliveries* (the runtime's, in the database) tells each platform adapter
    which deliveries another replica, or this one before a restart, already handled."""
    from bot.adapters import web

    built: list[Adapter] = [web.build(settings, chat)]
    if settings.slack_bot_token.get_secret_value():
        from bot.adapters import slack

        built.append(slack.build(settings, chat, deliveries=deliveries))
    if settings.teams_app_id or settings.teams_allow_unauthenticated:
        from bot.adapters import teams

        built.append(teams.build(settings, chat, deliveries=deliveries))
    if settings.telegram_token.get_secret_value():
        from bot.adapters import telegram

        built.append(telegram.build(settings, chat, deliveries=deliveries))
    return built
