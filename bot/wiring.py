"""Builds every object from Settings. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from threadpoolctl import threadpool_limits

from bot.config import Settings
from bot.core.service import AnswerService
from bot.retrieval import index_store
from bot.retrieval.embeddings import Embedder, SentenceTransformerEmbedder
from bot.retrieval.search import HybridSearcher
from bot.storage.jsonl_log import JsonlQuestionLog


def embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(settings.embedding_model, threads=settings.embedding_threads)


def build_index(settings: Settings, emb: Embedder | None = None,
                progress: Callable[[int, int], None] | None = None) -> index_store.BuildReport:
    return index_store.build(settings.corpus_dir, settings.index_dir, emb or embedder(settings), progress)


def ensure_index(settings: Settings, emb: Embedder) -> index_store.Index:
    """The index, brought up to date first (from the embedding cache) if the corpus changed."""
    if index_store.is_stale(settings.corpus_dir, settings.index_dir, emb.model_id):
        build_index(settings, emb)
    return index_store.load(settings.index_dir)


def limit_blas_threads() -> None:
    """One question's dot product over a scope is small; numpy's BLAS threads would only fight the
    embedding model's threads for the cores (benchmarks/speed.py: p99 124 ms -> 31 ms at 100k clauses)."""
    threadpool_limits(1, user_api="blas")


def answer_service(settings: Settings, index: index_store.Index, emb: Embedder) -> AnswerService:
    limit_blas_threads()
    searcher = HybridSearcher(index.orgs, index.documents, index.clauses, index.embeddings, emb)
    fixed = settings.today
    today: Callable[[], date] = (lambda: fixed) if fixed else date.today
    return AnswerService(searcher, index.orgs, index.documents, log=JsonlQuestionLog(settings.log_file),
                         today=today, top_k=settings.top_k, max_question_chars=settings.max_question_chars)
