"""`mytool brief`: unit briefs and the overview, in Markdown and Excel, checked by reading back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import NOTICE_UNITS, SAMPLE_2023H2, SAMPLE_2024H1, write_xlsx
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from mytool.analysis.brief import leverage_points
from mytool.api import brief_files
from mytool.cli import app

runner = CliRunner()


def _md(args: tuple[str, ...]) -> list[str]:
    """These tests read the Markdown and the workbook: ask for them unless a format is given."""
    return list(args) if "-f" in args or "--format" in args else ["-f", "both", *args]


def run_brief(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    result = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def rank_json(path: Path = SAMPLE_2023H2) -> dict:
    result = runner.invoke(app, ["rank", str(path), "-f", "json"])
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    return run_brief(tmp_path_factory.mktemp("briefs"))


def unit_file(folder: Path, unit: str) -> str:
    return (folder / f"2023H2-{unit}-整改提升简报.md").read_text(encoding="utf-8")


def test_writes_the_six_flagged_briefs_the_overview_summary_departments_and_workbook(
    sample_out,
):
    names = sorted(p.name for p in sample_out.iterdir() if not p.name.startswith("."))
    departments = ["区房管局", "区建管委", "区绿化市容局", "区商务委", "区水务局", "区交通委"]
    expected = sorted(
        [f"2023H2-{u}-整改提升简报.md" for u in NOTICE_UNITS]
        + [f"2023H2-{d}-牵头任务.md" for d in [*departments, "区城管执法局"]]
        + ["2023H2-全区总览.md", "2023H2-全区情况简报.md", "2023H2-满意度提升简报.xlsx"]
    )
    assert names == expected


def test_brief_numbers_agree_with_rank_json(sample_out):
    ranking = rank_json()
    district = {c["category"]: c["score"] for c in ranking["categories"]}
    for unit in ranking["units"]:
        if not unit["flagged"]:
            continue
        text = unit_file(sample_out, unit["unit"])
        assert f"综合得分：**{unit['score']:.2f}**（{unit['grade']}）" in text
        assert f"全区排名：第 {unit['rank']} 名（共 17 个）" in text
        for category, score in unit["categories"].items():
            gap = score - district[category]
            sign = "+" if gap > 0.004 else "−" if gap < -0.004 else ""
            row = f"| {category} | {score:.2f} | {district[category]:.2f} | {sign}{abs(gap):.2f} |"
            assert row in text, row


def test_top_leverage_category_has_the_largest_weight_times_gap(sample_out, profile):
    ranking = rank_json()
    district = {c["category"]: c["score"] for c in ranking["categories"]}
    weights = {c.name: c.weight for c in profile.categories}
    for unit in ranking["units"]:
        if not unit["flagged"]:
            continue
        products = {
            c: weights[c] * (district[c] - s)
            for c, s in unit["categories"].items()
            if s < district[c]
        }
        best = max(products, key=products.get)
        text = unit_file(sample_out, unit["unit"])
        first = re.search(r"^1\. \*\*(.+?)\*\*", text, re.MULTILINE).group(1)
        assert first == best, unit["unit"]


def test_leverage_gain_is_the_renormalised_weight_times_gap(profile):
    briefs = brief_files(SAMPLE_2023H2, profile, units=["九亭"])
    (brief,) = briefs.units
    unit = brief.unit
    district = {c.category: c.score for c in briefs.ranking.categories}
    total = sum(profile.weight(c) for c in unit.categories)
    for point in leverage_points(unit, district, profile):
        expected = (
            profile.weight(point.category)
            / total
            * (district[point.category] - unit.categories[point.category])
        )
        assert point.gain == pytest.approx(expected, abs=0.006)
    # 九亭镇 scores 71.84; the lowest unit outside the bottom six is 新浜镇 at 77.26.
    assert (brief.points_to_leave_bottom, brief.unit_to_pass) == (5.43, "新浜镇")
    assert (brief.next_grade, brief.points_to_next_grade) == ("尚可", 3.16)
    assert brief.gains_are_estimates  # the sample's composite is not the weighted categories


def test_problem_points_feedback_and_deadline_reach_the_unit_brief(sample_out):
    text = unit_file(sample_out, "九亭镇")
    assert "## 五、点位问题整改（完成时限：2024年4月10日前）" in text
    assert "### 工地（区建管委牵头）" in text
    row = "| 渣土运输与扬尘控制 | 嘉松南路1142号在建工地 | 工地出入口未冲洗车辆，路面有泥浆 |"
    assert f"{row} 2023-11-10 |" in text
    assert "涞寅路附近工地渣土车夜间进出" in text
    assert "对在建工地开展专项检查" in text  # weak 工地 → building-site checklist line
    assert "聚焦老旧小区" in text  # weak 居住区 → old housing estates


def test_overview_has_ranking_categories_and_department_sections(sample_out):
    text = (sample_out / "2023H2-全区总览.md").read_text(encoding="utf-8")
    assert "| 第 17 名（共 17 个） | 九亭镇 | 71.84 | 一般 | 倒数6名内、等级一般 |" in text
    for department in (
        "区房管局",
        "区建管委",
        "区绿化市容局",
        "区商务委",
        "区水务局",
        "区交通委",
        "区城管执法局",
    ):
        assert f"### {department}" in text
    assert "认领点位问题" in text


def gfm_tables(text: str) -> list[list[list[str]]]:
    """Every table of a Markdown text as rows of cell texts, parsed as CommonMark + GFM tables."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables, rows, row = [], [], None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            tables.append(rows)
    return tables


