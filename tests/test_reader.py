"""Reader quirks, each on a small workbook the test builds."""

from __future__ import annotations

import pytest
from conftest import SAMPLE_2023H2, SAMPLE_2024H1, write_xlsx
from halfyears import OLD_CATEGORIES

from mytool.api import read_report
from mytool.errors import InputError
from mytool.reading.period import find_period
from mytool.report import CATEGORY, COMPOSITE, ITEM


def scores_of(report, measure):
    return {(s.unit, s.category, s.item): s.value for s in report.scores if s.measure == measure}


def test_two_level_header_with_titles_notes_references_and_footnotes(tmp_path, profile):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["2023年下半年度松江区市容环境质量社会公众满意度测评结果"],
            [None, None, None, None, "单位：分"],
            ["街镇", "综合满意度", "居住区", None, "城市道路"],
            [None, None, "小区环境卫生", "垃圾分类投放", "道路保洁"],
            [" 九亭镇 ", 78.5, "７８．５３", "—", 80],
            ["全区平均", 79, 78, 78, 78],
            ["岳阳", "80.10", 77, 79, "/"],
            ["注：本表为测试数据。"],
        ],
        merges=("A1:E1", "A3:A4", "B3:B4", "C3:D3"),
    )
    report = read_report(path, profile)
    assert report.units == ("九亭镇", "岳阳街道")
    assert report.reference_rows == ("全区平均",)
    assert report.period == "2023H2"
    assert scores_of(report, COMPOSITE) == {("九亭镇", "", ""): 78.5, ("岳阳街道", "", ""): 80.1}
    items = scores_of(report, ITEM)
    assert items[("九亭镇", "居住区", "小区环境卫生")] == 78.53
    assert ("九亭镇", "居住区", "垃圾分类投放") not in items  # "—" is no value, not zero
    assert ("岳阳街道", "城市道路", "道路保洁") not in items
    assert report.sheets[0].header_rows == (3, 4)
    assert not report.errors


def test_header_without_merge_information_spans_parent_labels(tmp_path, profile):
    path = tmp_path / "t.csv"
    path.write_text(
        "街镇,综合得分,居住区,,工地,\n,,小区环境卫生,垃圾分类投放,工地围挡,渣土运输\n九亭镇,70,71,72,73,74\n",
        encoding="utf-8",
    )
    items = scores_of(read_report(path, profile), ITEM)
    assert items[("九亭镇", "居住区", "垃圾分类投放")] == 72
    assert items[("九亭镇", "工地", "渣土运输与扬尘控制")] == 74


def test_category_score_column_under_its_items(tmp_path, profile):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["街镇名称", "工地", None, None],
            [None, "工地围挡与文明施工", "渣土运输与扬尘控制", "小计"],
            ["车墩", 70, 72, 71],
        ],
        merges=("B1:D1",),
    )
    report = read_report(path, profile)
    assert scores_of(report, CATEGORY) == {("车墩镇", "工地", ""): 71}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, profile, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes("测评单位,总分,居住区环境\n九亭镇,70.5,71\n新桥,72,73\n".encode(encoding))
    report = read_report(path, profile)
    assert scores_of(report, COMPOSITE) == {("九亭镇", "", ""): 70.5, ("新桥镇", "", ""): 72}
    assert scores_of(report, CATEGORY)[("新桥镇", "居住区", "")] == 73


def test_several_sheets_are_joined_on_the_unit(tmp_path, profile):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["单位", "综合评价"], ["九亭镇", 70], ["新桥镇", 71]],
        sheet="综合",
        extra_sheets={"大类": [["区域", "工地", "居住区"], ["新桥", 60, 61], ["九亭", 62, 63]]},
    )
    report = read_report(path, profile)
    assert scores_of(report, CATEGORY) == {
        ("新桥镇", "工地", ""): 60,
        ("新桥镇", "居住区", ""): 61,
        ("九亭镇", "工地", ""): 62,
        ("九亭镇", "居住区", ""): 63,
    }
    assert [s.layout for s in report.sheets] == ["wide", "wide"]


def test_long_table_with_period_column(tmp_path, profile):
    path = write_xlsx(
        tmp_path / "long.xlsx",
        [
            ["期次", "街镇", "大类", "小项", "得分"],
            ["2024年上半年", "九亭镇", "综合满意度", "", 71.2],
            ["2024年上半年", "九亭镇", "居住区", "", 70],
            ["2024年上半年", "九亭镇", "居住区", "小区环境卫生", 69.5],
            ["2024年上半年", "全区平均", "居住区", "", 75],
        ],
    )
    report = read_report(path, profile)
    assert report.period == "2024H1" and report.period_origin == "期次列"
    assert scores_of(report, COMPOSITE) == {("九亭镇", "", ""): 71.2}
    assert scores_of(report, ITEM) == {("九亭镇", "居住区", "小区环境卫生"): 69.5}
    assert report.sheets[0].layout == "long"


def test_unknown_units_are_kept_with_a_warning(tmp_path, profile):
    path = write_xlsx(tmp_path / "t.xlsx", [["街镇", "综合满意度"], ["测试镇", 70], ["九亭镇", 71]])
    report = read_report(path, profile)
    assert report.units == ("测试镇", "九亭镇")
    assert [i.code for i in report.warnings] == ["unknown-unit", "units-missing"]
    assert report.warnings[0].place == "Sheet1!A2"


def test_problems_are_located_by_sheet_and_cell(tmp_path, profile):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["街镇", "综合满意度"], ["九亭镇", 170], ["新桥镇", "良好"]],
        sheet="大类",
        extra_sheets={"综合": [["街镇", "综合满意度"], ["泗泾", 80]]},
    )
    report = read_report(path, profile)
    assert {(i.code, i.place) for i in report.errors} == {
        ("out-of-range", "大类!B2"),
        ("not-a-number", "大类!B3"),
    }


