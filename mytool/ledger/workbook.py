"""The ledger as an Excel workbook: writing it (with drop-downs and marked columns), reading it.

Layout: sheet 整改台账, a note in row 1, the 17 headers in row 2, one problem point per row from
row 3. The ID and source columns are grey and must not be edited; 状态 is a drop-down; dates are
date cells. A copy sent out by `ledger split` also carries a very hidden sheet 分发快照 holding the
editable values as they were when it went out (see `mytool.ledger.merge`).

Reading finds the header row and each column by its name, so inserted, moved or renamed columns
are recognised and reported rather than read as the wrong column.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mytool.analysis.ledger.columns import (
    COLUMNS,
    DATE_COLUMNS,
    EDITABLE_COLUMNS,
    FIXED_COLUMNS,
    ID,
    STATUS,
    STATUSES,
    cell_text,
    parse_cells,
)
from mytool.analysis.ledger.model import Entry, Ledger
from mytool.diagnostics import WARNING, Issue, IssueCode, column_letter
from mytool.errors import InputError
from mytool.files import shown
from mytool.ledger.rows_xml import as_bytes, replace_parts, row_xml, splice_rows
from mytool.reading.guard import Limits
from mytool.reading.sources import admit
from mytool.render.excel_layout import excel_text, text_width
from mytool.text import display_text

LEDGER_SHEET = "整改台账"
SNAPSHOT_SHEET = "分发快照"
HEADER_ROW = 2
DATE_FORMAT = "yyyy-mm-dd"
FIXED_FILL = "E7E6E6"
EDITABLE_FILL = "DDEBF7"
# Column widths (characters) for each paper the profile may name ([ledger] paper). Printed
# landscape and fit to the page width, the 11 pt text comes out at about 8 pt on A4 and 10 pt
# on A3. The columns people fill in by hand get the room (about 3.5 cm on A4, 5 cm on A3);
# the grey columns wrap their text instead.
_A4 = (12, 7, 8, 8, 10, 13, 13, 8, 22, 9, 11, 22, 7, 11, 12, 11, 7)
_A3 = (12, 7, 9, 9, 11, 15, 15, 9, 28, 9, 12, 28, 8, 12, 16, 12, 9)
LAYOUTS = {
    "A4": dict(zip(COLUMNS, _A4, strict=True)),
    "A3": dict(zip(COLUMNS, _A3, strict=True)),
}
PAPER_SIZES = {"A4": 9, "A3": 8}  # the codes of the sheet's page setup
TITLE_HEIGHT = 24  # points: the title and note, across the columns
LINE_HEIGHT = 15  # points per line of wrapped text in a data row
VALIDATED_ROWS = 2000  # rows below the data that keep the drop-down, for rows people add
NOTE = (
    "灰色列（编号、期次、街镇、大类、小项、点位地址、问题描述、牵头部门）为分发时的原始信息，"
    "请勿修改；请在白色列填写整改情况，状态从下拉列表选择（{choices}），日期写成 2024-03-15。"
)


@dataclass(frozen=True)
class Snapshot:
    """The editable values of a copy when it went out: ID → column → canonical text."""

    master: str
    group: str
    made: str
    values: Mapping[str, Mapping[str, str]]


def ledger_workbook(
    entries: Iterable[Entry], *, title: str, snapshot: Snapshot | None = None, paper: str = "A4"
) -> bytes:
    """The ledger (or a copy of part of it) as .xlsx bytes.

    More than MAX_LEDGER_ROWS entries are refused here, so that every ledger written can be
    read back (see LEDGER_LIMITS). openpyxl writes the workbook with the first rows only;
    the data rows are written as XML text and spliced in (see `mytool.ledger.rows_xml`).
    """
    # Writing only: keeps openpyxl off `ledger status`, which reads with calamine.
    from mytool.render.excel import new_workbook, workbook_bytes

    entries = list(entries)
    if len(entries) > MAX_LEDGER_ROWS:
        raise InputError(
            f"点位问题共 {len(entries):,} 个，超过一本整改台账的上限（{MAX_LEDGER_ROWS:,} 个），"
            "未建台账；请把点位问题清单按街镇或牵头部门分成几份，分别建台账"
        )
    book = new_workbook()  # 等线 as the workbook's font
    sheet = book.active
    sheet.title = LEDGER_SHEET
    rows = _stored_rows(entries)
    heights = _row_heights(rows, paper)
    samples = _write_ledger_sheet(sheet, entries, (rows, heights), title)
    _lay_out(sheet, paper)
    parts: dict[str, Callable[[bytes], bytes]] = {}
    if snapshot is not None:
        copy = book.create_sheet(SNAPSHOT_SHEET)
        _write_snapshot(copy, snapshot)
    skeleton = workbook_bytes(book)
    styles = {look: cell.style_id for look, cell in samples.items()}  # numbered by the save
    data = as_bytes("".join(_ledger_rows(rows, styles, heights)))
    dimension = f"A1:{column_letter(len(COLUMNS) - 1)}{HEADER_ROW + len(rows)}"
    parts[sheet.path[1:]] = lambda xml: splice_rows(xml, HEADER_ROW + 1, data, dimension)
    if snapshot is not None:
        parts[copy.path[1:]] = _snapshot_part(snapshot)
    return replace_parts(skeleton, parts)


Stored = str | dt.date | None
_FIXED = tuple(column in FIXED_COLUMNS for column in COLUMNS)


def _stored_rows(entries: list[Entry]) -> list[list[Stored]]:
    """Each cell as the sheet holds it: text cleaned for Excel, dates, None when empty."""

    rows: list[list[Stored]] = []
    for entry in entries:
        row: list[Stored] = []
        for fixed, column in zip(_FIXED, COLUMNS, strict=True):
            value = entry.values.get(column)
            if isinstance(value, dt.date) or not value:
                row.append(value or None)
            else:
                row.append(excel_text(display_text(value) if fixed else value))
        rows.append(row)
    return rows


Look = tuple[bool, bool]  # (a grey column, a date cell)


def _looks_in_order(rows: list[list[Stored]]) -> list[int]:
    """The rows that first show each look: written by openpyxl, they number its styles."""
    seen: set[Look] = set()
    chosen = []
    for number, row in enumerate(rows):
        looks = {(f, isinstance(v, dt.date)) for f, v in zip(_FIXED, row, strict=True)}
        if looks - seen:
            chosen.append(number)
            seen |= looks
    return chosen


def _ledger_rows(
    rows: list[list[Stored]], styles: Mapping[Look, int], heights: list[float | None]
) -> Iterator[str]:
    for number, (row, height) in enumerate(zip(rows, heights, strict=True), start=HEADER_ROW + 1):
        cells = [
            (index, styles[(fixed, isinstance(value, dt.date))], value)
            for index, (fixed, value) in enumerate(zip(_FIXED, row, strict=True))
        ]
        yield row_xml(number, cells, height)


def _row_heights(rows: list[list[Stored]], paper: str) -> list[float | None]:
    """Each row's height (points) with its text wrapped in the columns of `paper`.

    LibreOffice prints the rows of a file at their stored height, and with none stored, at one
    line: text that wraps would be cut off.
    """

    room = [max(LAYOUTS[paper][column] - 1, 1) for column in COLUMNS]
    heights: list[float | None] = []
    for row in rows:
        lines = 1
        for value, width in zip(row, room, strict=True):
            if isinstance(value, str):
                wrapped = sum(-(-text_width(part) // width) or 1 for part in value.split("\n"))
                lines = max(lines, wrapped)
        heights.append(LINE_HEIGHT * lines if lines > 1 else None)
    return heights


def _write_ledger_sheet(
    sheet: Any,
    entries: list[Entry],
    table: tuple[list[list[Stored]], list[float | None]],
    title: str,
) -> dict[Look, Any]:
    """Everything but the data rows, which come from `rows` (see `ledger_workbook`).

    A sample of the rows is written cell by cell, so that openpyxl numbers the looks as it
    would for all of them; returns a cell of each look.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, PatternFill, Side
    from openpyxl.utils import get_column_letter

    # Writing only: keeps openpyxl off `ledger status`, which reads with calamine.
    from mytool.render.excel import Looks, font, put

    choices = "、".join(STATUSES)
    note = put(sheet, 1, 1, f"{title}　{NOTE.format(choices=choices)}")
    note.font = font(bold=True)
    note.alignment = Alignment(vertical="center", wrap_text=True)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fixed = PatternFill("solid", fgColor=FIXED_FILL)
    editable = PatternFill("solid", fgColor=EDITABLE_FILL)
    for index, column in enumerate(COLUMNS, start=1):
        cell = put(sheet, HEADER_ROW, index, column)
        cell.font = font(bold=True, color="595959" if column in FIXED_COLUMNS else "000000")
        cell.fill = fixed if column in FIXED_COLUMNS else editable
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if column in FIXED_COLUMNS:
            cell.comment = Comment("分发时的原始信息，请勿修改（合并时不读取本列的改动）", "mytool")
    top = Alignment(vertical="top", wrap_text=True)
    looks = Looks.of(sheet)
    cell_looks = {
        True: {"border": border, "alignment": top, "fill": fixed},
        False: {"border": border, "alignment": top},
    }
    samples: dict[Look, Any] = {}
    rows, heights = table
    for row, number in enumerate(_looks_in_order(rows), start=HEADER_ROW + 1):
        sheet.row_dimensions[row].height = heights[number]
        for index, (marked, value) in enumerate(zip(_FIXED, rows[number], strict=True), start=1):
            cell = _put_stored(sheet, row, index, value)
            looks.apply(cell, ("ledger cell", marked), cell_looks[marked])
            samples.setdefault((marked, isinstance(value, dt.date)), cell)
    last = HEADER_ROW + len(entries) + VALIDATED_ROWS
    _add_validation(sheet, last)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{HEADER_ROW}"
    return samples


