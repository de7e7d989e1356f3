"""The ledger as an Excel workbook: its layout, and reading it (writing it is
`mytool.ledger.workbook_writer`, which loads openpyxl; reading uses python-calamine only).

Layout: sheet 整改台账, a note in row 1, the 17 headers in row 2, one problem point per row from
row 3. The ID and source columns are grey and must not be edited; 状态 is a drop-down; dates are
date cells. A copy sent out by `ledger split` also carries a very hidden sheet 分发快照 holding the
editable values as they were when it went out (see `mytool.ledger.merge`).

Reading finds the header row and each column by its name, so inserted, moved or renamed columns
are recognised and reported rather than read as the wrong column.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from mytool.analysis.ledger.columns import (
    COLUMNS,
    EDITABLE_COLUMNS,
    ID,
    cell_text,
    parse_cells,
)
from mytool.analysis.ledger.model import Entry, Ledger
from mytool.diagnostics import WARNING, Issue, IssueCode, column_letter
from mytool.errors import InputError
from mytool.files import shown
from mytool.reading.guard import Limits
from mytool.reading.sources import admit

LEDGER_SHEET = "整改台账"
SNAPSHOT_SHEET = "分发快照"
HEADER_ROW = 2
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Snapshot:
    """The editable values of a copy when it went out: ID → column → canonical text."""

    master: str
    group: str
    made: str
    values: Mapping[str, Mapping[str, str]]


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
    openpyxl; openpyxl only ever rewrites a master (`mytool.ledger.merge_files.merged_workbook`).
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
