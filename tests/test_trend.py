"""`mytool trend` over five half-years built here, one of them in the old 13-category scheme."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from conftest import CHARTS, needs, write_xlsx
from expected import expected_trend
from halfyears import NEW_CATEGORIES, OLD_CATEGORIES, composites, write_report
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from mytool.cli import app
from mytool.render.trend import sparkline

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
PERIODS = ["2022H1", "2022H2", "2023H1", "2023H2", "2024H1"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Five half-years, periods told by titles or file names, given out of order; plus a stray
    workbook that is not a score report."""
    reports = tmp_path / "各期"
    reports.mkdir()
    write_report(
        reports / "旧口径.xlsx",
        composites(0, drift=-3),
        categories=OLD_CATEGORIES,
        title="2022年上半年度松江区市容环境质量社会公众满意度测评结果",
    )
    write_report(reports / "松江-2022H2.xlsx", composites(1, drift=-2))
    write_report(reports / "松江-2023H1.xlsx", composites(1, drift=-1))
    write_report(reports / "下半年.xlsx", composites(3), title="2023年下半年度测评结果")
    write_report(reports / "2024上半年.xlsx", composites(2, drift=0.5))
    write_xlsx(reports / "备忘.xlsx", [["备忘"], ["下周开会"]])
    return reports


