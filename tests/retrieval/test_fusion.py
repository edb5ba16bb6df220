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
