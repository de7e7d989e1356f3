"""The files of one `mytool brief` run, as name → bytes; `mytool.writing.brief_folder` writes
them."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from mytool.analysis.brief import BriefSet
from mytool.profile import Profile
from mytool.render.brief_names import unit_file_names
from mytool.writing.output import safe_file_name


def brief_files(
    briefs: BriefSet,
    profile: Profile,
    *,
    formats: set[str],
    template_dir: Path | None = None,
    as_of: dt.date | None = None,
) -> dict[str, bytes]:
    """File name → content for every file of the run (Markdown, Word with charts, Excel).

    With Word, the charts are drawn first, in other processes, while the Markdown, the
    workbook and the documents are rendered here (see `BackgroundCharts`).
    """
    day = as_of or dt.date.today()
    with contextlib.ExitStack() as stack:
        charts = None
        if "docx" in formats:
            from mytool.render.charts import BackgroundCharts
            from mytool.render.docx_brief import chart_jobs

            charts = stack.enter_context(BackgroundCharts(chart_jobs(briefs, profile)))
        markdown = {}
        if "md" in formats:
            markdown = _markdown_files(briefs, profile, template_dir, day, "docx" in formats)
        workbook = {}
        if "xlsx" in formats:
            from mytool.render.brief_xlsx import briefs_workbook

            period = briefs.ranking.period or "期次未知"
            workbook[safe_file_name(f"{period}-满意度提升简报.xlsx")] = briefs_workbook(
                briefs, profile
            )
        documents = {}
        if charts is not None:
            from mytool.render.docx_brief import document_files

            documents = document_files(
                briefs, profile, template_dir=template_dir, as_of=day, charts=charts
            )
    return {**markdown, **documents, **workbook}


def _markdown_files(
    briefs: BriefSet, profile: Profile, template_dir: Path | None, as_of: dt.date, charts: bool
) -> dict[str, bytes]:
    """The district overview, each unit's brief, the departments' files and the summary in
    Markdown (the summary links the ranking chart when the charts are written)."""
    from mytool.render.brief_md import document_markdown, overview_markdown, unit_markdown
    from mytool.render.templating import make_environment

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
