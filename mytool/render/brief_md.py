"""Markdown briefs from the Jinja2 templates (bundled, or an office's own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mytool.analysis.brief import BriefSet, UnitBrief
from mytool.render.labels import flag_text, source_note
from mytool.render.templating import make_environment, render

UNIT_TEMPLATE = "unit_brief.md.j2"
OVERVIEW_TEMPLATE = "overview.md.j2"


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
