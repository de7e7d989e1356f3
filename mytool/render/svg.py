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
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<text x="12" y="{TOP - 10}" fill="#555555">{escape(y_title)}</text>',
    ]
    tick = low
    while tick <= high + 1e-9:
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" stroke="#e0e0e0"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#555555">'
            f"{tick:g}</text>"
        )
        tick += step
    for index, label in enumerate(labels):
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    colours = iter(PALETTE * (len(lines) // len(PALETTE) + 1))
    for order, line in enumerate(lines):
        colour = "#000000" if line.reference else next(colours)
        dash = ' stroke-dasharray="6 4"' if line.reference else ""
        for segment in _segments(line.values):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
        for index, value in enumerate(line.values):
            if value is None:
                continue
            tip = escape(f"{line.name} {labels[index]}：{value:.2f}")
            parts.append(
                f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                f"<title>{tip}</title></circle>"
            )
        ly = TOP + 8 + 18 * order
        lx = WIDTH - RIGHT + 16
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{lx + 28}" y="{ly + 4}">{escape(line.name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


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
