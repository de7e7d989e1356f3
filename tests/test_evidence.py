"""Evidence from respondent exports: `aggregate --drivers` and the significance of change in
`compare` and `brief`, on generated exports with known effects planted (tests/planted.py).

Expectations are computed with the standard library from the generated answers themselves.
"""

from __future__ import annotations

import json
import math
import random
import statistics

import openpyxl
import pytest
from conftest import CHARTS, needs
from planted import (
    DRIVERS,
    ITEMS,
    corrected_correlation,
    own_composite,
    welch_t,
    with_overall,
    write_export,
)
from planted import answers as generate
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()
Z95 = 1.959964


def run(*args: str) -> str:
    result = runner.invoke(app, [*args, "-q"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def one_export(tmp_path_factory):
    """Two units of 300 respondents each; items 1 and 2 drive the answers, four are noise."""
    rng = random.Random(2023)
    units = {"九亭镇": generate(rng, 300), "新桥镇": generate(rng, 300)}
    path = tmp_path_factory.mktemp("drivers") / "2023年下半年问卷.xlsx"
    return write_export(path, units, "2023/11"), units


@pytest.fixture(scope="module")
def two_exports(tmp_path_factory):
    """九亭镇 answers one level better (20 points × ½) in the later half-year; 新桥镇 does not."""
    rng = random.Random(2024)
    before = {"九亭镇": generate(rng, 250), "新桥镇": generate(rng, 250)}
    after = {"九亭镇": generate(rng, 250, shift=0.5), "新桥镇": generate(rng, 250)}
    folder = tmp_path_factory.mktemp("change")
    return (
        write_export(folder / "2023年下半年问卷.xlsx", before, "2023/11"),
        write_export(folder / "2024年上半年问卷.xlsx", after, "2024/05"),
        before,
        after,
    )


def test_drivers_rank_the_planted_items_first_and_their_intervals_exclude_zero(one_export):
    path, units = one_export
    rows = [row for scope in units.values() for row in scope]
    data = json.loads(run("aggregate", str(path), "--drivers", "-f", "json"))["drivers"]
    district = data["district"]["items"]
    assert {d["item"] for d in district[:2]} == set(DRIVERS)
    for driver in district[:2]:
        assert driver["ci95"][0] > 0
    for driver in district:
        index = [item for _, item in ITEMS].index(driver["item"])
        r = corrected_correlation(rows, index)
        assert driver["importance"] == pytest.approx(r, abs=0.0006)
        half = Z95 / math.sqrt(len(rows) - 3)
        low, high = math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)
        assert driver["ci95"] == pytest.approx([low, high], abs=0.0011)
        assert driver["satisfaction"] == round(statistics.fmean(row[index] for row in rows), 2)
    for scope in data["units"]:  # 300 respondents each: the same two come first
        assert {d["item"] for d in scope["items"][:2]} == set(DRIVERS)
        assert scope["low_sample"] is False
    assert (data["yardstick"], data["interval"]) == ("composite", "fisher-z")


def test_with_an_overall_question_importance_is_the_correlation_with_it(tmp_path):
    rng = random.Random(7)
    rows = with_overall(rng, generate(rng, 400))
    path = write_export(tmp_path / "2023年下半年问卷.xlsx", {"岳阳街道": rows}, "2023/11")
    data = json.loads(run("aggregate", str(path), "--drivers", "-f", "json"))
    assert data["unmatched_questions"] == []  # the overall question is used, not left over
    drivers = data["drivers"]
    assert drivers["yardstick"] == "overall"
    district = drivers["district"]["items"]
    assert {d["item"] for d in district[:2]} == set(DRIVERS)
    assert all(d["ci95"][0] > 0 for d in district[:2])
    overall = [float(row[-1]) for row in rows]
    for driver in district:
        index = [item for _, item in ITEMS].index(driver["item"])
        r = statistics.correlation([float(row[index]) for row in rows], overall)
        assert driver["importance"] == pytest.approx(r, abs=0.0006)


def test_quadrants_split_at_the_means_of_importance_and_satisfaction(one_export):
    path, _ = one_export
    district = json.loads(run("aggregate", str(path), "--drivers", "-f", "json"))["drivers"]
    scope = district["district"]
    r_split = statistics.fmean(d["importance"] for d in scope["items"])
    s_split = statistics.fmean(d["satisfaction"] for d in scope["items"])
    assert scope["importance_split"] == pytest.approx(r_split, abs=0.002)
    assert scope["satisfaction_split"] == pytest.approx(s_split, abs=0.01)
    for d in scope["items"]:
        important = d["importance"] >= scope["importance_split"]
        liked = d["satisfaction"] >= scope["satisfaction_split"]
        expected = {
            (True, False): "优先改进",
            (True, True): "继续保持",
            (False, False): "次要改进",
            (False, True): "锦上添花",
        }[important, liked]
        assert d["quadrant"] == expected, d


@needs(*CHARTS)
def test_drivers_markdown_links_the_chart_written_beside_it(one_export, tmp_path):
    path, _ = one_export
    out = tmp_path / "汇总.md"
    run("aggregate", str(path), "--drivers", "-o", str(out))
    png, svg = tmp_path / "汇总-驱动因素.png", tmp_path / "汇总-驱动因素.svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:400]
    text = out.read_text(encoding="utf-8")
    assert "![重要性–满意度象限图](<汇总-驱动因素.png>)" in text
    assert "象限分界线：重要性取各小项 r 的平均值" in text
    district = text.split("### 全区")[1].split("### ")[0]
    first_rows = [line for line in district.splitlines() if line.startswith("| 1 |")]
    assert first_rows and any(item in first_rows[0] for item in DRIVERS)


@needs(*CHARTS)
def test_drivers_sheet_in_the_workbook_and_chart_files_beside_it(one_export, tmp_path):
    path, _ = one_export
    out = tmp_path / "汇总.xlsx"
    run("aggregate", str(path), "--drivers", "-o", str(out))
    assert (tmp_path / "汇总-驱动因素.png").is_file()
    sheet = openpyxl.load_workbook(out)["驱动因素"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] == "全区"]
    assert {row[3] for row in rows[:2]} == set(DRIVERS)
    assert [row[7] for row in rows] and all(row[7] for row in rows)  # a quadrant on each row
    assert len(sheet._images) == 1


