"""The ledger writer's spliced rows are the bytes openpyxl writes cell by cell."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from mytool.analysis.ledger.columns import COLUMNS, EDITABLE_COLUMNS
from mytool.analysis.ledger.model import Entry
from mytool.ledger import workbook
from mytool.ledger.workbook import Snapshot, ledger_workbook

ODD_TEXTS = [
    "=SUM(A1)",
    " 前后空格 ",
    "a&b<c>d\"e'",
    "_x0041_ 字面",
    "两行\n文本",
    "控制\x01字符",
    "😀 表情",
    "",
    "   ",
    "普通文本",
]


def entries(count: int) -> list[Entry]:
    found = []
    for n in range(count):
        values: dict[str, str | dt.date | None] = {
            column: ODD_TEXTS[(n + i) % len(ODD_TEXTS)] for i, column in enumerate(COLUMNS)
        }
        values["编号"] = f"2023H2-{n:04d}"
        values["完成时限"] = dt.date(2024, 4, 10) if n % 3 else None
        values["复查时间"] = dt.date(2024, 1, n % 28 + 1) if n % 5 == 4 else ""
        values["销号日期"] = None
        found.append(Entry(values))
    return found


SNAPSHOT = Snapshot(
    master="总台账.xlsx",
    group="区建管委",
    made="2024-03-01T08:30:00",
    values={e.id: {c: str(e.values.get(c) or "") for c in EDITABLE_COLUMNS} for e in entries(12)},
)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def cell_by_cell(monkeypatch: pytest.MonkeyPatch, snapshot: Snapshot | None) -> None:
    """Make `ledger_workbook` write every row through openpyxl, and splice nothing."""
    from mytool.render.excel import put

    write_head = workbook._write_snapshot

    def write_snapshot(sheet: object, shot: Snapshot) -> None:
        write_head(sheet, shot)
        for row, (entry_id, values) in enumerate(shot.values.items(), start=3):
            put(sheet, row, 1, entry_id)
            for index, column in enumerate(EDITABLE_COLUMNS, start=2):
                if values.get(column):
                    put(sheet, row, index, values[column])

    monkeypatch.setattr(workbook, "_looks_in_order", lambda rows: list(range(len(rows))))
    monkeypatch.setattr(workbook, "replace_parts", lambda data, parts: data)
    monkeypatch.setattr(workbook, "_write_snapshot", write_snapshot)


@pytest.mark.parametrize("count", [0, 1, 2, 37])
@pytest.mark.parametrize("snapshot", [None, SNAPSHOT])
def test_spliced_rows_are_byte_for_byte_what_openpyxl_writes(
    monkeypatch: pytest.MonkeyPatch, count: int, snapshot: Snapshot | None
):
    rows = entries(count)
    fast = members(ledger_workbook(rows, title="标题", snapshot=snapshot))
    with monkeypatch.context() as patched:
        cell_by_cell(patched, snapshot)
        slow = members(ledger_workbook(rows, title="标题", snapshot=snapshot))
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name


def test_a_ledger_whose_first_row_has_no_date_still_styles_later_dates():
    rows = entries(4)  # row 0 has no deadline, rows 1-3 do
    data = ledger_workbook(rows, title="标题")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["整改台账"]
    assert sheet["K3"].value is None
    assert sheet["K4"].value == dt.datetime(2024, 4, 10)
    assert sheet["K4"].number_format == "yyyy-mm-dd"
    assert sheet["A4"].fill.fgColor.rgb.endswith("E7E6E6")
    assert sheet["I4"].fill.fill_type is None
    assert sheet["A4"].value == "2023H2-0001"
    assert sheet["C4"].value == "_x005F_x0041_ 字面"  # escaped: Excel shows "_x0041_ 字面"
    assert sheet["E4"].value == "控制字符"
    assert sheet["F4"].value == "😀 表情"
