"""The one door every input file comes through, and the plain grids it yields.

In order: the real format is told from the first bytes, not the extension (a CSV or HTML table
saved under an .xls name still reads, with a warning); zip-based files are checked against
`Limits` by a streaming pre-scan (`mytool.reading.guard`); then the parser runs in a child
process with memory and time limits (`mytool.reading.isolation`), so a parser crash becomes a
message, not a dead run.

Everything downstream sees `Workbook` / `Sheet`: rows of Python values ("" for an empty cell),
the merged ranges, hidden state, and the cells the parser could not give a value for.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

# Imported here, not in the isolated child: a forked child would load the native library anew
# on every read, with the parent waiting (the parse itself still runs in the child).
import python_calamine as calamine

from mytool.diagnostics import WARNING, Issue, IssueCode, cell_address
from mytool.errors import InputError
from mytool.files import read_regular_file, shown
from mytool.reading.biff import xls_error_cells
from mytool.reading.grid import Cell, Sheet
from mytool.reading.guard import (
    DEFAULT_LIMITS,
    ArchiveFacts,
    Limits,
    RangeTooLarge,
    SheetFacts,
    check_archive,
    has_macros,
    scan_xlsx,
)
from mytool.reading.html_tables import read_html_tables
from mytool.reading.isolation import run_isolated

SUPPORTED = ".xlsx .xlsm .xls .ods .csv .txt"
ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
# A score workbook is small; a sheet of more cells than this is not one (exports have their own).
GRID_LIMITS = Limits(max_cells=5_000_000, memory_bytes=2 * 1024**3)
CELL_TEXT_LIMIT = 32767  # Excel's limit for the text of one cell
# What no cell's text should carry: C0 controls but tab and line breaks, DEL, lone surrogates and
# the noncharacters U+FFFE/U+FFFF. Score workbooks and exports are cleaned of them alike.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Admission:
    """A file let through the door: its bytes, real format, findings and pre-scan facts."""

    data: bytes
    format: str
    issues: list[Issue]
    facts: ArchiveFacts | None = None


@dataclass(frozen=True)
class Workbook:
    path: Path
    format: str
    sheets: list[Sheet]
    issues: list[Issue] = field(default_factory=list)


def open_workbook(path: str | Path, limits: Limits | None = None) -> Workbook:
    """Read every sheet of `path`; raise `InputError` when it cannot be used at all.

    `limits` defaults to `GRID_LIMITS`, sized for score tables read as rows of Python values.
    """
    path = Path(path)
    limits = limits or GRID_LIMITS
    admission = admit(path, limits)
    name = shown(path.name)
    if admission.format == "csv":
        rows = read_csv_rows(admission.data, name, max_cells=limits.max_cells)
        sheets = [Sheet(path.stem, rows, strict_width=True)]
    elif admission.format == "html":
        sheets = read_html_tables(decode_text(admission.data, name))
    else:
        sheets = run_isolated(_read_with_calamine, admission.data, name, name=name, limits=limits)
    issues = list(admission.issues)
    sheets = [_with_facts(sheet, admission.facts) for sheet in sheets]
    issues += _sheet_notes(sheets, name)
    sheets, cleaned = _clean_text_cells(sheets, name)
    return Workbook(path=path, format=admission.format, sheets=sheets, issues=issues + cleaned)


def identify(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, str, list[Issue]]:
    """The bytes of `path`, the format they really are, and findings (see `admit`)."""
    admission = admit(path, limits)
    return admission.data, admission.format, admission.issues


def admit(path: Path, limits: Limits = DEFAULT_LIMITS, *, deep: bool = True) -> Admission:
    """Let `path` through the door or raise `InputError` saying why not.

    Formats: "xlsx" (also .xlsm), "xls", "ods", "csv" (delimited text, also .txt and Excel's
    UTF-16 "Unicode 文本") and "html". Refused: missing, empty,
    oversized, encrypted, truncated and non-spreadsheet files, zip and entity bombs, and
    sheets whose used range exceeds `limits`. With `deep=False` an xlsx file's sheets are not
    scanned yet (the caller runs `deep_scan` alongside an isolated parser): its facts hold no
    sheets, only whether it carries macros.
    """
    name = shown(path.name)
    if path.is_dir():
        raise InputError(f"{name}：这是一个文件夹，不是测评结果文件")
    data = read_regular_file(path, limit=limits.max_file_bytes)
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        raise InputError(f"{name}：文件是空的")
    kind = sniff(data)
    issues: list[Issue] = []
    facts = None
    claimed = path.suffix.lower()
    if kind == "zip":
        kind, facts = _check_zip(data, name, limits, deep)
        if facts and facts.macros:
            issues.append(
                Issue(
                    IssueCode.MACROS_IGNORED, WARNING, "工作簿含宏（VBA），宏已忽略、不会运行", name
                )
            )
    elif kind == "ole2":
        if _ENCRYPTED_MARK in data:
            raise InputError(f"{name}：工作簿设置了打开密码，无法读取；请向发送方索取未加密的副本")
        kind = "xls"
        facts = ArchiveFacts(
            {sheet: SheetFacts(bad_cells=cells) for sheet, cells in xls_error_cells(data).items()}
        )
    if kind in ("csv", "html") and claimed in {".xlsx", ".xlsm", ".xls", ".ods"}:
        what = "CSV 文本" if kind == "csv" else "网页（HTML）表格"
        issues.append(
            Issue(
                IssueCode.DISGUISED_FORMAT,
                WARNING,
                f"扩展名是 {claimed}，内容实际是{what}，已按{what}读取",
                name,
            )
        )
    if kind == "csv" and _looks_binary(data):
        raise InputError(f"{name}：不是电子表格文件（支持 {SUPPORTED}）")
    return Admission(data, kind, issues, facts)


def sniff(data: bytes) -> str:
    """The container a file really is: "zip", "ole2", "html" or "csv" (text)."""
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE2_MAGIC):
        return "ole2"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<table" in head:
        return "html"
    return "csv"


# What zipfile raises for broken archives: bad headers, unknown compression methods or zip
# versions (NotImplementedError), encrypted members (RuntimeError), corrupt deflate streams.
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
)


def deep_scan(admission: Admission, name: str, limits: Limits) -> ArchiveFacts | None:
    """The sheet scan `admit(deep=False)` left out; raises `InputError` like `admit`."""
    if admission.format != "xlsx":
        return None
    return _check_zip(admission.data, name, limits, deep=True)[1]


def _check_zip(
    data: bytes, name: str, limits: Limits, deep: bool
) -> tuple[str, ArchiveFacts | None]:
    """The zip-based format ("xlsx" or "ods") after the pre-scan; facts for xlsx."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
            if "mimetype" in members and b"spreadsheet" in archive.read("mimetype")[:200]:
                check_archive(archive, name, limits)
                return "ods", None
            if "xl/workbook.xml" in members:
                if not deep:  # the sheets are scanned later, but macros are told of now
                    check_archive(archive, name, limits)
                    return "xlsx", ArchiveFacts({}, macros=has_macros(archive))
                return "xlsx", scan_xlsx(archive, name, limits)
            if "xl/workbook.bin" in members:
                raise InputError(f"{name}：不支持 Excel 二进制工作簿（.xlsb）；请另存为 .xlsx")
    except _ZIP_FAILURES as exc:
        raise InputError(f"{name}：文件已损坏或不完整（无法解压：{exc}）") from exc
    raise InputError(f"{name}：这是一个压缩包，但不是电子表格（支持 {SUPPORTED}）")


