"""Charts for the documents and for slides: PNG (300 dpi) and SVG, drawn with matplotlib.

This module imports matplotlib; only what draws imports it (Word briefs, `trend -f md`,
`aggregate --drivers`), so `mytool --help` and `mytool rank` never load it. Chinese labels need
a CJK font: the first installed one of `CJK_FAMILIES` (or the file the profile names in
`[fonts] cjk`). Without one the run stops with one message naming the fix, rather than drawing
tofu boxes.

Output is byte-stable: no dates in the files, fixed SVG ids.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from mytool.errors import UsageError
from mytool.files import shown

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Noto Serif SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK JP",
)
NO_FONT = (
    "画图需要中文字体，但本机没有找到"
    "（已查找 Noto Sans/Serif CJK、Source Han、文泉驿、黑体、微软雅黑）。"
    "请安装一种中文字体（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk），"
    '或在测评口径中写明字体文件：[fonts] cjk = "/path/to/font.ttf"；'
    "也可以用 --format md,xlsx 不画图"
)
DPI = 300
MM = 1 / 25.4
DISTRICT_COLOR = "#9e9e9e"
UNIT_COLOR = "#1f4e79"


@dataclass(frozen=True)
class Chart:
    png: bytes
    svg: bytes


ChartJob = tuple[Callable[..., Chart], dict[str, Any]]
WORKERS = 2


class BackgroundCharts:
    """Charts drawn by worker processes while this one renders the documents.

    Each chart costs ~0.25 s of matplotlib and a run draws 18, so on a machine with two or more
    cores they are drawn beside the Word and Excel rendering. The workers are forked (Linux)
    after matplotlib and the font list are loaded here, so they start in milliseconds; they
    ignore Ctrl-C (this process reports it) and die with this process. Elsewhere, or on one
    core, each chart is drawn here when it is asked for. Use it as a context manager: leaving
    it cancels what is still queued.
    """

    def __init__(self, jobs: Sequence[ChartJob]) -> None:
        self._jobs = list(jobs)
        self._futures: list[Future[Chart]] = []
        self._pool: ProcessPoolExecutor | None = None
        if len(self._jobs) > 1 and _cores() > 1 and sys.platform == "linux":
            self._pool = ProcessPoolExecutor(
                max_workers=WORKERS,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
            self._futures = [self._pool.submit(draw, **arguments) for draw, arguments in jobs]

    def __enter__(self) -> BackgroundCharts:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def __getitem__(self, index: int) -> Chart:
        if self._futures:
            try:
                return self._futures[index].result()
            except BrokenProcessPool:  # a worker was killed (out of memory?): draw it here
                pass
        draw, arguments = self._jobs[index]
        return draw(**arguments)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _start_worker(parent: int) -> None:
    """A chart worker: quiet, deaf to Ctrl-C, and gone when the parent is gone.

    The standard streams are replaced, not used: a thread of the parent (the progress
    spinner) may have held their locks at the moment of the fork.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    with contextlib.suppress(OSError, AttributeError):  # not Linux: only in a killed run
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1


_FONT_CACHE: dict[str, str] = {}


def cjk_font(profile_font: str = "") -> str:
    """The font family name matplotlib should use for Chinese text; `UsageError` if none."""
    key = profile_font or ""
    if key in _FONT_CACHE:
        return _FONT_CACHE[key]

    if profile_font:
        path = Path(profile_font).expanduser()
        if not path.is_file():
            raise UsageError(f"测评口径 [fonts] cjk 指定的字体文件 {shown(path)} 不存在")
        font_manager.fontManager.addfont(str(path))
        name = font_manager.FontProperties(fname=str(path)).get_name()
    else:
        installed = {entry.name for entry in font_manager.fontManager.ttflist}
        name = next((family for family in CJK_FAMILIES if family in installed), "")
        if not name:
            raise UsageError(NO_FONT)
    _FONT_CACHE[key] = name
    return name


def _figure(font: str, width: float, height: float) -> Any:
    """A bare Agg figure (no pyplot: its import and figure manager cost and are not needed)."""
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [font, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "svg.hashsalt": "mytool",
            "svg.fonttype": "path",
            "font.size": 9,
        }
    )
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Any) -> Chart:
    png, svg = io.BytesIO(), io.BytesIO()
    # zlib level 1: a third of the encoding time for files ~3% larger; the pixels are the same.
    figure.savefig(
        png, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 1}
    )
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return Chart(png=png.getvalue(), svg=svg.getvalue())


@dataclass
class _UnitFigure:
    """A unit chart's figure, kept to draw the next unit with the same categories: only the
    bars, numbers, limits and titles change, and matplotlib's text measurements (the category
    labels, the ticks, the legend) stay cached with the figure's renderer."""

    figure: Any
    axes: Any
    bars: tuple[Any, Any]
    numbers: list[tuple[Any, Any]]
    legend: Any


_UNIT_FIGURES: dict[tuple[str, tuple[str, ...]], _UnitFigure] = {}
_BAR = 0.38
_KEPT_FIGURES = 4


