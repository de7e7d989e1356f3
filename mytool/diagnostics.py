"""Problems found in the data are values, not exceptions: readers return them beside the table."""

from __future__ import annotations

from dataclasses import dataclass

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