def _with_facts(sheet: Sheet, facts: ArchiveFacts | None) -> Sheet:
    found = facts.sheets.get(sheet.name) if facts else None
    if found is None:
        return sheet
    return replace(
        sheet,
        hidden=sheet.hidden or found.hidden,
        hidden_rows=found.hidden_rows,
        bad_cells=found.bad_cells,
        percent_cells=found.percent_cells,
    )


def scan_notes(facts: ArchiveFacts | None, name: str) -> list[Issue]:
    """The hidden sheets and rows `deep_scan` found, listed as `open_workbook` lists them."""
    if facts is None:
        return []
    sheets = [
        Sheet(sheet, [], hidden=found.hidden, hidden_rows=found.hidden_rows)
        for sheet, found in facts.sheets.items()
    ]
    return _sheet_notes(sheets, name)


def _sheet_notes(sheets: list[Sheet], name: str) -> list[Issue]:
    """Hidden sheets and rows are read like the rest, and listed."""
    notes = []
    hidden = [sheet.name for sheet in sheets if sheet.hidden]
    if hidden:
        notes.append(
            Issue(
                IssueCode.HIDDEN_SHEETS,
                WARNING,
                f"有隐藏的工作表：{'、'.join(hidden)}（已照常读取）",
                name,
            )
        )
    for sheet in sheets:
        if sheet.hidden_rows:
            rows = "、".join(str(r + 1) for r in sheet.hidden_rows[:20])
            more = "等" if len(sheet.hidden_rows) > 20 else ""
            notes.append(
                Issue(
                    IssueCode.HIDDEN_ROWS,
                    WARNING,
                    f"工作表「{sheet.name}」有隐藏行：第 {rows}{more} 行（已照常读取）",
                    name,
                    sheet.name,
                )
            )
    return notes


def _clean_text_cells(sheets: list[Sheet], name: str) -> tuple[list[Sheet], list[Issue]]:
    """Strip control characters and cut over-long text, with one warning per sheet."""
    issues = []
    cleaned_sheets = []
    for sheet in sheets:
        first_place, count = "", 0
        rows = sheet.rows
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if isinstance(cell, str) and (
                    CONTROL_CHARACTERS.search(cell) or len(cell) > CELL_TEXT_LIMIT
                ):
                    if rows is sheet.rows:
                        rows = [list(each) for each in sheet.rows]
                    rows[r][c] = CONTROL_CHARACTERS.sub("", cell)[:CELL_TEXT_LIMIT]
                    count += 1
                    first_place = first_place or cell_address(sheet.name, r, c)
        if count:
            issues.append(
                Issue(
                    IssueCode.TEXT_CLEANED,
                    WARNING,
                    f"{count} 个单元格含控制字符或超过 {CELL_TEXT_LIMIT} 个字符，"
                    f"已删去控制字符、截断超长文字（第一个在 {first_place}）",
                    name,
                    first_place,
                )
            )
        cleaned_sheets.append(sheet if rows is sheet.rows else replace(sheet, rows=rows))
    return cleaned_sheets, issues