def test_without_drivers_no_chart_and_the_json_key_is_null(one_export, tmp_path):
    path, _ = one_export
    out = tmp_path / "汇总.json"
    run("aggregate", str(path), "-o", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["drivers"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.json"]


def test_drivers_refuse_csv_before_reading(tmp_path):
    result = runner.invoke(app, ["aggregate", str(tmp_path / "无.xlsx"), "--drivers", "-f", "csv"])
    assert result.exit_code == 2
    assert "CSV" in result.output and "--drivers" in result.output


def test_compare_marks_exactly_the_planted_change_significant(two_exports):
    before_path, after_path, before, after = two_exports
    data = json.loads(run("compare", str(before_path), str(after_path), "-f", "json"))
    units = {u["unit"]: u for u in data["units"]}
    assert units["九亭镇"]["significant"] is True
    assert units["新桥镇"]["significant"] is False
    assert data["significance"]["tested"] is True
    for name, unit in units.items():
        t = welch_t(
            [own_composite(r) for r in before[name]], [own_composite(r) for r in after[name]]
        )
        assert unit["change_test"]["z"] == pytest.approx(t, abs=0.02)
        assert (abs(unit["change_test"]["z"]) > Z95) is unit["significant"]
        low, high = unit["change_test"]["ci95"]
        assert (low > 0 or high < 0) is unit["significant"]


def test_category_changes_are_tested_on_the_district_mean_of_unit_scores(two_exports):
    before_path, after_path, before, after = two_exports
    data = json.loads(run("compare", str(before_path), str(after_path), "-f", "json"))
    for category in data["categories"]:
        index = [c for c, _ in ITEMS].index(category["category"])
        variance = 0.0
        for side in (before, after):
            for rows in side.values():  # district = mean of the two units' item means
                values = [row[index] for row in rows]
                variance += statistics.variance(values) / len(values) / 4
        z = category["score_change"] / math.sqrt(variance)
        assert category["change_test"]["z"] == pytest.approx(z, abs=0.01)
        assert category["significant"] is (abs(z) > Z95)


def test_compare_table_markdown_and_workbook_show_the_test(two_exports, tmp_path):
    before_path, after_path, _, _ = two_exports
    table = run("compare", str(before_path), str(after_path))
    assert "变化显著性" in table and "显著（p<0.001）" in table
    markdown = run("compare", str(before_path), str(after_path), "-f", "md")
    row = next(line for line in markdown.splitlines() if line.startswith("| 新桥镇 |"))
    assert "误差范围内（p=" in row
    workbook = tmp_path / "对比.xlsx"
    run("compare", str(before_path), str(after_path), "-o", str(workbook))
    cells = {
        row[0]: row[-1]
        for row in openpyxl.load_workbook(workbook)["街镇变化"].iter_rows(values_only=True)
        if row[0] in ("九亭镇", "新桥镇")
    }
    assert cells["九亭镇"].startswith("显著") and cells["新桥镇"].startswith("误差范围内")


def test_brief_says_a_change_within_the_noise_is_within_the_noise(two_exports, tmp_path):
    before_path, after_path, _, _ = two_exports
    folder = tmp_path / "简报"
    previous = ("--previous", str(before_path), "-f", "md", "-d", str(folder))
    run("brief", str(after_path), "-u", "新桥", "-u", "九亭", *previous)
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.rglob("*简报.md")}
    xinqiao = next(t for name, t in texts.items() if "新桥镇" in name)
    jiuting = next(t for name, t in texts.items() if "九亭镇" in name)
    assert "变化在抽样误差范围内" in xinqiao
    assert "变化在抽样误差范围内" not in jiuting


def test_brief_with_a_previous_export_aggregates_each_export_once(
    two_exports, tmp_path, monkeypatch
):
    from mytool.analysis import aggregation

    before_path, after_path, _, _ = two_exports
    aggregated: list[str] = []
    real = aggregation.aggregate

    def counted(respondents, profile):
        aggregated.append(respondents.source)
        return real(respondents, profile)

    monkeypatch.setattr(aggregation, "aggregate", counted)
    folder = tmp_path / "简报"
    run("brief", str(after_path), "--previous", str(before_path), "-f", "md", "-d", str(folder))
    assert sorted(aggregated) == sorted([before_path.name, after_path.name])
