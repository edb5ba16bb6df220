"""Bar charts as inline SVG, drawn on the server: the dashboard needs no JavaScript and nothing from a
CDN (schools' networks block many), and the chart is readable when printed for a governors' meeting.

Each chart is drawn twice, at two shapes: a wide one (640 x 200 units) for a desk, and a narrow one
(360 x 240) with larger text and fewer labels for a phone; the stylesheet shows one of them by the page's
width. An SVG scales its text with its width, so one drawing cannot be readable at both: the wide chart's
15-unit text is 10-16 px in a desk's half or whole column, but would be 8 px on a 390 px phone, where the
narrow chart's 15 units are about 13 px.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    label: str  # x-axis label ("3 Nov")
    value: float
    title: str  # tooltip: the exact figure


@dataclass(frozen=True)
class Shape:
    css: str  # "wide" | "narrow"
    width: int
    height: int
    left: int  # room for the y-axis figures
    bottom: int  # room for the x-axis labels
    top: int
    font: int  # text size, in the drawing's units
    labels: int  # at most this many x-axis labels, so that they never overlap


WIDE = Shape("wide", 640, 200, 50, 28, 12, 15, 8)
NARROW = Shape("narrow", 360, 240, 46, 34, 14, 15, 4)


def even_top(values: Sequence[float]) -> float:
    """A count chart's top: the largest value rounded up to an even number, so that the half-way line
    is a whole count too (no "1.5 questions")."""
    peak = max(values, default=0)
    return float(max(2, int(-(-peak // 2)) * 2))


def bar_chart(bars: Sequence[Bar], name: str, top: float | None = None,
              axis: Callable[[float], str] = lambda v: f"{v:g}", narrow: Sequence[Bar] | None = None,
              counts: bool = False) -> Markup:
    """An accessible SVG bar chart (role=img with a title; every bar has a tooltip), at both shapes; the
    narrow one draws *narrow* when given (a long period's months rather than its weeks, say). *counts*:
    whole numbers, so each drawing's top is its largest bar rounded up to an even number."""
    small = bars if narrow is None else narrow

    def top_of(drawn: Sequence[Bar]) -> float | None:
        return even_top([b.value for b in drawn]) if counts and top is None else top

    return _draw(bars, name, top_of(bars), axis, WIDE) + _draw(small, name, top_of(small), axis, NARROW)


def _draw(bars: Sequence[Bar], name: str, top: float | None, axis: Callable[[float], str], s: Shape) -> Markup:
    peak = top if top is not None else max((b.value for b in bars), default=0) or 1
    plot_w, plot_h = s.width - s.left - 8, s.height - s.bottom - s.top
    step = plot_w / max(len(bars), 1)
    parts = [f'<svg class="chart {s.css}" data-chart="{escape(name)}" viewBox="0 0 {s.width} {s.height}" '
             f'role="img" aria-label="{escape(name)}" xmlns="http://www.w3.org/2000/svg"'
             f'><title>{escape(name)}</title>']
    for frac in (0, 0.5, 1):
        y = s.top + plot_h * (1 - frac)
        parts.append(f'<line x1="{s.left}" x2="{s.width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{s.left - 4}" y="{y + s.font * 0.35:.1f}" class="axis" font-size="{s.font}" '
                     f'text-anchor="end">{escape(axis(peak * frac))}</text>')
    every = max(1, -(-len(bars) // s.labels))
    for i, bar in enumerate(bars):
        h = plot_h * min(bar.value / peak, 1.0)
        x = s.left + i * step + step * 0.15
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{s.top + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{h:.1f}"><title>{escape(bar.title)}</title></rect>')
        if i % every == 0:
            # A label is centred under its bar unless that would cut it at the drawing's edge.
            half, centre = len(bar.label) * s.font * 0.3, x + step * 0.35
            anchor = "start" if centre - half < 0 else "end" if centre + half > s.width else "middle"
            at = max(x, 0) if anchor == "start" else min(x + step * 0.7, s.width) if anchor == "end" else centre
            parts.append(f'<text x="{at:.1f}" y="{s.height - s.bottom + s.font + 6:.1f}" class="axis" '
                         f'font-size="{s.font}" text-anchor="{anchor}">{escape(bar.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[float], name: str, width: int = 120, height: int = 28) -> Markup:
    """A small trend of bars without text (it sits in a table row beside the figures it sums)."""
    peak = max(values, default=0) or 1
    step = width / max(len(values), 1)
    bars = "".join(f'<rect class="spark-bar" x="{i * step + step * 0.1:.1f}" y="{height - height * v / peak:.1f}" '
                   f'width="{step * 0.8:.1f}" height="{height * v / peak:.1f}"/>' for i, v in enumerate(values))
    return Markup(f'<svg class="spark" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(name)}" '
                  f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none"><title>{escape(name)}</title>'
                  f'{bars}</svg>')
