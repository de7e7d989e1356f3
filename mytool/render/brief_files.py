"""The files of one `mytool brief` run, as name → bytes; `mytool.writing.brief_folder` writes
them."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from mytool.analysis.brief import BriefSet
from mytool.profile import Profile
from mytool.render.registry import load
from mytool.writing.output import safe_file_name

# Each format's renderer, imported by name when the run asks for that format.
_WORD = "mytool.render.docx_brief"
_MARKDOWN = "mytool.render.brief_md"
_WORKBOOK = "mytool.render.brief_xlsx"


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
            charts = stack.enter_context(load(f"{_WORD}:background_charts")(briefs, profile))
        markdown = {}
        if "md" in formats:
            markdown = load(f"{_MARKDOWN}:markdown_files")(
                briefs, profile, template_dir, day, "docx" in formats
            )
        workbook = {}
        if "xlsx" in formats:
            period = briefs.ranking.period or "期次未知"
            workbook[safe_file_name(f"{period}-满意度提升简报.xlsx")] = load(
                f"{_WORKBOOK}:briefs_workbook"
            )(briefs, profile)
        documents = {}
        if charts is not None:
            documents = load(f"{_WORD}:document_files")(
                briefs, profile, template_dir=template_dir, as_of=day, charts=charts
            )
    return {**markdown, **documents, **workbook}
