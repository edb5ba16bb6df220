"""Lean memory and a fast start: scopes are views of the index's one embedding matrix (never copies), the
matrix is memory-mapped, passage embeddings are stored as float16, clauses as columns, each document's
staff matters stored, one table of spelling deletions for every scope, and every organisation's rows
found from one pass over the clauses."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import numpy as np
import pytest

from bot.reading.documents import Clause, DocumentInfo, Organisation
from bot.retrieval import analysis, clause_table, features, index_store
from bot.retrieval.search import HybridSearcher, _runs, passage_embedding_texts
from tests.conftest import ROOT, SLUGS
from tests.doubles.hash_embedder import HashEmbedder

QUESTIONS = [json.loads(line)["question"]
             for line in (ROOT / "benchmarks" / "questions.jsonl").read_text("utf-8").splitlines()][:30]


def _trust(schools: int = 3, per_doc: int = 4) -> tuple[dict[str, Organisation], list[DocumentInfo], list[Clause]]:
    """A trust with two policies and schools under it, each with a policy of its own and one that
    supersedes the trust's Behaviour Policy (the school's own is quoted, the trust's is not)."""
    orgs = {"trust": Organisation(slug="trust", name="The Trust")}
    documents: list[DocumentInfo] = []
    clauses: list[Clause] = []

    def add(org: str, title: str) -> None:
        source = f"{org}/{title.lower().replace(' ', '-')}.md"
        documents.append(DocumentInfo(org=org, source=source, title=title, sha256=""))
        clauses.extend(Clause(id=f"{source}#{n}", org=org, source=source, document=title, section=title,
                              text=f"{org} {title} rule {n}: staff must report concerns") for n in range(per_doc))

    add("trust", "Behaviour Policy")
    add("trust", "Social Media Policy")
    for s in range(schools):
        slug = f"school-{s}"
        orgs[slug] = Organisation(slug=slug, name=f"School {s}", parent="trust")
        add(slug, "Behaviour Policy")
        add(slug, "Attendance Policy")
    return orgs, documents, clauses


