"""Shared openpyxl helpers: safe text cells, the shared looks, widths, number formats, printing.

Text from input files is always written as a string cell, never as a formula (`put`). Every
workbook the tool writes starts from `new_workbook`, whose default font is a Chinese one (等线),
and every font, fill, border and alignment comes from the cached factories below: one style
object per distinct look. What needs no openpyxl (clean cell text, display widths, column specs,
grade colours) is in `mytool.render.excel_layout`, which the ledger's reader uses without
loading openpyxl; this module is imported only where a workbook is written.
"""

from __future__ import annotations

import functools
import io
import unicodedata
import weakref
from collections.abc import Hashable, Iterable, Mapping, Sequence
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.drawing.text import Font as ChartFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins

from mytool.render.excel_layout import (
    BODY_FONT,
    BODY_SIZE,
    HEADER_FILL,
    PAPER_A4,
    SCORE_FORMAT,
    TITLE_SIZE,
    Column,
    content_widths,
    excel_text,
    text_width,
)

_GB2312 = 134  # a font's charset: tells Excel the name is a Chinese face


def new_workbook(*, write_only: bool = False) -> Any:
    """An openpyxl workbook whose Normal style (every unstyled cell) uses the Chinese body font."""
    book = Workbook(write_only=write_only)
    body = font()
    book._fonts = IndexedList([body])  # font 0 is the font of every cell without a style
    book._named_styles["Normal"].font = body
    return book


@functools.cache
def font(*, bold: bool = False, size: float = BODY_SIZE, color: str | None = None) -> Any:
    """The font of one look, named for CJK and made once (openpyxl hashes every style object)."""
    return Font(name=BODY_FONT, size=size, bold=bold, color=color, family=2, charset=_GB2312)


@functools.cache
def fill(color: str) -> Any:
    return PatternFill("solid", fgColor=color)


@functools.cache
def border() -> Any:
    """A thin grey grid line on every side."""
    thin = Side(style="thin", color="BFBFBF")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


@functools.cache
def alignment(*, wrap: bool = False, horizontal: str | None = None, vertical: str = "top") -> Any:
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)


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


def write_table(
    sheet: Any,
    top: int,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    score_columns: Iterable[int] = (),
) -> int:
    """Header row at `top`, then the rows; returns the last row written."""
    looks = Looks.of(sheet)
    for column, heading in enumerate(headers, start=1):
        looks.apply(put(sheet, top, column, heading), "table heading", heading_look())
    scores = set(score_columns)
    row_number = top
    for row_number, row in enumerate(rows, start=top + 1):
        for column, value in enumerate(row, start=1):
            cell = put(sheet, row_number, column, value, SCORE_FORMAT if column in scores else None)
            wrap = isinstance(value, str)
            looks.apply(cell, ("table cell", wrap), body_look(wrap))
    return row_number


def heading_look() -> dict[str, Any]:
    """A table's header row: bold on light blue, centred, wrapped, grid lines."""
    return {
        "font": font(bold=True),
        "fill": fill(HEADER_FILL),
        "border": border(),
        "alignment": alignment(wrap=True, horizontal="center", vertical="center"),
    }


def body_look(wrap: bool) -> dict[str, Any]:
    """A table cell: grid lines, top-aligned; text wraps within the column."""
    return {"border": border(), "alignment": alignment(wrap=wrap)}


def fill_row(sheet: Any, row: int, columns: int, color: str) -> None:
    looks, shade = Looks.of(sheet), {"fill": fill(color)}
    for column in range(1, columns + 1):
        looks.apply(sheet.cell(row=row, column=column), ("fill", color), shade)


