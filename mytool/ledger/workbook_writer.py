"""Writing the ledger workbook: the grey fixed columns, the 状态 drop-down, dates as date
cells, the print layout for the profile's paper, and the very hidden 分发快照 sheet of a copy.

openpyxl writes the workbook with its first rows only; the data rows are written as XML text
and spliced in (`mytool.ledger.rows_xml`). Reading a ledger is `mytool.ledger.workbook`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from mytool.analysis.ledger.columns import (
    COLUMNS,
    DATE_COLUMNS,
    EDITABLE_COLUMNS,
    FIXED_COLUMNS,
    ID,
    STATUS,
    STATUSES,
)
from mytool.analysis.ledger.model import Entry
from mytool.diagnostics import column_letter
from mytool.errors import InputError
from mytool.ledger.rows_xml import as_bytes, replace_parts, row_xml, splice_rows
from mytool.ledger.workbook import (
    DATE_FORMAT,
    HEADER_ROW,
    LEDGER_SHEET,
    MAX_LEDGER_ROWS,
    SNAPSHOT_SHEET,
    Snapshot,
)
from mytool.render.excel import Looks, font, new_workbook, prepare_print, put, workbook_bytes
from mytool.render.excel_layout import excel_text, text_width
from mytool.text import display_text

FIXED_FILL = "E7E6E6"
EDITABLE_FILL = "DDEBF7"
# Column widths (characters) for each paper the profile may name ([ledger] paper). Printed
# landscape and fit to the page width, the 11 pt text comes out at about 8 pt on A4 and 10 pt
# on A3. The columns people fill in by hand get the room (about 3.5 cm on A4, 5 cm on A3);
# the grey columns wrap their text instead.
_A4 = (12, 7, 8, 8, 10, 13, 13, 8, 22, 9, 11, 22, 7, 11, 12, 11, 7)
_A3 = (12, 7, 9, 9, 11, 15, 15, 9, 28, 9, 12, 28, 8, 12, 16, 12, 9)
LAYOUTS = {
    "A4": dict(zip(COLUMNS, _A4, strict=True)),
    "A3": dict(zip(COLUMNS, _A3, strict=True)),
}
PAPER_SIZES = {"A4": 9, "A3": 8}  # the codes of the sheet's page setup
TITLE_HEIGHT = 24  # points: the title and note, across the columns
LINE_HEIGHT = 15  # points per line of wrapped text in a data row
VALIDATED_ROWS = 2000  # rows below the data that keep the drop-down, for rows people add
NOTE = (
    "灰色列（编号、期次、街镇、大类、小项、点位地址、问题描述、牵头部门）为分发时的原始信息，"
    "请勿修改；请在白色列填写整改情况，状态从下拉列表选择（{choices}），日期写成 2024-03-15。"
)


def ledger_workbook(
    entries: Iterable[Entry], *, title: str, snapshot: Snapshot | None = None, paper: str = "A4"
) -> bytes:
    """The ledger (or a copy of part of it) as .xlsx bytes.

    More than MAX_LEDGER_ROWS entries are refused here, so that every ledger written can be
    read back (see LEDGER_LIMITS). openpyxl writes the workbook with the first rows only;
    the data rows are written as XML text and spliced in (see `mytool.ledger.rows_xml`).
    """

    entries = list(entries)
    if len(entries) > MAX_LEDGER_ROWS:
        raise InputError(
            f"点位问题共 {len(entries):,} 个，超过一本整改台账的上限（{MAX_LEDGER_ROWS:,} 个），"
            "未建台账；请把点位问题清单按街镇或牵头部门分成几份，分别建台账"
        )
    book = new_workbook()  # 等线 as the workbook's font
    sheet = book.active
    sheet.title = LEDGER_SHEET
    rows = _stored_rows(entries)
    heights = _row_heights(rows, paper)
    samples = _write_ledger_sheet(sheet, entries, (rows, heights), title)
    _lay_out(sheet, paper)
    parts: dict[str, Callable[[bytes], bytes]] = {}
    if snapshot is not None:
        copy = book.create_sheet(SNAPSHOT_SHEET)
        _write_snapshot(copy, snapshot)
    skeleton = workbook_bytes(book)
    styles = {look: cell.style_id for look, cell in samples.items()}  # numbered by the save
    data = as_bytes("".join(_ledger_rows(rows, styles, heights)))
    dimension = f"A1:{column_letter(len(COLUMNS) - 1)}{HEADER_ROW + len(rows)}"
    parts[sheet.path[1:]] = lambda xml: splice_rows(xml, HEADER_ROW + 1, data, dimension)
    if snapshot is not None:
        parts[copy.path[1:]] = _snapshot_part(snapshot)
    return replace_parts(skeleton, parts)


Stored = str | dt.date | None
_FIXED = tuple(column in FIXED_COLUMNS for column in COLUMNS)


def _stored_rows(entries: list[Entry]) -> list[list[Stored]]:
    """Each cell as the sheet holds it: text cleaned for Excel, dates, None when empty."""

    rows: list[list[Stored]] = []
    for entry in entries:
        row: list[Stored] = []
        for fixed, column in zip(_FIXED, COLUMNS, strict=True):
            value = entry.values.get(column)
            if isinstance(value, dt.date) or not value:
                row.append(value or None)
            else:
                row.append(excel_text(display_text(value) if fixed else value))
        rows.append(row)
    return rows


Look = tuple[bool, bool]  # (a grey column, a date cell)


def _looks_in_order(rows: list[list[Stored]]) -> list[int]:
    """The rows that first show each look: written by openpyxl, they number its styles."""
    seen: set[Look] = set()
    chosen = []
    for number, row in enumerate(rows):
        looks = {(f, isinstance(v, dt.date)) for f, v in zip(_FIXED, row, strict=True)}
        if looks - seen:
            chosen.append(number)
            seen |= looks
    return chosen


def _ledger_rows(
    rows: list[list[Stored]], styles: Mapping[Look, int], heights: list[float | None]
) -> Iterator[str]:
    for number, (row, height) in enumerate(zip(rows, heights, strict=True), start=HEADER_ROW + 1):
        cells = [
            (index, styles[(fixed, isinstance(value, dt.date))], value)
            for index, (fixed, value) in enumerate(zip(_FIXED, row, strict=True))
        ]
        yield row_xml(number, cells, height)


def _row_heights(rows: list[list[Stored]], paper: str) -> list[float | None]:
    """Each row's height (points) with its text wrapped in the columns of `paper`.

    LibreOffice prints the rows of a file at their stored height, and with none stored, at one
    line: text that wraps would be cut off.
    """

    room = [max(LAYOUTS[paper][column] - 1, 1) for column in COLUMNS]
    heights: list[float | None] = []
    for row in rows:
        lines = 1
        for value, width in zip(row, room, strict=True):
            if isinstance(value, str):
                wrapped = sum(-(-text_width(part) // width) or 1 for part in value.split("\n"))
                lines = max(lines, wrapped)
        heights.append(LINE_HEIGHT * lines if lines > 1 else None)
    return heights


def _write_ledger_sheet(
    sheet: Any,
    entries: list[Entry],
    table: tuple[list[list[Stored]], list[float | None]],
    title: str,
) -> dict[Look, Any]:
    """Everything but the data rows, which come from `rows` (see `ledger_workbook`).

    A sample of the rows is written cell by cell, so that openpyxl numbers the looks as it
    would for all of them; returns a cell of each look.
    """

    choices = "、".join(STATUSES)
    note = put(sheet, 1, 1, f"{title}　{NOTE.format(choices=choices)}")
    note.font = font(bold=True)
    note.alignment = Alignment(vertical="center", wrap_text=True)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fixed = PatternFill("solid", fgColor=FIXED_FILL)
    editable = PatternFill("solid", fgColor=EDITABLE_FILL)
    for index, column in enumerate(COLUMNS, start=1):
        cell = put(sheet, HEADER_ROW, index, column)
        cell.font = font(bold=True, color="595959" if column in FIXED_COLUMNS else "000000")
        cell.fill = fixed if column in FIXED_COLUMNS else editable
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if column in FIXED_COLUMNS:
            cell.comment = Comment("分发时的原始信息，请勿修改（合并时不读取本列的改动）", "mytool")
    top = Alignment(vertical="top", wrap_text=True)
    looks = Looks.of(sheet)
    cell_looks = {
        True: {"border": border, "alignment": top, "fill": fixed},
        False: {"border": border, "alignment": top},
    }
    samples: dict[Look, Any] = {}
    rows, heights = table
    for row, number in enumerate(_looks_in_order(rows), start=HEADER_ROW + 1):
        sheet.row_dimensions[row].height = heights[number]
        for index, (marked, value) in enumerate(zip(_FIXED, rows[number], strict=True), start=1):
            cell = _put_stored(sheet, row, index, value)
            looks.apply(cell, ("ledger cell", marked), cell_looks[marked])
            samples.setdefault((marked, isinstance(value, dt.date)), cell)
    last = HEADER_ROW + len(entries) + VALIDATED_ROWS
    _add_validation(sheet, last)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{HEADER_ROW}"
    return samples


def _add_validation(sheet: Any, last: int) -> None:
    """状态: a drop-down that refuses other text; date columns: a warning for non-dates."""

    first = HEADER_ROW + 1
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="状态",
        error="请从下拉列表中选择：" + "、".join(STATUSES),
    )
    status.add(
        f"{column_letter(COLUMNS.index(STATUS))}{first}:"
        f"{column_letter(COLUMNS.index(STATUS))}{last}"
    )
    dates = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 2000-01-01
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="日期",
        error="请填写日期，如 2024-03-15",
    )
    for column in sorted(DATE_COLUMNS):
        letter = column_letter(COLUMNS.index(column))
        dates.add(f"{letter}{first}:{letter}{last}")
    sheet.add_data_validation(status)
    sheet.add_data_validation(dates)


def _lay_out(sheet: Any, paper: str) -> None:
    """Widths, the title across the columns, and printing on `paper`: landscape, fit to width."""

    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[column_letter(index)].width = LAYOUTS[paper][column]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.row_dimensions[1].height = TITLE_HEIGHT
    prepare_print(sheet, freeze=f"C{HEADER_ROW + 1}")
    sheet.page_setup.paperSize = PAPER_SIZES[paper]
    sheet.page_margins = PageMargins(left=0.25, right=0.25, top=0.5, bottom=0.5)
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page


def _put_stored(sheet: Any, row: int, column: int, value: Stored) -> Any:
    """A cell of `_stored_rows` (text already cleaned), as `_ledger_rows` writes it."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif value is not None:
        cell.value = value
        cell.data_type = "s"
    return cell