def categories_chart(
    *,
    title: str,
    unit_label: str,
    categories: Sequence[str],
    scores: Sequence[float],
    district: Sequence[float],
    font: str,
) -> Chart:
    """A unit's categories against the district average: horizontal bars, every label shown."""
    key = (font, tuple(categories))
    if key not in _UNIT_FIGURES:
        if len(_UNIT_FIGURES) >= _KEPT_FIGURES:  # a long-lived process draws many kinds
            _UNIT_FIGURES.clear()
        _UNIT_FIGURES[key] = _unit_figure(list(categories), font)
    drawn = _UNIT_FIGURES[key]
    positions = list(range(len(categories)))[::-1]
    for values, bars in zip((scores, district), drawn.bars, strict=True):
        for value, rectangle in zip(values, bars, strict=True):
            rectangle.set_width(value)
    for position, score, mean, (mine, theirs) in zip(
        positions, scores, district, drawn.numbers, strict=True
    ):
        mine.set_position((score + 0.15, position + _BAR / 2))
        mine.set_text(f"{score:.2f}")
        theirs.set_position((mean + 0.15, position - _BAR / 2))
        theirs.set_text(f"{mean:.2f}")
    values = [*scores, *district]
    low = max(0.0, (min(values) // 5) * 5 - 5) if values else 0.0
    high = min(100.0, max(values) + 3.5) if values else 100.0
    drawn.axes.set_xlim(low, high)
    drawn.axes.title.set_text(title)
    drawn.legend.get_texts()[0].set_text(unit_label)
    return _save(drawn.figure)


def _unit_figure(categories: list[str], font: str) -> _UnitFigure:
    """The figure of `categories_chart`, with zero-length bars and empty numbers to fill."""
    count = len(categories)
    height = max(40, 5 + 4.0 * count) * MM
    # Fixed margins: constrained layout measures every label twice per save and cost as much
    # as the drawing itself.
    figure = _figure(font, 150 * MM, height)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.2, right=0.97, top=1 - 7 * MM / height, bottom=13 * MM / height)
    positions = list(range(count))[::-1]
    zeros = [0.0] * count
    mine = axes.barh(
        [p + _BAR / 2 for p in positions], zeros, height=_BAR, color=UNIT_COLOR, label="本街镇"
    )
    theirs = axes.barh(
        [p - _BAR / 2 for p in positions],
        zeros,
        height=_BAR,
        color=DISTRICT_COLOR,
        label="全区平均",
    )
    numbers = [
        (
            axes.text(0, 0, "", va="center", fontsize=6),
            axes.text(0, 0, "", va="center", fontsize=6, color="#555555"),
        )
        for _ in positions
    ]
    axes.set_yticks(positions, categories, fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    # y given: matplotlib would otherwise measure every tick label to place the title, and
    # still put it at 1.0 (no ticks on top).
    axes.set_title("", fontsize=9, y=1.0)
    legend = axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=7, frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)
    return _UnitFigure(figure, axes, (mine, theirs), numbers, legend)


def ranking_chart(
    *,
    title: str,
    units: Sequence[str],
    scores: Sequence[float],
    colors: Sequence[str],
    marked: Sequence[bool],
    legend: Sequence[tuple[str, str]],
    mark_label: str,
    font: str,
) -> Chart:
    """All units ranked, best on top, coloured by grade; the marked ones (bottom N) flagged."""
    count = len(units)
    height = max(45, 8 + 3.0 * count) * MM
    figure = _figure(font, 150 * MM, height)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.17, right=0.97, top=1 - 6 * MM / height, bottom=6 * MM / height)
    positions = list(range(count))[::-1]
    bars = axes.barh(
        positions,
        scores,
        height=0.7,
        color=[f"#{c}" for c in colors],
        edgecolor="#333333",
        linewidth=0.3,
    )
    for bar, flag in zip(bars, marked, strict=True):
        if flag:
            bar.set_edgecolor("#c00000")
            bar.set_linewidth(1.2)
    for position, score, flag in zip(positions, scores, marked, strict=True):
        axes.text(
            score + 0.15,
            position,
            f"{score:.2f}" + ("  ◀" if flag else ""),
            va="center",
            fontsize=6.5,
            color="#c00000" if flag else "#222222",
        )
    labels = [f"{index}. {name}" for index, name in enumerate(units, start=1)]
    axes.set_yticks(positions, labels, fontsize=7)
    low = max(0.0, (min(scores) // 5) * 5 - 5) if scores else 0.0
    axes.set_xlim(low, min(100.0, max(scores) + 3) if scores else 100.0)
    axes.tick_params(axis="x", labelsize=6.5)
    axes.set_title(title, fontsize=9, y=1.0)

    handles = [
        Patch(facecolor=f"#{color}", edgecolor="#333333", linewidth=0.3, label=name)
        for name, color in legend
    ]
    handles.append(Patch(facecolor="white", edgecolor="#c00000", linewidth=1.2, label=mark_label))
    axes.legend(handles=handles, loc="lower right", fontsize=6.5, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _save(figure)


QUADRANT_COLORS = {
    "优先改进": "#c00000",
    "继续保持": "#1f4e79",
    "次要改进": "#9e9e9e",
    "锦上添花": "#548235",
}


@dataclass(frozen=True)
class QuadrantPoint:
    number: int  # the item's place in the table beside the chart
    label: str
    satisfaction: float
    importance: float
    quadrant: str


def quadrant_chart(
    *,
    title: str,
    points: Sequence[QuadrantPoint],
    satisfaction_split: float,
    importance_split: float,
    font: str,
) -> Chart:
    """Importance (r) against satisfaction, split at the two means into four named quadrants;
    each point is numbered, the numbers listed with the item names beside the plot."""
    height = max(95.0, 20 + 3.4 * len(points)) * MM
    figure = _figure(font, 170 * MM, height)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.09, right=0.64, top=1 - 9 * MM / height, bottom=13 * MM / height)
    for point in points:
        color = QUADRANT_COLORS.get(point.quadrant, "#333333")
        axes.scatter(point.satisfaction, point.importance, s=14, color=color, zorder=3)
        axes.annotate(
            str(point.number),
            (point.satisfaction, point.importance),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=6,
            color=color,
        )
    axes.axvline(satisfaction_split, color="#555555", linestyle="--", linewidth=0.7)
    axes.axhline(importance_split, color="#555555", linestyle="--", linewidth=0.7)
    axes.margins(0.15)
    corners = (
        ("优先改进", 0.02, 0.97, "left", "top"),
        ("继续保持", 0.98, 0.97, "right", "top"),
        ("次要改进", 0.02, 0.03, "left", "bottom"),
        ("锦上添花", 0.98, 0.03, "right", "bottom"),
    )
    for name, x, y, ha, va in corners:
        axes.text(
            x, y, name, transform=axes.transAxes, ha=ha, va=va, fontsize=8,
            color=QUADRANT_COLORS[name], fontweight="bold",
        )  # fmt: skip
    axes.set_xlabel(f"满意度（小项平均得分；虚线为平均 {satisfaction_split:.2f}）", fontsize=7)
    axes.set_ylabel(f"重要性（相关系数 r；虚线为平均 {importance_split:.3f}）", fontsize=7)
    axes.tick_params(labelsize=6.5)
    axes.set_title(title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    listing = "\n".join(f"{p.number}. {p.label}" for p in points)
    figure.text(0.67, 1 - 9 * MM / height, listing, fontsize=6, va="top", linespacing=1.45)
    return _save(figure)


@dataclass(frozen=True)
class Series:
    """One line of `line_chart`: a value per x label (None breaks the line)."""

    name: str
    values: Sequence[float | None]
    # per label: drawn as a filled point (e.g. ranked in the bottom N); None counts as False
    marked: Sequence[bool | None] = ()
    reference: bool = False  # drawn black and dashed (e.g. the district mean)


LINE_COLORS = (
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


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    y_title: str,
    mark_label: str,
    font: str,
) -> bytes:
    """Lines over `labels` (straight segments, no smoothing) as SVG; the legend under the plot,
    inside the figure. Each series is the group `series-N` of the SVG, in order."""
    rows = (len(series) + 1) // 2 + 1  # legend: two columns, plus the marker's explanation
    height = 75 + 5.0 * rows
    figure = _figure(font, 160 * MM, height * MM)
    axes = figure.add_subplot()
    figure.subplots_adjust(
        left=0.09, right=0.97, top=1 - 9 / height, bottom=(8 + 4.0 * rows) / height
    )
    positions = list(range(len(labels)))
    _plot_series(axes, positions, series)

    handles, names = axes.get_legend_handles_labels()
    handles.append(Line2D([], [], marker="o", color="#333333", linestyle="", markersize=4))
    names.append(mark_label)
    figure.legend(
        handles,
        names,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.01),
        ncol=2,
        fontsize=7,
        frameon=False,
    )
    axes.set_xticks(positions, list(labels), fontsize=7)
    axes.set_xlim(-0.3, len(labels) - 0.7)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_ylabel(y_title, fontsize=8)
    axes.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    axes.set_title(title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    svg = io.BytesIO()
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return svg.getvalue()


def _plot_series(axes: Any, positions: Sequence[int], series: Sequence[Series]) -> None:
    """Each series as straight segments with hollow points, filled where it is marked."""
    colors = iter(LINE_COLORS * (len(series) // len(LINE_COLORS) + 1))
    for index, line in enumerate(series):
        color = "#000000" if line.reference else next(colors)
        values = [float("nan") if v is None else v for v in line.values]
        axes.plot(
            positions,
            values,
            color=color,
            linewidth=1.6,
            linestyle="--" if line.reference else "-",
            marker="o",
            markersize=4,
            markerfacecolor="white",
            label=line.name,
            gid=f"series-{index}",
        )
        marked = [p for p, flag in zip(positions, line.marked, strict=False) if flag]
        axes.plot(marked, [values[p] for p in marked], "o", color=color, markersize=4)
