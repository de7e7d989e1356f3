"""Issue 11's rules: a reading the tool is not sure of is never silent.

Each test builds its own file and checks what a user sees: the exit code, the lines on stderr,
the JSON fields; expected values are worked out here, not by calling mytool's own functions.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
from conftest import CHARTS, needs, write_xlsx
from halfyears import UNITS, composites, write_report
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()
PROFILE_TOML = Path(__file__).resolve().parents[1] / "data" / "profile.toml"


def composite_rows(scores: dict[str, float]) -> list[list[object]]:
    return [["街镇", "综合满意度"], *([unit, score] for unit, score in scores.items())]


def all_units(start: float = 86.0, step: float = 0.9) -> dict[str, float]:
    """Distinct composites for the 17 units, best first in the profile's order."""
    return {unit: round(start - step * i, 2) for i, unit in enumerate(UNITS)}


def rank(*args: str):
    return runner.invoke(app, ["rank", *args])


# Item 5: aliases never merge two places --------------------------------------------------------


def test_sheshan_resort_and_sheshan_town_are_two_rows_not_a_duplicate(tmp_path):
    scores = all_units()
    rows = [*composite_rows(scores), ["佘山度假区", 71.05]]
    path = write_xlsx(tmp_path / "2023H2.xlsx", rows)
    result = rank(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    assert units["佘山镇"]["score"] == scores["佘山镇"] and units["佘山镇"]["known_unit"]
    # Not one of the 17: listed, never ranked (it must not take a bottom-6 place from a unit)
    assert "佘山度假区" not in units and len(units) == 17
    assert (
        "提示：2023H2.xlsx：Sheet1!A19：「佘山度假区」是单列的区域，不是测评口径中的街镇，"
        "不参与街镇排名，也不并入任何街镇" in result.stderr
    )
    assert "是否为" not in result.stderr  # never suggested as a misspelt 佘山镇


def test_duplicate_unit_message_shows_the_spelling_of_each_row(tmp_path):
    path = tmp_path / "报告.csv"
    path.write_text("街镇,综合满意度\n九亭镇,70\n 九亭 ,71\n", encoding="utf-8")
    result = rank(str(path))
    assert result.exit_code == 2
    assert (
        "「九亭镇」的「综合满意度」出现两次且数值不一致："
        "报告!B2（「九亭镇」）为 70，报告!B3（「九亭」）为 71" in result.stderr
    )


def test_a_profile_that_makes_a_non_unit_area_an_alias_is_refused(tmp_path):
    text = PROFILE_TOML.read_text(encoding="utf-8")
    bad = tmp_path / "口径.toml"
    bad.write_text(
        text.replace('short = "佘山"\naliases = []', 'short = "佘山"\naliases = ["佘山度假区"]'),
        encoding="utf-8",
    )
    path = write_xlsx(tmp_path / "t.xlsx", composite_rows(all_units()))
    result = rank(str(path), "--profile", str(bad))
    assert result.exit_code == 2
    expected = "「佘山度假区」列在 other_areas（不是街镇的区域）中，不能是「佘山镇」的别名"
    assert expected in result.stderr


# Item 7: trend counts consecutive half-years only -----------------------------------------------


def three_gapped_periods(tmp_path: Path) -> tuple[Path, list[str]]:
    """2021H2, 2023H2 and 2024H1 with the same scores: the same six units at the bottom."""
    folder = tmp_path / "各期"
    folder.mkdir()
    scores = composites(0)
    for period in ("2021H2", "2023H2", "2024H1"):
        write_report(folder / f"松江-{period}.xlsx", scores)
    bottom = sorted(scores, key=scores.get)[:6]
    return folder, bottom


def test_trend_streak_stops_at_a_missing_half_year_and_lists_the_gap(tmp_path):
    folder, bottom = three_gapped_periods(tmp_path)
    result = runner.invoke(app, ["trend", str(folder), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["missing_periods"] == ["2022H1", "2022H2", "2023H1"]
    streaks = {u["unit"]: u["flagged_streak"] for u in data["units"]}
    assert {unit for unit, streak in streaks.items() if streak} == set(bottom)
    assert {streaks[unit] for unit in bottom} == {2}  # 2023H2 and 2024H1; 2021H2 is not adjacent
    assert all(u["flagged"] == [True, True, True] for u in data["units"] if u["unit"] in bottom)
    assert (
        "提示：缺少 3 期的测评结果：2022H1、2022H2、2023H1；"
        "“连续排名靠后”只计相邻的半年度，缺期处中断" in result.stderr
    )


@needs(*CHARTS)
def test_trend_table_markdown_and_xlsx_list_the_missing_periods(tmp_path):
    folder, _ = three_gapped_periods(tmp_path)
    note = "缺少的期次：2022年上半年、2022年下半年、2023年上半年（共 3 期）"
    table = runner.invoke(app, ["trend", str(folder), "-q"])
    assert table.exit_code == 0 and note in table.stdout
    assert "连续 3 期" not in table.stdout and "连续 2 期排名靠后" in table.stdout
    markdown = runner.invoke(app, ["trend", str(folder), "-f", "md", "-q"])
    assert note in markdown.stdout and "连续 3 期" not in markdown.stdout
    out = tmp_path / "走势.xlsx"
    assert runner.invoke(app, ["trend", str(folder), "-f", "xlsx", "-o", str(out)]).exit_code == 0
    sheet = openpyxl.load_workbook(out)["街镇得分"]
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(note in text for text in texts)
    streak_column = [row[4] for row in sheet.iter_rows(min_row=4, max_row=20, values_only=True)]
    assert sorted(streak_column) == [0] * 11 + [2] * 6


def test_trend_of_adjacent_half_years_lists_nothing_missing(tmp_path):
    folder = tmp_path / "各期"
    folder.mkdir()
    for period in ("2023H2", "2024H1"):
        write_report(folder / f"{period}.xlsx", composites(0))
    data = json.loads(runner.invoke(app, ["trend", str(folder), "-f", "json"]).stdout)
    assert data["missing_periods"] == [] and data["warnings"] == []
    assert sorted(u["flagged_streak"] for u in data["units"]) == [0] * 11 + [2] * 6


# Item 1: never silent ---------------------------------------------------------------------------


def test_a_unit_missing_from_the_file_is_listed_by_rank_and_validate(tmp_path):
    scores = {u: s for u, s in all_units().items() if u not in ("新浜镇", "岳阳街道")}
    path = write_xlsx(tmp_path / "2023H2.xlsx", composite_rows(scores))
    line = "2023H2.xlsx：报告中没有这 2 个街镇：岳阳街道、新浜镇（测评口径共 17 个街镇）"
    result = rank(str(path), "-f", "json")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"提示：{line}"]
    data = json.loads(result.stdout)
    assert data["warnings"] == [line]
    assert {
        "code": "units-missing",
        "severity": "warning",
        "message": "报告中没有这 2 个街镇：岳阳街道、新浜镇（测评口径共 17 个街镇）",
        "file": "2023H2.xlsx",
        "sheet": None,
        "cell": None,
        "unit": None,
    } in data["issues"]
    checked = runner.invoke(app, ["validate", str(path)])
    assert checked.exit_code == 1
    assert f"  [警告] {line}" in checked.stdout.splitlines()


def test_a_misspelt_unit_gets_the_nearest_name_and_a_foreign_one_none(tmp_path):
    scores = {("九庭镇" if u == "九亭镇" else u): s for u, s in all_units().items()}
    rows = [*composite_rows(scores), ["测试镇", 60.5]]
    path = write_xlsx(tmp_path / "2023H2.xlsx", rows)
    result = rank(str(path), "-f", "json")
    assert result.exit_code == 0
    row = 1 + UNITS.index("九亭镇") + 1  # header, then the units in order
    assert (
        f"提示：2023H2.xlsx：Sheet1!A{row}："
        "「九庭镇」不在测评口径的街镇名单中，按原名参与排名；是否为「九亭镇」？" in result.stderr
    )
    assert "「测试镇」不在测评口径的街镇名单中，按原名参与排名\n" in result.stderr
    issues = json.loads(result.stdout)["issues"]
    unknown = [i for i in issues if i["code"] == "unknown-unit"]
    assert [(i["sheet"], i["cell"], i["unit"]) for i in unknown] == [
        ("Sheet1", f"A{row}", "九庭镇"),
        ("Sheet1", "A19", "测试镇"),
    ]
    assert "是否为「九亭镇」？" in unknown[0]["message"]
    assert "九亭镇" in next(i["message"] for i in issues if i["code"] == "units-missing")


def test_a_published_composite_that_cannot_be_read_is_an_error_not_a_recompute(tmp_path):
    """综合满意度 over 本期 / 较上期: 本期 cannot be placed, so rank refuses, never computes."""
    rows = [
        ["街镇", "综合满意度", None, "居住区", "城市道路"],
        [None, "本期", "较上期", None, None],
    ]
    for i, unit in enumerate(UNITS):
        rows.append([unit, 80 - i * 0.5, 0.4 - i * 0.1, 70 + i, 75 - i * 0.3])
    path = write_xlsx(tmp_path / "t.xlsx", rows, merges=("B1:C1", "A1:A2", "D1:D2", "E1:E2"))
    result = rank(str(path))
    assert result.exit_code == 2
    assert (
        "t.xlsx：Sheet1!B2：列「综合满意度/本期」是报告公布的综合满意度，但表头读成了「不认识的列」，"
        "无法使用；不会改用大类分数重新计算。" in result.stderr
    )
    checked = runner.invoke(app, ["validate", str(path), "-f", "json"])
    assert checked.exit_code == 1
    errors = [i for i in json.loads(checked.stdout)["issues"] if i["severity"] == "error"]
    assert [(i["code"], i["sheet"], i["cell"]) for i in errors] == [
        ("composite-not-read", "Sheet1", "B2")
    ]


def test_composite_under_a_block_subheader_is_never_silently_recomputed(tmp_path):
    """The stacked-block header (综合满意度 over a 街道 row): refused, or read as published."""
    rows = [["街镇", "综合满意度", "居住区", "城市道路"], [None, "街道", "街道", "街道"]]
    published = {}
    for i, unit in enumerate(UNITS):
        published[unit] = round(86 - i * 0.7, 2)
        rows.append([unit, published[unit], 70 + i * 0.3, 90 - i * 0.2])
    path = write_xlsx(tmp_path / "t.xlsx", rows)
    result = rank(str(path), "-f", "json")
    if result.exit_code == 0:
        data = json.loads(result.stdout)
        assert data["score_source"] == "reported"
        assert {u["unit"]: u["score"] for u in data["units"]} == published
    else:
        assert result.exit_code == 2 and "是报告公布的综合满意度" in result.stderr


def test_a_numeric_column_the_reader_sets_aside_is_reported_with_its_cell(tmp_path):
    rows = [["街镇", "综合满意度", "居住区", "样本量", "镇"]]
    for i, unit in enumerate(UNITS):
        rows.append([unit, 80 - i * 0.5, 75 + i * 0.2, 300 + i, 2 + i])
    path = write_xlsx(tmp_path / "2023H2.xlsx", rows)
    result = rank(str(path), "-f", "json")
    assert result.exit_code == 0
    issues = json.loads(result.stdout)["issues"]
    assert {(i["code"], i["sheet"], i["cell"]) for i in issues} == {
        ("unknown-column", "Sheet1", "D1"),
        ("unknown-column", "Sheet1", "E1"),
        ("category-missing", None, None),  # only 居住区 among the 11
    }
    assert "列「镇」有分数，但表头不是测评口径中的大类或小项，未使用" in result.stderr


# Item 3: workbooks with a sheet per half-year -------------------------------------------------

H2_SCORES = all_units(85.0, 0.8)
H1_SCORES = {
    unit: round(score + 1.5 - 0.1 * i, 2) for i, (unit, score) in enumerate(H2_SCORES.items())
}


def period_sheet(scores: dict[str, float], title: str | None = None) -> list[list[object]]:
    rows: list[list[object]] = [[title]] if title else []
    return rows + composite_rows(scores)


def two_period_workbook(tmp_path: Path, *, titles: bool = False) -> Path:
    """2023年下半年 and 2024上半年 on their own sheets (named so, or titled so)."""
    if titles:
        return write_xlsx(
            tmp_path / "两期.xlsx",
            period_sheet(H2_SCORES, "2023年下半年度松江区测评结果"),
            sheet="Sheet1",
            extra_sheets={"Sheet2": period_sheet(H1_SCORES, "2024年上半年度松江区测评结果")},
        )
    return write_xlsx(
        tmp_path / "两期.xlsx",
        period_sheet(H2_SCORES),
        sheet="2023年下半年",
        extra_sheets={"2024上半年": period_sheet(H1_SCORES), "说明": [["本表为测试数据"]]},
    )


def test_a_two_period_workbook_is_refused_naming_its_sheets_and_periods(tmp_path):
    path = two_period_workbook(tmp_path)
    for command in (
        ["rank", str(path)],
        ["brief", str(path), "-f", "both", "-d", str(tmp_path / "简报")],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            "错误：两期.xlsx 含 2 期测评结果，每期一个工作表："
            "「2023年下半年」为 2023年下半年（2023H2），「2024上半年」为 2024年上半年（2024H1）。"
            "请用 --period 2024H1（或 --sheet 工作表名）选择一期；"
            "比较各期请用 mytool compare 两期.xlsx 或 mytool trend 两期.xlsx"
        ]
    assert not (tmp_path / "简报").exists()


def test_period_or_sheet_picks_one_half_year(tmp_path):
    path = two_period_workbook(tmp_path)
    picked = rank(str(path), "--period", "2024H1", "-f", "json")
    assert picked.exit_code == 0, picked.output
    data = json.loads(picked.stdout)
    assert data["period"] == "2024H1"
    assert {u["unit"]: u["score"] for u in data["units"]} == H1_SCORES
    assert data["warnings"] == []  # no period disagreement from the other sheet
    same = rank(str(path), "--period", "2024上半年", "-f", "json")
    assert json.loads(same.stdout)["units"] == data["units"]
    by_sheet = json.loads(rank(str(path), "--sheet", "2023年下半年", "-f", "json").stdout)
    assert by_sheet["period"] == "2023H2"
    assert {u["unit"]: u["score"] for u in by_sheet["units"]} == H2_SCORES
    absent = rank(str(path), "--period", "2022H1")
    assert absent.exit_code == 2
    assert absent.stderr == "错误：两期.xlsx 中没有 2022H1 期；文件中的期次：2023H2、2024H1\n"
    no_sheet = rank(str(path), "--sheet", "汇总")
    assert no_sheet.exit_code == 2
    assert no_sheet.stderr == (
        "错误：两期.xlsx：工作表「汇总」不存在；现有工作表：2023年下半年、2024上半年、说明\n"
    )
    brief = runner.invoke(
        app,
        [
            "brief",
            str(path),
            "-f",
            "both",
            "--period",
            "2023H2",
            "-d",
            str(tmp_path / "简报"),
            "-q",
        ],
    )
    assert brief.exit_code == 0, brief.output
    assert (tmp_path / "简报" / "2023H2-全区总览.md").exists()


def test_periods_told_by_sheet_titles_count_too(tmp_path):
    path = two_period_workbook(tmp_path, titles=True)
    refused = rank(str(path))
    assert refused.exit_code == 2
    assert (
        "「Sheet1」为 2023年下半年（2023H2），「Sheet2」为 2024年上半年（2024H1）" in refused.stderr
    )
    data = json.loads(rank(str(path), "--period", "2023H2", "-f", "json").stdout)
    assert {u["unit"]: u["score"] for u in data["units"]} == H2_SCORES


def test_period_of_a_one_period_file_must_match(tmp_path):
    path = write_xlsx(tmp_path / "2023H2.xlsx", composite_rows(all_units()))
    assert rank(str(path), "--period", "2023H2").exit_code == 0
    wrong = rank(str(path), "--period", "2024H1")
    assert wrong.exit_code == 2
    assert wrong.stderr == (
        "错误：2023H2.xlsx 是 2023年下半年（2023H2）的测评结果，不是 --period 指定的 2024H1\n"
    )


def test_compare_and_trend_read_a_two_period_workbook_as_two_periods(tmp_path):
    path = two_period_workbook(tmp_path)
    compared = runner.invoke(app, ["compare", str(path), "-f", "json"])
    assert compared.exit_code == 0, compared.output
    data = json.loads(compared.stdout)
    assert (data["previous"]["period"], data["current"]["period"]) == ("2023H2", "2024H1")
    changes = {u["unit"]: u["score_change"] for u in data["units"]}
    assert changes == {u: round(H1_SCORES[u] - H2_SCORES[u], 2) for u in UNITS}
    trend = runner.invoke(app, ["trend", str(path), "-f", "json"])
    assert trend.exit_code == 0, trend.output
    series = json.loads(trend.stdout)
    assert [p["period"] for p in series["periods"]] == ["2023H2", "2024H1"]
    assert {u["unit"]: u["scores"] for u in series["units"]} == {
        u: [H2_SCORES[u], H1_SCORES[u]] for u in UNITS
    }
    one = write_xlsx(tmp_path / "2023H2.xlsx", composite_rows(all_units()))
    alone = runner.invoke(app, ["compare", str(one)])
    assert alone.exit_code == 2
    assert "2023H2.xlsx 只有一期测评结果（2023H2）；比较需要两个文件" in alone.stderr


def test_validate_lists_the_periods_of_a_two_period_workbook(tmp_path):
    path = two_period_workbook(tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:5] == [
        "文件：两期.xlsx",
        "含 2 期测评结果（每期一个工作表）：",
        "  - 2023H2（2023年下半年）：工作表「2023年下半年」",
        "  - 2024H1（2024年上半年）：工作表「2024上半年」",
        "rank、brief 需用 --period（如 --period 2024H1）或 --sheet 选择一期；"
        "compare、trend 直接读这个文件即为多期。",
    ]
    assert "conflict" not in result.stdout and "不一致" not in result.stdout
    data = json.loads(runner.invoke(app, ["validate", str(path), "-f", "json"]).stdout)
    assert data["periods"] == [
        {"period": "2023H2", "sheets": ["2023年下半年"]},
        {"period": "2024H1", "sheets": ["2024上半年"]},
    ]
    assert [r["period"] for r in data["reports"]] == ["2023H2", "2024H1"]
    one = runner.invoke(app, ["validate", str(path), "--period", "2024H1", "-f", "json"])
    assert json.loads(one.stdout)["periods"] == [{"period": "2024H1", "sheets": ["2024上半年"]}]


# Item 6: questionnaire exports never guess what a number means ---------------------------------

EXPORT_HEADER = ["序号", "提交答卷时间", "1、您所在的街镇：", "2、您对小区环境卫生的满意程度："]


def export_file(tmp_path: Path, name: str, answers: list[tuple[str, object]]) -> Path:
    rows: list[list[object]] = [EXPORT_HEADER]
    for index, (unit, answer) in enumerate(answers, start=1):
        rows.append([index, f"2023/11/{index} 10:00:00", unit, answer])
    return write_xlsx(tmp_path / name, rows)


# 九亭镇 answers 1, 1, 2, 6; 岳阳街道 answers 4, 5, 3. As option numbers of the usual question
# (1 = 非常满意 … 5 = 非常不满意, 6 = 不了解): 九亭 (100 + 100 + 80) / 3, 岳阳 (40 + 20 + 60) / 3.
NUMBER_ANSWERS = [
    ("九亭镇", 1),
    ("九亭镇", "1"),
    ("九亭镇", 2),
    ("九亭镇", 6),
    ("岳阳街道", 4),
    ("岳阳街道", 5),
    ("岳阳街道", "3"),
]


def item_scores(result) -> dict[str, float]:
    data = json.loads(result.stdout)
    return {u["unit"]: u["items"]["居住区/小区环境卫生"]["score"] for u in data["units"]}


def test_a_by_option_download_is_read_the_right_way_up(tmp_path):
    path = export_file(tmp_path, "123456_按序号_满意度调查.xlsx", NUMBER_ANSWERS)
    result = runner.invoke(app, ["aggregate", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert item_scores(result) == {"九亭镇": 93.33, "岳阳街道": 40.0}
    ranked = json.loads(rank(str(path), "-f", "json", "-q").stdout)
    assert [u["unit"] for u in ranked["units"]] == ["九亭镇", "岳阳街道"]
    assert (
        "数字答案按选项序号读取（文件名含“按序号”），选项顺序按常见问卷假定为 "
        "1 = 非常满意、2 = 满意、3 = 一般、4 = 不满意、5 = 非常不满意、6 = 不了解" in result.stderr
    )


def test_numbers_without_a_hint_or_a_declared_mapping_are_refused(tmp_path):
    path = export_file(tmp_path, "满意度调查.xlsx", NUMBER_ANSWERS)
    for command in ("aggregate", "rank", "validate"):
        result = runner.invoke(app, [command, str(path)])
        assert result.exit_code == 2, command
        lines = result.stderr.splitlines()
        assert lines[0] == (
            "错误：满意度调查.xlsx：「2、您对小区环境卫生的满意程度：」的答案是数字"
            "（1、2、3、4、5、6），无法判断数字的含义："
            "问卷星“按序号”下载时数字是选项序号（1 = 第一个选项，多为“非常满意”），"
            "“按分数”下载时是问卷设定的分数（常为 5 = 非常满意），两者方向可能相反，不能猜。"
            "请任选一种："
        )
        assert lines[1] == "1. 在问卷星“下载答卷数据”中选择“按文本”重新下载；"
        assert "[labels.by_number]" in lines[4] and lines[5] == '  1 = "非常满意"'


def test_a_mapping_declared_in_the_profile_is_used(tmp_path):
    """A questionnaire listing the options worst first: 1 = 非常不满意 … 5 = 非常满意."""
    custom = tmp_path / "口径.toml"
    custom.write_text(
        PROFILE_TOML.read_text(encoding="utf-8")
        + '\n[labels.by_number]\n1 = "非常不满意"\n2 = "不满意"\n3 = "一般"\n4 = "满意"\n'
        '5 = "非常满意"\n6 = "不了解"\n',
        encoding="utf-8",
    )
    path = export_file(tmp_path, "满意度调查.xlsx", NUMBER_ANSWERS)
    result = runner.invoke(app, ["aggregate", str(path), "-f", "json", "-p", str(custom)])
    assert result.exit_code == 0, result.output
    # 九亭 (20 + 20 + 40) / 3; 岳阳 (80 + 100 + 60) / 3
    assert item_scores(result) == {"九亭镇": 26.67, "岳阳街道": 80.0}
    checked = runner.invoke(app, ["validate", str(path), "-p", str(custom)])
    assert "[说明] 满意度调查.xlsx：数字答案按选项序号读取（测评口径 [labels.by_number]）" in (
        checked.stdout
    )


def test_labels_mixed_with_numbers_in_one_column_are_reported(tmp_path):
    answers = [("九亭镇", "非常满意"), ("九亭镇", 2), ("九亭镇", "满意"), ("岳阳街道", 5)]
    path = export_file(tmp_path, "1_按序号_调查.xlsx", answers)
    result = runner.invoke(app, ["aggregate", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert item_scores(result) == {"九亭镇": round((100 + 80 + 80) / 3, 2), "岳阳街道": 20.0}
    assert (
        "提示：1_按序号_调查.xlsx：Sheet1!D1：「2、您对小区环境卫生的满意程度：」"
        "的答案既有文字（2 个）又有数字（2 个，如 2、5）；数字按选项序号，请核对导出方式是否一致"
        in result.stderr
    )


# Item 4: weights in the table --------------------------------------------------------------------

OFFICE_WEIGHTS = {  # an office's own weights, not the profile's (居住区 0.20 instead of 0.16 …)
    "建(构)筑物": "0.08",
    "居住区": "0.20",
    "城市道路": "0.12",
    "公共设施": "0.08",
    "城市绿化": "0.10",
    "标识标牌与广告设施": "0.06",
    "公共场所": "0.10",
    "城市水域": "0.07",
    "工地": "0.07",
    "车容车貌": "0.05",
    "服务规范": "0.07",
}


def category_table(weights: dict[str, str] | None, *, composite: bool = False):
    """17 units × 11 categories (no 工地 for 泗泾镇), a 权重 row under the header."""
    names = list(OFFICE_WEIGHTS)
    header = ["街镇", *(["综合满意度"] if composite else []), *names]
    rows: list[list[object]] = [header]
    if weights is not None:
        rows.append(["权重", *([None] if composite else []), *(float(weights[n]) for n in names)])
    truth: dict[str, dict[str, float]] = {}
    for i, unit in enumerate(UNITS):
        scores = {n: round(70 + (i * 7 + j * 5) % 23 + j * 0.37, 2) for j, n in enumerate(names)}
        if unit == "泗泾镇":
            del scores["工地"]
        truth[unit] = scores
        published = [round(80 - i * 0.6, 2)] if composite else []
        rows.append([unit, *published, *(scores.get(n, "—") for n in names)])
    return rows, truth


def weighted(scores: dict[str, float], weights: dict[str, str]) -> float:
    """Σ score × weight / Σ weight over the categories present, ROUND half-up to cents."""
    total = sum(Decimal(weights[c]) for c in scores)
    value = sum(Decimal(repr(s)) * Decimal(weights[c]) for c, s in scores.items()) / total
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_a_weight_row_is_used_with_a_note_and_differing_weights_are_pointed_out(tmp_path):
    rows, truth = category_table(OFFICE_WEIGHTS)
    path = write_xlsx(tmp_path / "2023H2.xlsx", rows, sheet="大类")
    result = rank(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = {unit: weighted(scores, OFFICE_WEIGHTS) for unit, scores in truth.items()}
    assert {u["unit"]: u["score"] for u in data["units"]} == expected
    assert data["score_source"] == "computed" and data["weights_from"] == "大类!B2:L2"
    order = sorted(expected, key=lambda u: -expected[u])
    assert [u["unit"] for u in data["units"]] == order
    assert [u["rank"] for u in data["units"]] == list(range(1, 18))
    note = next(i for i in data["issues"] if i["code"] == "weights-from-file")
    assert (note["severity"], note["sheet"], note["cell"]) == ("info", "大类", "B2:L2")
    assert note["message"].startswith(
        "报告没有公布综合满意度，综合得分按文件中的权重（大类!B2:L2）计算："
        "建(构)筑物 0.08、居住区 0.2、"
    )
    assert "2023H2.xlsx：大类!B2:L2：文件中的权重与测评口径不同" in result.stderr
    assert "居住区 大类!C2 为 0.2，口径为 0.16" in result.stderr
    # Both sets sum to 1, so a category differs exactly when its weight does.
    differ = {
        "建(构)筑物",
        "居住区",
        "城市绿化",
        "标识标牌与广告设施",
        "公共场所",
        "工地",
        "车容车貌",
    }
    line = next(x for x in result.stderr.splitlines() if "与测评口径不同" in x)
    for column, name in enumerate(OFFICE_WEIGHTS):
        cell = f"{name} 大类!{'BCDEFGHIJKL'[column]}2 为"
        assert (cell in line) == (name in differ), name
    table = rank(str(path), "-q")
    assert "综合得分由大类分数按文件中的权重（大类!B2:L2）计算" in table.stdout


def test_weights_equal_to_the_profile_give_the_note_but_no_warning(tmp_path):
    profile_weights = {
        "建(构)筑物": "0.09",
        "居住区": "0.16",
        "城市道路": "0.12",
        "公共设施": "0.08",
        "城市绿化": "0.09",
        "标识标牌与广告设施": "0.07",
        "公共场所": "0.11",
        "城市水域": "0.07",
        "工地": "0.08",
        "车容车貌": "0.06",
        "服务规范": "0.07",
    }
    rows, truth = category_table(profile_weights)
    path = write_xlsx(tmp_path / "2023H2.xlsx", rows)
    result = rank(str(path), "-f", "json")
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert {u["unit"]: u["score"] for u in data["units"]} == {
        unit: weighted(scores, profile_weights) for unit, scores in truth.items()
    }
    assert [i["code"] for i in data["issues"]] == ["weights-from-file"]


def test_a_published_composite_wins_over_the_weight_row(tmp_path):
    rows, _ = category_table(OFFICE_WEIGHTS, composite=True)
    path = write_xlsx(tmp_path / "2023H2.xlsx", rows)
    data = json.loads(rank(str(path), "-f", "json").stdout)
    assert data["score_source"] == "reported" and data["weights_from"] is None
    assert {u["unit"]: u["score"] for u in data["units"]} == {
        unit: round(80 - i * 0.6, 2) for i, unit in enumerate(UNITS)
    }
    codes = {i["code"] for i in data["issues"]}
    assert {"weights-in-file", "weights-differ"} <= codes


def test_a_weight_merged_over_a_categorys_items_is_that_categorys_weight(tmp_path):
    rows: list[list[object]] = [
        ["街镇", "居住区", None, "城市道路", None],
        [None, "小区环境卫生", "垃圾分类投放", "道路保洁", "路面平整完好"],
        ["权重", 0.6, None, 0.4, None],
    ]
    expected = {}
    for i, unit in enumerate(UNITS):
        items = [round(70 + i * 0.9, 2), round(75 - i * 0.35, 2), round(80 - i * 0.5, 2), 77.15]
        rows.append([unit, *items])
        # category = ROUND(mean of its items, 2); composite = ROUND(0.6·居住区 + 0.4·城市道路, 2)
        cents = Decimal("0.01")
        living = (sum(map(Decimal, map(repr, items[:2]))) / 2).quantize(cents, ROUND_HALF_UP)
        roads = (sum(map(Decimal, map(repr, items[2:]))) / 2).quantize(cents, ROUND_HALF_UP)
        composite = (living * Decimal("0.6") + roads * Decimal("0.4")).quantize(
            cents, ROUND_HALF_UP
        )
        expected[unit] = float(composite)
    path = write_xlsx(
        tmp_path / "2023H2.xlsx", rows, merges=("B1:C1", "D1:E1", "A1:A2", "B3:C3", "D3:E3")
    )
    data = json.loads(rank(str(path), "-f", "json", "-q").stdout)
    assert {u["unit"]: u["score"] for u in data["units"]} == expected
    assert data["weights_from"] == "Sheet1!B3:D3"
