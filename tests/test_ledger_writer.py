"""The ledger writer's spliced rows are the bytes openpyxl writes cell by cell."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import statistics
import subprocess
import zipfile

import openpyxl
import pytest
from conftest import LXML, needs
from openpyxl.compat import safe_string
from openpyxl.utils.datetime import to_excel

from mytool.analysis.ledger.columns import COLUMNS, EDITABLE_COLUMNS
from mytool.analysis.ledger.model import Entry
from mytool.ledger import workbook_writer as workbook
from mytool.ledger.rows_xml import cell_xml
from mytool.ledger.workbook import Snapshot
from mytool.ledger.workbook_writer import ledger_workbook

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
@needs(*LXML)  # openpyxl spells text as lxml writes it
def test_spliced_rows_are_byte_for_byte_what_openpyxl_writes(
    monkeypatch: pytest.MonkeyPatch, count: int, snapshot: Snapshot | None
):
    rows = entries(count)
    fast = members(ledger_workbook(rows, title="标题", snapshot=snapshot))
    with monkeypatch.context() as patched:
        cell_by_cell(patched, snapshot)
        slow = members(ledger_workbook(rows, title="标题", snapshot=snapshot))
    # Data rows carry their printed height; openpyxl marks every height custom, the writer
    # does not (so Excel grows a row again as people type in it).
    sheet = "xl/worksheets/sheet1.xml"
    slow[sheet] = re.sub(
        rb'(<row r="(?:[3-9]|\d\d+)" ht="[^"]+") customHeight="1"', rb"\1", slow[sheet]
    )
    assert fast.keys() == slow.keys()
    for name in slow:
        assert fast[name] == slow[name], name


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2024, 4, 10),
        dt.date(1899, 12, 30),  # day 0
        dt.date(1899, 12, 29),  # before it: negative
        dt.date(1900, 1, 1),  # 1 to 60: Excel's phantom 29 February 1900 shifts them by one
        dt.date(1900, 2, 28),
        dt.date(1900, 3, 1),
        dt.date(1, 1, 1),
        dt.date(9999, 12, 31),
        dt.datetime(2024, 4, 10, 13, 5, 7, 123456),  # a time of day is a fraction
        dt.datetime(1900, 1, 1, 23, 59, 59, 999999),
    ],
)
def test_a_date_cell_holds_the_serial_number_openpyxl_writes(day):
    """The rows are spelt without openpyxl (the ledger's reader imports this module), as it
    would spell them: its serial number, formatted as it formats numbers."""
    expected = f'<c r="K3" s="4" t="n"><v>{safe_string(to_excel(day))}</v></c>'
    assert cell_xml("K3", 4, day) == expected


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


# -- printing ------------------------------------------------------------------------------

PRINTABLE_PT = {"A4": 841.89 - 36, "A3": 1190.55 - 36}  # landscape, 0.25" margins left and right


def implied_text_size(sheet) -> float:
    """The 11 pt text's printed size when the sheet is fit to the page width, as Excel sizes it.

    Excel's column width in pixels is width × 7 + 5 for an 11 pt Calibri (or 等线) workbook.
    """
    pixels = sum(
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width * 7 + 5
        for i in range(1, len(COLUMNS) + 1)
    )
    paper = {"9": "A4", "8": "A3"}[str(sheet.page_setup.paperSize)]
    return 11 * min(1.0, PRINTABLE_PT[paper] / (pixels * 0.75))


@pytest.mark.parametrize(("paper", "size", "room"), [("A4", 8.0, 22), ("A3", 10.0, 28)])
def test_the_ledger_prints_landscape_fit_to_width_readable_with_room_to_write(paper, size, room):
    data = ledger_workbook(entries(5), title="标题", paper=paper)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["整改台账"]
    setup = sheet.page_setup
    assert (setup.orientation, str(setup.paperSize)) == ("landscape", {"A4": "9", "A3": "8"}[paper])
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2"
    assert implied_text_size(sheet) >= size
    widths = {
        name: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        for i, name in enumerate(COLUMNS, start=1)
    }
    assert widths["整改措施"] >= room and widths["整改进展"] >= room
    assert sheet.row_dimensions[6].height == 30  # "两行\n文本": two lines tall when printed
    assert sheet["A1"].alignment.wrap_text and "A1:Q1" in sheet.merged_cells


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_40_row_ledger_prints_on_a_few_a4_pages_with_text_a_person_can_read(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_workbook(entries(40), title="标题"))
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "台账.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+[23]\n", info), info
    assert "841.89 x 595.3" in info  # A4 landscape
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    heights = [
        float(m.group(2)) - float(m.group(1))
        for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">2023H2-\d{4}<', boxes)
    ]
    # The IDs' glyph boxes: 14.3 pt at 100 %, 6.1 at the old layout's 43 %; here (LibreOffice
    # drawing Calibri with the wider DejaVu Sans) about 8.6, at Excel's metrics more.
    assert len(heights) >= 20 and statistics.median(heights) >= 8.0, heights


def test_the_profile_names_the_paper_and_refuses_others(tmp_path):
    from mytool.errors import ProfileError
    from mytool.profile import load_profile
    from mytool.resources import data_dir

    text = (data_dir() / "profile.toml").read_text(encoding="utf-8")
    assert load_profile().ledger_paper == "A4"
    a3 = tmp_path / "a3.toml"
    a3.write_text(text.replace('paper = "A4"', 'paper = "a3"'), encoding="utf-8")
    assert load_profile(a3).ledger_paper == "A3"
    b5 = tmp_path / "b5.toml"
    b5.write_text(text.replace('paper = "A4"', 'paper = "B5"'), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"\[ledger\] paper = 'B5'（应为 \"A4\" 或 \"A3\"）"):
        load_profile(b5)
