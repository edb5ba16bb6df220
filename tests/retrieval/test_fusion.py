from __future__ import annotations

import numpy as np

from bot.retrieval import fusion


def test_scale_to_max_and_zero_scores() -> None:
    assert fusion.scale_to_max(np.array([2.0, 1.0, 0.0])).tolist() == [1.0, 0.5, 0.0]
    assert fusion.scale_to_max(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_min_max() -> None:
    assert np.allclose(fusion.min_max(np.array([0.2, 0.6, 1.0])), [0.0, 0.5, 1.0])
    assert fusion.min_max(np.array([0.3, 0.3])).tolist() == [0.0, 0.0]


def test_convex_combination_known_answer() -> None:
    lexical = np.array([4.0, 2.0, 0.0])
    dense = np.array([0.1, 0.5, 0.3])
    got = fusion.convex(lexical, dense, alpha=0.5)
    assert np.allclose(got, [0.5 * 1.0 + 0.5 * 0.0, 0.5 * 0.5 + 0.5 * 1.0, 0.0 + 0.5 * 0.5])
    assert fusion.top_k(got, 2).tolist() == [1, 0]


def test_reciprocal_rank_fusion_known_answer() -> None:
    fused = fusion.reciprocal_rank([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == 1 / 61 + 1 / 62
    assert fused[3] == 1 / 63 + 1 / 61
    assert max(fused, key=fused.__getitem__) == 1


def test_top_k_ties_and_bounds() -> None:
    assert fusion.top_k(np.array([1.0, 3.0, 3.0, 0.5]), 3).tolist() == [1, 2, 0]
    assert fusion.top_k(np.array([1.0]), 5).tolist() == [0]
    assert fusion.top_k(np.array([]), 2).tolist() == []


def test_convex_at_some_rows_gives_what_a_full_convex_would_give_them() -> None:
    lexical = np.array([0.0, 2.0, 4.0, 1.0])
    dense = np.array([0.1, 0.5, 0.9, 0.3])
    rows = np.array([1, 3])
    new = np.array([0.6, 0.2])  # within the dense range: the full array's scale is unchanged
    changed = dense.copy()
    changed[rows] = new
    assert np.allclose(fusion.convex_at(lexical, dense, rows, new, 0.5), fusion.convex(lexical, changed, 0.5)[rows])
    assert np.allclose(fusion.convex_at(np.zeros(4), dense, rows, new, 0.5), 0.5 * (new - 0.1) / 0.8)


def test_document_relevance_over_a_large_scope_matches_the_exact_one_where_it_matters(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    scores = rng.random(3000).astype(np.float32) ** 4
    docs = np.repeat(np.arange(30), 100)
    scores[docs == 7] += 0.5  # one document is clearly the one asked about
    exact = fusion.document_prior(scores, docs, 30, 3)
    monkeypatch.setattr(fusion, "EXACT_UP_TO", 200)
    fast = fusion.document_prior(scores, docs, 30, 3)
    assert fast.argmax() == exact.argmax() and exact[docs == 7][0] == fast[docs == 7][0] == 1.0
    top = np.argsort(-scores)[:50]  # the clauses that can be ranked: their factors agree
    assert np.allclose(fast[top], exact[top], atol=0.02)
    assert (fast >= exact - 1e-6).all()  # elsewhere an upper bound
