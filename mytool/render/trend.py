"""`mytool trend` as JSON (a contract) and the terminal view, and the wording its Markdown
and workbook share (the Markdown and its chart are `mytool.render.trend_md`)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from mytool.analysis.trend import Trend, UnitTrend
from mytool.diagnostics import ERROR, WARNING
from mytool.render.labels import score_text
from mytool.render.wide import print_whole
from mytool.render.wording import period_heading, period_text

SPARKS = "▁▂▃▄▅▆▇█"
DISTRICT_MEAN = "全区平均"


# Shared wording ------------------------------------------------------------------------------


def streak_text(streak: int) -> str:
    if streak >= 2:
        return f"连续 {streak} 期排名靠后"
    return "本期排名靠后" if streak == 1 else ""


def sparkline(values: Sequence[float | None]) -> str:
    """One block per period scaled between the row's own lowest and highest; blank = no value."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    top = len(SPARKS) - 1
    return "".join(
        " "
        if v is None
        else SPARKS[round((v - low) / (high - low) * top) if high > low else top // 2]
        for v in values
    )


def cell_text(unit: UnitTrend, index: int) -> str:
    """A unit's score and rank in one period, e.g. "73.27（17）"; "—" when absent."""
    score, rank = unit.scores[index], unit.ranks[index]
    return "—" if score is None else f"{score_text(score)}（{rank}）"


def mapping_notes(trend: Trend) -> list[str]:
    """Per period, old categories mapped to the newest scheme ("2022年上半年：道路 → 城市道路")."""
    notes = []
    for index, period in enumerate(trend.periods):
        mapped = [
            f"{'、'.join(c.sources[index])} → {c.category}"
            + ("（取平均）" if len(c.sources[index]) > 1 else "")
            for c in trend.categories
            if c.mapped_in(index)
        ]
        if mapped:
            notes.append(f"{period_text(period)}：{'；'.join(mapped)}")
    return notes


def missing_note(trend: Trend) -> str:
    """The half-years missing between the first and the latest, and what that does to streaks."""
    missing = [period_text(p) for p in trend.missing_periods]
    return (
        f"缺少的期次：{'、'.join(missing)}（共 {len(missing)} 期）；"
        "连续排名靠后的期数只计相邻的半年度，遇缺期中断。"
    )


def streak_summary(trend: Trend) -> str:
    """The units flagged now, longest run first: "新浜镇（连续 5 期排名靠后）、…"."""
    units = sorted(trend.flagged_now, key=lambda u: (-u.flagged_streak, u.unit))
    listed = "、".join(f"{u.unit}（{streak_text(u.flagged_streak)}）" for u in units)
    return f"{period_text(trend.periods[-1])} 排名靠后的街镇：{listed or '无'}。"


# JSON ----------------------------------------------------------------------------------------


def trend_to_dict(trend: Trend) -> dict:
    """The documented JSON shape of `mytool trend` (more keys may be added, none renamed)."""
    return {
        "periods": [
            {"period": p, "source": s} for p, s in zip(trend.periods, trend.sources, strict=True)
        ],
        "units": [
            {
                "unit": u.unit,
                "scores": list(u.scores),
                "ranks": list(u.ranks),
                "flagged": list(u.flagged),
                "flagged_streak": u.flagged_streak,
            }
            for u in trend.units
        ],
        "district_mean": list(trend.district_means),
        "categories": [
            {
                "category": c.category,
                "scores": list(c.scores),
                "mapped_from": [
                    list(c.sources[i]) if c.mapped_in(i) else None for i in range(len(c.scores))
                ],
            }
            for c in trend.categories
        ],
        "missing_periods": list(trend.missing_periods),
        "warnings": [i.located() for i in trend.issues if i.severity in (WARNING, ERROR)],
        "issues": [i.as_dict() for i in trend.issues],
    }


# Terminal ------------------------------------------------------------------------------------


def _compact_cell(unit: UnitTrend, index: int) -> str:
    """ "73.27/17⚑": narrow enough for five periods in an 80-column terminal."""
    score, rank = unit.scores[index], unit.ranks[index]
    if score is None:
        return "—"
    return f"{score_text(score)}/{rank}" + ("⚑" if unit.flagged[index] else "")


def print_trend(trend: Trend, console: Console) -> None:
    periods = [period_text(p) for p in trend.periods]
    units = Table(
        title=f"街镇综合得分/排名 {periods[0]}–{periods[-1]}",
        title_justify="left",
        header_style="bold",
    )
    units.add_column("街镇", overflow="fold")
    for period in trend.periods:
        units.add_column(period_heading(period), justify="right", overflow="fold")
    units.add_column("走势", overflow="fold")
    units.add_column("连续靠后", justify="right", overflow="fold")
    for unit in trend.units:
        cells = [_compact_cell(unit, i) for i in range(len(periods))]
        units.add_row(
            unit.unit,
            *cells,
            sparkline(unit.scores),
            str(unit.flagged_streak or ""),
            style="bold red" if unit.flagged[-1] else None,
        )
    units.add_row(DISTRICT_MEAN, *(score_text(m) for m in trend.district_means), "", "")
    print_whole(units, console)
    console.print(
        "格式为 得分/排名；⚑ 表示该期排名靠后；“连续靠后”为截至本期连续排名靠后的期数。",
        soft_wrap=True,
    )
    console.print(streak_summary(trend), markup=False, soft_wrap=True)
    if trend.missing_periods:
        console.print(missing_note(trend), markup=False, soft_wrap=True)
    categories = Table(title="大类全区得分", title_justify="left", header_style="bold")
    categories.add_column("大类", overflow="fold")
    for period in trend.periods:
        categories.add_column(period_heading(period), justify="right", overflow="fold")
    categories.add_column("走势", overflow="fold")
    for category in trend.categories:
        categories.add_row(
            category.category, *(score_text(s) for s in category.scores), sparkline(category.scores)
        )
    print_whole(categories, console)
    for note in mapping_notes(trend):
        console.print(f"旧口径对应：{note}", markup=False, soft_wrap=True)
