"""Shared openpyxl helpers: safe text cells, header styling, widths, number formats, printing.

Text from input files is always written as a string cell, never as a formula, and control
characters that Excel refuses are removed.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
import weakref
from collections.abc import Hashable, Iterable, Mapping, Sequence
from copy import copy
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


class Looks:
    """The cell looks of one workbook being written, each handed to openpyxl once.

    Setting `cell.border = Border(…)` makes openpyxl hash the style object and look it up in
    the workbook's style tables, for every cell: most of the time of writing a styled sheet.
    Here the first cell of each look is styled through openpyxl's setters, which fills the
    style tables in the same order as before (so the saved XML is unchanged), and every other
    cell of that look gets a copy of that cell's style array, as openpyxl copies styles itself.
    A look is its `key` together with what the cell already had (a number format from `put`).
    """

    def __init__(self) -> None:
        self._arrays: dict[Hashable, Any] = {}

    @classmethod
    def of(cls, sheet: Any) -> Looks:
        """The looks of `sheet`'s workbook (style arrays index that workbook's style tables)."""
        book = sheet.parent
        looks = _LOOKS.get(book)
        if looks is None:
            looks = _LOOKS[book] = cls()
        return looks

    def apply(self, cell: Any, key: Hashable, styles: Mapping[str, object]) -> Any:
        """Give `cell` the look `key`: `styles` maps cell attributes (font, fill …) to values."""
        look = (key, tuple(cell._style)) if cell.has_style else (key, None)
        array = self._arrays.get(look)
        if array is None:
            for attribute, value in styles.items():
                setattr(cell, attribute, value)
            self._arrays[look] = copy(cell._style)
        else:
            cell._style = copy(array)
        return cell


_LOOKS: weakref.WeakKeyDictionary[Any, Looks] = weakref.WeakKeyDictionary()


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
    heading_look = {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor=HEADER_FILL),
        "border": border,
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }
    body_looks = {
        wrap: {"border": border, "alignment": Alignment(vertical="top", wrap_text=wrap)}
        for wrap in (False, True)
    }
    looks = Looks.of(sheet)
    for column, heading in enumerate(headers, start=1):
        looks.apply(put(sheet, top, column, heading), "table heading", heading_look)
    scores = set(score_columns)
    row_number = top
    for row_number, row in enumerate(rows, start=top + 1):
        for column, value in enumerate(row, start=1):
            cell = put(sheet, row_number, column, value, SCORE_FORMAT if column in scores else None)
            wrap = isinstance(value, str)
            looks.apply(cell, ("table cell", wrap), body_looks[wrap])
    return row_number


def fill_row(sheet: Any, row: int, columns: int, color: str) -> None:
    from openpyxl.styles import PatternFill

    looks, fill = Looks.of(sheet), {"fill": PatternFill("solid", fgColor=color)}
    for column in range(1, columns + 1):
        looks.apply(sheet.cell(row=row, column=column), ("fill", color), fill)


def fit_columns(sheet: Any, *, first_row: int = 1, minimum: int = 6, maximum: int = 60) -> None:
    """Column widths from the longest text in each column (CJK characters count double).

    Rows above `first_row` (titles and notes that may overflow to the right) do not count.
    """
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row, values_only=True):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            width = _text_width(f"{value:.2f}" if isinstance(value, float) else str(value))
            widths[column] = max(widths.get(column, 0), width)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            minimum, min(maximum, width + 2)
        )


@functools.lru_cache(maxsize=65536)
def _text_width(text: str) -> int:
    """Display width of `text` (CJK characters count double); the same texts recur a lot."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
