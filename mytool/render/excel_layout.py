"""What goes into a worksheet, decided without openpyxl: safe cell text, display widths, column
specs, grade colours, sheet titles, and the shared looks as names and numbers.

Text from input files is always written as a string cell, never as a formula, and control
characters that Excel refuses are removed (`excel_text`). Modules that only measure or clean
text (the ledger's reader and its XML merge) import this one; `mytool.render.excel` writes the
cells with openpyxl.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mytool.profile import Profile
from mytool.render.grades import grade_color

SCORE_FORMAT = "0.00"
TIED_FORMAT = '0"（并列）"'  # a tied rank stays a number and reads "12（并列）"
EXCEL_CELL_LIMIT = 32767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
HEADER_FILL = "DDEBF7"
FLAG_FILL = "FCE4D6"
# 等线 is Excel's own default for Chinese text (WPS and LibreOffice substitute their CJK sans).
BODY_FONT = "等线"
BODY_SIZE = 11
TITLE_SIZE = 14
PAPER_A4 = 9  # the page setup's paper size code


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


@functools.lru_cache(maxsize=65536)
def text_width(text: str) -> int:
    """Display width of `text` (CJK characters count double); the same texts recur a lot."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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
