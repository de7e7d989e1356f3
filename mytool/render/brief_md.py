"""Markdown briefs from the Jinja2 templates (bundled, or an office's own)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from mytool.analysis.brief import BriefSet, UnitBrief
from mytool.analysis.summary import department_tasks, district_summary
from mytool.profile import Profile
from mytool.render.brief_context import department_context, summary_context
from mytool.render.brief_names import unit_file_names
from mytool.render.labels import flag_text, source_note
from mytool.render.template_filters import chinese_date
from mytool.render.templating import make_environment, render
from mytool.render.wording import period_text
from mytool.writing.output import safe_file_name

UNIT_TEMPLATE = "unit_brief.md.j2"
OVERVIEW_TEMPLATE = "overview.md.j2"
DEPARTMENT_TEMPLATE = "department.md.j2"
SUMMARY_TEMPLATE = "summary.md.j2"


def unit_markdown(
    brief: UnitBrief, briefs: BriefSet, template_dir: Path | None = None, environment: Any = None
) -> str:
    """One unit's brief; pass `environment` (from `make_environment`) to share it across units."""
    return render(
        environment or make_environment(template_dir),
        UNIT_TEMPLATE,
        brief=brief,
        flag_text=flag_text(brief.unit, brief.bottom_n),
        source=briefs.ranking.source,
        source_note=source_note(briefs.ranking.score_source),
    )


def overview_markdown(
    briefs: BriefSet, template_dir: Path | None = None, environment: Any = None
) -> str:
    ranking = briefs.ranking
    owned = {c.category for d in briefs.departments for c in d.categories}
    return render(
        environment or make_environment(template_dir),
        OVERVIEW_TEMPLATE,
        ranking=ranking,
        briefs=briefs.units,
        departments=briefs.departments,
        deadline=briefs.deadline,
        flag_texts={u.unit: flag_text(u, ranking.bottom_n) for u in ranking.units},
        unassigned_problems=[p for p in briefs.problems if p.category not in owned],
        previous_period=briefs.previous_period,
        entered=[u.unit for u in briefs.comparison.units if u.entered_flagged]
        if briefs.comparison
        else [],
        left=[u.unit for u in briefs.comparison.units if u.left_flagged]
        if briefs.comparison
        else [],
        source_note=source_note(ranking.score_source),
    )


def document_markdown(
    briefs: BriefSet, profile: Profile, environment: Any, *, as_of: dt.date, chart: str = ""
) -> dict[str, bytes]:
    """The one-page summary and one file per lead department, in Markdown: the same context
    (`mytool.render.docx_brief`) as their Word documents, so sentence and table agree. `chart`
    names the ranking chart's file written beside them ("" when none is)."""
    period = briefs.ranking.period or "期次未知"
    when = period_text(briefs.ranking.period) or "本期"
    common = {
        "office": profile.office_name,
        "date": chinese_date(as_of),
        "period_text": when,
        "district": profile.name,
    }
    summary = district_summary(briefs, profile)
    files = {
        safe_file_name(f"{period}-全区情况简报.md"): render(
            environment,
            SUMMARY_TEMPLATE,
            **common,
            doc=summary_context(summary, briefs, when, profile.name),
            chart=chart,
        )
    }
    for tasks in department_tasks(briefs, profile):
        name = safe_file_name(f"{period}-{tasks.department}", keep_end="-牵头任务.md")
        files[name] = render(
            environment,
            DEPARTMENT_TEMPLATE,
            **common,
            doc=department_context(tasks, briefs, profile, when),
        )
    return {name: text.encode("utf-8") for name, text in files.items()}


def markdown_files(
    briefs: BriefSet, profile: Profile, template_dir: Path | None, as_of: dt.date, charts: bool
) -> dict[str, bytes]:
    """The district overview, each unit's brief, the departments' files and the summary in
    Markdown (the summary links the ranking chart when the charts are written)."""
    period = briefs.ranking.period or "期次未知"
    environment = make_environment(template_dir)  # once: building it costs ~100 ms
    files = {
        safe_file_name(f"{period}-全区总览.md"): overview_markdown(
            briefs, template_dir, environment
        ).encode("utf-8")
    }
    names = unit_file_names(briefs, period, "md")
    for brief in briefs.units:
        files[names[brief.unit.unit]] = unit_markdown(
            brief, briefs, template_dir, environment
        ).encode("utf-8")
    chart = safe_file_name(f"{period}-全区排名图.png") if charts else ""
    files.update(document_markdown(briefs, profile, environment, as_of=as_of, chart=chart))
    return files
