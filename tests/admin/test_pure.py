"""Known-answer tests of the dashboard's pure parts: grouping, weeks, charts."""

from __future__ import annotations

from datetime import date

import numpy as np

from bot.admin.charts import Bar, bar_chart
from bot.admin.grouping import group_similar
from bot.admin.queries import Week, fill_weeks


def _unit(*rows: list[float]) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_group_similar_joins_paraphrases_and_keeps_order() -> None:
    vectors = _unit([1, 0, 0], [0.95, 0.05, 0], [0, 1, 0], [0.9, 0.1, 0], [0, 0.97, 0.03], [0, 0, 1])
    assert group_similar(vectors, threshold=0.9) == [[0, 1, 3], [2, 4], [5]]
    assert group_similar(vectors, threshold=1.01) == [[0], [1], [2], [3], [4], [5]]
    assert group_similar(np.zeros((0, 3), np.float32)) == []


def test_fill_weeks_gives_every_monday_with_zeros() -> None:
    weeks = fill_weeks([Week(date(2026, 11, 9), 4, 3)], date(2026, 11, 4), date(2026, 11, 21))
    assert [(w.week, w.asked) for w in weeks] == [(date(2026, 11, 2), 0), (date(2026, 11, 9), 4), (date(2026, 11, 16), 0)]
    assert weeks[1].answered_rate == 0.75 and weeks[0].answered_rate == 0.0


def test_bar_chart_scales_bars_and_escapes_labels() -> None:
    svg = str(bar_chart([Bar("<b>", 5, "five & more"), Bar("w2", 10, "ten")], "Q<s>"))
    assert svg.count('class="bar"') == 4 and "<b>" not in svg and "&lt;b&gt;" in svg and "five &amp; more" in svg
    heights = [float(part.split('"')[0]) for part in svg.split('height="')[1:]]
    assert heights[1] == 2 * heights[0]  # 10 is twice 5
    capped = str(bar_chart([Bar("x", 150, "150%")], "rate", top=100))
    assert 'height="160.0"' in capped  # never taller than the plot