def test_markdown_parses_as_gfm_tables_with_consistent_columns(sample_out):
    for path in sample_out.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        tables = gfm_tables(text)
        separators = [line for line in text.splitlines() if line.startswith("|---")]
        assert len(tables) == len(separators), path.name
        for table in tables:
            assert len({len(r) for r in table}) == 1, (path.name, table[0])


def test_excel_reads_back_to_the_same_numbers(sample_out):
    book = openpyxl.load_workbook(sample_out / "2023H2-满意度提升简报.xlsx")
    assert book.sheetnames[:4] == ["总览", "大类", "牵头部门", "点位问题"]
    assert set(book.sheetnames[4:]) == NOTICE_UNITS
    ranking = rank_json()
    overview = book["总览"]
    rows = [[c.value for c in r] for r in overview.iter_rows(min_row=5, max_row=21)]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        (u["unit"], u["score"], u["grade"]) for u in ranking["units"]
    ]
    assert overview.freeze_panes == "C5"
    assert overview.page_setup.orientation == "landscape"
    assert overview["C5"].number_format == "0.00"
    unit_sheet = book["九亭镇"]
    assert len(unit_sheet._charts) == 1
    categories = ranking["units"][-1]["categories"]
    values: dict[str, float] = {}
    for row in unit_sheet.iter_rows(values_only=True):
        filled = [v for v in row if v is not None]  # a table cell spans several grid columns
        if filled and filled[0] in categories:
            values.setdefault(filled[0], filled[1])  # the first table holds the scores
    assert values == categories
    problems = book["点位问题"]
    assert problems.max_row == 4 + 40
    assert problems["B5"].value and problems["B5"].data_type == "s"


def test_text_from_inputs_lands_as_text_not_formula(tmp_path):
    source = write_xlsx(
        tmp_path / "t-2023H2.xlsx", [["街镇", "综合满意度"], ["九亭镇", 70], ["新桥镇", 80]]
    )
    problems = tmp_path / "points.csv"
    problems.write_text(
        '街镇,大类,点位地址,问题描述\n九亭镇,工地,"=HYPERLINK(""http://x"")",@SUM(1)|# 标题\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["brief", str(source), "-f", "both", "--all", "-d", str(out), "--problems", str(problems)],
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out / "2023H2-满意度提升简报.xlsx")["点位问题"]
    assert sheet["E5"].value == '=HYPERLINK("http://x")' and sheet["E5"].data_type == "s"
    text = (out / "2023H2-九亭镇-整改提升简报.md").read_text(encoding="utf-8")
    assert '\\=HYPERLINK("http:\\//x")' in text and "@SUM(1)\\|# 标题" in text


def test_unit_option_takes_any_spelling_and_rejects_unknown(tmp_path):
    out = run_brief(tmp_path, "--unit", "九亭", "-u", " 新桥镇 ", "-f", "md")
    assert sorted(p.name for p in out.glob("*-整改提升简报.md")) == [
        "2023H2-九亭镇-整改提升简报.md",
        "2023H2-新桥镇-整改提升简报.md",
    ]
    assert (out / "2023H2-全区总览.md").is_file()
    bad = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-u", "火星镇", "-d", str(tmp_path / "x")]
    )
    assert bad.exit_code == 2 and "报告中没有街镇「火星镇」" in bad.stderr
    assert not (tmp_path / "x").exists()


def test_all_writes_seventeen_and_rerun_replaces_only_own_files(tmp_path):
    out = run_brief(tmp_path, "--all", "-f", "md")
    # the six flagged units get an 整改 brief, the other eleven a shorter 情况简报
    assert len(list(out.glob("*整改提升简报.md"))) == 6
    assert len(list(out.glob("*-情况简报.md"))) == 11  # not 2023H2-全区情况简报.md
    mine = out / "笔记.txt"
    mine.write_text("analyst's own notes", encoding="utf-8")
    run_brief(tmp_path, "-f", "md")
    assert len(list(out.glob("*整改提升简报.md"))) == 6
    assert mine.read_text(encoding="utf-8") == "analyst's own notes"


def test_deadline_option(tmp_path):
    out = run_brief(tmp_path, "-u", "九亭", "-f", "md", "--deadline", "2024年3月31日")
    assert "完成时限：2024年3月31日前" in unit_file(out, "九亭镇")
    bad = runner.invoke(
        app,
        [
            "brief",
            str(SAMPLE_2023H2),
            "-f",
            "both",
            "--deadline",
            "明天",
            "-d",
            str(tmp_path / "y"),
        ],
    )
    assert bad.exit_code == 2 and "--deadline「明天」不是有效日期" in bad.stderr