def _add_validation(sheet: Any, last: int) -> None:
    """状态: a drop-down that refuses other text; date columns: a warning for non-dates."""
    from openpyxl.worksheet.datavalidation import DataValidation

    first = HEADER_ROW + 1
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="状态",
        error="请从下拉列表中选择：" + "、".join(STATUSES),
    )
    status.add(
        f"{column_letter(COLUMNS.index(STATUS))}{first}:"
        f"{column_letter(COLUMNS.index(STATUS))}{last}"
    )
    dates = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 2000-01-01
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="日期",
        error="请填写日期，如 2024-03-15",
    )
    for column in sorted(DATE_COLUMNS):
        letter = column_letter(COLUMNS.index(column))
        dates.add(f"{letter}{first}:{letter}{last}")
    sheet.add_data_validation(status)
    sheet.add_data_validation(dates)


def _lay_out(sheet: Any, paper: str) -> None:
    """Widths, the title across the columns, and printing on `paper`: landscape, fit to width."""
    from openpyxl.worksheet.page import PageMargins

    # Writing only: keeps openpyxl off `ledger status`, which reads with calamine.
    from mytool.render.excel import prepare_print

    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[column_letter(index)].width = LAYOUTS[paper][column]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.row_dimensions[1].height = TITLE_HEIGHT
    prepare_print(sheet, freeze=f"C{HEADER_ROW + 1}")
    sheet.page_setup.paperSize = PAPER_SIZES[paper]
    sheet.page_margins = PageMargins(left=0.25, right=0.25, top=0.5, bottom=0.5)
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page


