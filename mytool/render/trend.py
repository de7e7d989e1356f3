"""`mytool trend` as JSON (a contract), Markdown with an SVG chart, and the terminal view."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mytool.analysis.trend import Trend, UnitTrend
from mytool.diagnostics import ERROR, WARNING
from mytool.profile import Profile
from mytool.render.labels import score_text
from mytool.render.markdown import md_text, table
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


def chart_title(trend: Trend) -> str:
    first, latest = period_text(trend.periods[0]), period_text(trend.periods[-1])
    return f"排名靠后街镇与全区平均（{first}–{latest}）"


def trend_svg(trend: Trend, profile_font: str = "") -> str:
    """The chart of the units flagged in the latest period and the district mean, drawn by the
    same matplotlib code as the briefs' charts; filled points are periods ranked in the bottom N."""
    from mytool.render.charts import Series, cjk_font, line_chart  # lazy: loads matplotlib

    series = [
        Series(f"{u.unit}（{streak_text(u.flagged_streak)}）", u.scores, u.flagged)
        for u in trend.flagged_now
    ]
    series.append(Series(DISTRICT_MEAN, trend.district_means, reference=True))
    svg = line_chart(
        title=chart_title(trend),
        labels=[period_text(p) for p in trend.periods],
        series=series,
        y_title="综合得分",
        mark_label="实心点：该期排名靠后",
        font=cjk_font(profile_font),
    )
    return svg.decode("utf-8")


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


# Markdown ------------------------------------------------------------------------------------


def trend_markdown(trend: Trend, chart: str) -> str:
    """Markdown tables; `chart` is an image link to the SVG, or the SVG itself to inline."""
    periods = [period_text(p) for p in trend.periods]
    unit_rows = [
        [
            md_text(u.unit),
            *(cell_text(u, i) for i in range(len(periods))),
            sparkline(u.scores),
            streak_text(u.flagged_streak),
        ]
        for u in trend.units
    ]
    unit_rows.append(
        [DISTRICT_MEAN, *(score_text(m) for m in trend.district_means), "", ""],
    )
    category_rows = [
        [md_text(c.category), *(score_text(s) for s in c.scores), sparkline(c.scores)]
        for c in trend.categories
    ]
    parts = [
        f"# {periods[0]}–{periods[-1]} 测评走势",
        "来源："
        + "；".join(f"{p} {md_text(s)}" for p, s in zip(periods, trend.sources, strict=True)),
        "## 街镇综合得分（排名）",
        table(["街镇", *periods, "走势", "连续靠后"], unit_rows),
        md_text(streak_summary(trend)),
        *([md_text(missing_note(trend))] if trend.missing_periods else []),
        f"## {chart_title(trend)}",
        chart.strip(),
        "## 大类全区得分",
        table(["大类", *periods, "走势"], category_rows),
    ]
    notes = mapping_notes(trend)
    if notes:
        parts.append(
            "旧口径大类按测评口径对应到新大类：\n\n" + "\n".join(f"- {md_text(n)}" for n in notes)
        )
    return "\n\n".join(parts) + "\n"


# Terminal ------------------------------------------------------------------------------------


def _compact_cell(unit: UnitTrend, index: int) -> str:
    """ "73.27/17⚑": narrow enough for five periods in an 80-column terminal."""
    score, rank = unit.scores[index], unit.ranks[index]
    if score is None:
        return "—"
    return f"{score_text(score)}/{rank}" + ("⚑" if unit.flagged[index] else "")


def trend_markdown_files(
    trend: Trend, output: Path | None, profile: Profile | None = None
) -> str | dict[Path, bytes]:
    """The Markdown of a trend: one text with the chart inlined, or, written to `output`, the
    chart beside it as NAME.svg, linked as an image (both files or neither)."""
    svg = trend_svg(trend, profile.cjk_font if profile else "")
    if output is None:
        return trend_markdown(trend, svg[svg.index("<svg") :])  # inline: no XML prolog
    chart = output.with_suffix(".svg")
    link = f"![{chart_title(trend)}](<{chart.name}>)"
    markdown = trend_markdown(trend, link)
    return {chart: svg.encode("utf-8"), output: markdown.encode("utf-8")}


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
