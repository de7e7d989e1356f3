"""Shared openpyxl helpers: safe text cells, the shared looks, widths, number formats, printing.

Text from input files is always written as a string cell, never as a formula, and control
characters that Excel refuses are removed. Every workbook the tool writes starts from
`new_workbook`, whose default font is a Chinese one (等线), and every font, fill, border and
alignment comes from the cached factories below: one style object per distinct look.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
import weakref
from collections.abc import Hashable, Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any

from mytool.profile import Profile
from mytool.render.grades import grade_color

SCORE_FORMAT = "0.00"
TIED_FORMAT = '0"（并列）"'  # a tied rank stays a number and reads "12（并列）"
EXCEL_CELL_LIMIT = 32767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
HEADER_FILL = "DDEBF7"
FLAG_FILL = "FCE4D6"
# 等线 is Excel's own default for Chinese text (WPS and LibreOffice substitute their CJK sans);
# charset 134 (GB2312) tells Excel the name is a Chinese face.
BODY_FONT = "等线"
BODY_SIZE = 11
TITLE_SIZE = 14
_GB2312 = 134
PAPER_A4 = 9  # the page setup's paper size code
# A4 at 96 dpi between 0.5-inch side margins: the width a sheet has at 100 % scale.
A4_PORTRAIT_PIXELS = round((210 / 25.4 - 1.0) * 96)
A4_LANDSCAPE_PIXELS = round((297 / 25.4 - 1.0) * 96)
# Excel's column width unit is the widest digit of the default font: 8 px for 等线 11 pt.
DIGIT_PIXELS = 8


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


def new_workbook(*, write_only: bool = False) -> Any:
    """An openpyxl workbook whose Normal style (every unstyled cell) uses the Chinese body font."""
    from openpyxl import Workbook
    from openpyxl.utils.indexed_list import IndexedList

    book = Workbook(write_only=write_only)
    body = font()
    book._fonts = IndexedList([body])  # font 0 is the font of every cell without a style
    book._named_styles["Normal"].font = body
    return book


@functools.cache
def font(*, bold: bool = False, size: float = BODY_SIZE, color: str | None = None) -> Any:
    """The font of one look, named for CJK and made once (openpyxl hashes every style object)."""
    from openpyxl.styles import Font

    return Font(name=BODY_FONT, size=size, bold=bold, color=color, family=2, charset=_GB2312)


@functools.cache
def fill(color: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=color)


@functools.cache
def border() -> Any:
    """A thin grey grid line on every side."""
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="BFBFBF")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


@functools.cache
def alignment(*, wrap: bool = False, horizontal: str | None = None, vertical: str = "top") -> Any:
    from openpyxl.styles import Alignment

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
    from openpyxl.utils import get_column_letter

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


def content_widths(rows: Iterable[Iterable[object]]) -> dict[int, int]:
    """Column (1-based) → display width of its longest value; empty columns are left out."""
    widths: dict[int, int] = {}
    for row in rows:
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            width = text_width(f"{value:.2f}" if isinstance(value, float) else str(value))
            widths[column] = max(widths.get(column, 0), width)
    return widths


def set_widths(
    sheet: Any, widths: Mapping[int, int], *, minimum: int = 6, maximum: int = 60
) -> None:
    """Each column's width: its content width plus a margin, within [minimum, maximum]."""
    from openpyxl.utils import get_column_letter

    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            minimum, min(maximum, width + 2)
        )


@functools.lru_cache(maxsize=65536)
def text_width(text: str) -> int:
    """Display width of `text` (CJK characters count double); the same texts recur a lot."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
    from openpyxl.worksheet.page import PageMargins

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


def chart_fonts(chart: Any, size: float = 10, title: str | None = None) -> None:
    """Axis labels, legend and (when given) the title of an openpyxl chart in the Chinese body
    font: labels at `size` points, the title bold at `size` + 2."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (
        CharacterProperties,
        Font,
        Paragraph,
        ParagraphProperties,
        RegularTextRun,
    )

    face = Font(typeface=BODY_FONT)
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


@dataclass(frozen=True)
class Column:
    """A column of a streamed table: heading, width, number format, and whether text wraps."""

    heading: str
    width: float
    number_format: str | None = None
    wrap: bool = False
    fills: Mapping[str, str] | None = None  # text → background colour (grades)


# The district's usual grade colours, green to red, for when no profile is given.
DEFAULT_GRADE_COLORS = {
    "优秀": "63BE7B",
    "良好": "B1D580",
    "尚可": "FFEB84",
    "一般": "FBAA77",
    "较差": "F8696B",
}


def grade_fill(grade: str | None, profile: Profile | None = None) -> str | None:
    """The background of a grade: the profile's colour, else the usual one."""
    if not grade:
        return None
    if profile is not None:
        return grade_color(profile, grade)
    return DEFAULT_GRADE_COLORS.get(grade)


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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

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
    from openpyxl.utils import column_index_from_string

    first, _, last = span.partition(":")
    return column_index_from_string(last or first) - column_index_from_string(first) + 1
