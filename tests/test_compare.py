"""`mytool compare`: rank changes agree with the two `rank` outputs; old categories are mapped."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from builders import Quirks, build_file, make_truth
from conftest import SAMPLE_2023H2, SAMPLE_2024H1
from expected import expected_changes
from halfyears import NEW_CATEGORIES, OLD_CATEGORIES, composites, write_report
from typer.testing import CliRunner

from mytool.analysis.lineage import in_scheme
from mytool.analysis.ranking import CategoryResult
from mytool.cli import app

runner = CliRunner()


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_agrees_with_rank(previous: Path, current: Path) -> dict:
    """compare's units, unit by unit, against `rank --format json` of each file."""
    before = {u["unit"]: u for u in run_json("rank", str(previous))["units"]}
    now = {u["unit"]: u for u in run_json("rank", str(current))["units"]}
    compared = run_json("compare", str(previous), str(current))
    assert {u["unit"] for u in compared["units"]} == before.keys() | now.keys()
    for unit in compared["units"]:
        old, new = before.get(unit["unit"]), now.get(unit["unit"])
        assert unit["rank"] == (new["rank"] if new else None)
        assert unit["previous_rank"] == (old["rank"] if old else None)
        assert unit["score"] == (new["score"] if new else None)
        assert unit["previous_score"] == (old["score"] if old else None)
        assert unit["flagged"] == (new["flagged"] if new else None)
        assert unit["previously_flagged"] == (old["flagged"] if old else None)
        if old and new:
            assert unit["rank_change"] == old["rank"] - new["rank"]
            assert unit["score_change"] == round(new["score"] - old["score"], 2)
        else:
            assert unit["rank_change"] is None and unit["score_change"] is None
    ranked = [u for u in compared["units"] if u["rank"] is not None]
    assert ranked == sorted(ranked, key=lambda u: (u["rank"], u["unit"]))
    return compared


def test_compare_on_the_samples_agrees_with_both_rank_outputs():
    data = assert_agrees_with_rank(SAMPLE_2023H2, SAMPLE_2024H1)
    assert data["previous"] == {"period": "2023H2", "source": "songjiang-2023H2.xlsx"}
    assert data["current"] == {"period": "2024H1", "source": "songjiang-2024H1.xlsx"}
    chedun = next(u for u in data["units"] if u["unit"] == "车墩镇")
    assert (chedun["previous_rank"], chedun["rank"], chedun["rank_change"]) == (14, 11, 3)
    assert (chedun["previous_grade"], chedun["grade"]) == ("一般", "尚可")
    assert data["entered_flagged"] == ["泖港镇", "新浜镇"]
    assert data["left_flagged"] == ["叶榭镇", "车墩镇"]
    assert data["unmatched_categories"] == {"previous": [], "current": []}
    roads = next(c for c in data["categories"] if c["category"] == "城市道路")
    assert (roads["previous_score"], roads["score"], roads["score_change"]) == (78.03, 79.28, 1.25)
    assert roads["mapped_from"] is None


def test_compare_json_equals_the_changes_computed_from_the_raw_cells():
    """Independent of mytool: both samples' cells, Decimal half-up, DOMAIN's rules."""
    data = run_json("compare", str(SAMPLE_2023H2), str(SAMPLE_2024H1))
    expected = expected_changes(SAMPLE_2023H2, SAMPLE_2024H1)
    # Score tables carry no sampling errors: every change's significance is null.
    assert data["units"] == [{**u, "significant": None, "change_test": None} for u in expected]
    assert data["significance"]["tested"] is False
    entered = [u["unit"] for u in expected if u["flagged"] and not u["previously_flagged"]]
    left = [u["unit"] for u in expected if u["previously_flagged"] and not u["flagged"]]
    assert (data["entered_flagged"], data["left_flagged"]) == (entered, left)


def test_compare_agrees_with_rank_on_reports_built_in_other_layouts(tmp_path):
    items_only = make_truth(11, with_categories=False)
    previous = {u: s for u, s in items_only.items() if u != "叶榭镇"}
    current = {u: s for u, s in make_truth(12).items() if u != "小昆山镇"}
    before = build_file(previous, tmp_path / "上期-2023H1.xlsx", layout="long")
    now = build_file(
        current,
        tmp_path / "本期.xlsx",
        header_rows=2,
        subtotal_label="小计",
        quirks=Quirks(title_rows=2, reference_rows="among", unit_spelling="mixed"),
    )
    data = assert_agrees_with_rank(before, now)
    assert data["previous"]["period"] == "2023H1" and data["current"]["period"] == "2023H2"
    ye, kunshan = (next(u for u in data["units"] if u["unit"] == n) for n in ("叶榭镇", "小昆山镇"))
    assert ye["previous_rank"] is None and ye["rank"] is not None
    assert kunshan["rank"] is None and kunshan["previous_rank"] is not None
    assert data["units"][-1]["unit"] == "小昆山镇"  # gone from the current report: listed last


