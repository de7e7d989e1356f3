"""The plain grid every reader works on: a sheet's rows of Python values and what the parser
noticed about its cells (merged ranges, hidden rows, formulas without values, percent formats).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = object  # str | float | int | bool | datetime | date | time | timedelta; "" when empty


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Cell]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False
    hidden_rows: tuple[int, ...] = ()  # zero-based
    # (row, col) of cells read as "" because they hold a formula without a cached value ("")
    # or a cached error such as "#DIV/0!"
    bad_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    # (row, col) of numeric cells formatted as a percentage (0.7853 shown as 78.53%)
    percent_cells: frozenset[tuple[int, int]] = frozenset()
    strict_width: bool = False  # CSV: a data row may not be longer than its header
