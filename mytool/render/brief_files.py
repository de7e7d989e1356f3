"""The files one `mytool brief` run writes, and replacing an earlier run's files safely.

A manifest (.mytool-brief.json) in the output folder lists the files the tool wrote last
time, so a re-run replaces and removes only its own files and never touches anything else.
"""

from __future__ import annotations

import json
from pathlib import Path

from mytool.brief import BriefSet
from mytool.errors import InputError, OutputError
from mytool.locking import folder_lock
from mytool.output import safe_file_name, write_files_atomic
from mytool.profile import Profile

MANIFEST = ".mytool-brief.json"


def brief_files(
    briefs: BriefSet, profile: Profile, *, formats: set[str], template_dir: Path | None = None
) -> dict[str, bytes]:
    """File name → content for every file of the run (Markdown and/or Excel)."""
    from mytool.render.brief_md import overview_markdown, unit_markdown

    period = briefs.ranking.period or "期次未知"
    files: dict[str, bytes] = {}
    if "md" in formats:
        files[safe_file_name(f"{period}-全区总览.md")] = overview_markdown(
            briefs, template_dir
        ).encode("utf-8")
        owners: dict[str, str] = {}
        for brief in briefs.units:
            name = safe_file_name(f"{period}-{brief.unit.unit}", keep_end="-整改提升简报.md")
            if name in owners:
                raise InputError(
                    f"{briefs.ranking.source}：街镇「{owners[name]}」和「{brief.unit.unit}」"
                    f"的简报文件名都会是 {name}，无法区分，未写入任何文件；请在文件中改正街镇名称"
                )
            owners[name] = brief.unit.unit
            files[name] = unit_markdown(brief, briefs, template_dir).encode("utf-8")
    if "xlsx" in formats:
        from mytool.render.brief_xlsx import briefs_workbook

        files[safe_file_name(f"{period}-满意度提升简报.xlsx")] = briefs_workbook(briefs, profile)
    return files


def write_brief_folder(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write `files` into `folder` all-or-nothing; remove files an earlier run left behind."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}：输出位置已有同名文件，不是文件夹")
    manifest = json.dumps(sorted(files), ensure_ascii=False, indent=1).encode("utf-8")
    with folder_lock(folder):
        previous = _previous_files(folder)
        written = write_files_atomic(
            {folder / name: data for name, data in files.items()} | {folder / MANIFEST: manifest}
        )
        for stale in previous - set(files):
            (folder / stale).unlink(missing_ok=True)
    return [path for path in written if path.name != MANIFEST]


def _previous_files(folder: Path) -> set[str]:
    """Names the tool wrote into `folder` last time (only plain names inside the folder)."""
    try:
        names = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and n == safe_file_name(n) and n != MANIFEST}
