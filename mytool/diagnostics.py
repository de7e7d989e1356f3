"""Problems found in the data are values, not exceptions: readers return them beside the table."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?$")

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Issue:
    """One finding about an input file, located in the spreadsheet's own terms.

    `code` is a stable kebab-case identifier scripts may rely on; `message` is Chinese.
    `place` is an Excel-style address such as ``大类!C7`` (or a sheet name, or empty).
    """

    code: str
    severity: str
    message: str
    file: str = ""
    place: str = ""
    unit: str = ""

    @property
    def sheet(self) -> str:
        """The sheet part of `place` ("大类" of ``大类!C7``; a place without a cell is a sheet)."""
        if "!" in self.place:
            return self.place.rpartition("!")[0]
        return "" if _CELL.match(self.place) else self.place

    @property
    def cell(self) -> str:
        """The cell (or range) part of `place` ("C7" of ``大类!C7``), or ""."""
        tail = self.place.rpartition("!")[2]
        return tail if _CELL.match(tail) else ""

    def as_dict(self, source: str = "") -> dict:
        """The JSON object of an issue: code, severity, message, file, sheet, cell, unit."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file or source or None,
            "sheet": self.sheet or None,
            "cell": self.cell or None,
            "unit": self.unit or None,
        }

    def located(self) -> str:
        """The message prefixed by file and place, as printed to a user."""
        where = "：".join(part for part in (self.file, self.place) if part)
        return f"{where}：{self.message}" if where else self.message


def cell_address(sheet: str, row: int, col: int) -> str:
    """Excel address of a zero-based (row, col) in `sheet`, e.g. ``大类!C7``."""
    return f"{sheet}!{column_letter(col)}{row + 1}" if sheet else f"{column_letter(col)}{row + 1}"


def column_letter(col: int) -> str:
    """Excel column letters of a zero-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
