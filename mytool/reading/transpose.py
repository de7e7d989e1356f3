"""Transposed score tables: units along a row, categories and items down the side.

Such a sheet is turned a quarter and read like any other; `SheetAddress` turns positions in the
turned grid back into the sheet's own Excel addresses, so every message points at the real cell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mytool.diagnostics import cell_address, column_letter
from mytool.profile import Profile
from mytool.reading.blocks import is_text
from mytool.reading.names import names_of
from mytool.reading.sources import Sheet

MIN_UNITS_IN_A_ROW = 3


@dataclass(frozen=True)
class SheetAddress:
    """Where a (row, column) of the grid being read is in the sheet, transposed or not."""

    sheet: str
    transposed: bool = False

    def cell(self, row: int, col: int) -> str:
        """Excel address of a grid position, e.g. ``大类!C7``."""
        return (
            cell_address(self.sheet, col, row)
            if self.transposed
            else cell_address(self.sheet, row, col)
        )

    def line(self, col: int) -> str:
        """A grid column as the user sees it: column "C", or row "第3行" when transposed."""
        return f"第{col + 1}行" if self.transposed else column_letter(col)


def unit_hits(grid: list[list[object]], profile: Profile) -> list[list[bool]]:
    """For every cell, whether it names a unit of the profile (each spelling looked up once)."""
    known: dict[str, bool] = {}

    def names_unit(cell: object) -> bool:
        if not is_text(cell):
            return False
        text = str(cell)
        if text not in known:
            known[text] = names_of(profile).canonical_unit(text) is not None
        return known[text]

    return [[names_unit(cell) for cell in row] for row in grid]


def is_transposed(hits: list[list[bool]]) -> bool:
    """True when a row names more units than any column does (units run along a row)."""
    if not hits:
        return False
    best_row = max(sum(row) for row in hits)
    best_column = max((sum(column) for column in zip(*hits, strict=True)), default=0)
    return best_row >= MIN_UNITS_IN_A_ROW and best_row > best_column


def transpose_sheet(sheet: Sheet, grid: list[list[object]]) -> Sheet:
    """`sheet` turned a quarter: rows become columns; merged ranges and cell facts follow."""
    rows = [list(column) for column in zip(*grid, strict=True)] if grid else []
    return replace(
        sheet,
        rows=rows,
        merged=[(c0, r0, c1, r1) for r0, c0, r1, c1 in sheet.merged],
        hidden_rows=(),
        bad_cells={(c, r): error for (r, c), error in sheet.bad_cells.items()},
        percent_cells=frozenset((c, r) for r, c in sheet.percent_cells),
        strict_width=False,
    )
