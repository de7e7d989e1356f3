"""Worksheet rows as XML text, spelled exactly as openpyxl spells them, spliced into its output.

openpyxl makes a cell object per cell and serialises each one through lxml: for a ledger of
5,000 problem points that was most of `ledger init` and of `split`. The ledger writer lets
openpyxl write everything around the rows (styles, drop-downs, comments, print settings, the
first data row, which fixes the style numbers) and writes the data rows here, byte for byte as
openpyxl would: inline strings, non-ASCII as character references, `xml:space="preserve"` on
text with outer spaces, `t="n"` on an empty styled cell, dates as serial numbers. Then
`splice_rows` swaps them into the saved sheet. `benchmarks/ledger_outputs.py` and
tests/test_ledger_writer.py hold both ways to the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping

from mytool.diagnostics import column_letter

TextCell = str | dt.date | None
_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 in the 1900 date system
_LETTERS = tuple(column_letter(index) for index in range(64))  # the ledger has 17 columns


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell_xml(ref: str, style: int | None, value: TextCell) -> str:
    """One cell: `value` is text already cleaned for Excel, a date, or None (empty)."""
    styled = "" if style is None else f' s="{style}"'
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}"{styled} t="inlineStr"></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{styled} t="n"><v>{_serial(value)}</v></c>'
    return f'<c r="{ref}"{styled} t="n"></c>'


def _serial(day: dt.date) -> str:
    """`day` as Excel's serial number, spelt as openpyxl spells it (`to_excel`, then "%.16g"):
    days since 1899-12-30, one fewer up to 1900-02-28 (Excel counts a 29 February 1900 that
    never was), and a datetime's time of day as a fraction. Written here so that the ledger's
    reader, which imports this module with the writer, never loads openpyxl."""
    moment = day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time())
    days = (moment - _EPOCH).days
    if 0 < days <= 60:
        days -= 1
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 10**6
    return "%.16g" % (days + seconds / 86400)


def row_xml(
    number: int, cells: Iterable[tuple[int, int | None, TextCell]], height: float | None = None
) -> str:
    """A row of (0-based column, style, value) cells; `height` in points, for printing.

    The height is not marked custom, so Excel and WPS grow the row again as people type.
    """
    inner = "".join(cell_xml(f"{_LETTERS[c]}{number}", s, v) for c, s, v in cells)
    tall = f' ht="{height:g}"' if height else ""
    return f'<row r="{number}"{tall}>{inner}</row>'


def as_bytes(xml: str) -> bytes:
    """XML text as openpyxl saves it: ASCII, everything else as character references."""
    return xml.encode("ascii", "xmlcharrefreplace")


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def splice_rows(sheet: bytes, first_row: int, rows: bytes, dimension: str) -> bytes:
    """`sheet` with its rows from `first_row` on replaced by `rows`, and its dimension set."""
    start = sheet.find(f'<row r="{first_row}"'.encode())
    end = sheet.index(b"</sheetData>")
    start = end if start < 0 else start
    spliced = sheet[:start] + rows + sheet[end:]
    return _DIMENSION.sub(f'<dimension ref="{dimension}"/>'.encode(), spliced, count=1)


def replace_parts(data: bytes, parts: Mapping[str, Callable[[bytes], bytes]]) -> bytes:
    """The .xlsx `data` with each named member passed through its function, order kept."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            change = parts.get(info.filename)
            target.writestr(info, change(body) if change else body)
    return out.getvalue()