def rank_json(path: Path) -> dict:
    result = runner.invoke(app, ["rank", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def expected_streaks(folder: Path) -> dict[str, int]:
    """From the five `rank` outputs, independently: periods in a row flagged, up to the latest."""
    ranks = sorted(
        (rank_json(p) for p in folder.glob("*.xlsx") if p.name != "备忘.xlsx"),
        key=lambda data: data["period"],
    )
    streaks: dict[str, int] = {}
    for unit in (u["unit"] for u in ranks[-1]["units"]):
        streak = 0
        for data in reversed(ranks):
            if not next(u["flagged"] for u in data["units"] if u["unit"] == unit):
                break
            streak += 1
        streaks[unit] = streak
    return streaks


def test_trend_json_orders_periods_and_counts_consecutive_flags(folder):
    result = runner.invoke(app, ["trend", str(folder), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["period"] for p in data["periods"]] == PERIODS
    assert data["periods"][0]["source"] == "旧口径.xlsx"
    assert "已跳过：备忘.xlsx：" in result.stderr  # not a score report: skipped, said so
    streaks = expected_streaks(folder)
    assert {u["unit"]: u["flagged_streak"] for u in data["units"]} == streaks
    assert max(streaks.values()) >= 2
    latest = rank_json(folder / "2024上半年.xlsx")
    assert [u["unit"] for u in data["units"]] == [u["unit"] for u in latest["units"]]
    first = data["units"][0]
    assert (first["scores"][-1], first["ranks"][-1]) == (latest["units"][0]["score"], 1)
    assert len(first["scores"]) == len(first["ranks"]) == len(first["flagged"]) == 5


def test_old_categories_follow_the_lineage_into_the_trajectory(folder):
    data = json.loads(runner.invoke(app, ["trend", str(folder), "-f", "json", "-q"]).stdout)
    categories = {c["category"]: c for c in data["categories"]}
    old = {c["category"]: c["score"] for c in rank_json(folder / "旧口径.xlsx")["categories"]}
    roads = categories["城市道路"]
    assert roads["scores"][0] == old["道路"]
    assert roads["mapped_from"] == [["道路"], None, None, None, None]
    signs = categories["标识标牌与广告设施"]  # no old counterpart: no score, not a guess
    assert signs["scores"][0] is None and None not in signs["scores"][1:]
    assert list(categories)[:3] == ["建(构)筑物", "居住区", "城市道路"]  # the profile's order


# The fixture's files by the half-year each holds (told by its title or its name).
FILE_PERIODS = {
    "旧口径.xlsx": "2022H1",
    "松江-2022H2.xlsx": "2022H2",
    "松江-2023H1.xlsx": "2023H1",
    "下半年.xlsx": "2023H2",
    "2024上半年.xlsx": "2024H1",
}


def test_json_equals_the_trend_computed_from_the_raw_cells(folder):
    files = sorted(p for p in folder.glob("*.xlsx") if p.name != "备忘.xlsx")
    result = runner.invoke(app, ["trend", *map(str, files), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = expected_trend({FILE_PERIODS[p.name]: p for p in files})
    assert {key: data[key] for key in expected} == expected
    # The old-scheme file's categories that were renamed or merged, each at its header cell.
    header = [None, None, *OLD_CATEGORIES]
    legacy = {
        ("legacy-category", "info", "旧口径.xlsx", "测评结果", f"{get_column_letter(col)}2")
        for col, name in enumerate(header, 1)
        if name and name not in NEW_CATEGORIES
    }
    found = {(i["code"], i["severity"], i["file"], i["sheet"], i["cell"]) for i in data["issues"]}
    assert found == legacy
    assert data["warnings"] == []


def test_json_on_a_gap_counts_streaks_only_over_adjacent_half_years(folder):
    files = sorted(
        p for p in folder.glob("*.xlsx") if p.name not in ("备忘.xlsx", "松江-2023H1.xlsx")
    )
    result = runner.invoke(app, ["trend", *map(str, files), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = expected_trend({FILE_PERIODS[p.name]: p for p in files})
    assert expected["missing_periods"] == ["2023H1"]
    assert {key: data[key] for key in expected} == expected
    (missing,) = (i for i in data["issues"] if i["code"] == "missing-periods")
    assert missing["severity"] == "warning" and "2023H1" in missing["message"]


def test_xlsx_has_the_tables_and_native_line_charts(folder, tmp_path):
    out = tmp_path / "走势.xlsx"
    result = runner.invoke(app, ["trend", str(folder), "-f", "xlsx", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["街镇得分", "街镇排名", "大类走势"]
    scores = book["街镇得分"]
    assert scores["A1"].value == "2022年上半年至2024年上半年 各街镇综合得分走势"
    header = [c.value for c in scores[3]]  # title, blank row, header
    assert header[:6] == [
        "街镇",
        *(f"{p[:4]}年\n{'上' if p[5] == '1' else '下'}半年" for p in PERIODS),
    ]
    assert scores.print_title_rows == "$3:$3" and scores.page_setup.orientation == "portrait"
    latest = rank_json(folder / "2024上半年.xlsx")["units"]
    assert [scores.cell(row=4, column=c).value for c in (1, 6)] == [
        latest[0]["unit"],
        latest[0]["score"],
    ]
    mean_row = next(r for r in scores.iter_rows(values_only=True) if r[0] == "全区平均")
    assert all(isinstance(v, float) for v in mean_row[1:6])

    (chart,) = scores._charts
    assert chart.tagname == "lineChart"
    flagged_now = [u["unit"] for u in latest if u["flagged"]]
    assert len(chart.series) == len(flagged_now) + 1
    titles = [s.tx.strRef.f for s in chart.series]
    named = {scores[ref.split("!")[1].replace("$", "")].value for ref in titles}
    assert named == {*flagged_now, "全区平均"}
    assert [s.smooth for s in chart.series] == [False] * len(chart.series)  # straight lines
    assert chart.legend.position == "b"  # under the plot, inside the printed page
    assert len(book["大类走势"]._charts) == 1
    streak_column = header.index("连续靠后\n期数") + 1
    streaks = expected_streaks(folder)
    for row in range(4, 4 + len(latest)):
        unit = scores.cell(row=row, column=1).value
        assert scores.cell(row=row, column=streak_column).value == streaks[unit]


def chart_parts(svg: str) -> tuple[list[str], set[str]]:
    """The ids of the SVG's line groups `series-N`, and the texts matplotlib notes in comments
    (text is drawn as glyph outlines, each labelled by an XML comment)."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(svg, parser=parser)
    assert root.tag == f"{SVG}svg"
    series = [
        g.get("id", "") for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("series-")
    ]
    texts = {str(c.text).strip() for c in root.iter(ET.Comment)}
    return series, texts


@needs(*CHARTS)
def test_markdown_file_links_an_svg_chart_with_a_line_per_unit(folder, tmp_path):
    out = tmp_path / "报告" / "走势.md"
    result = runner.invoke(app, ["trend", str(folder), "-f", "md", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "](<走势.svg>)" in text
    heads = " | ".join(
        f"{y}年{h}半年"
        for y, h in [("2022", "上"), ("2022", "下"), ("2023", "上"), ("2023", "下"), ("2024", "上")]
    )
    assert f"| 街镇 | {heads} | 走势 | 连续靠后 |" in text
    series, texts = chart_parts(out.with_suffix(".svg").read_text(encoding="utf-8"))
    flagged_now = [
        u["unit"] for u in rank_json(folder / "2024上半年.xlsx")["units"] if u["flagged"]
    ]
    assert series == [f"series-{i}" for i in range(len(flagged_now) + 1)]
    halfyears = ["2022年上半年", "2022年下半年", "2023年上半年", "2023年下半年", "2024年上半年"]
    assert set(halfyears) <= texts
    assert not any(re.search(r"20\d\dH[12]", t) for t in texts)  # no 2023H2 a person reads
    streaks = expected_streaks(folder)
    for unit in flagged_now:
        streak = f"连续 {streaks[unit]} 期排名靠后" if streaks[unit] > 1 else "本期排名靠后"
        assert f"{unit}（{streak}）" in texts
    assert "全区平均" in texts


@needs(*CHARTS)
def test_markdown_on_stdout_inlines_the_svg(folder):
    result = runner.invoke(app, ["trend", str(folder), "-f", "md", "-q"])
    svg = re.search(r"<svg .*?</svg>", result.stdout, re.S)
    assert svg is not None
    series, _ = chart_parts(svg.group(0))
    assert len(series) >= 2
    assert "<?xml" not in result.stdout  # the prolog cannot stand inside Markdown
    assert "\n\n" not in svg.group(0)  # a blank line would end the HTML block in Markdown


def test_terminal_shows_sparklines_and_consecutive_flags(folder):
    result = runner.invoke(app, ["trend", str(folder), "-q"])
    assert result.exit_code == 0
    longest = max(expected_streaks(folder).items(), key=lambda kv: (kv[1], kv[0]))
    assert f"{longest[0]}（连续 {longest[1]} 期排名靠后）" in result.stdout
    assert "…" not in result.stdout  # wide tables are printed whole, not cut
    assert "旧口径对应：2022年上半年：" in result.stdout and "道路 → 城市道路" in result.stdout


def test_sparkline_scales_each_row_and_leaves_gaps():
    assert sparkline([70.0, 75.0, 80.0]) == "▁▅█"
    assert sparkline([None, 78.0, 78.0]) == " ▄▄"


def test_a_file_whose_period_cannot_be_told_is_an_error_naming_it(folder, tmp_path):
    unknown = write_report(tmp_path / "结果.xlsx", composites(4))
    result = runner.invoke(app, ["trend", str(folder), str(unknown)])
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：结果.xlsx：无法识别期次")
    assert "Traceback" not in result.output


def test_two_files_of_one_period_and_a_single_period_are_refused(folder, tmp_path):
    twin = write_report(tmp_path / "副本-2023H1.xlsx", composites(6))
    result = runner.invoke(app, ["trend", str(folder), str(twin)])
    assert result.exit_code == 2
    assert "松江-2023H1.xlsx 和 副本-2023H1.xlsx 都是 2023H1 期" in result.stderr
    alone = runner.invoke(app, ["trend", str(twin)])
    assert alone.exit_code == 2 and "走势至少需要两期测评结果，现在只有 1 期" in alone.stderr


def test_xlsx_needs_an_output_file(folder):
    result = runner.invoke(app, ["trend", str(folder), "-f", "xlsx"])
    assert result.exit_code == 2
    assert "xlsx 格式需要用 --output 指定输出文件" in result.stderr


@pytest.mark.parametrize("command", ["compare", "trend"])
def test_help_is_chinese_and_imports_no_spreadsheet_library(command):
    code = (
        "import sys\nfrom mytool.cli import main\nsys.argv = ['mytool', sys.argv[1], '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', [m for m in ('pandas', 'openpyxl', 'matplotlib') if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, command], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out
    assert "测评结果" in out


@pytest.mark.parametrize(
    ("format", "draws"),
    [("json", False), ("table", False), pytest.param("md", True, marks=needs(*CHARTS))],
)
def test_only_the_markdown_with_its_chart_loads_matplotlib(folder, format, draws):
    code = (
        "import sys\nfrom mytool.cli import main\n"
        "sys.argv = ['mytool', 'trend', sys.argv[1], '-f', sys.argv[2], '-q']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MATPLOTLIB', 'matplotlib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder), format], capture_output=True, text=True
    ).stdout
    assert f"MATPLOTLIB {draws}" in out
