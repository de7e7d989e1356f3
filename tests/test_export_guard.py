"""A spreadsheet export read for `aggregate`: the guard of a large workbook, and what the
respondent reader does with the cells the full pre-scan used to look for (issue 16).

A workbook over `FULL_SCAN_BYTES` unpacked is not pre-scanned cell by cell; the tests lower that
threshold to zero so that small hand-built files take the same path as a 100,000-row export.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hostile_files import number_cell, row, sheet_xml, text_cell, xlsx_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mytool.api import aggregate_files
from mytool.cli import app
from mytool.diagnostics import IssueCode
from mytool.errors import InputError
from mytool.reading import export_sheets, guard, respondents
from mytool.reading.guard import Limits, hidden_sheets_and_rows, scan_xlsx
from mytool.reading.isolation import ParserFailed, run_isolated
from mytool.render.aggregate import aggregation_to_dict

runner = CliRunner()
ITEM = ("居住区", "小区环境卫生")
HEADER = ["1、您所在的街镇：", "2、您对小区环境卫生的满意程度：", "3、您的性别："]
ANSWERS = [("九亭镇", "非常满意"), ("九亭镇", "满意"), ("九亭镇", "一般"), ("岳阳街道", "满意")]
LETTERS = "ABC"


def answer_rows(special: dict[int, str] | None = None, hidden: int | None = None) -> str:
    """The header and one row per answer; `special` replaces the answer cell of a row (its XML
    with {ref} for the cell reference), `hidden` hides a row."""
    rows = [row(1, *(text_cell(f"{LETTERS[c]}1", text) for c, text in enumerate(HEADER)))]
    for r, (unit, answer) in enumerate(ANSWERS, start=2):
        cell = (special or {}).get(r, "").format(ref=f"B{r}") or text_cell(f"B{r}", answer)
        cells = [text_cell(f"A{r}", unit), cell, text_cell(f"C{r}", "男")]
        rows.append(row(r, *cells, hidden=r == hidden))
    return "".join(rows)


def write(path: Path, body: str, **options: str) -> Path:
    path.write_bytes(xlsx_bytes({"综合": sheet_xml(body, **options)}))
    return path


@pytest.fixture
def large(monkeypatch):
    """Every workbook is treated as one too large to pre-scan whole."""
    monkeypatch.setattr(export_sheets, "FULL_SCAN_BYTES", 0)


def refusal(path: Path) -> str:
    result = runner.invoke(app, ["aggregate", str(path), "-f", "json"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    return result.stderr.strip()


def pre_scan_message(path: Path, limits: Limits) -> str:
    with pytest.raises(InputError) as refused:
        scan_xlsx(zipfile.ZipFile(io.BytesIO(path.read_bytes())), path.name, limits)
    return f"错误：{refused.value.message}"


def item(path: Path, unit: str, profile):
    result = aggregate_files([path], profile)
    return next(u for u in result.units if u.unit == unit).items[ITEM]


# -- a large workbook: refused as the full pre-scan refuses it -----------------------------


def test_a_far_cell_makes_the_reader_stop_at_once_and_the_pre_scan_names_it(large, tmp_path):
    # ZZ400000: 400,000 rows × 702 columns, about 9 GB as calamine would lay them out
    path = write(tmp_path / "远.xlsx", answer_rows() + row(400000, number_cell("ZZ400000", 1)))
    message = refusal(path)
    assert message == pre_scan_message(path, respondents.EXPORT_LIMITS)
    assert "工作表「综合」的已用区域达到 400000 行 × 702 列，超出限制" in message


def test_a_sheet_read_over_the_limit_gets_the_pre_scans_message(large, monkeypatch, tmp_path):
    # 90 rows × 3 columns as read = 270 cells, over a limit of 250; the pre-scan counts every
    # column up to Z, so it says 90 × 26 (the header and answers alone, 5 × 26, pass it)
    limits = Limits(max_cells=250, memory_bytes=respondents.EXPORT_LIMITS.memory_bytes)
    monkeypatch.setattr(respondents, "EXPORT_LIMITS", limits)
    path = write(tmp_path / "长.xlsx", answer_rows() + row(90, text_cell("C90", "男")))
    message = refusal(path)
    assert message == pre_scan_message(path, limits)
    assert "工作表「综合」的已用区域达到 90 行 × 26 列，超出限制（250 个单元格）" in message


def test_a_declared_range_over_the_limit_is_refused_as_before(large, tmp_path):
    path = write(tmp_path / "声明.xlsx", answer_rows(), before='<dimension ref="A1:XFD1048576"/>')
    message = refusal(path)
    assert message == pre_scan_message(path, respondents.EXPORT_LIMITS)
    assert "的声明的范围达到 1048576 行 × 16384 列" in message


def test_a_reader_short_of_its_allowance_reads_again_with_the_whole_one(
    large, monkeypatch, tmp_path, profile
):
    path = write(tmp_path / "导出.xlsx", answer_rows())
    expected = aggregation_to_dict(aggregate_files([path], profile))
    allowances = []

    def short_the_first_time(*args, limits, **options):
        allowances.append(limits.memory_bytes)
        if len(allowances) == 1:
            raise ParserFailed("导出.xlsx：读取所需内存超过限制")
        return run_isolated(*args, limits=limits, **options)

    monkeypatch.setattr(export_sheets, "run_isolated", short_the_first_time)
    assert aggregation_to_dict(aggregate_files([path], profile)) == expected
    whole = respondents.EXPORT_LIMITS.memory_bytes
    assert allowances[0] < whole and allowances[1] == whole


def test_empty_far_cells_and_merges_cost_the_reader_nothing_and_are_read(large, tmp_path, profile):
    # calamine skips cells without a value and fastexcel ignores merged ranges: neither makes
    # it allocate, so a large export is not refused for them (the full pre-scan refused both)
    plain = write(tmp_path / "导出.xlsx", answer_rows())
    odd = write(
        tmp_path / "导出2.xlsx",
        answer_rows() + row(1048576, '<c r="XFD1048576" s="1"/>'),
        after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    )
    first = aggregation_to_dict(aggregate_files([plain], profile))["units"]
    assert aggregation_to_dict(aggregate_files([odd], profile))["units"] == first


# -- what the respondent reader does with what the pre-scan collected for score tables -------
# The pre-scan's hidden rows, formula and error cells and percentage formats serve the score
# table reader; the export reader never used them. Each is read as follows, on either path.


@pytest.mark.parametrize("whole", [True, False], ids=["pre-scanned", "large"])
def test_a_respondent_in_a_hidden_row_is_counted(whole, monkeypatch, tmp_path, profile):
    # hiding a row (or filtering) changes the view, not the answers: 问卷星 exports every one.
    # Either way the user is told of the hidden rows and sheets (a large workbook's rows are
    # streamed for the hidden mark alone, not scanned cell by cell).
    if not whole:
        monkeypatch.setattr(export_sheets, "FULL_SCAN_BYTES", 0)
    path = tmp_path / "导出.xlsx"
    sheets = {"综合": sheet_xml(answer_rows(hidden=3)), "备用": sheet_xml(answer_rows())}
    path.write_bytes(xlsx_bytes(sheets, hidden=("备用",)))
    result = aggregate_files([path], profile)
    found = next(u for u in result.units if u.unit == "九亭镇").items[ITEM]
    assert (found.n, found.score) == (3, 80.0)  # 100, 80 (hidden), 60
    notes = {issue.message for issue in result.issues}
    assert "有隐藏的工作表：备用（已照常读取）" in notes
    assert "工作表「综合」有隐藏行：第 3 行（已照常读取）" in notes


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="{ref}"><f>B9*2</f></c>',  # a formula saved without its value
        '<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',  # a cached error
        '<c r="{ref}" t="e"><v>#N/A</v></c>',
    ],
    ids=["formula-without-value", "div0", "na"],
)
def test_a_cell_without_a_value_is_no_answer_and_invents_no_score(cell, tmp_path, profile):
    # no answer is the only reading: the cell holds no option the respondent chose
    path = write(tmp_path / "导出.xlsx", answer_rows({3: cell}))
    found = item(path, "九亭镇", profile)
    assert (found.n, found.score) == (2, 80.0)  # 100 and 60; the middle one is not counted


def test_a_number_formatted_as_a_percentage_is_not_an_answer_and_is_reported(tmp_path, profile):
    styles = (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="9"/></cellXfs></styleSheet>'
    )
    body = answer_rows({3: '<c r="{ref}" s="1"><v>0.8</v></c>'})  # shown as 80%
    path = tmp_path / "导出.xlsx"
    path.write_bytes(xlsx_bytes({"综合": sheet_xml(body)}, extra={"xl/styles.xml": styles}))
    result = aggregate_files([path], profile)
    found = next(u for u in result.units if u.unit == "九亭镇").items[ITEM]
    assert (found.n, found.score) == (2, 80.0)
    warnings = [issue.message for issue in result.issues]
    assert any("有 1 个答案无法识别" in text and "“0.8”" in text for text in warnings), warnings


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ('<row r="3" hidden="1">', (2,)),
        ("<row r='3' hidden = 'true' spans=\"1:3\">", (2,)),
        ('<x:row r="3" hidden="1">', (2,)),
        ('<row r="3" hidden="0">', ()),
        ('<row hidden="1">', None),  # no number: the full pre-scan, which counts rows, tells
    ],
    ids=["plain", "single-quotes", "prefixed", "shown", "unnumbered"],
)
def test_the_hidden_row_scan_of_a_large_workbook_reads_every_spelling(tag, expected):
    close = "</x:row>" if tag.startswith("<x:") else "</row>"
    body = f'<row r="1"><c r="A1"/></row><row r="2"/>{tag}<c r="A3"/>{close}'
    data = xlsx_bytes({"综合": sheet_xml(body)})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        facts = hidden_sheets_and_rows(archive, "x.xlsx")
    assert (None if facts is None else facts.sheets["综合"].hidden_rows) == expected


_LETTERS = st.sampled_from([b"h", b"i", b"d", b"e", b"n", b"<", b"\x00"])


@settings(max_examples=150, deadline=None)
@given(
    text=st.lists(_LETTERS, max_size=3000).map(b"".join),
    words=st.lists(
        st.lists(_LETTERS, min_size=1, max_size=7).map(b"".join), min_size=1, max_size=3
    ),
    step=st.integers(min_value=1, max_value=300),
    method=st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]),
)
def test_the_first_look_finds_words_wherever_the_blocks_fall(text, words, step, method):
    """`_mentioned` inflates a member in blocks of `step` compressed bytes: a word split across
    blocks is found, as Python's own `in` on the whole text finds it (a stored member is read
    through zipfile)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", text)
    with (
        pytest.MonkeyPatch.context() as patch,
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive,
    ):
        patch.setattr(guard, "_RAW_STEP", step)
        found = guard._mentioned(archive, "xl/worksheets/sheet1.xml", tuple(words))
    assert found == {word for word in words if word in text}


