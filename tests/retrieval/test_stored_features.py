"""What search derives per clause is stored with the index: a loaded index searches exactly as freshly
analysed clauses do, building a scope analyses nothing, and re-indexing analyses only changed clauses."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np
import pytest

from bot.reading.corpus import load_corpus
from bot.retrieval import analysis, features, index_store
from bot.retrieval.bm25 import Bm25Index
from bot.retrieval.search import HybridSearcher, clause_terms
from tests.conftest import CORPUS, ROOT, SLUGS
from tests.doubles.hash_embedder import HashEmbedder

QUESTIONS = [json.loads(line)["question"]
             for line in (ROOT / "benchmarks" / "questions.jsonl").read_text("utf-8").splitlines()][:40]


def _hits(searcher: HybridSearcher) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for org in SLUGS:
        for q in QUESTIONS:
            r = searcher.search(org, q, k=5)
            out.append((r.answered, r.confidence, *((h.clause.id, h.score, h.lexical, h.dense) for h in r.hits)))
    return out


def test_a_loaded_index_searches_exactly_as_freshly_analysed_clauses(corpus_copy: Path, tmp_path: Path) -> None:
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    idx = index_store.load(tmp_path / "idx")
    stored = HybridSearcher(idx.orgs, idx.documents, idx.clauses, idx.embeddings, emb, features=idx.features)
    fresh = HybridSearcher(idx.orgs, idx.documents, idx.clauses, idx.embeddings, emb)
    assert [idx.features.terms(i) for i in range(len(idx.clauses))] == [clause_terms(c) for c in idx.clauses]
    assert _hits(stored) == _hits(fresh)


def test_building_a_scope_analyses_no_clause_when_features_are_stored(corpus_copy: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    idx = index_store.load(tmp_path / "idx")
    searcher = HybridSearcher(idx.orgs, idx.documents, idx.clauses, idx.embeddings, emb, features=idx.features)

    def refuse(_text: str) -> list[str]:
        raise AssertionError("a clause was analysed while building a scope")

    with monkeypatch.context() as m:
        for name in ("concept_tokens", "terms", "words"):
            m.setattr(analysis, name, refuse)
        searcher.warm()
    assert searcher.search("stone-bay-school", "Who is the DSL?").hits


def test_bm25_scores_are_bm25s_lucene_scores_to_the_last_bit() -> None:
    corpus = load_corpus(CORPUS)
    docs = [clause_terms(c) for c in corpus.clauses] + [[]]  # an empty clause too
    ours = Bm25Index(docs)
    reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    reference.index([d or [""] for d in docs], show_progress=False)
    for q in ["friend request from a former pupil", "whatsapp whatsapp learners", "report concerns to the DSL",
              "photos of pupils without consent", "zzzz"]:
        terms = [t for t in analysis.terms(q) if t in ours.vocabulary]
        expected = reference.get_scores(terms) if terms else np.zeros(len(docs), np.float32)
        assert np.array_equal(ours.scores(analysis.terms(q)), expected), q


def test_reindex_analyses_only_changed_clauses_and_an_unchanged_corpus_is_not_read(
        corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    analysed: list[str] = []
    real_terms = features.clause_terms
    monkeypatch.setattr(features, "clause_terms", lambda c: analysed.append(c.text) or real_terms(c))
    policy = corpus_copy / "soke-education-trust" / "social-media-policy.txt"
    policy.write_text(policy.read_text() + "\n\nStaff must not livestream lessons on TikTok.\n")
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    assert analysed == ["Staff must not livestream lessons on TikTok."]

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an unchanged corpus was read again")

    monkeypatch.setattr(index_store, "load_corpus", refuse)
    again = index_store.build(corpus_copy, tmp_path / "idx", emb)
    assert again.embedded == 0 and again.clauses == len(index_store.load(tmp_path / "idx").clauses)


def test_an_index_of_the_previous_format_is_rebuilt_not_misread(corpus_copy: Path, tmp_path: Path) -> None:
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    manifest = tmp_path / "idx" / index_store.MANIFEST
    manifest.write_text(manifest.read_text().replace(f'"format": {index_store.FORMAT}', '"format": 4'))
    assert index_store.is_stale(corpus_copy, tmp_path / "idx", emb.model_id)
    calls = emb.calls
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    assert emb.calls == calls  # the old vectors were reused
    assert index_store.load(tmp_path / "idx").features.vocabulary


def test_a_changed_vocabulary_makes_the_stored_terms_stale(corpus_copy: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    assert not index_store.is_stale(corpus_copy, tmp_path / "idx", emb.model_id)
    monkeypatch.setattr(features, "analysis_id", lambda: "another-vocabulary")
    assert index_store.is_stale(corpus_copy, tmp_path / "idx", emb.model_id)
    analysed: list[str] = []
    real_terms = features.clause_terms
    monkeypatch.setattr(features, "clause_terms", lambda c: analysed.append(c.text) or real_terms(c))
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    assert len(analysed) == len(index_store.load(tmp_path / "idx").clauses)  # every clause analysed again