def _put_stored(sheet: Any, row: int, column: int, value: Stored) -> Any:
    """A cell of `_stored_rows` (text already cleaned), as `_ledger_rows` writes it."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif value is not None:
        cell.value = value
        cell.data_type = "s"
    return cell


def _write_snapshot(sheet: Any, snapshot: Snapshot) -> None:
    """The snapshot sheet's two header rows; its rows come from `_snapshot_part`."""
    # Writing only: keeps openpyxl off `ledger status`, which reads with calamine.
    from mytool.render.excel import put

    sheet.sheet_state = "veryHidden"
    for index, text in enumerate(
        ("总台账", snapshot.master, "分组", snapshot.group, "分发时间", snapshot.made), start=1
    ):
        put(sheet, 1, index, text)
    for index, column in enumerate((ID, *EDITABLE_COLUMNS), start=1):
        put(sheet, 2, index, column)


def _snapshot_part(snapshot: Snapshot) -> Callable[[bytes], bytes]:
    """The snapshot sheet with a row per ID: its editable values as they went out."""

    rows = []
    for number, (entry_id, values) in enumerate(snapshot.values.items(), start=3):
        cells: list[tuple[int, int | None, Stored]] = [(0, None, excel_text(entry_id))]
        cells += [
            (index, None, excel_text(values[column]))
            for index, column in enumerate(EDITABLE_COLUMNS, start=1)
            if values.get(column)
        ]
        rows.append(row_xml(number, cells))
    data = as_bytes("".join(rows))
    dimension = f"A1:{column_letter(len(EDITABLE_COLUMNS))}{2 + len(snapshot.values)}"
    return lambda xml: splice_rows(xml, 3, data, dimension)


