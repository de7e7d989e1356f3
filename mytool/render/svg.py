"""A small SVG line chart drawn by hand (no plotting dependency), readable by any browser or viewer.

Periods run left to right; each series is a polyline broken where it has no value; a point's
tooltip gives its exact value; the legend sits on the right. Text is XML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

PALETTE = (
    "#d62728",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#1f77b4",
    "#17becf",
    "#bcbd22",
    "#2ca02c",
    "#7f7f7f",
)
WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 56, 170, 44, 40


@dataclass(frozen=True)
class Line:
    name: str
    values: Sequence[float | None]
    reference: bool = False  # drawn black and dashed (e.g. the district mean)


def line_chart_svg(title: str, labels: Sequence[str], lines: Sequence[Line], y_title: str) -> str:
    """An SVG document: `lines` over the x positions `labels`."""
    values = [v for line in lines for v in line.values if v is not None]
    low, high, step = _y_range(values)
    plot = _Plot(low, high, len(labels))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<text x="12" y="{TOP - 10}" fill="#555555">{escape(y_title)}</text>',
        *_gridlines(plot, step),
    ]
    for index, label in enumerate(labels):
        parts.append(
            f'<text x="{plot.x(index):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    colours = iter(PALETTE * (len(lines) // len(PALETTE) + 1))
    for order, line in enumerate(lines):
        colour = "#000000" if line.reference else next(colours)
        parts += _series(plot, line, labels, colour)
        parts += _legend_entry(line, order, colour)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class _Plot:
    """The plotting area: data values and period positions to SVG coordinates."""

    low: float
    high: float
    periods: int

    def x(self, index: int) -> float:
        width = WIDTH - LEFT - RIGHT
        return LEFT + (width * index / (self.periods - 1) if self.periods > 1 else width / 2)

    def y(self, value: float) -> float:
        height = HEIGHT - TOP - BOTTOM
        return TOP + height * (self.high - value) / (self.high - self.low)


def _gridlines(plot: _Plot, step: float) -> list[str]:
    """A horizontal gridline with its value at every `step` from the bottom to the top."""
    parts = []
    tick = plot.low
    while tick <= plot.high + 1e-9:
        ty = plot.y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" stroke="#e0e0e0"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#555555">'
            f"{tick:g}</text>"
        )
        tick += step
    return parts


def _dash(line: Line) -> str:
    return ' stroke-dasharray="6 4"' if line.reference else ""


def _series(plot: _Plot, line: Line, labels: Sequence[str], colour: str) -> list[str]:
    """One line: a polyline per unbroken run, and a point with its exact value as tooltip."""
    parts = []
    for segment in _segments(line.values):
        points = " ".join(f"{plot.x(i):.1f},{plot.y(v):.1f}" for i, v in segment)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{_dash(line)}/>'
        )
    for index, value in enumerate(line.values):
        if value is None:
            continue
        tip = escape(f"{line.name} {labels[index]}：{value:.2f}")
        parts.append(
            f'<circle cx="{plot.x(index):.1f}" cy="{plot.y(value):.1f}" r="3" fill="{colour}">'
            f"<title>{tip}</title></circle>"
        )
    return parts


def _legend_entry(line: Line, order: int, colour: str) -> list[str]:
    """The line's sample stroke and name, the `order`-th row of the legend on the right."""
    ly = TOP + 8 + 18 * order
    lx = WIDTH - RIGHT + 16
    return [
        f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{colour}" '
        f'stroke-width="2"{_dash(line)}/>',
        f'<text x="{lx + 28}" y="{ly + 4}">{escape(line.name)}</text>',
    ]


def _y_range(values: Sequence[float]) -> tuple[float, float, float]:
    """Axis bounds on a round step, a little beyond the data, about five gridlines."""
    if not values:
        return 0.0, 100.0, 20.0
    low, high = min(values), max(values)
    span = max(high - low, 1.0)
    step = next(s for s in (0.5, 1, 2, 5, 10, 20) if span / s <= 6)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    if top == bottom:
        top += step
    return bottom, top, step


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive values; a missing period breaks the line."""
    segments: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
        else:
            segments[-1].append((index, value))
    return [s for s in segments if s]
