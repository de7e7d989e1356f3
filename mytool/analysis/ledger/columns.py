"""The ledger's columns, statuses and cell values, shared by every ledger operation.

A value is text ("" when empty) or, in the date columns, a `datetime.date` (None when empty).
Cells typed by people are parsed here; what cannot be parsed is reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from mytool.text import parse_date_text

ID = "编号"
PERIOD = "期次"
UNIT = "街镇"
CATEGORY = "大类"
ITEM = "小项"
LOCATION = "点位地址"
DESCRIPTION = "问题描述"
DEPARTMENT = "牵头部门"
MEASURES = "整改措施"
OWNER = "责任人"
DEADLINE = "完成时限"
PROGRESS = "整改进展"
STATUS = "状态"
REVIEW_DATE = "复查时间"
REVIEW = "复查结论"
CLOSED_DATE = "销号日期"
NOTE = "备注"

COLUMNS = (
    ID,
    PERIOD,
    UNIT,
    CATEGORY,
    ITEM,
    LOCATION,
    DESCRIPTION,
    DEPARTMENT,
    MEASURES,
    OWNER,
    DEADLINE,
    PROGRESS,
    STATUS,
    REVIEW_DATE,
    REVIEW,
    CLOSED_DATE,
    NOTE,
)
# The ID and what came from the problem list: marked grey, never taken from a returned copy.
FIXED_COLUMNS = COLUMNS[:8]
# What departments and units fill in (完成时限 too: an agreed extension is written there).
EDITABLE_COLUMNS = COLUMNS[8:]
DATE_COLUMNS = frozenset({DEADLINE, REVIEW_DATE, CLOSED_DATE})

NOT_STARTED = "未启动"
IN_PROGRESS = "整改中"
TO_VERIFY = "待核验"
CLOSED = "已销号"
STATUSES = (NOT_STARTED, IN_PROGRESS, TO_VERIFY, CLOSED)
STATUS_CHOICES = "、".join(STATUSES)

Value = str | dt.date | None
# Columns whose text `parse_value` checks, not just takes.
_CHECKED_COLUMNS = DATE_COLUMNS | {STATUS}


def cell_text(raw: object) -> str:
    """What a cell shows as plain text: numbers without ".0", dates as 2024-04-10."""
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def parse_value(column: str, raw: object) -> tuple[Value, str | None]:
    """The value of a cell in `column`, and why it is invalid (None when it is fine).

    An invalid cell's value is its text, so nothing typed is dropped on the way.
    """
    if column in DATE_COLUMNS:
        if isinstance(raw, dt.datetime):
            return raw.date(), None
        if isinstance(raw, dt.date):
            return raw, None
        text = cell_text(raw)
        if not text:
            return None, None
        parsed = parse_date_text(text)
        if parsed is None:
            return text, f"「{text}」不是有效日期，请写成 2024-03-15"
        return parsed, None
    text = cell_text(raw)
    if column == STATUS:
        text = "".join(text.split())
        if text and text not in STATUSES:
            return text, f"「{text}」不是有效状态（可选：{STATUS_CHOICES}）"
    return text, None


def parse_cells(cells: Mapping[str, object]) -> tuple[dict[str, Value], list[tuple[str, str]]]:
    """`parse_value` over a row: column → value, and (column, why) for each invalid cell.

    Most cells are plain text or empty; they are taken here without a call per cell (a
    5,000-row ledger has 85,000 cells).
    """
    values: dict[str, Value] = {}
    problems = []
    for column, raw in cells.items():
        if raw is None:
            values[column] = None if column in DATE_COLUMNS else ""
            continue
        if raw.__class__ is str and column not in _CHECKED_COLUMNS:
            values[column] = raw.strip()
            continue
        value, problem = parse_value(column, raw)
        values[column] = value
        if problem:
            problems.append((column, problem))
    return values, problems


def value_text(value: Value) -> str:
    """The canonical text of a value, for comparing cells and for the snapshot."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def make_id(period: str, sequence: int) -> str:
    """A stable problem-point ID: period and sequence, e.g. 2023H2-0007."""
    return f"{period}-{sequence:04d}"