class _CountedList(list):  # type: ignore[type-arg]
    """A list that counts how often it is walked from end to end."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).walks += 1
        return super().__iter__()


def test_every_organisations_rows_come_from_one_pass_over_the_clauses() -> None:
    orgs, documents, clauses = _trust(schools=12)
    derived = features.derive(clauses)
    counted = _CountedList(clauses)
    _CountedList.walks = 0
    searcher = HybridSearcher(orgs, documents, counted, np.zeros((len(clauses), 4), np.float32), HashEmbedder(),
                              features=derived)
    searcher.warm()
    # one pass to find each document's rows (and one for the reference flags), however many organisations
    assert _CountedList.walks <= 2
    for org in orgs:
        chain = searcher.scope_orgs(org)
        own_titles = {d.title for d in documents if d.org == org}
        allowed = {d.source for d in documents if d.org == org} | {
            d.source for d in documents if d.org in chain[1:] and (org == "trust" or d.title not in own_titles)}
        expected = [i for i, c in enumerate(clauses) if c.source in allowed]
        assert searcher._scope(org).rows.tolist() == expected


def test_a_scope_holds_views_of_the_one_matrix_not_copies() -> None:
    orgs, documents, clauses = _trust()
    matrix = np.random.default_rng(1).standard_normal((len(clauses), 8)).astype(np.float32)
    searcher = HybridSearcher(orgs, documents, clauses, matrix, HashEmbedder(), features=features.derive(clauses))
    scope = searcher._scope("school-1")  # its own two policies and the trust's Social Media Policy
    assert len(scope.blocks) == 2 and sum(len(b) for b in scope.blocks) == scope.rows.size
    for block in scope.blocks:
        assert block.base is not None and np.shares_memory(block, matrix)
    vector = np.random.default_rng(2).standard_normal(8).astype(np.float32)
    assert np.allclose(scope.dense(vector), matrix[scope.rows] @ vector, rtol=0, atol=1e-6)
    whole = searcher._scope("trust")
    assert len(whole.blocks) == 1 and np.shares_memory(whole.blocks[0], matrix)


def test_runs_of_rows() -> None:
    assert _runs(np.array([3, 4, 5, 9, 10, 12], dtype=np.int64)) == [(3, 6), (9, 11), (12, 13)]
    assert _runs(np.zeros(0, dtype=np.int64)) == []


def test_the_clause_matrix_is_memory_mapped_and_passages_float16_read_by_row(corpus_copy: Path,
                                                                              tmp_path: Path) -> None:
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    idx = index_store.load(tmp_path / "idx")
    assert isinstance(idx.embeddings, np.memmap) and idx.embeddings.mode == "r"
    assert idx.embeddings.dtype == np.float32
    assert isinstance(idx.passage_embeddings, index_store.RowFile) and idx.passage_embeddings.dtype == np.float16
    assert idx.passage_embeddings.shape == (len(idx.clauses), idx.embeddings.shape[1])
    exact = emb.encode(passage_embedding_texts(idx.clauses))
    assert np.array_equal(np.asarray(idx.passage_embeddings), exact.astype(np.float16))  # the float16 round trip
    assert np.abs(np.asarray(idx.passage_embeddings, dtype=np.float32) - exact).max() < 1e-3
    # a scope's blocks are views of the mapped file itself
    searcher = HybridSearcher(idx.orgs, idx.documents, idx.clauses, idx.embeddings, emb, features=idx.features,
                              passage_embeddings=idx.passage_embeddings)
    for org in SLUGS:
        assert all(np.shares_memory(b, idx.embeddings) for b in searcher._scope(org).blocks)


def test_the_lean_index_answers_as_the_full_precision_copies_did(corpus_copy: Path, tmp_path: Path) -> None:
    """The seed corpus's questions: the loaded index (mapped float32 clause rows, float16 passages, stored
    staff matters, the shared speller) ranks the same clauses, answers the same, as in-memory float32
    copies with every staff matter worked out again and a Speller of its own per scope."""
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    idx = index_store.load(tmp_path / "idx")
    lean = HybridSearcher(idx.orgs, idx.documents, idx.clauses, idx.embeddings, emb, features=idx.features,
                          passage_embeddings=idx.passage_embeddings)
    full = HybridSearcher(idx.orgs, idx.documents, idx.clauses, np.array(idx.embeddings), emb,
                          features=dataclasses.replace(idx.features, matters=None),
                          passage_embeddings=emb.encode(passage_embedding_texts(idx.clauses)))
    for org in SLUGS:
        own = full._scope(org)
        own.speller = analysis.Speller(w for s in dict.fromkeys(c.source for c in own.clauses)
                                       for w in idx.features.words.get(s, ()))
        assert own.matters_covered == lean._scope(org).matters_covered
    for org in SLUGS:
        for q in QUESTIONS:
            a, b = lean.search(org, q, k=5), full.search(org, q, k=5)
            assert (a.answered, [h.clause.id for h in a.hits]) == (b.answered, [h.clause.id for h in b.hits])
            assert a.confidence == pytest.approx(b.confidence, abs=1e-6)


def test_stored_staff_matters_are_not_worked_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    orgs, documents, clauses = _trust()
    clauses.append(Clause(id="trust/pay.md#0", org="trust", source="trust/pay.md", document="Pay Policy",
                          section="Pay", text="Staff are paid monthly; the pay scale is reviewed each year."))
    documents.append(DocumentInfo(org="trust", source="trust/pay.md", title="Pay Policy", sha256=""))
    derived = features.derive(clauses)
    assert derived.matters is not None and derived.matters["trust/pay.md"] == sorted(
        analysis.staff_matters_covered([clauses[-1].text]))

    def analysed(_texts: object) -> frozenset[str]:
        raise AssertionError("staff matters analysed at start")

    monkeypatch.setattr(analysis, "staff_matters_covered", analysed)
    searcher = HybridSearcher(orgs, documents, clauses, np.zeros((len(clauses), 4), np.float32), HashEmbedder(),
                              features=derived)
    searcher.warm()
    assert searcher._scope("school-0").matters_covered == frozenset(derived.matters["trust/pay.md"])


def test_a_scopes_speller_corrects_as_its_own_speller_would() -> None:
    rng = random.Random(5)
    letters = "abcdefghij"
    everything = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) for _ in range(3000)})
    shared = analysis.Spellings(everything)
    for _ in range(5):
        known = rng.sample(everything, 400)
        own, scoped = analysis.Speller(known), shared.speller([shared.id_array(known[:150]), shared.id_array(known[150:])])
        assert scoped.known == own.known
        typos = [w[:i] + w[i + 1:] for w in rng.sample(known, 60) for i in (1,)] + rng.sample(everything, 60)
        typos += ["".join(rng.choice(letters) for _ in range(6)) for _ in range(60)]
        assert [scoped.correct(w) for w in typos] == [own.correct(w) for w in typos]


def test_clause_table_round_trip(tmp_path: Path) -> None:
    clauses = [Clause(id="a/b.md#0", org="a", source="a/b.md", document="Policy – “quoted”", section="1. Top › sub",
                      text="Staff must tell the DSL (Ms Ó Briain) at once.", roles=("dsl",), names=("Ms Ó Briain",),
                      kind="bullet", note="approved by Sam, 1 May"),
               Clause(id="a/b.md#1", org="a", source="a/b.md", document="Policy – “quoted”", section="1. Top › sub",
                      text="Second line.")]
    path = tmp_path / "clauses.jsonl"
    with path.open("wb") as fh:
        clause_table.write(fh, clauses, ["k0", "k1"], ["p0", "p1"])
    read, keys, passage_keys = clause_table.read(path)
    assert read == clauses and keys == ["k0", "k1"] and passage_keys == ["p0", "p1"]
    assert read[0].document is read[1].document  # a repeated value is one string
    path.write_text('{"key": "k0", "clause": {}}\n', "utf-8")  # one JSON object per clause: format 6
    with pytest.raises(ValueError):
        clause_table.read(path)
    path.write_text("{not json\n", "utf-8")
    with pytest.raises(ValueError):
        clause_table.read(path)


def test_an_index_of_format_6_gives_its_vectors_to_the_rebuild(corpus_copy: Path, tmp_path: Path) -> None:
    """Upgrading: the old index's one-object-per-clause file is read for its vectors, so nothing is
    embedded again."""
    emb = HashEmbedder()
    index_store.build(corpus_copy, tmp_path / "idx", emb)
    idx = index_store.load(tmp_path / "idx")
    rows = [json.dumps({"key": k, "passage_key": pk, "clause": dataclasses.asdict(c)})
            for k, pk, c in zip(idx.keys, idx.passage_keys, idx.clauses)]
    (tmp_path / "idx" / index_store.CLAUSES).write_text("\n".join(rows) + "\n", "utf-8")
    manifest = json.loads((tmp_path / "idx" / index_store.MANIFEST).read_text("utf-8"))
    (tmp_path / "idx" / index_store.MANIFEST).write_text(json.dumps({**manifest, "format": 6}), "utf-8")
    fresh = HashEmbedder()
    report = index_store.build(corpus_copy, tmp_path / "idx", fresh)
    assert report.embedded == 0 and fresh.calls == 0
    assert index_store.load(tmp_path / "idx").clauses == idx.clauses


def test_a_row_file_reads_the_rows_asked_for_in_their_order(tmp_path: Path) -> None:
    matrix = np.arange(40 * 6, dtype=np.float16).reshape(40, 6)
    np.save(tmp_path / "m.npy", matrix)
    rows = index_store.RowFile(tmp_path / "m.npy")
    assert len(rows) == 40 and rows.dtype == np.float16
    for wanted in ([3], [5, 6, 7, 8], [39, 0, 1, 2, 20], [7, 7], []):
        assert np.array_equal(rows[np.array(wanted, dtype=np.int64)], matrix[wanted])
    assert np.array_equal(np.asarray(rows), matrix) and np.array_equal(rows[2:5], matrix[2:5])
    with pytest.raises(IndexError):
        rows[np.array([40])]
    with (tmp_path / "m.npy").open("r+b") as fh:
        fh.truncate(200)
    with pytest.raises(ValueError):
        index_store.RowFile(tmp_path / "m.npy")
