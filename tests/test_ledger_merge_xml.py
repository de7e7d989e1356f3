"""`ledger merge` edits the master's XML: read back, it is what the openpyxl rewrite gave."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import resave_with_libreoffice, soffice_path
from conftest import LXML, SAMPLE_2023H2, missing
from test_ledger import BUILDING, HOUSING, edit, invoke, rows_by_id, sheet_rows, write_problems

if missing(*LXML):  # the master's rewrite (mytool.ledger.master_xml) is made with it
    pytest.skip("not installed: lxml", allow_module_level=True)

from mytool.ledger import merge_files
from mytool.ledger.merge_files import merge_into_master

CLOCK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
WHEN = dt.datetime(2024, 4, 15, 8, 30)


def openpyxl_rewrite(master, result, *, when):  # the way merge rewrote the master before
    from mytool.ledger.merge_files import CONFLICT_HEADERS, HELD_HEADERS, _conflict_rows, _held_rows
    from mytool.render.excel import fit_columns, put, workbook_bytes, write_table

    book = openpyxl.load_workbook(io.BytesIO(master.data))
    sheet = book[master.sheet]
    rows = {str(r.cells.get("编号")): r.number for r in master.rows}
    for change in result.changes:
        cell = sheet.cell(rows[change.id], master.columns[change.column])
        cell.value = None
        if isinstance(change.new, dt.date):
            cell.value = change.new
            cell.number_format = "yyyy-mm-dd"
        else:
            put(sheet, cell.row, cell.column, change.new)
    time = when.isoformat(sep=" ", timespec="seconds")
    for title, headers, log in (
        ("冲突", CONFLICT_HEADERS, _conflict_rows(result, time)),
        ("未导入", HELD_HEADERS, _held_rows(result, time)),
    ):
        if not log:
            continue
        if title in book.sheetnames:
            target = book[title]
            start = target.max_row + 1
            for offset, row in enumerate(log):
                for column, value in enumerate(row, start=1):
                    put(target, start + offset, column, value)
        else:
            write_table(book.create_sheet(title), 1, list(headers), log)
        fit_columns(book[title], maximum=40)
    return workbook_bytes(book)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    target = tmp_path / "台账.xlsx"
    made = invoke(
        "ledger", "init", SAMPLE_2023H2, "--problems", write_problems(tmp_path), "-o", target
    )
    assert made.exit_code == 0, made.output
    return target


def looks(path: Path) -> dict[str, object]:
    """Every sheet as openpyxl reads it: values, number formats, fonts, fills, borders …"""
    book = openpyxl.load_workbook(path)
    found: dict[str, object] = {"sheets": [(s.title, s.sheet_state) for s in book.worksheets]}
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                value = CLOCK.sub("TIME", c.value) if isinstance(c.value, str) else c.value
                cells[c.coordinate] = (
                    value,
                    c.number_format if c.value is not None else None,
                    bool(c.font.b),
                    c.fill.fill_type,
                    c.fill.fgColor.rgb if c.fill.fill_type else None,
                    c.border.left.style,
                    c.alignment.horizontal,
                    c.alignment.vertical,
                    bool(c.alignment.wrap_text),
                )
        validations = sorted(
            (d.type, d.formula1, str(d.sqref)) for d in sheet.data_validations.dataValidation
        )
        found[sheet.title] = (
            cells,
            validations,
            sheet.freeze_panes,
            sheet.print_title_rows,
            sheet.auto_filter.ref,
            (sheet.page_setup.orientation, sheet.page_setup.paperSize),
        )
    return found


def returned_copies(ledger: Path, folder: Path) -> list[Path]:
    assert invoke("ledger", "split", ledger, "-d", folder).exit_code == 0
    building, housing = (
        folder / BUILDING.replace("2023H2-整改台账", "台账"),
        folder / HOUSING.replace("2023H2-整改台账", "台账"),
    )
    edit(
        building,
        {
            ("2023H2-0001", "整改措施"): " 更换围挡 ",
            ("2023H2-0001", "状态"): "已销号",
            ("2023H2-0001", "销号日期"): dt.datetime(2024, 3, 20),
            ("2023H2-0003", "整改进展"): "已安排冲洗设备",
            ("2023H2-0004", "状态"): "已消号",
        },
    )
    edit(
        housing, {("2023H2-0002", "复查时间"): "2024/3/25", ("2023H2-0002", "整改措施"): "<清运>&"}
    )
    return [building, housing]


def test_merge_reads_back_as_the_openpyxl_rewrite_did(ledger: Path, tmp_path: Path, monkeypatch):
    copies = returned_copies(ledger, tmp_path / "d")
    edit(ledger, {("2023H2-0003", "整改进展"): "区里已督办"})  # a conflict
    twin = tmp_path / "twin" / ledger.name
    twin.parent.mkdir()
    shutil.copy(ledger, twin)
    for _ in range(2):  # a second round appends to the 冲突 and 未导入 sheets
        merge_into_master(ledger, copies, when=WHEN)
        with monkeypatch.context() as patched:
            patched.setattr(merge_files, "merged_workbook", openpyxl_rewrite)
            merge_into_master(twin, copies, when=WHEN)
    assert looks(ledger) == looks(twin)
    row = rows_by_id(ledger)["2023H2-0001"]
    assert (row["整改措施"], row["状态"], row["销号日期"]) == (
        "更换围挡",  # read as text, trimmed
        "已销号",
        dt.datetime(2024, 3, 20),
    )
    assert rows_by_id(ledger)["2023H2-0002"]["整改措施"] == "<清运>&"
    assert len(sheet_rows(ledger, "冲突")) == 3  # the heading and one row per merge


def test_everything_but_the_changed_parts_is_kept_byte_for_byte(ledger: Path, tmp_path: Path):
    copies = returned_copies(ledger, tmp_path / "d")
    with zipfile.ZipFile(ledger) as archive:
        before = {n: archive.read(n) for n in archive.namelist()}
    merge_into_master(ledger, copies, when=WHEN)
    with zipfile.ZipFile(ledger) as archive:
        after = {n: archive.read(n) for n in archive.namelist()}
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == {
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    assert set(after) - set(before) == {"xl/worksheets/sheet2.xml"}  # 未导入: no conflict here


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")
def test_a_master_saved_by_libreoffice_merges_and_opens_again(ledger: Path, tmp_path: Path):
    copies = returned_copies(ledger, tmp_path / "d")
    saved = resave_with_libreoffice([ledger], ["xlsx"], tmp_path / "lo")["xlsx"][0]
    with zipfile.ZipFile(saved) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()  # not openpyxl's spelling
    master = tmp_path / "总台账.xlsx"
    shutil.copy(saved, master)
    merge_into_master(master, copies, when=WHEN)
    row = rows_by_id(master)["2023H2-0001"]
    assert (row["整改措施"], row["销号日期"]) == ("更换围挡", dt.datetime(2024, 3, 20))
    assert openpyxl.load_workbook(master)["整改台账"]["P3"].number_format == "yyyy-mm-dd"
    reopened = resave_with_libreoffice([master], ["xlsx"], tmp_path / "again")["xlsx"][0]
    again = rows_by_id(reopened)  # LibreOffice opened the edited XML and saved it again
    assert (again["2023H2-0001"]["整改措施"], again["2023H2-0001"]["销号日期"]) == (
        "更换围挡",
        dt.datetime(2024, 3, 20),
    )
    assert "未导入" in openpyxl.load_workbook(reopened).sheetnames