def test_conflicting_duplicates_are_errors_naming_both_cells(tmp_path, profile):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["街镇", "综合满意度"], ["九亭镇", 70]],
        extra_sheets={"B": [["街镇", "综合满意度"], ["九亭", 71]]},
    )
    (error,) = read_report(path, profile).errors
    assert error.code == "duplicate-unit-conflict"
    assert "Sheet1!B2" in error.message and "B!B2" in error.message


def test_sheets_without_scores_such_as_problem_lists_are_skipped(profile):
    report = read_report(SAMPLE_2023H2, profile)
    skipped = {s.name for s in report.sheets if s.layout == "skipped"}
    assert skipped == {"点位问题", "市民反映建议案例"}
    assert len(report.units) == 17 and not report.errors and not report.warnings


def test_sample_2024h1_reads_category_subtotals_and_items(profile):
    report = read_report(SAMPLE_2024H1, profile)
    assert report.period == "2024H1"
    assert len(report.categories) == 11 and len(report.items) == 35
    assert ("中山街道", "工地", "") not in scores_of(report, CATEGORY)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2023年下半年度松江区…", "2023H2"),
        ("2024上半年", "2024H1"),
        ("songjiang-2023H2", "2023H2"),
        ("2023年度上半年", "2023H1"),
        ("report_2022_h2", "2022H2"),
        ("2023年第二半年", "2023H2"),
        ("测评结果", None),
        ("20231", None),
    ],
)
def test_period_from_text(text, period):
    assert find_period(text) == period


def test_period_from_file_name_when_nothing_else_says(tmp_path, profile):
    path = write_xlsx(tmp_path / "松江2024上半年.xlsx", [["街镇", "综合满意度"], ["九亭镇", 70]])
    report = read_report(path, profile)
    assert (report.period, report.period_origin) == ("2024H1", "文件名")
    unnamed = write_xlsx(tmp_path / "结果.xlsx", [["街镇", "综合满意度"], ["九亭镇", 70]])
    assert read_report(unnamed, profile).period is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"PK\x03\x04garbage", "损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "密码"),
        ("名称,数量\n苹果,3\n".encode(), "没有找到街镇列"),
        ("街镇,备注\n九亭镇,无\n".encode(), "没有找到分数列"),
    ],
)
def test_unusable_files_raise_one_clear_error_naming_the_file(tmp_path, profile, content, message):
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        read_report(path, profile)
    assert "坏文件.xlsx" in raised.value.message and message in raised.value.message


def test_old_13_category_report_keeps_its_categories(tmp_path, profile):
    old = list(OLD_CATEGORIES)
    path = write_xlsx(
        tmp_path / "2022H1.xlsx", [["街镇", "综合满意度", *old], ["九亭镇", 70, *range(60, 73)]]
    )
    report = read_report(path, profile)
    assert set(report.categories) == set(old)
    assert not report.items and [w.code for w in report.warnings] == ["units-missing"]
    assert {i.code for i in report.issues} == {"legacy-category", "units-missing"}


def test_short_item_names_without_categories_stay_current_items(tmp_path, profile):
    items = ["集市菜场", "交通集散地", "校园周边", "医院周边", "公厕"]
    path = write_xlsx(tmp_path / "t.xlsx", [["街镇", *items], ["九亭镇", 70, 71, 72, 73, 74]])
    report = read_report(path, profile)
    assert set(report.items) == {
        ("公共场所", "集市(菜场)环境"),
        ("公共场所", "交通集散地环境"),
        ("公共场所", "校园周边环境"),
        ("公共场所", "医院周边环境"),
        ("公共设施", "公共厕所"),
    }


def test_long_table_with_one_indicator_column_for_categories_and_items(tmp_path, profile):
    path = tmp_path / "long.csv"
    path.write_text(
        "街镇,指标,得分\n九亭镇,综合满意度,71.2\n九亭镇,居住区,70\n九亭镇,小区环境卫生,69.5\n",
        encoding="gbk",
    )
    report = read_report(path, profile)
    assert scores_of(report, COMPOSITE) == {("九亭镇", "", ""): 71.2}
    assert scores_of(report, CATEGORY) == {("九亭镇", "居住区", ""): 70}
    assert scores_of(report, ITEM) == {("九亭镇", "居住区", "小区环境卫生"): 69.5}


def test_two_city_rank_columns_keep_the_first(tmp_path, profile):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["街镇", "综合满意度", "郊区排名", "全市排名"],
            ["九亭镇", 71, 101, 180],
            ["新桥", 72, 99, 170],
        ],
    )
    report = read_report(path, profile)
    assert report.city_scope == "郊区" and not report.errors
    assert {s.unit: s.value for s in report.scores if s.measure == "city_rank"} == {
        "九亭镇": 101,
        "新桥镇": 99,
    }


def test_categories_missing_from_the_whole_report_are_reported(tmp_path, profile):
    path = write_xlsx(tmp_path / "t.xlsx", [["街镇", "居住区", "工地"], ["九亭镇", 71, 70]])
    (issue,) = [i for i in read_report(path, profile).issues if i.code == "category-missing"]
    assert (
        issue.severity == "warning"
        and "城市道路" in issue.message
        and "居住区" not in issue.message
    )
    composite_only = write_xlsx(tmp_path / "c.xlsx", [["街镇", "综合满意度"], ["九亭镇", 71]])
    assert not [
        i for i in read_report(composite_only, profile).issues if i.code == "category-missing"
    ]