@dataclass(frozen=True)
class SheetRow:
    """One data row as found: ledger column → raw cell value; unknown columns by header."""

    number: int
    cells: Mapping[str, object]
    extras: Mapping[str, object]


@dataclass(frozen=True)
class ColumnNote:
    """A column not where or not named as expected: "renamed", "missing" or "extra"."""

    kind: str
    column: str
    header: str
    place: str
    matched_by: str = ""  # for "renamed": "名称" (a similar header) or "位置" (same position)


@dataclass(frozen=True)
class LedgerFile:
    name: str
    data: bytes
    sheet: str
    columns: Mapping[str, int]  # ledger column → 1-based column index
    rows: tuple[SheetRow, ...]
    notes: tuple[ColumnNote, ...]
    snapshot: Snapshot | None

    def place(self, column: str, row: int) -> str:
        index = self.columns.get(column)
        letter = column_letter(index - 1) if index else "?"
        return f"{self.sheet}!{letter}{row}"


# A ledger holds hundreds of rows, thousands at most: `init` refuses more than MAX_LEDGER_ROWS
# problem points, and whatever it writes (and people add to a copy) stays within these limits,
# so every ledger `init` writes can be read back by status, split and merge.
MAX_LEDGER_ROWS = 50_000
LEDGER_LIMITS = Limits(max_cells=5_000_000, memory_bytes=2 * 1024**3)


def read_ledger_file(path: str | Path) -> LedgerFile:
    """Read a ledger or a returned copy (.xlsx); `InputError` when it is not a ledger at all.

    The file goes through the door first (`admit`: format sniffing and the sheet pre-scan),
    then its values are read with python-calamine, an order of magnitude faster than
    openpyxl; openpyxl only ever rewrites a master (`mytool.ledger.files.merged_workbook`).
    """

    path = Path(path)
    name = shown(path.name)
    admission = admit(path, LEDGER_LIMITS)
    if admission.format != "xlsx":
        raise InputError(f"{name}：台账须为 .xlsx 工作簿；请在 Excel/WPS 中另存为 .xlsx")
    sheets = _read_values(admission.data, name)
    facts = admission.facts.sheets if admission.facts else {}
    for title, rows in sheets.items():
        if title == SNAPSHOT_SHEET:
            continue
        header = _header_row(rows)
        if header is not None:
            found = facts.get(title)
            cells = _with_errors(rows, found.bad_cells) if found else rows
            snapshot = _read_snapshot(sheets.get(SNAPSHOT_SHEET, []))
            return _read_sheet(name, admission.data, title, cells, header, snapshot)
    raise InputError(
        f"{name}：没有找到整改台账的表头（需要 编号、街镇、状态 等列）；"
        "请用 mytool ledger init 生成的台账或其分发表"
    )


def _read_values(data: bytes, name: str) -> dict[str, list[list[object]]]:
    """Each worksheet's rows from A1, empty cells as None (as openpyxl gives them)."""
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: dict[str, list[list[object]]] = {}
        for meta in book.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets[meta.name] = [[None if v == "" else v for v in row] for row in rows]
    # calamine reports a malformed part in its own ways (CalamineError, ValueError …); any of
    # them means the returned copy is broken, not a bug here.
    except Exception as exc:
        raise InputError(f"{name}：文件已损坏或不是有效的 .xlsx 工作簿（{exc}）") from exc
    return sheets


def _with_errors(
    rows: list[list[object]], bad_cells: Mapping[tuple[int, int], str]
) -> list[list[object]]:
    """Error cells ("#N/A"), which calamine reads as empty, keep their text as openpyxl's did."""
    for (r, c), text in bad_cells.items():
        if text and r < len(rows) and c < len(rows[r]):
            rows[r][c] = text
    return rows


def _header_text(value: object) -> str:
    return "".join(str(value).split()) if value is not None else ""


def _header_row(rows: list[list[object]]) -> int | None:
    """The row (within the first ten) naming the most ledger columns, at least three."""
    best, best_count = None, 2
    for number, row in enumerate(rows[:10], start=1):
        count = sum(1 for value in row if _header_text(value) in COLUMNS)
        if count > best_count:
            best, best_count = number, count
    return best