def _looks_binary(data: bytes) -> bool:
    """NUL bytes mean binary, except in UTF-16 text with a BOM (Excel's "Unicode 文本")."""
    return not data.startswith(UTF16_BOMS) and b"\x00" in data[:4096]


def _read_with_calamine(data: bytes, name: str) -> list[Sheet]:
    """Every worksheet through python-calamine (run isolated: see `open_workbook`)."""
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue
            sheet = book.get_sheet_by_name(meta.name)
            # calamine's cell union is a narrower Cell; list invariance needs the cast, not a copy
            rows = cast("list[list[Cell]]", sheet.to_python(skip_empty_area=False))
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            hidden = str(meta.visible).rsplit(".", 1)[-1] != "Visible"
            sheets.append(Sheet(meta.name, rows, merged, hidden))
    except calamine.PasswordError as exc:
        raise InputError(
            f"{name}：工作簿设置了打开密码，无法读取；请向发送方索取未加密的副本"
        ) from exc
    except (calamine.CalamineError, ValueError, OSError) as exc:
        raise InputError(f"{name}：文件已损坏或不是有效的电子表格（{exc}）") from exc
    return sheets


def decode_text(data: bytes, name: str) -> str:
    """Decode CSV bytes: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030 (GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith(UTF16_BOMS):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failure = exc
    raise InputError(
        f"{name}：无法识别文字编码（第 {failure.start + 1} 个字节附近），"
        "请在 Excel/WPS 中另存为 UTF-8 或 GBK 编码的 CSV（或“Unicode 文本”）"
    )


MAX_LINE_BYTES = 1024 * 1024  # a line of a score table or export is a few kilobytes
MAX_CSV_COLUMNS = 16384  # Excel's own limit


def check_csv_lines(data: bytes, name: str) -> None:
    """Refuse a text file with a line of over MAX_LINE_BYTES, without splitting it into lines.

    Every stretch of MAX_LINE_BYTES must hold a line break; a longer line spans at least one
    whole stretch, so it is found after len(data) / MAX_LINE_BYTES searches at memory speed.
    """
    for start in range(0, len(data) - MAX_LINE_BYTES + 1, MAX_LINE_BYTES):
        end = start + MAX_LINE_BYTES
        if data.find(b"\n", start, end) < 0 and data.find(b"\r", start, end) < 0:
            line = data.count(b"\n", 0, start) + 1
            raise InputError(
                f"{name}：第 {line} 行超过 {MAX_LINE_BYTES // (1024 * 1024)} MB，"
                "不是正常的表格文本，已拒绝读取"
            )


def check_csv_width(columns: int, name: str, line: int) -> None:
    if columns > MAX_CSV_COLUMNS:
        raise InputError(
            f"{name}：第 {line} 行有 {columns} 列，超过 {MAX_CSV_COLUMNS} 列的限制"
            "（Excel 的上限），已拒绝读取"
        )


def read_csv_rows(data: bytes, name: str, *, max_cells: int | None = None) -> list[list[Cell]]:
    """Rows of a CSV file, delimiter sniffed among comma, tab and semicolon.

    Bounded: lines of at most MAX_LINE_BYTES, rows of at most MAX_CSV_COLUMNS, and (with
    `max_cells`) a `RangeTooLarge` for a file bigger than a score table, so a questionnaire
    export goes to the reader built for it.
    """
    check_csv_lines(data, name)
    text = decode_text(data, name)
    if max_cells is not None:
        lines = text.count("\n") + 1
        first = text[: text.find("\n")] if "\n" in text else text
        width = max(first.count(d) for d in ",\t;") + 1
        if lines * min(width, MAX_CSV_COLUMNS) > max_cells:
            raise RangeTooLarge(
                f"{name}：约 {lines} 行 × {width} 列，超出成绩表的限制（{max_cells:,} 个单元格）"
            )
    rows: list[list[Cell]] = []
    try:
        for number, row in enumerate(
            # newline=None: old Mac CSV ends lines with a bare \r, which csv.reader refuses
            csv.reader(io.StringIO(text, newline=None), delimiter=csv_delimiter(text)),
            start=1,
        ):
            check_csv_width(len(row), name, number)
            rows.append(list(row))
    except csv.Error as exc:
        raise InputError(f"{name}：CSV 格式有误（{exc}）") from exc
    return rows


def csv_delimiter(text: str) -> str:
    """The delimiter of CSV text: comma, tab or semicolon, sniffed from its start."""
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:  # e.g. a title line above the table: the most frequent candidate
        return max(",\t;", key=sample.count)
