"""Shared openpyxl helpers: safe text cells, header styling, widths, number formats, printing.

Text from input files is always written as a string cell, never as a formula, and control
characters that Excel refuses are removed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

SCORE_FORMAT = "0.00"
EXCEL_CELL_LIMIT = 32767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
HEADER_FILL = "DDEBF7"
FLAG_FILL = "FCE4D6"


_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")


def clean_text(text: object) -> str:
    """Text that Excel can hold: line breaks as LF, no control characters, within the limit."""
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)[:EXCEL_CELL_LIMIT]


def excel_text(text: object) -> str:
    """`clean_text`, with literal "_x0041_"-like runs escaped as Excel does (_x005F_…).

    Excel and WPS read "_xHHHH_" in a cell's XML as the character U+HHHH, so text from an
    input file that happens to contain such a run would otherwise change on screen.
    """
    return _EXCEL_ESCAPE.sub(lambda m: "_x005F" + m.group(0), clean_text(text))


def put(sheet: Any, row: int, column: int, value: object, number_format: str | None = None) -> Any:
    """Write one cell: numbers as numbers, everything else as literal text."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, bool) or not isinstance(value, int | float):
        cell.value = excel_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
        if number_format:
            cell.number_format = number_format
    return cell


def safe_row(sheet: Any, values: Iterable[object]) -> list[object]:
    """A row for a write-only sheet's append: text as literal string cells, never formulas."""
    from openpyxl.cell import WriteOnlyCell

    row: list[object] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=excel_text(value))
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row


def write_table(
    sheet: Any,
    top: int,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    score_columns: Iterable[int] = (),
) -> int:
    """Header row at `top`, then the rows; returns the last row written."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for column, heading in enumerate(headers, start=1):
        cell = put(sheet, top, column, heading)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    scores = set(score_columns)
    row_number = top
    for row_number, row in enumerate(rows, start=top + 1):
        for column, value in enumerate(row, start=1):
            cell = put(sheet, row_number, column, value, SCORE_FORMAT if column in scores else None)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
    return row_number


def fill_row(sheet: Any, row: int, columns: int, color: str) -> None:
    from openpyxl.styles import PatternFill

    for column in range(1, columns + 1):
        sheet.cell(row=row, column=column).fill = PatternFill("solid", fgColor=color)


def fit_columns(sheet: Any, *, first_row: int = 1, minimum: int = 6, maximum: int = 60) -> None:
    """Column widths from the longest text in each column (CJK characters count double).

    Rows above `first_row` (titles and notes that may overflow to the right) do not count.
    """
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None:
                continue
            text = f"{cell.value:.2f}" if isinstance(cell.value, float) else str(cell.value)
            width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
            widths[cell.column] = max(widths.get(cell.column, 0), width)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            minimum, min(maximum, width + 2)
        )


def prepare_print(sheet: Any, freeze: str | None = None) -> None:
    """A4 landscape, fit to width, header rows frozen."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if freeze:
        sheet.freeze_panes = freeze


def workbook_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet title (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", clean_text(name)).strip("'") or "Sheet"
    base = base[:31]
    title, counter = base, 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f"({counter})"
        title = base[: 31 - len(suffix)] + suffix
        counter += 1
    taken.add(title)
    return title
