"""Open a spreadsheet file of any supported format as plain grids of cell values.

Everything downstream sees `Workbook` / `Sheet`: rows of Python values ("" for an empty cell),
the merged ranges, and whether the sheet is hidden. The real format is told from the first bytes,
not the extension, so a CSV saved under an .xls name still reads.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from mytool.diagnostics import WARNING, Issue
from mytool.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv"}

Cell = object  # str | float | int | bool | datetime | date | time | timedelta; "" when empty


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Cell]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False


@dataclass(frozen=True)
class Workbook:
    path: Path
    format: str
    sheets: list[Sheet]
    issues: list[Issue] = field(default_factory=list)


def open_workbook(path: str | Path) -> Workbook:
    """Read every sheet of `path`; raise `InputError` when it cannot be used at all."""
    path = Path(path)
    data, kind, issues = identify(path)
    if kind == "csv":
        sheets = [Sheet(path.stem, read_csv_rows(data, path.name))]
    else:
        sheets = _read_with_calamine(data, path.name)
    return Workbook(path=path, format=kind, sheets=sheets, issues=issues)


def identify(path: Path) -> tuple[bytes, str, list[Issue]]:
    """The bytes of `path`, the format they really are ("xlsx", "xls", "ods", "csv"), findings.

    Raise `InputError` when the file cannot be used at all (missing, empty, encrypted, HTML …).
    """
    name = path.name
    if not path.exists():
        raise InputError(f"{name}：文件不存在（{path}）")
    if path.is_dir():
        raise InputError(f"{name}：这是一个文件夹，不是测评结果文件")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}：无法读取文件（{exc.strerror or exc}）") from exc
    if not data.strip():
        raise InputError(f"{name}：文件是空的")
    kind = sniff(data)
    issues: list[Issue] = []
    claimed = path.suffix.lower()
    if kind == "zip":
        kind = _zip_kind(data, name)
    elif kind == "ole2":
        if _ENCRYPTED_MARK in data:
            raise InputError(f"{name}：工作簿设置了打开密码，无法读取；请向发送方索取未加密的副本")
        kind = "xls"
    elif kind == "html":
        raise InputError(
            f"{name}：这是网页（HTML）格式，不是电子表格；请在 Excel/WPS 中打开后另存为 .xlsx"
        )
    if kind == "csv" and claimed in {".xlsx", ".xlsm", ".xls", ".ods"}:
        issues.append(
            Issue(
                "disguised-format",
                WARNING,
                f"扩展名是 {claimed}，内容实际是 CSV 文本，已按 CSV 读取",
                name,
            )
        )
    if kind == "csv" and claimed not in _SPREADSHEET_SUFFIXES | {""} and _looks_binary(data):
        raise InputError(f"{name}：不是电子表格文件（支持 .xlsx .xlsm .xls .ods .csv）")
    return data, kind, issues


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


def _zip_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
            if "mimetype" in members:
                mimetype = archive.read("mimetype").decode("ascii", "replace")
                if "spreadsheet" in mimetype:
                    return "ods"
            if "xl/workbook.xml" in members or "xl/workbook.bin" in members:
                return "xlsx"
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"{name}：文件已损坏或不完整（无法解压：{exc}）") from exc
    raise InputError(f"{name}：这是一个压缩包，但不是电子表格（支持 .xlsx .xlsm .xls .ods .csv）")


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:4096]


def _read_with_calamine(data: bytes, name: str) -> list[Sheet]:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
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
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
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
        "请在 Excel/WPS 中另存为 UTF-8 或 GBK 编码的 CSV"
    )


def read_csv_rows(data: bytes, name: str) -> list[list[Cell]]:
    """Rows of a CSV file, delimiter sniffed among comma, tab and semicolon."""
    text = decode_text(data, name)
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), delimiter=csv_delimiter(text))]
    except csv.Error as exc:
        raise InputError(f"{name}：CSV 格式有误（{exc}）") from exc


def csv_delimiter(text: str) -> str:
    """The delimiter of CSV text: comma, tab or semicolon, sniffed from its start."""
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        return "\t" if sample.count("\t") > sample.count(",") else ","
