"""The optional second stage (bot.retrieval.rerank): known answers for the blend and the reordering with a
stand-in encoder, and the service using it only when configured, only to reorder what it answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.errors import ConfigError
from bot.reading.documents import Clause
from bot.retrieval.rerank import Reranker, blend, quoted, sentence_model


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
        sentence_model(tmp_path)
    with pytest.raises(ConfigError, match="depth"):
        Reranker(lambda texts: np.zeros((len(texts), 2)), depth=1)


def test_the_service_reorders_only_when_configured_and_never_changes_abstention(tmp_path: Path) -> None:
    from bot.core.models import Question
    from tests.conftest import CORPUS, make_service

    plain = make_service(CORPUS, tmp_path / "index", tmp_path / "var")
    calls: list[int] = []

    def reverse(texts: list[str]) -> np.ndarray:  # prefers whatever the first stage put last
        calls.append(len(texts))
        n = len(texts)
        rows = np.zeros((n, n), dtype=np.float32)
        rows[0, :] = 1.0
        rows[1:, 1:] = np.eye(n - 1) * np.arange(1, n)[:, None]
        return rows

    question = Question("a parent messaged me on my personal facebook account, what should I do?", "stone-bay-school")
    before = plain.answer(question)
    plain.reranker = Reranker(reverse, depth=5, weight=1.0)
    after = plain.answer(question)
    assert before.answered and after.answered and calls == [6]
    assert [p.text for p in after.passages] != [p.text for p in before.passages]
    assert len(after.passages) == len(before.passages)
    declined = plain.answer(Question("how much is the staff car park permit?", "stone-bay-school"))
    assert not declined.answered and calls == [6]  # an unanswered question is not reranked