def note_row(sheet: Any, row: int, text: str, columns: int) -> Any:
    """A note across the first `columns` columns (merged, wrapped, tall enough for its lines):
    a long note left to overflow would widen the printed page and shrink everything on it."""
    cell = put(sheet, row, 1, text)
    Looks.of(sheet).apply(cell, "note", {"alignment": alignment(wrap=True)})
    width = sum(
        sheet.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, columns + 1)
    )
    if columns > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    cjk = sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in cell.value)
    lines = max(1, -(-cjk // max(1, int(width - 1))))
    sheet.row_dimensions[row].height = BODY_SIZE * (1.15 + 1.4 * (lines - 1)) + 1.5
    return cell


def title_rows(sheet: Any, title: str, *notes: str) -> int:
    """The sheet's title in A1 (bold, larger) and notes under it; returns the first free row
    after one blank row."""
    put(sheet, 1, 1, title).font = font(bold=True, size=TITLE_SIZE)
    for row, note in enumerate(notes, start=2):
        put(sheet, row, 1, note)
    return len(notes) + 3


def fit_columns(sheet: Any, *, first_row: int = 1, minimum: int = 6, maximum: int = 60) -> None:
    """Column widths from the longest text in each column (CJK characters count double).

    Rows above `first_row` (titles and notes that may overflow to the right) do not count.
    """
    rows = sheet.iter_rows(min_row=first_row, values_only=True)
    set_widths(sheet, content_widths(rows), minimum=minimum, maximum=maximum)


def set_widths(
    sheet: Any, widths: Mapping[int, int], *, minimum: int = 6, maximum: int = 60
) -> None:
    """Each column's width: its content width plus a margin, within [minimum, maximum]."""
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            minimum, min(maximum, width + 2)
        )


def prepare_print(
    sheet: Any,
    freeze: str | None = None,
    *,
    portrait: bool = False,
    header_row: int | None = None,
    page_numbers: bool = True,
    fit_width: bool = True,
) -> None:
    """A4, fit to the page width (never taller), narrow margins, header frozen and repeated.

    `header_row` is the table header repeated at the top of every printed page. Page numbers
    go in the footer ("第 1 页，共 3 页"). Without `fit_width` the sheet prints at 100 %, on
    as many pages across as it needs (for tables far wider than a page).
    """

    setup = sheet.page_setup
    setup.orientation = "portrait" if portrait else "landscape"
    setup.paperSize = PAPER_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = fit_width
    bottom = 0.6 if page_numbers else 0.3  # inches; the footer needs the room
    sheet.page_margins = PageMargins(
        left=0.5, right=0.5, top=0.3, bottom=bottom, header=0.15, footer=0.25
    )
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    if page_numbers:
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
        sheet.oddFooter.center.font = f"{BODY_FONT},Regular"
        sheet.oddFooter.center.size = 9
    if freeze:
        sheet.freeze_panes = freeze


def workbook_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def chart_fonts(chart: Any, size: float = 10, title: str | None = None) -> None:
    """Axis labels, legend and (when given) the title of an openpyxl chart in the Chinese body
    font: labels at `size` points, the title bold at `size` + 2."""
    face = ChartFont(typeface=BODY_FONT)
    properties = CharacterProperties(sz=round(size * 100), latin=face, ea=face)
    for part in (chart.x_axis, chart.y_axis, chart.legend):
        if part is not None:
            part.txPr = RichText(
                p=[Paragraph(pPr=ParagraphProperties(defRPr=properties), endParaRPr=properties)]
            )
    if title is not None:
        bold = CharacterProperties(sz=round(size * 100) + 200, b=True, latin=face, ea=face)
        line = Paragraph(
            pPr=ParagraphProperties(defRPr=bold), r=[RegularTextRun(rPr=bold, t=title)]
        )
        chart.title = Title(tx=Text(rich=RichText(p=[line])), overlay=False)


def stream_table(
    book: Any,
    title: str,
    heading: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    notes: Sequence[str] = (),
    portrait: bool = False,
    repeat_columns: str | None = None,
    fit_width: bool = True,
) -> Any:
    """A sheet of a write-only workbook: the title (and notes), one table with its header
    frozen and repeated on every printed page, A4 fitted to the width.

    `repeat_columns` ("A:B") are printed at the left of every page, for tables wider than one
    printed at 100 % (`fit_width` False).
    """
    sheet = book.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    top = len(notes) + 3
    # A write-only sheet writes its settings with the first row: all of them go first.
    freeze = f"{get_column_letter(1 + _letters(repeat_columns))}{top + 1}"
    prepare_print(sheet, freeze, portrait=portrait, header_row=top, fit_width=fit_width)
    if repeat_columns:
        sheet.print_title_cols = repeat_columns
    lines = max(-(-text_width(c.heading) // max(1, int(c.width - 1))) for c in columns)
    sheet.row_dimensions[top].height = BODY_SIZE * (1.15 + 1.4 * (lines - 1)) + 3
    looks = Looks.of(sheet)

    def styled(value: object, key: Hashable, look: Mapping[str, object], fmt: str | None) -> Any:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=excel_text(value))
            cell.data_type = "s"  # literal text, never a formula
        else:
            cell = WriteOnlyCell(sheet, value=value)
            if fmt:
                cell.number_format = fmt
        return looks.apply(cell, key, look)

    sheet.append([styled(heading, "title", {"font": font(bold=True, size=TITLE_SIZE)}, None)])
    for note in notes:
        sheet.append([note])
    sheet.append([])
    sheet.append([styled(c.heading, "table heading", heading_look(), None) for c in columns])
    for row in rows:
        cells = []
        for value, column in zip(row, columns, strict=True):
            color = column.fills.get(value) if column.fills and isinstance(value, str) else None
            look = body_look(column.wrap) | ({"fill": fill(color)} if color else {})
            key = ("table cell", column.wrap, color)
            cells.append(styled(value, key, look, column.number_format))
        sheet.append(cells)
    return sheet


def _letters(span: str | None) -> int:
    """How many columns "A:B" covers (0 for none)."""
    if not span:
        return 0
    first, _, last = span.partition(":")
    return column_index_from_string(last or first) - column_index_from_string(first) + 1
