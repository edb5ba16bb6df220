"""The optional second stage (bot.retrieval.rerank): known answers for the blend and the reordering with a
stand-in encoder, and the service using it only when configured, only to reorder what it answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.errors import ConfigError
from bot.reading.documents import Clause
from bot.retrieval.rerank import ClauseVectors, Reranker, blend, quoted, sentence_model


def clause(text: str, section: str = "Use") -> Clause:
    return Clause(id=text, org="o", source="p.txt", document="Social Media Policy", section=section, text=text)


def test_blend_scales_each_score_then_mixes_them() -> None:
    first, second = np.array([3.0, 2.0, 1.0]), np.array([0.1, 0.9, 0.5])
    assert blend(first, second, 0.0).tolist() == [1.0, 0.5, 0.0]
    assert blend(first, second, 1.0).tolist() == pytest.approx([0.0, 1.0, 0.5])
    assert blend(first, second, 0.5).tolist() == pytest.approx([0.5, 0.75, 0.25])
    assert blend(np.array([1.0, 1.0]), np.array([2.0, 2.0])).tolist() == [0.0, 0.0]


def test_the_larger_model_reorders_the_head_and_leaves_the_tail() -> None:
    words = ["pupil", "facebook", "parking"]

    def encode(texts: list[str]) -> np.ndarray:  # a bag of three words, unit length
        rows = np.array([[t.lower().count(w) for w in words] for t in texts], dtype=np.float32) + 1e-3
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    hits = [(clause("Staff parking is at the back"), 0.9), (clause("Never add a pupil on Facebook"), 0.8),
            (clause("Pupil photos need consent"), 0.7), (clause("Parking permits"), 0.1)]
    ranked = Reranker(encode, depth=3, weight=0.7).order("can I add a pupil on facebook?", hits,
                                                         lambda h: h[0], lambda h: h[1])
    assert [h[0].text for h in ranked] == ["Never add a pupil on Facebook", "Pupil photos need consent",
                                           "Staff parking is at the back", "Parking permits"]
    assert Reranker(encode, depth=3, weight=0.0).order("x", hits, lambda h: h[0], lambda h: h[1]) == hits


def test_the_clause_is_read_with_where_it_is() -> None:
    assert quoted(clause("Be kind.", "Online › Conduct")) == "Social Media Policy › Online › Conduct: Be kind."
    assert quoted(clause("Be kind.", "")) == "Social Media Policy: Be kind."


def test_a_missing_model_or_bad_settings_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no sentence-transformers model"):
        sentence_model(tmp_path, tmp_path)
    with pytest.raises(ConfigError, match="depth"):
        Reranker(lambda texts: np.zeros((len(texts), 2)), depth=1)


def test_the_service_reorders_only_when_configured_and_never_changes_abstention(tmp_path: Path) -> None:
    from bot.core.models import Question
    from tests.conftest import CORPUS, make_service

    plain = make_service(CORPUS, tmp_path / "index", tmp_path / "var")
    calls: list[int] = []
    question = Question("a parent messaged me on my personal facebook account, what should I do?", "stone-bay-school")
    before = plain.answer(question)
    last = before.passages[-1].text

    def prefer_last(texts: list[str]) -> np.ndarray:  # the question, and the clause shown last, point one way
        calls.append(len(texts))
        return np.array([[1.0, 0.0] if t == question.text or t.endswith(last) else [0.0, 1.0] for t in texts],
                        dtype=np.float32)

    plain.reranker = Reranker(prefer_last, depth=5, weight=1.0)
    after = plain.answer(question)
    assert before.answered and after.answered
    assert calls == [1, 5]  # the question, then the five clauses (not prepared, so encoded now)
    assert after.passages[0].text == last != before.passages[0].text
    assert len(after.passages) == len(before.passages)
    plain.answer(question)
    assert calls == [1, 5]  # asked again at once: the question's and the clauses' vectors are remembered
    declined = plain.answer(Question("how much is the staff car park permit?", "stone-bay-school"))
    assert not declined.answered and calls == [1, 5]  # an unanswered question is not reranked
    other = plain.answer(Question("can i post photos of pupils on my personal instagram?", "stone-bay-school"))
    assert other.answered and len(calls) > 2  # another question, reranked, came between ...
    seen = len(calls)
    plain.answer(question)
    assert calls[seen:] == [1]  # ... so the question is encoded again (its clauses' vectors are remembered)
    prepared = Reranker(prefer_last, depth=5, weight=1.0)
    from bot.retrieval import index_store

    prepared.prepare(index_store.load(tmp_path / "index").clauses)  # every passage, as the server does at start
    plain.reranker, calls[:] = prepared, []
    assert plain.answer(question).passages[0].text == last
    assert calls == [1]  # only the question: the quoted passages were all prepared


def test_the_second_stage_helps_choose_the_candidates_not_only_order_them(tmp_path: Path) -> None:
    from bot.core.models import Question
    from bot.retrieval import index_store
    from bot.retrieval.search import SearchParams
    from tests.conftest import CORPUS, make_service

    service = make_service(CORPUS, tmp_path / "index", tmp_path / "var")
    question = Question("a parent messaged me on my personal facebook account, what should I do?", "stone-bay-school")
    before = [p.text for p in service.answer(question).passages]
    index = index_store.load(tmp_path / "index")
    scope = [c for c in index.clauses if c.org == "stone-bay-school"]
    target = next(c for c in reversed(scope) if c.text not in " ".join(before) and len(c.text) > 40)

    def toward_target(texts: list[str]) -> np.ndarray:  # the question and the target's passage point one way
        return np.array([[1.0, 0.0] if t == question.text or target.text in t else [0.0, 1.0] for t in texts],
                        dtype=np.float32)

    second = Reranker(toward_target, depth=5, weight=0.0)  # the last step leaves the order alone
    assert second.similarity(question.text, np.array([0])) is None  # nothing prepared yet
    second.prepare(index.clauses)
    service.reranker = second
    service.searcher.second = second.similarity
    service.searcher.params = SearchParams(second_weight=0.0)
    assert [p.text for p in service.answer(question).passages] == before  # no share: as without it
    service.searcher.params = SearchParams(second_weight=1.0)
    after = service.answer(question)
    assert after.answered and any(target.text in p.text for p in after.passages)


def test_clause_vectors_find_prepared_texts_by_row_and_refuse_unknown_ones(tmp_path: Path) -> None:
    vectors = ClauseVectors(counting_encoder([]), tmp_path / "v.npz")
    vectors.prepare(["alpha", "beta", "gamma"])
    rows = vectors.rows_of(["gamma", "alpha"])
    assert np.allclose(vectors.at(rows), vectors.vectors(["gamma", "alpha"]), atol=1e-3)
    with pytest.raises(ValueError, match="never prepared"):
        vectors.rows_of(["delta"])


def counting_encoder(calls: list[list[str]]):  # type: ignore[no-untyped-def]
    def encode(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        rows = np.array([[len(t), t.count("a") + 1.0, 1.0] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return encode


def test_clause_vectors_are_encoded_once_and_kept_in_their_file(tmp_path: Path) -> None:
    calls: list[list[str]] = []
    encode = counting_encoder(calls)
    path = tmp_path / "cache" / "rerank.npz"
    store = ClauseVectors(encode, path)
    assert store.prepare(["alpha", "beta", "gamma"]) == 3 and path.is_file()
    again = ClauseVectors(encode, path)  # a restart: read from the file, nothing encoded
    assert len(again) == 3 and again.prepare(["gamma", "alpha", "delta"]) == 1 and calls[-1] == ["delta"]
    got = again.vectors(["delta", "alpha"])
    assert np.allclose(got, encode(["delta", "alpha"]), atol=1e-3)  # float16 on disk
    assert len(calls) == 3  # vectors() encoded nothing: both were prepared
    assert len(ClauseVectors(encode, path)) == 3  # the file holds exactly the last texts prepared ("beta" gone)


def test_clause_vectors_encode_what_was_never_prepared_and_survive_a_damaged_file(tmp_path: Path) -> None:
    calls: list[list[str]] = []
    path = tmp_path / "rerank.npz"
    path.write_bytes(b"not a numpy file")
    store = ClauseVectors(counting_encoder(calls), path)
    assert len(store) == 0
    first = store.vectors(["one", "two"])
    assert first.shape == (2, 3) and calls == [["one", "two"]]
    assert np.array_equal(store.vectors(["two", "one"]), first[::-1]) and len(calls) == 1
    assert store.prepare(["one", "three"]) == 1  # "one" was remembered in memory; prepare writes the file
    assert len(ClauseVectors(counting_encoder(calls), path)) == 2 and calls[-1] == ["three"]


def test_every_one_of_many_prepared_texts_is_found_again(tmp_path: Path) -> None:
    texts = [f"clause {i}: " + "a" * (i % 7) for i in range(3000)]
    calls: list[list[str]] = []
    store = ClauseVectors(counting_encoder(calls), tmp_path / "v.npz")
    assert store.prepare(texts) == 3000
    reread = ClauseVectors(counting_encoder(calls), tmp_path / "v.npz")
    assert reread.prepare(texts) == 0
    assert np.allclose(reread.vectors(texts[::-1]), counting_encoder([])(texts[::-1]), atol=1e-3) and len(calls) == 1


def test_preparing_the_same_texts_again_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    store = ClauseVectors(counting_encoder([]), path)
    store.prepare(["a", "b"])
    stamp = path.stat().st_mtime_ns
    path.chmod(0o444)
    assert store.prepare(["b", "a"]) == 0 and path.stat().st_mtime_ns == stamp


def test_the_reranker_keeps_the_clause_vectors_it_is_given_even_when_empty(tmp_path: Path) -> None:
    store = ClauseVectors(counting_encoder([]), tmp_path / "v.npz")
    reranker = Reranker(counting_encoder([]), clauses=store)
    assert reranker.clauses is store
    reranker.prepare([clause("Be kind.")])
    assert (tmp_path / "v.npz").is_file()


def test_the_wired_second_stage_keeps_its_vectors_in_the_index_folder_and_loads_the_model_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from bot import wiring
    from bot.config import Settings

    model = tmp_path / "model"
    model.mkdir()
    (model / "modules.json").write_text("[]")
    (model / "model.safetensors").write_bytes(b"0" * 10)
    loads: list[Path] = []
    calls: list[list[str]] = []

    def fake_model(folder: Path, cache: Path, threads: int = 0):  # type: ignore[no-untyped-def]
        loads.append(folder)
        return counting_encoder(calls)

    monkeypatch.setattr(wiring, "sentence_model", fake_model)
    monkeypatch.setattr(wiring, "_rerank_models", {})
    index = SimpleNamespace(clauses=[clause("Be kind.", "Conduct"), clause("Report at once.", "Reporting")])
    settings = Settings(rerank_model=str(model), index_dir=tmp_path / "index", model_cache_dir=tmp_path / "cache")
    first = wiring.reranker(settings, index)  # type: ignore[arg-type]
    assert first is not None and first.clauses.path is not None
    assert first.clauses.path.parent == tmp_path / "index" and first.clauses.path.is_file()
    again = wiring.reranker(settings, index)  # type: ignore[arg-type]
    assert again is not None and len(again.clauses) == 2
    assert len(loads) == 1 and len(calls) == 1  # one model load, the clauses encoded once
    assert wiring.reranker(Settings(rerank_model="")) is None


def test_the_index_job_encodes_the_second_stage_so_a_server_start_does_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from bot import wiring
    from tests.conftest import CORPUS, settings_for
    from tests.doubles.hash_embedder import HashEmbedder

    model = tmp_path / "model"
    model.mkdir()
    (model / "modules.json").write_text("[]")
    (model / "model.safetensors").write_bytes(b"0" * 10)
    calls: list[list[str]] = []
    monkeypatch.setattr(wiring, "sentence_model", lambda folder, cache, threads=0: counting_encoder(calls))
    monkeypatch.setattr(wiring, "_rerank_models", {})
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = settings_for(tmp_path / "corpus", tmp_path / "index", tmp_path / "var", rerank_model=str(model))
    wiring.build_index(settings, HashEmbedder())  # type: ignore[arg-type]
    assert len(calls) == 1 and len(calls[0]) > 100  # every passage, by the job
    index = wiring.ensure_index(settings, HashEmbedder())  # type: ignore[arg-type]
    wiring.answer_service(settings, index, HashEmbedder())  # type: ignore[arg-type]
    assert len(calls) == 1  # the server's start found them all in the index folder
