"""The send-ready Word documents of `mytool brief`, and their charts for slides.

- per unit: `<期次>-<街镇>-整改提升简报.docx` (flagged) or `…-情况简报.docx` (not flagged);
- per lead department: `<期次>-<部门>-牵头任务.docx`;
- the one-page district summary: `<期次>-全区情况简报.docx`;
- charts beside them: `<期次>-全区排名图.png/.svg`, `<期次>-<街镇>-大类得分图.png/.svg`.

The sentences come from `mytool.render.brief_context` (shared with the Markdown files); the
.docx templates lay them out and an office may edit them.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import InlineImage

from mytool.analysis.brief import BriefSet
from mytool.analysis.summary import (
    department_tasks,
    district_summary,
)
from mytool.profile import Profile
from mytool.render.brief_context import department_context, summary_context, unit_context
from mytool.render.brief_names import unit_file_names
from mytool.render.charts import (
    BackgroundCharts,
    Chart,
    ChartJob,
    categories_chart,
    cjk_font,
    ranking_chart,
)
from mytool.render.docx_render import WordRenderer
from mytool.render.grades import grade_color
from mytool.render.template_filters import chinese_date
from mytool.render.wording import (
    period_text,
)
from mytool.writing.output import safe_file_name

UNIT_TEMPLATE = "unit_brief.docx"
STATUS_TEMPLATE = "unit_status.docx"
DEPARTMENT_TEMPLATE = "department.docx"
SUMMARY_TEMPLATE = "summary.docx"
DOCX_TEMPLATES = (UNIT_TEMPLATE, STATUS_TEMPLATE, DEPARTMENT_TEMPLATE, SUMMARY_TEMPLATE)
CHART_WIDTH_MM = 150


def background_charts(briefs: BriefSet, profile: Profile) -> BackgroundCharts:
    """The run's charts, started in worker processes now (see `BackgroundCharts`)."""
    return BackgroundCharts(chart_jobs(briefs, profile))


def chart_jobs(briefs: BriefSet, profile: Profile) -> list[ChartJob]:
    """The run's charts, to draw: the ranking first, then each unit's in order. Checks first
    that a CJK font is installed (`UsageError` naming the fix when not)."""
    font = cjk_font(profile.cjk_font)
    ranking = briefs.ranking
    bottom = {u.unit for u in district_summary(briefs, profile).bottom}
    jobs: list[ChartJob] = [
        (
            ranking_chart,
            {
                "title": f"{period_text(ranking.period)}各街镇综合满意度排名（按等级着色）",
                "units": [_short(u.unit) for u in ranking.units],
                "scores": [u.score for u in ranking.units],
                "colors": [grade_color(profile, u.grade) for u in ranking.units],
                "marked": [u.unit in bottom for u in ranking.units],
                "legend": [(g.name, g.color) for g in profile.grades],
                "mark_label": f"倒数 {ranking.bottom_n} 名",
                "font": font,
            },
        )
    ]
    when = period_text(ranking.period) or "本期"
    for brief in briefs.units:
        arguments = {
            "title": f"{when}{_short(brief.unit.unit)}各大类得分与全区平均",
            "unit_label": _short(brief.unit.unit),
            "categories": [c.category for c in brief.categories],
            "scores": [c.score for c in brief.categories],
            "district": [c.district for c in brief.categories],
            "font": font,
        }
        jobs.append((categories_chart, arguments))
    return jobs


def document_files(
    briefs: BriefSet,
    profile: Profile,
    *,
    template_dir: Path | None = None,
    as_of: dt.date,
    charts: BackgroundCharts | None = None,
) -> dict[str, bytes]:
    """File name → content: every Word document of the run and the charts (PNG + SVG).

    `charts` are those of `chart_jobs`, already being drawn; without them they are drawn now.
    """
    if charts is None:
        with BackgroundCharts(chart_jobs(briefs, profile)) as drawn:
            return document_files(
                briefs, profile, template_dir=template_dir, as_of=as_of, charts=drawn
            )
    renderer = WordRenderer(template_dir)
    common = {
        "office": profile.office_name,
        "date": chinese_date(as_of),
        "period_text": period_text(briefs.ranking.period) or "本期",
        "district": profile.name,
    }
    # The departments' documents need no chart: rendered first, while the charts are drawn.
    departments = _department_documents(renderer, common, briefs, profile)
    period = briefs.ranking.period or "期次未知"
    files: dict[str, bytes] = {}
    _add_chart(files, period, "全区排名图", charts[0])
    summary = district_summary(briefs, profile)
    files[safe_file_name(f"{period}-全区情况简报.docx")] = renderer.render(
        SUMMARY_TEMPLATE,
        lambda template: {
            **common,
            "doc": summary_context(summary, briefs, common["period_text"], profile.name),
            "chart": _image(template, charts[0], 150, None),
        },
    )
    files.update(_unit_documents(renderer, common, briefs, charts))
    files.update(departments)
    return files


def _unit_documents(
    renderer: WordRenderer, common: dict[str, Any], briefs: BriefSet, charts: BackgroundCharts
) -> dict[str, bytes]:
    """Each unit's chart (PNG + SVG) and its 整改提升简报 or 情况简报."""
    period = briefs.ranking.period or "期次未知"
    files: dict[str, bytes] = {}
    names = unit_file_names(briefs, period, "docx")
    for index, brief in enumerate(briefs.units, start=1):
        name = names[brief.unit.unit]
        chart = charts[index]
        _add_chart(files, f"{period}-{brief.unit.unit}", "大类得分图", chart)
        files[name] = renderer.render(
            UNIT_TEMPLATE if brief.unit.flagged else STATUS_TEMPLATE,
            functools.partial(_unit_variables, common, brief, briefs, chart),
        )
    return files


def _department_documents(
    renderer: WordRenderer, common: dict[str, Any], briefs: BriefSet, profile: Profile
) -> dict[str, bytes]:
    period = briefs.ranking.period or "期次未知"
    files: dict[str, bytes] = {}
    for tasks in department_tasks(briefs, profile):
        name = safe_file_name(f"{period}-{tasks.department}", keep_end="-牵头任务.docx")
        files[name] = renderer.render(
            DEPARTMENT_TEMPLATE,
            functools.partial(_department_variables, common, tasks, briefs, profile),
        )
    return files


def _add_chart(files: dict[str, bytes], stem: str, kind: str, chart: Chart) -> None:
    files[safe_file_name(stem, keep_end=f"-{kind}.png")] = chart.png
    files[safe_file_name(stem, keep_end=f"-{kind}.svg")] = chart.svg


def _unit_variables(
    common: dict[str, Any], brief: Any, briefs: Any, chart: Chart, template: Any
) -> dict[str, Any]:
    """What a unit's Word template receives (the chart needs the template object)."""
    return {
        **common,
        "brief": brief,
        "doc": unit_context(brief, briefs, common["period_text"]),
        "chart": _image(template, chart, 150, None),
    }


def _department_variables(
    common: dict[str, Any], tasks: Any, briefs: Any, profile: Any, template: Any
) -> dict[str, Any]:
    """What a lead department's Word template receives."""
    return {**common, "doc": department_context(tasks, briefs, profile, common["period_text"])}


def _image(template: Any, chart: Chart, width_mm: float, height_mm: float | None) -> Any:

    return InlineImage(
        template,
        io.BytesIO(chart.png),
        width=Mm(width_mm),
        height=Mm(height_mm) if height_mm else None,
    )


# Charts -----------------------------------------------------------------------------------


def _short(name: str, limit: int = 20) -> str:
    """A unit name as a chart can show it (a name from a hostile file may be any length)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"
