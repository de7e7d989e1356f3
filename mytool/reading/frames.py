"""Read a large sheet straight into a pandas DataFrame (respondent-level exports).

`open_workbook` turns a sheet into rows of Python values: right for a score table of twenty rows,
slow and heavy for 100,000 respondents. Here a CSV file goes through pyarrow's CSV reader (or
`pandas.read_csv`) after the same door as `open_workbook` (`admit`, `decode_text`), and an Excel
sheet, read into Arrow by fastexcel in the isolated child (`mytool.reading.export_sheets`),
becomes a frame without a copy. benchmarks/aggregate.py measures the choice.

A frame has no header: its columns are numbered 0, 1, … and row 0 is the sheet's first row, so
the header is found by content below any title rows. Every cell is text, or missing when empty.
"""

from __future__ import annotations

import csv
import io
import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from mytool.diagnostics import Issue
from mytool.errors import InputError
from mytool.files import shown
from mytool.reading.sources import (
    UTF16_BOMS,
    Admission,
    check_csv_lines,
    check_csv_width,
    csv_delimiter,
    decode_text,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

_CSV_WIDTH_SAMPLE = 50  # lines read to tell how many columns a CSV file has


@dataclass(frozen=True, eq=False)
class Frame:
    """One sheet of a file as text cells, columns numbered from 0, rows as in the sheet."""

    path: Path
    format: str  # "xlsx" | "xls" | "ods" | "csv"
    sheet: str
    data: pd.DataFrame
    issues: tuple[Issue, ...] = ()


def csv_frame(path: Path, admission: Admission) -> Frame:
    """The CSV file at `path` as one frame; `admission` is what the door
    (`mytool.reading.sources.admit`) let through for it."""
    data = _csv_frame(admission.data, shown(path.name))
    return Frame(path, "csv", path.stem, data, tuple(admission.issues))


def arrow_frame(batch: pa.RecordBatch) -> pd.DataFrame:
    """A sheet read into Arrow (`mytool.reading.export_sheets`) as a frame: Arrow-backed
    columns as they are, no conversion and no copy; missing cells are NA."""
    # Lazy by design: pandas/pyarrow load only for an export, overlapping its read.
    import pandas as pd

    frame = batch.to_pandas(types_mapper=pd.ArrowDtype)
    frame.columns = range(frame.shape[1])
    return frame


def _csv_frame(data: bytes, name: str) -> pd.DataFrame:
    """A CSV file as text cells, read by pyarrow when it reads it as pandas' C parser would.

    Neither parser is handed an `io.StringIO`: pandas re-copies a text stream's buffer on every
    chunk, which made a 500k-row export take 90 s. A UTF-8 file (the usual export) goes to
    pyarrow as it is, and pyarrow's own UTF-8 check stands in for decoding it here; anything
    else (GBK, UTF-16, bytes that are not UTF-8 after all, a title line or a ragged row) is
    decoded by `decode_text` as before and re-encoded to UTF-8 once. A file pyarrow refuses
    (a ragged row: short rows are padded, long ones refused) is read by pandas' C parser.
    """
    check_csv_lines(data, name)
    head, whole = _utf8_head(data)
    start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    tried = None
    if head is not None and (shape := _csv_shape(head, name, whole=whole)) is not None:
        tried = memoryview(data)[start:]
        frame = _arrow_csv_frame(tried, shape)
        if frame is not None:
            return frame
    text = decode_text(data, name)
    shape = _csv_shape(text, name, whole=True) or _CsvShape(",", [], frozenset())
    utf8 = text.encode("utf-8")
    del text
    if tried is None or utf8 != tried:  # pyarrow already refused these very bytes
        frame = _arrow_csv_frame(utf8, shape)
        if frame is not None:
            return frame
    import pandas as pd  # lazy: heavy (and on the usual path imported during pyarrow's parse)

    try:
        return pd.read_csv(
            io.BytesIO(utf8),
            encoding="utf-8",
            sep=shape.delimiter,
            header=None,
            names=range(max(shape.widths, default=1)),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{name}：CSV 格式有误（{exc}）") from exc


_UTF8_BOM = b"\xef\xbb\xbf"
_HEAD_BYTES = 4 * 1024 * 1024  # the start of a file, decoded to find its delimiter and width


def _utf8_head(data: bytes) -> tuple[str | None, bool]:
    """The first whole lines of a UTF-8 file (BOM dropped), and whether they are all of it.

    (None, False) when the file may not be UTF-8 (a UTF-16 BOM, or bytes UTF-8 refuses).
    """
    if data.startswith(UTF16_BOMS):
        return None, False
    start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    end = len(data)
    if end - start > _HEAD_BYTES:
        end = (
            max(
                data.rfind(b"\n", start, start + _HEAD_BYTES),
                data.rfind(b"\r", start, start + _HEAD_BYTES),
            )
            + 1
        )
    try:
        return data[start:end].decode("utf-8"), end == len(data)
    except UnicodeDecodeError:
        return None, False


@dataclass(frozen=True)
class _CsvShape:
    """What the first rows of a CSV file tell: its delimiter, their widths, and the columns
    with few distinct values among them (answers, units), read dictionary-encoded."""

    delimiter: str
    widths: list[int]
    coded: frozenset[int]


def _csv_shape(text: str, name: str, *, whole: bool) -> _CsvShape | None:
    """The shape of the first rows, as the whole file's text would give it.

    For the start of a file (`whole` false) None when it holds too little to be sure.
    """
    delimiter = csv_delimiter(text)
    lines = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)  # \r, \r\n → \n
    rows = list(itertools.islice(lines, _CSV_WIDTH_SAMPLE + 1))
    if not whole and (len(text) < 8192 or len(rows) <= _CSV_WIDTH_SAMPLE):
        return None  # the sniffer's sample or the last row sampled might run past the start
    rows = rows[:_CSV_WIDTH_SAMPLE]
    for line, row in enumerate(rows, start=1):
        check_csv_width(len(row), name, line)
    columns = zip(*rows, strict=False) if rows else ()
    coded = {i for i, cells in enumerate(columns) if len(set(cells)) <= _FEW_VALUES}
    return _CsvShape(delimiter, [len(row) for row in rows], frozenset(coded))


# Columns with at most this many distinct cells in the first rows (answer labels, units, sex)
# are dictionary-encoded as they are parsed, on every core: scoring then needs no pass over
# their text, and the frame holds small codes instead of half a million strings each. The
# choice changes no cell, only how fast a column is read.
_FEW_VALUES = 20


def _arrow_csv_frame(utf8: bytes | memoryview, shape: _CsvShape) -> pd.DataFrame | None:
    """The frame pandas' C parser would give, via pyarrow; None for a file it cannot take so.

    Same reading: double quotes (doubled inside), line breaks inside quotes, empty lines kept,
    every cell text, empty (quoted or not) missing. Any row of another width, bytes that are
    not UTF-8, or anything else pyarrow refuses leaves the file to the caller.
    """
    if len(set(shape.widths)) != 1:
        return None  # a title line above the table: rows of several widths, padded by pandas
    # Lazy by design: pandas/pyarrow load only for an export, overlapping its read.
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [str(i) for i in range(shape.widths[0])]
    coded = pa.dictionary(pa.int32(), pa.string())
    types = {name: coded if i in shape.coded else pa.string() for i, name in enumerate(names)}
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(
            pacsv.read_csv,
            pa.BufferReader(pa.py_buffer(utf8)),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=shape.delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                # scanning for quoted line breaks serialises the parse: only when quotes exist
                newlines_in_values=_has_quote(utf8),
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                check_utf8=True,
            ),
        )
        # Meanwhile: pyarrow parses in its own threads without the GIL, so pandas (needed for
        # the frame, 0.3 s) is imported during the parse instead of before it.
        import pandas as pd

        try:
            table = parsing.result()
        except pa.ArrowInvalid:
            return None
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    frame.columns = range(len(names))
    return frame


def _has_quote(utf8: bytes | memoryview) -> bool:
    # a view's underlying object is the bytes it views (typed only as a Buffer): no copy
    whole = cast("bytes", utf8.obj) if isinstance(utf8, memoryview) else utf8
    return whole.find(b'"') >= 0
