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
