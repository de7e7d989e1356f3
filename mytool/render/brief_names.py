"""The file name of each unit's brief, the same for Markdown and Word."""

from __future__ import annotations

from mytool.analysis.brief import BriefSet
from mytool.errors import InputError
from mytool.writing.output import safe_file_name


def unit_file_names(briefs: BriefSet, period: str, extension: str) -> dict[str, str]:
    """Unit → "<期次>-<街镇>-整改提升简报.<extension>" (情况简报 for a unit not flagged).

    Two units whose names clean to the same file name are refused before anything is written:
    one brief would silently replace the other.
    """
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    for brief in briefs.units:
        kind = "整改提升简报" if brief.unit.flagged else "情况简报"
        name = safe_file_name(f"{period}-{brief.unit.unit}", keep_end=f"-{kind}.{extension}")
        if name in owners:
            raise InputError(
                f"{briefs.ranking.source}：街镇「{owners[name]}」和「{brief.unit.unit}」"
                f"的简报文件名都会是 {name}，无法区分，未写入任何文件；请在文件中改正街镇名称"
            )
        owners[name] = brief.unit.unit
        names[brief.unit.unit] = name
    return names