def test_a_damaged_member_of_a_large_export_is_refused_with_a_message(tmp_path, monkeypatch):
    """The first look inflates without zipfile's checks: a corrupt stream still ends in the
    full pre-scan's message, not a traceback."""
    monkeypatch.setattr(export_sheets, "FULL_SCAN_BYTES", 0)
    rows = [row(1, *(text_cell(f"{LETTERS[c]}1", text) for c, text in enumerate(HEADER)))]
    answers = [(text_cell(f"A{r}", "九亭镇"), text_cell(f"B{r}", "满意")) for r in range(2, 400)]
    rows += [row(r, *cells) for r, cells in enumerate(answers, start=2)]
    data = bytearray(xlsx_bytes({"答卷": sheet_xml("".join(rows))}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[middle : middle + 40] = bytes(40)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    result = runner.invoke(app, ["aggregate", str(path)])
    assert result.exit_code == 2, result.output
    assert "damaged.xlsx：文件已损坏或不完整" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ('<c r="{ref}"><f>B9*2</f></c>', "没有保存计算结果的公式"),
        ('<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>', "错误值（#DIV/0!）"),
        ('<c r="{ref}" t="e"><v>#N/A</v></c>', "错误值（#N/A）"),
    ],
    ids=["formula-without-value", "div0", "na"],
)
@pytest.mark.parametrize("size", ["small", "large"])
def test_a_cell_read_empty_is_said_to_count_as_no_answer(
    cell, said, size, monkeypatch, tmp_path, profile
):
    """The parser reads such a cell as empty: it counts as no answer, and the user is told,
    whether the workbook is pre-scanned whole or (large) only looked at for formulas."""
    if size == "large":
        monkeypatch.setattr(export_sheets, "FULL_SCAN_BYTES", 0)
    path = write(tmp_path / "导出.xlsx", answer_rows({3: cell}))
    result = aggregate_files([path], profile)
    found = next(u for u in result.units if u.unit == "九亭镇").items[ITEM]
    assert (found.n, found.score) == (2, 80.0)
    said_so = [issue.message for issue in result.issues if issue.code == IssueCode.FORMULA_ERROR]
    assert said_so == [
        f"1 个单元格是{said}，读作空白、按未回答处理（第一个在 综合!B3）；"
        "请在 Excel/WPS 中修正公式并保存后再试"
    ]


def test_an_error_in_a_column_not_read_is_not_reported(large, tmp_path, profile):
    rows = answer_rows() + row(9, text_cell("A9", "岳阳街道"), '<c r="C9" t="e"><v>#N/A</v></c>')
    result = aggregate_files([write(tmp_path / "导出.xlsx", rows)], profile)
    assert IssueCode.FORMULA_ERROR not in {issue.code for issue in result.issues}
    assert next(u for u in result.units if u.unit == "岳阳街道").respondents == 2
