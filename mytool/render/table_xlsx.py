"""`rank -f xlsx` and `compare -f xlsx`: the terminal tables as printable, formatted workbooks.

Same columns as the table view; scores and ranks are numbers (a tie shows "（并列）" through the
number format, the value stays a number), grades are coloured as the profile says, flagged
units are shaded, and every sheet has a title row and prints on A4 landscape.
"""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter

from mytool.analysis.comparison import Comparison
from mytool.analysis.ranking import Ranking
from mytool.profile import Profile
from mytool.render.compare import (
    CATEGORY_HEADINGS,
    TEST_HEADING,
    TESTED_NOTE,
    UNIT_HEADINGS,
    UNTESTED_NOTE,
    comparison_title,
    flag_change_text,
    grade_change_text,
    mapping_text,
    summary_lines,
    test_text,
)
from mytool.render.excel import (
    Looks,
    fill,
    fit_columns,
    new_workbook,
    prepare_print,
    put,
    title_rows,
    workbook_bytes,
    write_table,
)
from mytool.render.excel_layout import FLAG_FILL, TIED_FORMAT, grade_fill
from mytool.render.labels import flag_text, source_note
from mytool.render.wording import period_text

CHANGE_FORMAT = "+0.00;-0.00;0.00"
RANK_CHANGE_FORMAT = '"▲"0;"▼"0;"持平"'


def _fill(cell: Any, color: str | None) -> None:
    if color:
        Looks.of(cell.parent).apply(cell, ("fill", color), {"fill": fill(color)})


def _finish(sheet: Any, top: int, *, rank_columns: tuple[int, ...] = ()) -> None:
    fit_columns(sheet, first_row=top)
    for column in rank_columns:  # "12（并列）" is wider than the number it shows
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width, 11)
    prepare_print(sheet, freeze=f"A{top + 1}", header_row=top)


def ranking_to_xlsx(ranking: Ranking, profile: Profile | None = None) -> bytes:
    book = new_workbook()
    sheet = book.active
    sheet.title = "街镇排名"
    city = any(u.city_rank for u in ranking.units)
    headers = ["排名", "街镇", "综合得分", "等级", "标记", "最弱大类"]
    if city:
        headers.append(f"{ranking.city_scope or '全市'}排名")
    note = source_note(ranking.score_source, ranking.weights_place)
    note += f"。标记的 {len(ranking.flagged)} 个街镇需制定整改措施。"
    top = title_rows(
        sheet, f"{period_text(ranking.period) or '期次未知'} 街镇排名（{ranking.source}）", note
    )
    rows = []
    for unit in ranking.units:
        row: list[object] = [
            unit.rank,
            unit.unit if unit.known else f"{unit.unit}（不在名单）",
            unit.score,
            unit.grade,
            flag_text(unit, ranking.bottom_n) if unit.flagged else "",
            "、".join(unit.weakest_categories),
        ]
        if city:
            row.append(unit.city_rank)
        rows.append(row)
    write_table(sheet, top, headers, rows, score_columns=(3,))
    for offset, unit in enumerate(ranking.units, start=top + 1):
        if unit.tied:
            sheet.cell(row=offset, column=1).number_format = TIED_FORMAT
        _fill(sheet.cell(row=offset, column=4), grade_fill(unit.grade, profile))
        if unit.flagged:
            _fill(sheet.cell(row=offset, column=5), FLAG_FILL)
    _finish(sheet, top, rank_columns=(1,))

    if ranking.categories:
        categories = book.create_sheet("大类排名")
        top = title_rows(categories, "大类排名（全区平均）")
        rows = [
            [
                c.rank,
                c.category if c.known else f"{c.category}（不在口径）",
                c.score,
                c.weight,
                c.department or "—",
                "、".join(c.weakest_units),
            ]
            for c in ranking.categories
        ]
        headers = ["排名", "大类", "全区得分", "权重", "牵头部门", "最弱街镇"]
        write_table(categories, top, headers, rows, score_columns=(3,))
        for offset, category in enumerate(ranking.categories, start=top + 1):
            if category.tied:
                categories.cell(row=offset, column=1).number_format = TIED_FORMAT
        _finish(categories, top, rank_columns=(1,))
    return workbook_bytes(book)


def comparison_to_xlsx(comparison: Comparison, profile: Profile | None = None) -> bytes:
    book = new_workbook()
    sheet = book.active
    sheet.title = "街镇变化"
    sources = f"上期：{comparison.previous.source}；本期：{comparison.current.source}"
    top = title_rows(sheet, comparison_title(comparison), sources)
    rows = [
        [
            u.unit,
            u.score,
            u.score_change,
            u.rank,
            u.previous_rank,
            u.rank_change,
            grade_change_text(u),
            flag_change_text(u),
            *([test_text(u.test)] if comparison.tested else []),
        ]
        for u in comparison.units
    ]
    headings = [*UNIT_HEADINGS, *([TEST_HEADING] if comparison.tested else [])]
    last = write_table(sheet, top, headings, rows, score_columns=(2, 3))
    for offset, unit in enumerate(comparison.units, start=top + 1):
        sheet.cell(row=offset, column=3).number_format = CHANGE_FORMAT
        sheet.cell(row=offset, column=6).number_format = RANK_CHANGE_FORMAT
        _fill(sheet.cell(row=offset, column=7), grade_fill(unit.grade, profile))
        if unit.flagged:
            _fill(sheet.cell(row=offset, column=8), FLAG_FILL)
    _finish(sheet, top)  # widths from the table, not the summary lines under it
    notes = [*summary_lines(comparison), TESTED_NOTE if comparison.tested else UNTESTED_NOTE]
    for index, line in enumerate(notes, start=last + 2):
        put(sheet, index, 1, line)

    categories = book.create_sheet("大类变化")
    top = title_rows(categories, "大类变化（全区平均）")
    rows = [
        [
            c.rank,
            c.category,
            c.score,
            c.previous_score,
            c.score_change,
            c.previous_rank,
            mapping_text(c),
            *([test_text(c.test)] if comparison.tested else []),
        ]
        for c in comparison.categories
    ]
    headings = [*CATEGORY_HEADINGS, *([TEST_HEADING] if comparison.tested else [])]
    write_table(categories, top, headings, rows, score_columns=(3, 4, 5))
    for offset in range(top + 1, top + 1 + len(rows)):
        categories.cell(row=offset, column=5).number_format = CHANGE_FORMAT
    _finish(categories, top)
    return workbook_bytes(book)
