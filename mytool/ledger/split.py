"""`ledger split`: one copy per lead department (or unit), remembering what went out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from mytool.analysis.ledger.columns import EDITABLE_COLUMNS, value_text
from mytool.analysis.ledger.model import Entry, Ledger
from mytool.errors import OutputError, UsageError
from mytool.ledger.workbook import Snapshot
from mytool.ledger.workbook_writer import ledger_workbook
from mytool.writing.output import safe_file_name

GROUPINGS = {"department": "牵头部门", "unit": "街镇"}
NO_GROUP = {"department": "未指定牵头部门", "unit": "未指定街镇"}


def group_entries(ledger: Ledger, by: str) -> dict[str, list[Entry]]:
    """Entries per department or unit, groups in order of first appearance."""
    if by not in GROUPINGS:
        raise UsageError(f"--by 只能是 department（牵头部门）或 unit（街镇），不是「{by}」")
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in ledger.entries:
        key = entry.department if by == "department" else entry.unit
        groups[key or NO_GROUP[by]].append(entry)
    return dict(groups)


def split_ledger(
    ledger: Ledger, *, by: str, master_name: str, stem: str, made: dt.datetime, paper: str = "A4"
) -> dict[str, bytes]:
    """File name → workbook for every group; each copy holds a snapshot of its editable cells."""

    files: dict[str, bytes] = {}
    for group, entries in group_entries(ledger, by).items():
        name = safe_file_name(f"{stem}-{group}.xlsx")
        if name in files:
            raise OutputError(f"「{group}」的分发表文件名 {name} 与另一组重名，未写入任何文件")
        snapshot = Snapshot(
            master=master_name,
            group=group,
            made=made.isoformat(timespec="seconds"),
            values={
                e.id: {c: value_text(e.values.get(c)) for c in EDITABLE_COLUMNS} for e in entries
            },
        )
        title = f"{ledger.period} 整改台账（{GROUPINGS[by]}：{group}）"
        files[name] = ledger_workbook(entries, title=title, snapshot=snapshot, paper=paper)
    return files
