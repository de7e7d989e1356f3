"""`mytool plan -f xlsx`: the summary lines, the change table and the notes on one sheet."""

from __future__ import annotations

from mytool.analysis.planning import Plan
from mytool.render.excel import (
    fit_columns,
    font,
    new_workbook,
    prepare_print,
    put,
    workbook_bytes,
    write_table,
)
from mytool.render.excel_layout import TITLE_SIZE
from mytool.render.plan import CHANGE_HEADERS, change_rows, summary_lines


def plan_to_xlsx(plan: Plan) -> bytes:
    book = new_workbook()
    sheet = book.active
    sheet.title = "提升计划"
    title, *rest = summary_lines(plan)
    put(sheet, 1, 1, title).font = font(bold=True, size=TITLE_SIZE)
    for offset, line in enumerate(rest, start=2):
        put(sheet, offset, 1, line)
    top = len(rest) + 3
    last = write_table(sheet, top, CHANGE_HEADERS, change_rows(plan), score_columns=(2, 3, 4))
    fit_columns(sheet, first_row=top)  # before the notes: they overflow to the right
    for index, note in enumerate(plan.notes, start=last + 2):
        put(sheet, index, 1, f"注：{note}")
    prepare_print(sheet, freeze=f"A{top + 1}", header_row=top)
    return workbook_bytes(book)