def _write_snapshot(sheet: Any, snapshot: Snapshot) -> None:
    """The snapshot sheet's two header rows; its rows come from `_snapshot_part`."""

    sheet.sheet_state = "veryHidden"
    for index, text in enumerate(
        ("总台账", snapshot.master, "分组", snapshot.group, "分发时间", snapshot.made), start=1
    ):
        put(sheet, 1, index, text)
    for index, column in enumerate((ID, *EDITABLE_COLUMNS), start=1):
        put(sheet, 2, index, column)


def _snapshot_part(snapshot: Snapshot) -> Callable[[bytes], bytes]:
    """The snapshot sheet with a row per ID: its editable values as they went out."""

    rows = []
    for number, (entry_id, values) in enumerate(snapshot.values.items(), start=3):
        cells: list[tuple[int, int | None, Stored]] = [(0, None, excel_text(entry_id))]
        cells += [
            (index, None, excel_text(values[column]))
            for index, column in enumerate(EDITABLE_COLUMNS, start=1)
            if values.get(column)
        ]
        rows.append(row_xml(number, cells))
    data = as_bytes("".join(rows))
    dimension = f"A1:{column_letter(len(EDITABLE_COLUMNS))}{2 + len(snapshot.values)}"
    return lambda xml: splice_rows(xml, 3, data, dimension)
