"""Property tests: hostile bytes never escape as anything but our own error; text and file
names survive the writers."""

from __future__ import annotations

import io
import math
import os
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE_2023H2
from hostile_files import good_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

from mytool.api import read_report
from mytool.diagnostics import IssueCode, Severity
from mytool.errors import EXIT_INPUT, InputError, MytoolError
from mytool.profile import load_profile
from mytool.render.excel import put
from mytool.render.excel_layout import clean_text
from mytool.report import Report
from mytool.writing.output import safe_file_name

PROFILE = load_profile()
SUFFIXES = st.sampled_from([".xlsx", ".xls", ".csv", ".ods", ".xlsm", ""])
FUZZ = settings(
    max_examples=int(os.environ.get("MYTOOL_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def read_or_refuse(path: Path) -> str:
    """A result or a MytoolError; anything else (or a crash) fails the test.

    A result must be a report of this file (scores of listed units, finite numbers, or errors
    saying why there are none; issues with their codes); a refusal must be an input error
    naming the file (exit code 2).
    """
    try:
        report = read_report(path, PROFILE)
    except MytoolError as exc:
        assert isinstance(exc, InputError) and exc.exit_code == EXIT_INPUT, repr(exc)
        assert path.name in exc.message
        return "refused"
    assert isinstance(report, Report) and report.source == path.name
    # No scores only when the cells that should have held them are reported as errors
    assert report.scores or report.errors, report.issues
    assert {score.unit for score in report.scores} <= set(report.units)
    assert all(math.isfinite(score.value) for score in report.scores)
    assert all(isinstance(i.code, IssueCode) and i.severity in Severity for i in report.issues)
    return "read"


@FUZZ
@given(data=st.binary(max_size=4096), suffix=SUFFIXES)
def test_arbitrary_bytes_give_a_result_or_our_error(tmp_path_factory, data: bytes, suffix: str):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    assert read_or_refuse(path) in ("read", "refused")


@pytest.mark.parametrize("source", ["sample", "small"])
@FUZZ
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 40))
def test_mutated_workbooks_give_a_result_or_our_error(tmp_path_factory, source, seed, flips):
    original = bytearray(SAMPLE_2023H2.read_bytes() if source == "sample" else good_xlsx())
    chance = random.Random(seed)
    for _ in range(flips):
        original[chance.randrange(len(original))] = chance.randrange(256)
    path = tmp_path_factory.mktemp("mutated") / "report.xlsx"
    path.write_bytes(bytes(original))
    assert read_or_refuse(path) in ("read", "refused")


def mutate_inside(workbook: bytes, seed: int, flips: int) -> bytes:
    """Flip bytes of the XML parts inside a workbook and zip it again, so the parser sees them."""
    chance = random.Random(seed)
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            data = bytearray(source.read(member))
            if member.endswith(".xml") and data:
                for _ in range(flips):
                    data[chance.randrange(len(data))] = chance.randrange(256)
            target.writestr(member, bytes(data))
    return buffer.getvalue()


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 30))
def test_mutated_sheet_xml_gives_a_result_or_our_error(tmp_path_factory, seed, flips):
    path = tmp_path_factory.mktemp("inner") / "report.xlsx"
    path.write_bytes(mutate_inside(SAMPLE_2023H2.read_bytes(), seed, flips))
    assert read_or_refuse(path) in ("read", "refused")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_any_string_round_trips_through_our_excel_writer(text: str):
    book = openpyxl.Workbook()
    put(book.active, 1, 1, text)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    cell = openpyxl.load_workbook(buffer).active["A1"]
    # Excel and WPS decode _xHHHH_ escapes; openpyxl leaves them, so decode as they do.
    shown = unescape(cell.value) if cell.value is not None else ""
    assert shown == clean_text(text)


def test_text_that_looks_like_a_formula_stays_text():
    book = openpyxl.Workbook()
    for index, text in enumerate(["=1+1", "+SUM(A1)", "@cmd", "-2", '=HYPERLINK("x")'], start=1):
        put(book.active, index, 1, text)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).active
    assert [sheet.cell(i, 1).value for i in range(1, 6)] == [
        "=1+1",
        "+SUM(A1)",
        "@cmd",
        "-2",
        '=HYPERLINK("x")',
    ]
    assert {sheet.cell(i, 1).data_type for i in range(1, 6)} == {"s"}


@settings(max_examples=300, deadline=None)
@given(name=st.text(min_size=0, max_size=300))
def test_any_unit_name_maps_to_a_file_inside_the_folder(tmp_path_factory, name: str):
    folder = tmp_path_factory.mktemp("out")
    file_name = safe_file_name(f"2023H2-{name}-整改提升简报.md")
    target = folder / file_name
    assert target.resolve().parent == folder.resolve()
    assert len(file_name.encode("utf-8")) <= 200
    assert not any(ch in file_name for ch in '<>:"/\\|?*') and "\x00" not in file_name
    assert not file_name.endswith((".", " "))
    assert file_name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}
    target.write_text("x", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "x"


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 20))
def test_a_broken_returned_ledger_copy_is_our_error(tmp_path_factory, seed, flips):
    from mytool.ledger.workbook import read_ledger_file
    from mytool.render.excel import workbook_bytes

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "街镇", "状态", "完成时限"])
    sheet.append(["2023H2-0001", "九亭镇", "整改中", "2024-04-10"])
    path = tmp_path_factory.mktemp("ledger") / "returned.xlsx"
    path.write_bytes(mutate_inside(workbook_bytes(book), seed, flips))
    try:
        read_ledger_file(path)
    except MytoolError as exc:
        assert path.name in exc.message


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 40))
def test_mutated_xls_files_give_a_result_or_our_error(tmp_path_factory, seed, flips):
    from test_hostile import xls_with_error

    from mytool.reading.biff import xls_error_cells

    data = bytearray(xls_with_error(0x07))
    chance = random.Random(seed)
    for _ in range(flips):
        data[chance.randrange(len(data))] = chance.randrange(256)
    assert isinstance(xls_error_cells(bytes(data)), dict)
    path = tmp_path_factory.mktemp("xls") / "report.xls"
    path.write_bytes(bytes(data))
    assert read_or_refuse(path) in ("read", "refused")


def test_the_unmutated_sample_is_read_not_refused(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(SAMPLE_2023H2.read_bytes())
    assert read_or_refuse(path) == "read"
