"""Writing a merge into the master ledger: under the folder's lock, a backup, then an atomic
rewrite of the master's XML (`mytool.ledger.master_xml`, lxml), the changed cells only.

A master open in Excel or WPS (an owner file "~$name" beside it, or LibreOffice's
".~lock.name#") is never replaced: the merged result is written next to it instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mytool.analysis.ledger.columns import ID, cell_text, value_text
from mytool.errors import OutputError, UsageError
from mytool.files import read_regular_file
from mytool.ledger.files import FOLDER_WAIT, LEDGER_BYTES, backup_path, owner_file, stamp
from mytool.ledger.master_xml import (
    Package,
    SheetCells,
    Styles,
    drop_calc_chain,
    new_sheet,
    serial,
    set_dimension,
    set_widths,
    text_rows,
)
from mytool.ledger.merge import (
    CONFLICT_SHEET,
    HELD_SHEET,
    MASTER_CHANGED,
    NO_SNAPSHOT,
    MergeResult,
    merge_returns,
)
from mytool.ledger.workbook import DATE_FORMAT, LedgerFile, read_ledger_file
from mytool.render.excel_layout import content_widths, excel_text
from mytool.writing.locking import folder_lock
from mytool.writing.output import write_files_atomic

# A merge waits this long for another merge (or brief, split …) writing into the same folder.
MERGE_WAIT = FOLDER_WAIT

CONFLICT_HEADERS = (
    "合并时间",
    "编号",
    "列",
    "总台账中的值（已保留）",
    "分发时的值",
    "回收表",
    "单元格",
    "回收表中的值",
    "原因",
)
HELD_HEADERS = ("合并时间", "回收表", "单元格", "编号", "列", "填写的值", "原因")
CONFLICT_REASONS = {
    MASTER_CHANGED: "分发后总台账中已改动",
    NO_SNAPSHOT: "回收表没有分发快照，总台账中已有内容",
}


@dataclass(frozen=True)
class MergeOutcome:
    result: MergeResult
    written: Path | None  # None when nothing changed
    backup: Path | None
    owner_file: Path | None  # set when the master was open and left alone


def merge_into_master(
    master_path: Path, returned: list[Path], *, when: dt.datetime
) -> MergeOutcome:
    """Merge `returned` into the master file: backup, then an atomic rewrite (or a side file)."""

    master_path = Path(master_path)
    for path in returned:
        if Path(path).resolve() == master_path.resolve():
            raise UsageError(f"{path}：这是总台账本身，不能作为回收表合并")
    # Everything from reading the master to replacing it happens under the folder's lock: a
    # second merge waits, then reads the master this one wrote and merges on top of it.
    with folder_lock(master_path.parent, wait=MERGE_WAIT):
        master = read_ledger_file(master_path)
        returns = [read_ledger_file(path) for path in returned]
        result = merge_returns(master, returns)
        if not (result.changes or result.conflicts or result.held):
            return MergeOutcome(result, None, None, None)
        data = merged_workbook(master, result, when=when)
        lock = owner_file(master_path)
        if lock is not None:
            target = master_path.with_name(f"{master_path.stem}-合并结果-{stamp(when)}.xlsx")
            write_files_atomic({target: data})
            return MergeOutcome(result, target, None, lock)
        # Excel or a person may still have saved it meanwhile (they take no lock of ours).
        if read_regular_file(master_path, limit=LEDGER_BYTES) != master.data:
            raise OutputError(f"{master_path}：总台账在合并过程中被改动，未写入；请重新运行合并")
        backup = backup_path(master_path, when)
        write_files_atomic({backup: master.data, master_path: data})
    return MergeOutcome(result, master_path, backup, None)


def merged_workbook(master: LedgerFile, result: MergeResult, *, when: dt.datetime) -> bytes:
    """The master with the changes written in place; everything else in it is kept.

    The master's XML is edited, not loaded into openpyxl (see `mytool.ledger.master_xml`).
    """

    package = Package.read(master.data)
    sheets = package.sheets()
    ledger = SheetCells(package.xml(sheets[master.sheet]))
    styles = Styles(package.xml(package.styles_part()))
    rows = _id_rows(master)
    for change in result.changes:
        cell = ledger.cell(rows[change.id], master.columns[change.column])
        if isinstance(change.new, dt.date):
            cell.set("s", styles.date_style(cell.get("s"), DATE_FORMAT))
            ledger.set_number(cell, serial(package, change.new))
        elif change.new is None:
            ledger.clear(cell)
        else:
            ledger.set_text(cell, excel_text(change.new))
    time = when.isoformat(sep=" ", timespec="seconds")
    logs = [
        (CONFLICT_SHEET, CONFLICT_HEADERS, _conflict_rows(result, time)),
        (HELD_SHEET, HELD_HEADERS, _held_rows(result, time)),
    ]
    looks: list[tuple[str, str]] = []
    for title, headers, log in logs:
        if log:
            _append(package, sheets, styles, looks, title, [list(headers), *log])
    drop_calc_chain(package)
    return package.save()


def _id_rows(master: LedgerFile) -> dict[str, int]:

    rows: dict[str, int] = {}
    for row in master.rows:
        rows.setdefault(cell_text(row.cells.get(ID)), row.number)
    return rows


def _conflict_rows(result: MergeResult, time: str) -> list[list[str]]:
    return [
        [
            time,
            conflict.id,
            conflict.column,
            conflict.master,
            proposal.base or "",
            proposal.file,
            proposal.place,
            _text(proposal.value),
            CONFLICT_REASONS.get(conflict.kind, "两份回收表填写不一致"),
        ]
        for conflict in result.conflicts
        for proposal in conflict.proposals
    ]


def _held_rows(result: MergeResult, time: str) -> list[list[str]]:
    return [[time, h.file, h.place, h.id, h.column, h.value, h.reason] for h in result.held]


def _text(value: object) -> str:

    return value_text(value) if value is None or isinstance(value, str | dt.date) else str(value)


def _append(
    package: Package,
    sheets: Mapping[str, str],
    styles: Styles,
    looks: list[tuple[str, str]],
    title: str,
    rows: list[list[str]],
) -> None:
    """Add `rows` (headers first) under the earlier merges' rows of sheet `title`, or make it."""

    body = [[excel_text(value) for value in row] for row in rows]
    if title in sheets:
        sheet = SheetCells(package.xml(sheets[title]))
        text_rows(sheet, sheet.last_row + 1, body[1:], None)
    else:
        sheet = SheetCells(new_sheet(package, title))
        if not looks:  # both log sheets share the two looks
            looks.append(styles.log_looks())
        text_rows(sheet, 1, body[:1], looks[0][0])
        text_rows(sheet, 2, body[1:], looks[0][1])
    widths = content_widths(body)
    set_widths(sheet.root, {c: max(6, min(40, w + 2)) for c, w in widths.items()})
    set_dimension(sheet, len(rows[0]))
