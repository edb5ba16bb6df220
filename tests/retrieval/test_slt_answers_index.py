"""SLT answers handed to the index build from the database: when nothing but the answers changed, no
document is read again, and the index is the one reading everything would give."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from bot.reading.slt_answers import SltAnswerEntry
from bot.retrieval import index_store
from tests.conftest import CORPUS
from tests.doubles.hash_embedder import HashEmbedder


def _answer(n: int, org: str = "stone-bay-school") -> dict[str, list[SltAnswerEntry]]:
    return {org: [SltAnswerEntry(id=f"a{i}", question=f"Question number {i} about lockers?",
                                 answer=f"Answer {i}: lockers are emptied on Fridays.", approved_by="Jane Hatwell",
                                 approved_at=datetime(2026, 11, i + 1, tzinfo=timezone.utc)) for i in range(n)]}


def test_only_the_answers_changed_reads_no_document_and_gives_the_same_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    index_store.build(corpus, index, HashEmbedder(), answers=_answer(1))
    both = {**_answer(2), **_answer(1, "next-steps-ed")}

    def no_reading(*_args: object, **_kw: object) -> None:
        raise AssertionError("the corpus was read again")

    with monkeypatch.context() as patched:
        patched.setattr(index_store, "load_corpus", no_reading)
        report = index_store.build(corpus, index, HashEmbedder(), answers=both)
    quick = index_store.load(index)
    assert report.clauses == len(quick.clauses)
    assert sum(c.kind == "slt-answer" for c in quick.clauses) == 3

    full_dir = tmp_path / "full"
    index_store.build(corpus, full_dir, HashEmbedder(), answers=both)
    full = index_store.load(full_dir)
    assert quick.clauses == full.clauses and quick.documents == full.documents and quick.orgs == full.orgs
    # the same rows; a vector reused from the cache may have been kept as a float16 passage vector
    assert np.allclose(quick.embeddings, full.embeddings, atol=1e-3)


def test_a_changed_corpus_is_read_again_with_the_answers(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    index_store.build(corpus, index, HashEmbedder(), answers=_answer(1))
    (corpus / "stone-bay-school" / "locker-policy.txt").write_text(
        "Locker Policy\n\n1. Lockers\nStaff lockers are emptied for cleaning on the last Friday of term.\n", "utf-8")
    index_store.build(corpus, index, HashEmbedder(), answers=_answer(2))
    built = index_store.load(index)
    assert any("last Friday of term" in c.text for c in built.clauses)
    assert sum(c.kind == "slt-answer" for c in built.clauses) == 2


def test_an_slt_answer_covers_the_staff_matters_its_question_asks() -> None:
    from bot.reading.documents import Clause
    from bot.retrieval.features import matters_covered

    def clause(text: str, section: str, kind: str) -> Clause:
        return Clause(id=text, org="o", source="o/x", document="X", section=section, text=text, kind=kind)

    answered = clause("Yes, in the bus bay once the buses have gone, after 4pm.",
                      "May staff park in the bus bay after 4pm?", "slt-answer")
    assert matters_covered([answered]) == {"parking"}
    # A policy clause under such a heading covers only what its own words do: headings are not answers.
    assert matters_covered([clause(answered.text, answered.section, "paragraph")]) == frozenset()
    assert matters_covered([clause("Staff must use the car park.", "Site", "paragraph")]) == {"parking"}


def test_a_question_on_a_staff_matter_is_answered_once_slt_have_answered_it(tmp_path: Path) -> None:
    from bot.retrieval.search import HybridSearcher

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    question = "may staff park in the bus bay after 4pm?"
    answers = {"stone-bay-school": [SltAnswerEntry(
        id="p1", question=question, answer="Yes, in the bus bay once the buses have gone, after 4pm.",
        approved_by="Jane Hatwell", approved_at=datetime(2026, 11, 2, tzinfo=timezone.utc))]}
    index_store.build(corpus, tmp_path / "index", HashEmbedder(), answers=answers)
    built = index_store.load(tmp_path / "index")
    searcher = HybridSearcher(built.orgs, built.documents, built.clauses, built.embeddings, HashEmbedder(),
                              features=built.features, passage_embeddings=built.passage_embeddings)
    result = searcher.search("stone-bay-school", question, k=3)
    assert result.answered and result.hits[0].clause.kind == "slt-answer"
    assert not searcher.search("next-steps-ed", question, k=3).answered  # another school's SLT said nothing
