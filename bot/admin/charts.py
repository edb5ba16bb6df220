"""Bar charts as inline SVG, drawn on the server: the dashboard needs no JavaScript and nothing from a
CDN (schools' networks block many), and the chart is readable when printed for a governors' meeting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 200
LEFT, BOTTOM, TOP = 40, 28, 12


@dataclass(frozen=True)
class Bar:
    label: str  # x-axis label ("3 Nov")
    value: float
    title: str  # tooltip: the exact figure


def bar_chart(bars: Sequence[Bar], name: str, top: float | None = None,
              axis: Callable[[float], str] = lambda v: f"{v:g}") -> Markup:
    """An accessible SVG bar chart (role=img with a title; every bar has a tooltip)."""
    peak = top if top is not None else max((b.value for b in bars), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(bars), 1)
    parts = [f'<svg class="chart" data-chart="{escape(name)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(name)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(name)}</title>']
    for frac in (0, 0.5, 1):
        y = TOP + plot_h * (1 - frac)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
                     f'{escape(axis(peak * frac))}</text>')
    every = max(1, len(bars) // 12)  # at most ~12 labels, so they never overlap
    for i, bar in enumerate(bars):
        h = plot_h * min(bar.value / peak, 1.0)
        x = LEFT + i * step + step * 0.15
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{h:.1f}"><title>{escape(bar.title)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - 10}" class="axis" text-anchor="middle">'
                         f'{escape(bar.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