def test_separate_problem_file(tmp_path):
    problems = tmp_path / "点位.csv"
    problems.write_text(
        "街镇,小项,点位地址,问题描述\n九亭,道路保洁,沪亭北路,落叶未清扫\n", encoding="gbk"
    )
    out = run_brief(tmp_path, "-u", "九亭镇", "-f", "md", "--problems", str(problems))
    text = unit_file(out, "九亭镇")
    assert (
        "### 城市道路（区建管委牵头）" in text
        and "| 道路保洁 | 沪亭北路 | 落叶未清扫 | — |" in text
    )


def test_previous_period_shows_changes(tmp_path):
    out = tmp_path / "o"
    result = runner.invoke(
        app,
        [
            "brief",
            str(SAMPLE_2024H1),
            "--previous",
            str(SAMPLE_2023H2),
            "-u",
            "叶榭",
            "-f",
            "both",
            "-d",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    # 叶榭镇 left the bottom six: a 情况简报, not an 整改 brief
    text = (out / "2024H1-叶榭镇-情况简报.md").read_text(encoding="utf-8")
    assert (
        "较上期（2023年下半年）：得分 +3.55 分（75.41 → 78.96），排名上升 2 位（第 12 → 第 10 名）"
        in text
    )
    assert "## 二、保持与提升" in text and "整改提升简报" not in text
    sheet = openpyxl.load_workbook(out / "2024H1-满意度提升简报.xlsx")["叶榭镇"]
    lines = [row[0].value for row in sheet.iter_rows(max_row=6, max_col=1)]
    assert "较上期（2023年下半年）：+3.55 分，排名 12 → 10，等级保持尚可" in lines
    assert lines[0] == "叶榭镇 2024年上半年 情况简报"  # no longer flagged


def test_user_template_overrides_and_broken_template_fails_clearly(tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "unit_brief.md.j2").write_text(
        "# {{ brief.unit.unit }}：{{ brief.unit.score | score }}\n", encoding="utf-8"
    )
    out = run_brief(tmp_path, "-u", "九亭", "-f", "md", "--template-dir", str(templates))
    assert unit_file(out, "九亭镇") == "# 九亭镇：71.84\n"
    (templates / "unit_brief.md.j2").write_text("第一行\n{% if %}\n", encoding="utf-8")
    broken = runner.invoke(
        app,
        [
            "brief",
            str(SAMPLE_2023H2),
            "-f",
            "both",
            "-d",
            str(tmp_path / "z"),
            "--template-dir",
            str(templates),
        ],
    )
    assert broken.exit_code == 2
    assert (
        "unit_brief.md.j2 第 2 行有语法错误" in broken.stderr and "Traceback" not in broken.output
    )
    (templates / "unit_brief.md.j2").write_text("ok\n{{ brief.no_such_field }}\n", encoding="utf-8")
    undefined = runner.invoke(
        app,
        [
            "brief",
            str(SAMPLE_2023H2),
            "-f",
            "both",
            "-d",
            str(tmp_path / "z"),
            "--template-dir",
            str(templates),
        ],
    )
    assert undefined.exit_code == 2 and "第 2 行出错" in undefined.stderr
    assert not (tmp_path / "z").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(sample_out, tmp_path):
    profile_dir = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile_dir}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(sample_out / "2023H2-满意度提升简报.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    converted = openpyxl.load_workbook(tmp_path / "2023H2-满意度提升简报.xlsx")
    assert converted.sheetnames[:4] == ["总览", "大类", "牵头部门", "点位问题"]
    assert converted["总览"]["B5"].value == "广富林街道" and converted["总览"]["C5"].value == 86.24


def test_a_composite_only_report_gets_an_honest_brief(tmp_path):
    source = tmp_path / "综合-2023H2.csv"
    source.write_text("街镇,综合满意度\n九亭镇,70\n新桥镇,80\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["brief", str(source), "-u", "九亭", "-f", "md", "-d", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "2023H2-九亭镇-整改提升简报.md").read_text(encoding="utf-8")
    assert "报告中没有大类得分，无法计算发力点。" in text
    assert "达到“尚可”等级：综合得分需再提高 **5.00** 分" in text
    assert "估算" not in text and "| 大类 | 本街镇 |" not in text


def test_separate_feedback_file(tmp_path):
    cases = tmp_path / "市民案例.xlsx"
    write_xlsx(cases, [["街镇", "大类", "反映内容"], ["九亭", "工地", "渣土车夜间噪声扰民"]])
    out = run_brief(tmp_path, "-u", "九亭镇", "-f", "md", "--feedback", str(cases))
    assert "| 工地 | 渣土车夜间噪声扰民 |" in unit_file(out, "九亭镇")
