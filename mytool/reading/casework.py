"""Read problem points (点位问题) and citizen feedback cases (市民反映建议案例).

They come as further sheets of the score workbook or as separate files. As with scores, the
header is found by content and unit names and categories are matched to the profile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from mytool.casework import FeedbackCase, ProblemPoint
from mytool.diagnostics import WARNING, Issue, IssueCode, cell_address
from mytool.errors import InputError
from mytool.files import shown
from mytool.profile import Profile
from mytool.reading.names import names_of
from mytool.reading.sources import Sheet, Workbook, open_workbook
from mytool.text import display_text, normalize, parse_date_text, strip_numbering

UNIT_WORDS = ("街镇", "街道", "镇", "单位", "区域", "属地")
CATEGORY_WORDS = ("大类", "类别", "问题类别", "问题类型", "测评大类", "指标大类")
ITEM_WORDS = ("小项", "测评小项", "指标小项", "问题小项", "具体指标")
LOCATION_WORDS = ("点位地址", "点位", "地址", "位置", "点位名称", "问题地址", "具体位置", "地点")
DESCRIPTION_WORDS = ("问题描述", "存在问题", "问题内容", "描述", "问题", "问题情况", "具体问题")
DATE_WORDS = ("发现日期", "日期", "时间", "检查日期", "发现时间", "测评时间", "拍摄时间")
TEXT_WORDS = (
    "反映内容",
    "内容",
    "建议",
    "意见建议",
    "市民反映",
    "案例内容",
    "诉求内容",
    "反映问题",
    "具体内容",
    "意见",
)
PROBLEM_SHEET_HINTS = ("点位",)
FEEDBACK_SHEET_HINTS = ("市民", "反映", "建议", "案例")


@dataclass
class Casework:
    problems: list[ProblemPoint] = field(default_factory=list)
    feedback: list[FeedbackCase] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def read_casework(workbook: Workbook, profile: Profile) -> Casework:
    """Problem points and feedback cases found on any sheet of `workbook` (none is fine)."""
    found = Casework()
    for sheet in workbook.sheets:
        if sheet.hidden:
            continue
        _read_sheet(sheet, profile, shown(workbook.path.name), found)
    return found


def read_casework_file(path: str | Path, profile: Profile, expect: str) -> Casework:
    """A separate problem-point ("problems") or feedback ("feedback") file; it must hold some."""
    workbook = open_workbook(path)
    found = read_casework(workbook, profile)
    wanted = found.problems if expect == "problems" else found.feedback
    if not wanted:
        what = (
            "点位问题（需要街镇、问题描述等列）"
            if expect == "problems"
            else "市民反映建议案例（需要街镇、反映内容等列）"
        )
        raise InputError(f"{shown(workbook.path.name)}：没有找到{what}")
    return found


def _header_index(row: list[object], words: tuple[str, ...]) -> int | None:
    """Column whose header is one of `words` (exact first, then containing)."""
    cells = [strip_numbering(normalize(cell)) for cell in row]
    for word in words:
        if word in cells:
            return cells.index(word)
    for index, cell in enumerate(cells):
        if cell and len(cell) <= 8 and any(word in cell for word in words):
            return index
    return None


def _find_header(sheet: Sheet) -> tuple[int, dict[str, int | None]] | None:
    for r, row in enumerate(sheet.rows[:15]):
        columns = {
            "unit": _header_index(row, UNIT_WORDS),
            "category": _header_index(row, CATEGORY_WORDS),
            "item": _header_index(row, ITEM_WORDS),
            "location": _header_index(row, LOCATION_WORDS),
            "description": _header_index(row, DESCRIPTION_WORDS),
            "date": _header_index(row, DATE_WORDS),
            "text": _header_index(row, TEXT_WORDS),
        }
        if columns["unit"] is not None and (
            columns["description"] is not None or columns["text"] is not None
        ):
            return r, columns
    return None


def _sheet_kind(sheet: Sheet, columns: dict[str, int | None]) -> str:
    name = normalize(sheet.name)
    if any(hint in name for hint in PROBLEM_SHEET_HINTS):
        return "problems"
    if any(hint in name for hint in FEEDBACK_SHEET_HINTS):
        return "feedback"
    if columns["location"] is not None or columns["description"] is not None:
        return "problems"
    return "feedback"


def _read_sheet(sheet: Sheet, profile: Profile, file: str, found: Casework) -> None:
    header = _find_header(sheet)
    if header is None:
        return
    top, columns = header
    kind = _sheet_kind(sheet, columns)
    if kind == "feedback" and columns["text"] is None:
        columns["text"] = columns["description"]
    if kind == "problems" and columns["description"] is None:
        columns["description"] = columns["text"]
    found.sheets.append(sheet.name)
    for r in range(top + 1, len(sheet.rows)):
        row = sheet.rows[r]

        def cell(key: str, row: list[object] = row) -> object:
            index = columns[key]
            return row[index] if index is not None and index < len(row) else ""

        body = display_text(cell("description" if kind == "problems" else "text"))
        unit_text = display_text(cell("unit"))
        if not body or not unit_text:
            continue
        if names_of(profile).is_reference_row(unit_text):
            continue
        unit = names_of(profile).canonical_unit(unit_text)
        unit_col = columns["unit"] or 0
        place = cell_address(sheet.name, r, unit_col)
        if unit is None:
            unit = unit_text
            found.issues.append(
                Issue(
                    IssueCode.UNKNOWN_UNIT,
                    WARNING,
                    f"「{unit_text}」不在测评口径的街镇名单中，按原名保留",
                    file,
                    place,
                    unit_text,
                )
            )
        category, item = _match_scheme(cell("category"), cell("item"), profile)
        if kind == "problems":
            found.problems.append(
                ProblemPoint(
                    unit,
                    category,
                    item,
                    display_text(cell("location")),
                    body,
                    _as_date(cell("date")),
                    place,
                )
            )
        else:
            found.feedback.append(FeedbackCase(unit, category, body, place))


def _match_scheme(category_cell: object, item_cell: object, profile: Profile) -> tuple[str, str]:
    """(category, item) as profile names where they match, else as written."""
    category_text, item_text = display_text(category_cell), display_text(item_cell)
    category = names_of(profile).match_category(category_text) if category_text else None
    matched = names_of(profile).match_item(item_text, category) if item_text else None
    if matched and (category is None or matched[0] == category):
        return matched
    return category or category_text, item_text


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date_text(value) if value else None
