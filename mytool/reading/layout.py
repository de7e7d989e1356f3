"""Locate a score table inside a sheet: its unit column, its header rows, each column's labels.

The unit column is the column whose cells most often name a unit of the profile (or, failing
that, whose header is a unit header); the header is the run of header-like rows just above the
first unit; merged or spanned parent labels are filled in over the columns they cover.
"""

from __future__ import annotations

from mytool.profile import Profile
from mytool.reading.blocks import is_block_label, is_text
from mytool.reading.headers import is_header_word, is_unit_header
from mytool.reading.names import names_of
from mytool.text import display_text, parse_score

MAX_HEADER_ROWS = 4


def padded(rows: list[list[object]]) -> list[list[object]]:
    """The rows at one width, empty cells as "" (readers give ragged rows and None)."""
    width = max((len(row) for row in rows), default=0)
    return [
        [("" if cell is None else cell) for cell in row] + [""] * (width - len(row)) for row in rows
    ]


def find_unit_column(grid: list[list[object]], profile: Profile) -> tuple[int, int] | None:
    """(column, first row) of the units: by content first, by header word second."""
    best: tuple[int, int, int] | None = None  # (hits, column, first row); leftmost wins ties
    width = len(grid[0]) if grid else 0
    for col in range(width):
        rows = [
            r
            for r, row in enumerate(grid)
            if is_text(row[col]) and names_of(profile).canonical_unit(row[col])
        ]
        if rows and (best is None or len(rows) > best[0]):
            best = (len(rows), col, rows[0])
    if best is not None:
        return best[1], best[2]
    for r, row in enumerate(grid[:30]):
        for col, cell in enumerate(row):
            if is_unit_header(cell):
                return col, r + 1
    return None


def header_block(
    grid: list[list[object]], profile: Profile, unit_col: int, first_unit_row: int
) -> tuple[int, int]:
    """(top, bottom) rows of the header: the header-like run closest above the first unit.

    Rows between the header and the first known unit (unknown units, blanks) stay data, and so
    does a block label ("街道" merged above the streets), which is no header level.
    """
    bottom = None
    for r in range(first_unit_row - 1, max(-1, first_unit_row - 400), -1):
        if is_text(grid[r][unit_col]) and names_of(profile).is_reference_row(grid[r][unit_col]):
            continue
        if is_block_label(grid[r], profile):
            continue
        if is_header_row(grid[r], profile):
            bottom = r
            break
    if bottom is None:
        return first_unit_row, first_unit_row - 1
    top = bottom
    while (
        top - 1 >= 0
        and bottom - top + 1 < MAX_HEADER_ROWS
        and is_header_row(grid[top - 1], profile)
        and not is_block_label(grid[top - 1], profile)
    ):
        top -= 1
    return top, bottom


def is_header_row(row: list[object], profile: Profile) -> bool:
    """A row of header words: at least one known header and no score-like number."""
    if any(_is_score_number(cell) for cell in row):
        return False
    return (
        sum(1 for cell in row if is_text(cell) and is_header_word(cell, profile)) >= 1
        and sum(1 for cell in row if is_text(cell)) >= 2
    ) or any(is_text(cell) and is_unit_header(cell) for cell in row)


def _is_score_number(cell: object) -> bool:
    value = parse_score(cell)[0] if cell != "" else None
    return value is not None and 0 <= value <= 100


def column_labels(
    grid: list[list[object]], merged: list[tuple[int, int, int, int]], top: int, bottom: int
) -> list[list[str]]:
    """Header labels of each column, top to bottom, with merged and spanned cells filled in."""
    width = len(grid[0]) if grid else 0
    block = [[display_text(grid[r][c]) for c in range(width)] for r in range(top, bottom + 1)]
    for r0, c0, r1, c1 in merged:
        if r1 < top or r0 > bottom:
            continue
        value = display_text(grid[r0][c0]) if r0 < len(grid) and c0 < width else ""
        for r in range(max(r0, top), min(r1, bottom) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                if not block[r - top][c]:
                    block[r - top][c] = value
    # Without merge information (CSV, some .xls), a parent label spans the columns to its right
    # that have a label below it, as long as the previous column is part of the same group.
    for level in range(len(block) - 1):
        for c in range(1, width):
            below = any(block[lower][c] for lower in range(level + 1, len(block)))
            left_grouped = any(block[lower][c - 1] for lower in range(level + 1, len(block)))
            if not block[level][c] and block[level][c - 1] and below and left_grouped:
                block[level][c] = block[level][c - 1]
    return [[block[level][c] for level in range(len(block))] for c in range(width)]
