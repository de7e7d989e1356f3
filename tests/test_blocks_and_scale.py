"""Issue 11's silent failures and refusals, on small workbooks written cell by cell.

Two readings used to end with exit 0 and other numbers: 街道/镇 blocks under merged label rows
(the label became a header level and the published composite was recomputed) and a composite
stored as 0.7853 formatted 0.00% (every unit graded 较差). These pin what a user now sees.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import write_xlsx
from typer.testing import CliRunner

from mytool.api import read_report
from mytool.cli import app
from mytool.errors import InputError
from mytool.report import CATEGORY, COMPOSITE

STREETS = ["岳阳街道", "永丰街道", "方松街道", "中山街道", "广富林街道", "九里亭街道"]
TOWNS = ["泗泾镇", "佘山镇", "车墩镇", "新桥镇", "洞泾镇", "九亭镇"]
TOWNS += ["泖港镇", "石湖荡镇", "新浜镇", "叶榭镇", "小昆山镇"]
# Published composites chosen so that the weighted category mean ranks them differently.
COMPOSITES = dict(zip(STREETS + TOWNS, [round(86.4 - 0.93 * i, 2) for i in range(17)], strict=True))


def rank_json(path: Path) -> tuple[dict, str]:
    result = CliRunner().invoke(app, ["rank", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def category_scores(index: int) -> list[float]:
    """居住区 and 工地 scores that rank units upside down if the composite were recomputed."""
    return [round(70 + 0.9 * index, 2), round(88 - 0.7 * index, 2)]


def test_stacked_blocks_under_merged_labels_keep_the_published_composite(tmp_path):
    rows: list[list[object]] = [
        ["2023年下半年度松江区市容环境满意度测评结果"],
        ["街镇", "综合满意度", "居住区", "工地"],
        ["街道"],
    ]
    rows += [[u, COMPOSITES[u], *category_scores(i)] for i, u in enumerate(STREETS)]
    rows += [["街道平均", 84.0, 72.0, 86.0], ["镇"]]
    rows += [[u, COMPOSITES[u], *category_scores(i + 6)] for i, u in enumerate(TOWNS)]
    rows += [["镇平均", 78.0, 80.0, 80.0]]
    path = write_xlsx(
        tmp_path / "stacked.xlsx", rows, sheet="测评结果", merges=("A1:D1", "A3:D3", "A11:D11")
    )
    data, stderr = rank_json(path)
    assert data["score_source"] == "reported"
    got = {u["unit"]: (u["score"], u["rank"], u["score_source"]) for u in data["units"]}
    assert got == {
        unit: (score, rank, "reported")
        for rank, (unit, score) in enumerate(COMPOSITES.items(), start=1)
    }
    flagged = {u["unit"] for u in data["units"] if u["flagged"]}
    assert flagged == set(TOWNS[-6:])
    assert data["units"][0]["categories"] == {"居住区": 70.0, "工地": 88.0}
    assert "街道" not in stderr and "不在测评口径" not in stderr


def test_stacked_blocks_validate_shows_one_table_with_its_header(tmp_path):
    rows = [["街镇", "综合满意度"], ["街道"], *[[u, COMPOSITES[u]] for u in STREETS]]
    rows += [["镇"], *[[u, COMPOSITES[u]] for u in TOWNS]]
    path = write_xlsx(tmp_path / "stacked.xlsx", rows, merges=("A2:B2", "A9:B9"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "宽表（每行一个街镇）；表头第 1 行；街镇列 A；读取 1 列" in result.stdout
    assert "街镇（17 个）" in result.stdout and "未发现问题" in result.stdout


def test_percent_formatted_composite_reads_as_the_office_sees_it(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["街镇", "综合满意度", "居住区"])
    for i, unit in enumerate(STREETS + TOWNS):
        sheet.append([unit, COMPOSITES[unit] / 100, 80 + i / 10])
        sheet.cell(row=i + 2, column=2).number_format = "0.00%"
    path = tmp_path / "percent.xlsx"
    book.save(path)
    data, _ = rank_json(path)
    yueyang = data["units"][0]
    assert (yueyang["unit"], yueyang["score"], yueyang["grade"]) == ("岳阳街道", 86.4, "优秀")
    assert not yueyang["flagged"]
    assert [u["score"] for u in data["units"]] == list(COMPOSITES.values())
    assert {u["unit"] for u in data["units"] if u["flagged"]} == set(TOWNS[-6:])
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert "17 个分数单元格设置为百分比格式（如 Sheet!B2 显示为 86.40%）" in result.stdout


def test_a_small_scale_is_refused_with_what_was_seen(tmp_path):
    rows = [["街镇", "综合满意度"], *[[u, round(9.1 - i * 0.2, 2)] for i, u in enumerate(STREETS)]]
    path = write_xlsx(tmp_path / "ten-point.xlsx", rows)
    result = CliRunner().invoke(app, ["rank", str(path)])
    assert result.exit_code == 2
    assert "Sheet1!B2：「综合满意度」的分数都不超过 10（最高 9.1）" in result.stderr
    assert "请换算成百分制分数后再试" in result.stderr


def test_a_fraction_among_points_is_refused_at_its_cell(tmp_path, profile):
    rows = [["街镇", "综合满意度"], *[[u, 80 + i] for i, u in enumerate(STREETS)]]
    rows[3][1] = 0.8153
    path = write_xlsx(tmp_path / "mixed.xlsx", rows)
    report = read_report(path, profile)
    (error,) = report.errors
    assert (error.code, error.place, error.unit) == ("score-scale-mixed", "Sheet1!B4", "方松街道")
    with pytest.raises(InputError, match=r"0\.8153 在 0–1 之间"):
        report.raise_for_errors()


def test_side_by_side_blocks_read_as_one_table(tmp_path, profile):
    header = ["序号", "街镇", "综合满意度", "居住区"]
    rows: list[list[object]] = [[*header, None, *header]]
    for i in range(len(TOWNS)):
        left = [i + 1, STREETS[i], COMPOSITES[STREETS[i]], 80.0] if i < 6 else [None] * 4
        rows.append([*left, None, i + 1, TOWNS[i], COMPOSITES[TOWNS[i]], 75.5])
    path = write_xlsx(tmp_path / "side.xlsx", rows)
    report = read_report(path, profile)
    assert not report.errors and not [i for i in report.warnings if i.code != "category-missing"]
    assert set(report.units) == set(COMPOSITES)
    composites = {s.unit: s.value for s in report.scores if s.measure == COMPOSITE}
    assert composites == COMPOSITES
    places = {s.unit: s.place for s in report.scores if s.measure == CATEGORY}
    assert places["岳阳街道"] == "Sheet1!D2" and places["小昆山镇"] == "Sheet1!I12"
    (use,) = report.sheets
    assert use.unit_column == "B、G" and "2 块并排" in use.note


def test_transposed_table_points_at_the_real_cells(tmp_path, profile):
    units = STREETS + TOWNS
    rows = [
        ["2024年上半年松江区市容环境满意度测评结果"],
        ["指标", *units],
        ["综合满意度", *[COMPOSITES[u] for u in units]],
        ["居住区", *[80.0] * 16, "良好"],
    ]
    path = write_xlsx(tmp_path / "transposed.xlsx", rows)
    report = read_report(path, profile)
    assert report.period == "2024H1"
    assert {s.unit: s.value for s in report.scores if s.measure == COMPOSITE} == COMPOSITES
    (error,) = report.errors
    assert (error.place, error.unit) == ("Sheet1!R4", "小昆山镇")
    (use,) = report.sheets
    assert use.layout == "transposed" and "街镇在第2行" in use.note


def test_a_repeated_header_that_differs_is_an_error(tmp_path, profile):
    rows = [["街镇", "综合满意度", "居住区"], *[[u, COMPOSITES[u], 80] for u in STREETS]]
    rows += [["街镇", "居住区", "综合满意度"], *[[u, 80, COMPOSITES[u]] for u in TOWNS]]
    path = write_xlsx(tmp_path / "swapped.xlsx", rows)
    report = read_report(path, profile)
    assert [(e.code, e.place) for e in report.errors] == [("header-mismatch", "Sheet1!B8")]


def test_utf16_unicode_text_export_is_read(tmp_path, profile):
    lines = ["街镇\t综合满意度", *(f"{u}\t{COMPOSITES[u]:.2f}%" for u in STREETS)]
    path = tmp_path / "导出.txt"
    path.write_bytes(b"\xff\xfe" + "\r\n".join(lines).encode("utf-16-le"))
    report = read_report(path, profile)
    assert report.format == "csv"
    assert {s.unit: s.value for s in report.scores} == {u: COMPOSITES[u] for u in STREETS}
