"""A worksheet laid out as a printed A4 page: a grid of narrow columns, tables spanning them.

Several tables of different shapes share one sheet (a town's brief), so no single set of column
widths suits them all. The page is cut into GRID_COLUMNS equal columns instead, and each table
column spans as many of them as its contents need (cells merged across the span). Excel and
LibreOffice do not grow a row for wrapped text in merged cells, so every row's height is set
here from the text it holds: the page then prints the same in both, at 100 % scale.
"""

from __future__ import annotations

import functools
import itertools
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break

from mytool.render.excel import Looks, alignment, body_look, font, heading_look, put
from mytool.render.excel_layout import BODY_SIZE, SCORE_FORMAT

GRID_COLUMNS = 30
# 30 × 2.5 = 75 widths: 600 px in Excel (8 px a width with 等线), inside the 698 px of A4
# portrait between 0.5-inch margins at 100 %. LibreOffice, whose stand-in for 等线 has wider
# digits (9.4 px), fits the width at about 99 %: 11 pt text prints at 10.9 pt.
GRID_WIDTH = 2.5
# A row of one line is 1.2 × the font size high (Excel makes 14.25 pt rows for 等线 11 pt); each
# further line of wrapped text takes 1.4 × (LibreOffice's CJK stand-in spaces lines wider).
FIRST_LINE = 1.2
NEXT_LINE = 1.4
PADDING_POINTS = 1.5
A4_HEIGHT_INCHES = 297 / 25.4
SAFETY_POINTS = 6.0  # rounding of row heights, and Excel's own


@dataclass(frozen=True)
class Field:
    """One table column: its heading, how many grid columns it spans, and its number format."""

    heading: str
    span: int
    number_format: str | None = None


def score(heading: str, span: int = 2) -> Field:
    return Field(heading, span, SCORE_FORMAT)


class PageGrid:
    """Writes a sheet top to bottom; `row` is the next free row."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.row = 1
        self.looks = Looks.of(sheet)
        self.heights: dict[int, float] = {}
        self.blocks = [1]  # first rows of the blocks between gaps
        for column in range(1, GRID_COLUMNS + 1):
            sheet.column_dimensions[get_column_letter(column)].width = GRID_WIDTH

    def line(self, text: str, *, bold: bool = False, size: float = BODY_SIZE) -> int:
        """A line of text across the page, wrapped; returns its row."""
        row = self.row
        cell = put(self.sheet, row, 1, text)
        looks = {"alignment": alignment(wrap=True, vertical="center")}
        if bold or size != BODY_SIZE:
            looks["font"] = font(bold=bold, size=size)
        self.looks.apply(cell, ("page line", bold, size), looks)
        self._merge(row, 1, GRID_COLUMNS)
        lines = _lines(text, GRID_COLUMNS)
        self._height(row, _row_points(lines, size))
        self.row += 1
        return row

    def gap(self, points: float = 6.0) -> None:
        """A thin empty row between blocks (a heading and its table)."""
        self._height(self.row, points)
        self.row += 1
        self.blocks.append(self.row)

    def break_pages(self) -> None:
        """A page break before each block that would straddle the end of a page, so that a
        table not fitting under the others starts the next page with its heading. Call after
        the page margins are set."""
        margins = self.sheet.page_margins
        page = (A4_HEIGHT_INCHES - margins.top - margins.bottom) * 72 - SAFETY_POINTS
        used = 0.0
        starts = [*self.blocks, self.row]
        for start, end in itertools.pairwise(starts):
            block = sum(self.heights.get(row, 15.0) for row in range(start, end))
            if used and used + block > page:
                self.sheet.row_breaks.append(Break(id=start - 1))
                used = 0.0
            used = (used + block) % page  # a block taller than a page breaks where it must

    def space(self, points: float) -> int:
        """One empty row `points` tall (for a chart anchored in it); returns its row."""
        row = self.row
        self._height(row, points)
        self.row += 1
        return row

    def table(self, fields: Sequence[Field], rows: Iterable[Sequence[object]]) -> tuple[int, int]:
        """Header and rows, each value merged across its field's span; returns (header, last)."""
        header = self.row
        self._row([f.heading for f in fields], fields, heading=True)
        for values in rows:
            self._row(values, fields, heading=False)
        return header, self.row - 1

    def _row(self, values: Sequence[object], fields: Sequence[Field], *, heading: bool) -> None:
        row, column, lines = self.row, 1, 1
        for value, field in zip(values, fields, strict=True):
            cell = put(self.sheet, row, column, value, None if heading else field.number_format)
            wrap = isinstance(value, str)
            key, look = ("grid", heading, wrap), heading_look() if heading else body_look(wrap)
            self.looks.apply(cell, key, look)
            for extra in range(column + 1, column + field.span):  # their grid lines show too
                self.looks.apply(self.sheet.cell(row=row, column=extra), key, look)
            self._merge(row, column, column + field.span - 1)
            if isinstance(value, str):
                lines = max(lines, _lines(value, field.span))
            column += field.span
        self._height(row, _row_points(lines, BODY_SIZE))
        self.row += 1

    def _merge(self, row: int, first: int, last: int) -> None:
        """Merge without `Worksheet.merge_cells`, which restyles every cell of the range and
        checks it against every earlier merge (most of the time of writing the sheet); these
        cells are styled already and the ranges never overlap."""
        if last > first:
            merge = CellRange(min_col=first, min_row=row, max_col=last, max_row=row)
            self.sheet.merged_cells.ranges.add(merge)

    def _height(self, row: int, points: float) -> None:
        self.heights[row] = round(points, 1)
        self.sheet.row_dimensions[row].height = self.heights[row]


def field_column(fields: Sequence[Field], index: int) -> int:
    """The grid column where field `index` of a table starts."""
    return 1 + sum(f.span for f in fields[:index])


def _row_points(lines: int, size: float) -> float:
    return size * (FIRST_LINE + NEXT_LINE * (lines - 1)) + PADDING_POINTS


def _lines(text: str, span: int) -> int:
    """How many lines `text` takes in a cell `span` grid columns wide, erring towards one too many.

    A width is the widest digit of the body font: 8 px of 等线 in Excel, 9.3 px of the wider
    stand-in LibreOffice uses. A CJK character at 11 pt is 14.7 px, 1.83 and 1.58 widths, and
    is counted 1.9; other characters 1; a cell loses about 5 px to its padding.
    """
    room = span * GRID_WIDTH - 0.8
    return sum(max(1, math.ceil(_width(part) / room)) for part in text.split("\n"))


@functools.lru_cache(maxsize=4096)
def _width(text: str) -> float:
    # "A" (ambiguous: “”·≥) characters are drawn full width by a CJK font
    return sum(1.9 if unicodedata.east_asian_width(ch) in "WFA" else 1.0 for ch in text)
