"""A trend as Markdown, with its chart (drawn by `mytool.render.charts`, which loads
matplotlib): the tables of `mytool.render.trend` in Markdown, the chart inlined or beside it."""

from __future__ import annotations

from pathlib import Path

from mytool.analysis.trend import Trend
from mytool.profile import Profile
from mytool.render.charts import Series, cjk_font, line_chart
from mytool.render.labels import score_text
from mytool.render.markdown import md_text, table
from mytool.render.trend import (
    DISTRICT_MEAN,
    cell_text,
    mapping_notes,
    missing_note,
    sparkline,
    streak_summary,
    streak_text,
)
from mytool.render.wording import period_text


def chart_title(trend: Trend) -> str:
    first, latest = period_text(trend.periods[0]), period_text(trend.periods[-1])
    return f"排名靠后街镇与全区平均（{first}–{latest}）"


def trend_svg(trend: Trend, profile_font: str = "") -> str:
    """The chart of the units flagged in the latest period and the district mean, drawn by the
    same matplotlib code as the briefs' charts; filled points are periods ranked in the bottom N."""
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