def _resolve_columns(
    headers: list[str], sheet: str, header_row: int
) -> tuple[dict[str, int], list[ColumnNote]]:
    """Each ledger column's index: by exact name, then a name containing it, then position."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers, start=1):
        if header in COLUMNS and header not in found:
            found[header] = index
    claimed = set(found.values())
    notes = []

    def place(index: int) -> str:
        return f"{sheet}!{column_letter(index - 1)}{header_row}"

    for position, column in enumerate(COLUMNS, start=1):
        if column in found:
            continue
        similar = [
            i
            for i, h in enumerate(headers, start=1)
            if i not in claimed and h and (column in h or (len(h) >= 2 and h in column))
        ]
        by_position = position <= len(headers) and position not in claimed
        matched = similar[0] if similar else position if by_position else None
        if matched is None:
            notes.append(ColumnNote("missing", column, "", ""))
            continue
        found[column] = matched
        claimed.add(matched)
        how = "名称" if similar else "位置"
        notes.append(ColumnNote("renamed", column, headers[matched - 1], place(matched), how))
    for index, header in enumerate(headers, start=1):
        if index not in claimed and header:
            notes.append(ColumnNote("extra", header, header, place(index)))
    return found, notes


def _read_sheet(
    name: str,
    data: bytes,
    title: str,
    sheet_rows: list[list[object]],
    header_row: int,
    snapshot: Snapshot | None,
) -> LedgerFile:
    rows = sheet_rows[header_row - 1 :]
    headers = [_header_text(value) for value in rows[0]] if rows else []
    columns, notes = _resolve_columns(headers, title, header_row)
    extras = {n.header: headers.index(n.header) for n in notes if n.kind == "extra"}
    found = []
    for number, values in enumerate(rows[1:], start=header_row + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        cells = {c: values[i - 1] if i - 1 < len(values) else None for c, i in columns.items()}
        extra = {h: values[i] for h, i in extras.items() if i < len(values) and values[i]}
        found.append(SheetRow(number, cells, extra))
    return LedgerFile(name, data, title, columns, tuple(found), tuple(notes), snapshot)


def _read_snapshot(rows: list[list[object]]) -> Snapshot | None:

    if len(rows) < 2:
        return None
    meta = [cell_text(v) for v in rows[0]] + [""] * 6
    headers = [cell_text(v) for v in rows[1]]
    values: dict[str, dict[str, str]] = {}
    for row in rows[2:]:
        texts = [cell_text(v) for v in row]
        if texts and texts[0]:
            values[texts[0]] = {
                h: (texts[i] if i < len(texts) else "")
                for i, h in enumerate(headers)
                if h in EDITABLE_COLUMNS
            }
    return Snapshot(master=meta[1], group=meta[3], made=meta[5], values=values)


def load_ledger(path: str | Path) -> Ledger:
    """The entries of a ledger file; invalid cells and odd columns become issues."""
    found = read_ledger_file(path)
    return ledger_from_file(found)


_COLUMN_CODES = {"renamed": IssueCode.COLUMN_RENAMED, "missing": IssueCode.COLUMN_MISSING}


def ledger_from_file(found: LedgerFile) -> Ledger:
    issues: list[Issue] = [
        Issue(_COLUMN_CODES[note.kind], WARNING, _column_message(note), found.name, note.place)
        for note in found.notes
        if note.kind != "extra"
    ]
    entries = []
    seen: set[str] = set()
    for row in found.rows:
        values, problems = parse_cells(row.cells)
        for column, problem in problems:
            issues.append(
                Issue(
                    IssueCode.INVALID_VALUE,
                    WARNING,
                    problem,
                    found.name,
                    found.place(column, row.number),
                )
            )
        entry = Entry(values, row.number)
        entry_id = entry.id
        if not entry_id:
            issues.append(
                Issue(
                    IssueCode.MISSING_ID,
                    WARNING,
                    "这一行没有编号，未计入",
                    found.name,
                    found.place(ID, row.number),
                )
            )
            continue
        if entry_id in seen:
            issues.append(
                Issue(
                    IssueCode.DUPLICATE_ID,
                    WARNING,
                    f"编号 {entry_id} 重复出现，只计第一行",
                    found.name,
                    found.place(ID, row.number),
                )
            )
            continue
        seen.add(entry_id)
        entries.append(entry)
    return Ledger(found.name, tuple(entries), tuple(issues))


def _column_message(note: ColumnNote) -> str:
    if note.kind == "missing":
        return f"没有「{note.column}」列"
    shown = f"「{note.header}」" if note.header else "表头为空的列"
    return f"「{note.column}」列的表头被改成了{shown}，已按{note.matched_by}对应到「{note.column}」"
