"""`ledger init`: the ledger rows for a half-year's problem points."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mytool.analysis.ledger.columns import (
    CATEGORY,
    DEADLINE,
    DEPARTMENT,
    DESCRIPTION,
    EDITABLE_COLUMNS,
    ID,
    ITEM,
    LOCATION,
    NOT_STARTED,
    PERIOD,
    STATUS,
    UNIT,
    make_id,
)
from mytool.analysis.ledger.model import Entry
from mytool.casework import ProblemPoint
from mytool.diagnostics import Issue
from mytool.errors import InputError
from mytool.files import shown
from mytool.profile import Profile
from mytool.reading.casework import read_casework, read_casework_file
from mytool.reading.scores import report_from_workbook
from mytool.reading.sources import open_workbook


def ledger_entries(
    period: str, problems: list[ProblemPoint], profile: Profile, deadline: dt.date | None
) -> tuple[Entry, ...]:
    """One entry per problem point, in list order, numbered from 1; status 未启动."""
    entries = []
    for sequence, point in enumerate(problems, start=1):
        category = profile.category(point.category)
        values: dict[str, str | dt.date | None] = dict.fromkeys(EDITABLE_COLUMNS, "")
        values.update(
            {
                ID: make_id(period, sequence),
                PERIOD: period,
                UNIT: point.unit,
                CATEGORY: point.category,
                ITEM: point.item,
                LOCATION: point.location,
                DESCRIPTION: point.description,
                DEPARTMENT: category.department if category else "",
                DEADLINE: deadline,
                STATUS: NOT_STARTED,
            }
        )
        entries.append(Entry(values))
    return tuple(entries)


def load_problem_points(
    report: str | Path, problems: str | Path | None, profile: Profile
) -> tuple[str, list[ProblemPoint], list[Issue]]:
    """The report's period and the problem points: from `problems`, else the report's sheets."""

    workbook = open_workbook(report)
    scores = report_from_workbook(workbook, profile)
    scores.raise_for_errors()
    if not scores.period:
        raise InputError(
            f"{shown(workbook.path.name)}：识别不出测评期次（编号要用期次开头）；"
            "请在标题或文件名中写明，如“2023年下半年”或“2023H2”"
        )
    found = read_casework_file(problems, profile, "problems") if problems else None
    if found is None:
        found = read_casework(workbook, profile)
        if not found.problems:
            raise InputError(
                f"{shown(workbook.path.name)}：没有点位问题工作表；"
                "请用 --problems 给出点位问题清单文件"
            )
    return scores.period, found.problems, [*scores.issues, *found.issues]