def test_thirteen_categories_are_mapped_through_the_profile_and_unmatched_ones_listed(tmp_path):
    old = write_report(
        tmp_path / "2022H1.xlsx", composites(1), categories=OLD_CATEGORIES, title="2022年上半年度"
    )
    without_water = [c for c in NEW_CATEGORIES if c != "城市水域"]
    new = write_report(tmp_path / "2023H2.xlsx", composites(2), categories=without_water)
    data = assert_agrees_with_rank(old, new)
    categories = {c["category"]: c for c in data["categories"]}
    roads = categories["城市道路"]
    assert roads["mapped_from"] == {"previous": ["道路"], "current": ["城市道路"]}
    old_roads = next(c for c in run_json("rank", str(old))["categories"] if c["category"] == "道路")
    assert roads["previous_score"] == old_roads["score"]
    assert roads["previous_rank"] == old_roads["rank"]
    assert categories["建(构)筑物"]["mapped_from"]["previous"] == ["建筑景观"]
    assert categories["居住区"]["mapped_from"] is None
    assert data["unmatched_categories"] == {"previous": ["水域"], "current": ["标识标牌与广告设施"]}
    assert categories["标识标牌与广告设施"]["previous_score"] is None
    assert categories["水域"]["score"] is None  # listed, never compared with something else

    table = runner.invoke(app, ["compare", str(old), str(new)])
    assert "上期：道路" in table.stdout
    assert "无对应大类（未比较）——上期：水域；本期：标识标牌与广告设施。" in table.stdout


def test_several_old_categories_merge_into_one_by_their_plain_mean(profile):
    def category(name: str, score: float, rank: int) -> CategoryResult:
        return CategoryResult(name, score, rank, False, None, "", (), False)

    old = [
        category("集市菜场", 77.0, 1),
        category("交通集散地", 78.01, 2),
        category("校园周边", 79.0, 3),
        category("医院周边", 80.0, 4),
        category("道路", 75.0, 5),
    ]
    mapped = in_scheme(old, ["公共场所", "城市道路", "居住区"], profile)
    places = mapped["公共场所"]
    assert places.score == 78.5  # (77 + 78.01 + 79 + 80) / 4 = 78.5025
    assert places.rank is None  # no such category was ranked in the old report
    assert places.sources == ("集市菜场", "交通集散地", "校园周边", "医院周边")
    assert (mapped["城市道路"].score, mapped["城市道路"].rank) == (75.0, 5)


def test_reversed_arguments_warn_on_stderr_and_show_falls():
    result = runner.invoke(app, ["compare", str(SAMPLE_2024H1), str(SAMPLE_2023H2), "-f", "json"])
    assert result.exit_code == 0
    assert "上期文件（2024H1）比本期文件（2023H2）晚，请确认参数顺序" in result.stderr
    chedun = next(u for u in json.loads(result.stdout)["units"] if u["unit"] == "车墩镇")
    assert chedun["rank_change"] == -3


def test_csv_markdown_and_table_show_the_changes(tmp_path):
    out = tmp_path / "变化.csv"
    result = runner.invoke(
        app, ["compare", str(SAMPLE_2023H2), str(SAMPLE_2024H1), "-f", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    chedun = next(r for r in rows if r["unit"] == "车墩镇")
    assert chedun["rank_change"] == "3" and chedun["previously_flagged"] == "true"
    assert chedun["score_change"] == "4.16"

    md = runner.invoke(app, ["compare", str(SAMPLE_2023H2), str(SAMPLE_2024H1), "-f", "md"]).stdout
    assert md.startswith("# 2023年下半年 → 2024年上半年 街镇变化")
    assert "| 车墩镇 | 78.35 | +4.16 | 11 | 14 | ▲3 | 一般→尚可 | 退出排名靠后 |" in md

    table = runner.invoke(app, ["compare", str(SAMPLE_2023H2), str(SAMPLE_2024H1)]).stdout
    assert "新进入排名靠后：泖港镇、新浜镇；退出排名靠后：叶榭镇、车墩镇。" in table
    assert "名次上升最多：车墩镇（▲3）" in table
    assert "│ 车墩镇     │    78.35 │ +4.16 │   11 │       14 │       ▲3 │ 一般→尚可 │" in table
    assert "…" not in table  # a piped, 80-column console still gets every cell whole


@pytest.mark.parametrize("missing", ["previous", "current"])
def test_an_unusable_file_is_one_message_naming_it(tmp_path, missing):
    absent = tmp_path / "没有.xlsx"
    args = [str(absent), str(SAMPLE_2024H1)]
    if missing == "current":
        args.reverse()
    result = runner.invoke(app, ["compare", *args])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：没有.xlsx：文件不存在（{absent}）"
