"""Read a large sheet straight into a pandas DataFrame (respondent-level exports).

`open_workbook` turns a sheet into rows of Python values: right for a score table of twenty rows,
slow and heavy for 100,000 respondents. Here an Excel sheet goes through fastexcel (calamine in
Rust, into Arrow, then pandas) and a CSV file through `pandas.read_csv`, after the same door as
`open_workbook` (`admit`, `decode_text`); see `mytool.reading.respondents` for the isolation.
benchmarks/aggregate.py measures the choice.

A frame has no header: its columns are numbered 0, 1, … and row 0 is the sheet's first row, so
the header is found by content below any title rows. Every cell is text, or missing when empty.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mytool.diagnostics import Issue
from mytool.errors import InputError
from mytool.files import shown
from mytool.reading.sources import (
    Admission,
    check_csv_lines,
    check_csv_width,
    csv_delimiter,
    decode_text,
)

if TYPE_CHECKING:
    import pandas as pd

_CSV_WIDTH_SAMPLE = 50  # lines read to tell how many columns a CSV file has


@dataclass(frozen=True, eq=False)
class Frame:
    """One sheet of a file as text cells, columns numbered from 0, rows as in the sheet."""

    path: Path
    format: str  # "xlsx" | "xls" | "ods" | "csv"
    sheet: str
    data: pd.DataFrame
    issues: tuple[Issue, ...] = ()


def read_frames(path: Path, admission: Admission) -> Iterator[Frame]:
    """The worksheets of `path`, one at a time, read only when the caller asks for the next.

    `admission` is what the door (`mytool.reading.sources.admit`) let through for `path`.
    """
    issues = tuple(admission.issues)
    if admission.format == "csv":
        yield Frame(path, "csv", path.stem, _csv_frame(admission.data, shown(path.name)), issues)
        return
    yield from _excel_frames(path, admission.format, issues)


def _excel_frames(path: Path, kind: str, issues: tuple[Issue, ...]) -> Iterator[Frame]:
    import fastexcel
    import pandas as pd

    name = shown(path.name)
    try:
        reader = fastexcel.read_excel(path)
        for sheet in reader.sheet_names:
            batch = reader.load_sheet(
                sheet, header_row=None, skip_rows=0, dtypes="string", eager=True
            )
            # Arrow-backed columns as they are: no conversion, and missing cells are NA
            frame = batch.to_pandas(types_mapper=pd.ArrowDtype)
            frame.columns = range(frame.shape[1])
            yield Frame(path, kind, sheet, frame, issues)
    except fastexcel.FastExcelError as exc:
        raise InputError(f"{name}：文件已损坏或不是有效的电子表格（{exc}）") from exc


def _csv_frame(data: bytes, name: str) -> pd.DataFrame:
    import pandas as pd

    check_csv_lines(data, name)
    text = decode_text(data, name)
    delimiter = csv_delimiter(text)
    head = itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), _CSV_WIDTH_SAMPLE)
    widths = [len(row) for row in head]
    for line, width in enumerate(widths, start=1):
        check_csv_width(width, name, line)
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=range(max(widths, default=1)),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{name}：CSV 格式有误（{exc}）") from exc
