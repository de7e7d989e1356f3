"""The importance–satisfaction quadrant chart of `aggregate --drivers` (PNG and SVG, drawn by
`mytool.render.charts`, which loads matplotlib), and its files beside the main output."""

from __future__ import annotations

from pathlib import Path

from mytool.analysis.aggregation import Aggregation
from mytool.profile import Profile
from mytool.render.charts import Chart, QuadrantPoint, cjk_font, quadrant_chart
from mytool.render.drivers import chart_paths
from mytool.render.wording import period_text


def drivers_chart(result: Aggregation, profile: Profile) -> Chart | None:
    """The district's quadrant chart (None without drivers or without split lines)."""
    if not result.drivers:
        return None
    district = result.drivers[0]
    if district.importance_split is None or district.satisfaction_split is None:
        return None
    points = [
        QuadrantPoint(n, d.item, d.satisfaction, d.importance, d.quadrant)
        for n, d in enumerate(district.drivers, start=1)
        if d.importance is not None and d.satisfaction is not None and d.quadrant
    ]
    period = period_text(result.period) or "期次未知"
    return quadrant_chart(
        title=f"{period} 重要性–满意度象限图（全区，{district.respondents} 份答卷）",
        points=points,
        satisfaction_split=district.satisfaction_split,
        importance_split=district.importance_split,
        font=cjk_font(profile.cjk_font),
    )


def chart_files(chart: Chart | None, output: Path) -> dict[Path, bytes]:
    """The chart's PNG and SVG beside `output` (nothing without a chart)."""
    if chart is None:
        return {}
    png, svg = chart_paths(output)
    return {png: chart.png, svg: chart.svg}
