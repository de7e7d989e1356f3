"""`mytool plan`: what-if and targets, checked against composites and ranks computed by hand.

Expected values are computed here independently of mytool: category scores times the default
profile's weights, renormalised over the categories present, Decimal half-up to two decimals;
ranks as 1 + the number of other units with a strictly higher score (ties share the rank).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE_2023H2, write_xlsx
from expected import expected_plan
from typer.testing import CliRunner

from mytool.analysis.planning import (
    DISTRICT_BEST,
    LEAVE_BOTTOM,
    OWN_BEST,
    PROFILE_CEILING,
    RANK,
    SCORE,
    Target,
    parse_setting,
    plan_unit,
)
from mytool.analysis.ranking import rank_report
from mytool.api import plan_file, ranked, read_report
from mytool.cli import app
from mytool.profile import load_profile
from mytool.render.plan import plan_to_dict
from mytool.report import CATEGORY, COMPOSITE, ITEM, Report, Score

runner = CliRunner()
# The default profile's weights (DOMAIN.md), typed in again so the test does not read them back.
WEIGHTS = {
    "建(构)筑物": Decimal("0.09"),
    "居住区": Decimal("0.16"),
    "城市道路": Decimal("0.12"),
    "公共设施": Decimal("0.08"),
    "城市绿化": Decimal("0.09"),
    "标识标牌与广告设施": Decimal("0.07"),
    "公共场所": Decimal("0.11"),
    "城市水域": Decimal("0.07"),
    "工地": Decimal("0.08"),
    "车容车貌": Decimal("0.06"),
    "服务规范": Decimal("0.07"),
}


def by_hand(categories: dict[str, float | Decimal]) -> Decimal:
    """Weighted mean over the categories present, half-up to two decimals."""
    total = sum(WEIGHTS[c] for c in categories)
    raw = sum(WEIGHTS[c] * Decimal(str(v)) for c, v in categories.items()) / total
    return raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rank_by_hand(score: Decimal, others: list[float]) -> int:
    return 1 + sum(1 for other in others if Decimal(str(other)) > score)


def report_of(*scores: Score) -> Report:
    units = tuple(dict.fromkeys(s.unit for s in scores))
    return Report("t.xlsx", "t.xlsx", "xlsx", "2023H2", "标题", tuple(scores), units)


# A toy district: six units, three categories (居住区 0.16, 城市道路 0.12, 工地 0.08), no
# published composite, so every composite is computed.
TOY = {
    "九亭镇": {"居住区": 70.00, "城市道路": 71.50, "工地": 69.30},
    "新桥镇": {"居住区": 73.10, "城市道路": 72.20, "工地": 74.00},
    "车墩镇": {"居住区": 74.40, "城市道路": 75.80, "工地": 71.10},
    "叶榭镇": {"居住区": 76.00, "城市道路": 73.30, "工地": 75.50},
    "泖港镇": {"居住区": 75.20, "城市道路": 77.70, "工地": 72.40},
    "新浜镇": {"居住区": 72.50, "城市道路": 74.90, "工地": 76.20},
}


def toy_report(table: dict[str, dict[str, float]] = TOY) -> Report:
    return report_of(
        *(
            Score(unit, CATEGORY, value, category)
            for unit, categories in table.items()
            for category, value in categories.items()
        )
    )


def toy_others(unit: str, table: dict[str, dict[str, float]] = TOY) -> list[float]:
    return [float(by_hand(cats)) for name, cats in table.items() if name != unit]


def brute_force(
    unit: str, meets, step: Decimal, table: dict[str, dict[str, float]] = TOY
) -> tuple[Decimal, Decimal] | None:
    """Least total gain (and the score it gives) over every combination of `step` gains."""
    own = table[unit]
    ceilings = {c: max(cats[c] for cats in table.values()) for c in own}
    ranges = [
        range(int((Decimal(str(ceilings[c])) - Decimal(str(own[c]))) / step) + 1) for c in own
    ]
    others = toy_others(unit, table)
    best = None
    for steps in itertools.product(*ranges):
        gains = {c: n * step for c, n in zip(own, steps, strict=True)}
        score = by_hand({c: Decimal(str(own[c])) + gains[c] for c in own})
        if meets(score, rank_by_hand(score, others)):
            total = sum(gains.values())
            if best is None or total < best[0]:
                best = (total, score)
    return best


@pytest.mark.parametrize(
    ("target", "meets"),
    [
        (Target(RANK, 3), lambda score, rank: rank <= 3),
        (Target(RANK, 5), lambda score, rank: rank <= 5),
        (Target(SCORE, 74.0), lambda score, rank: score >= Decimal("74.00")),
        (Target("grade", "尚可"), lambda score, rank: score >= 75),
    ],
)
def test_greedy_by_weight_matches_brute_force_over_whole_point_gains(profile, target, meets):
    ranking = rank_report(toy_report(), profile)
    plan = plan_unit(ranking, profile, "九亭镇", target=target, step=Decimal(1))
    expected = brute_force("九亭镇", meets, Decimal(1))
    assert expected is not None and plan.reachable
    assert Decimal(str(plan.total_gain)) == expected[0]
    after = {c: Decimal(str(v)) for c, v in TOY["九亭镇"].items()}
    for change in plan.changes:
        after[change.category] = Decimal(str(change.after))
    score = by_hand(after)
    assert Decimal(str(plan.after.score)) == score
    assert meets(score, rank_by_hand(score, toy_others("九亭镇")))
    assert plan.after.rank == rank_by_hand(score, toy_others("九亭镇"))


def test_greedy_matches_brute_force_to_the_cent(profile):
    # Close scores: the ceilings are within 1.6 points, so every cent can be tried.
    table = {
        "九亭镇": {"居住区": 74.90, "城市道路": 75.10, "工地": 76.00},
        "新桥镇": {"居住区": 75.80, "城市道路": 75.70, "工地": 75.00},
        "车墩镇": {"居住区": 76.50, "城市道路": 75.40, "工地": 75.20},
        "叶榭镇": {"居住区": 75.00, "城市道路": 76.30, "工地": 75.90},
    }
    ranking = rank_report(toy_report(table), profile)
    others = toy_others("九亭镇", table)
    for wanted in (1, 2, 3):
        plan = plan_unit(ranking, profile, "九亭镇", target=Target(RANK, wanted))
        expected = brute_force("九亭镇", lambda s, r, w=wanted: r <= w, Decimal("0.01"), table)
        assert expected is not None
        assert Decimal(str(plan.total_gain)) == expected[0], wanted
        assert plan.after.rank == rank_by_hand(Decimal(str(plan.after.score)), others) <= wanted


def test_reaching_a_rank_means_sharing_it_when_tied(profile):
    ranking = rank_report(toy_report(), profile)
    plan = plan_unit(ranking, profile, "九亭镇", target=Target(RANK, 5))
    fifth = sorted(toy_others("九亭镇"), reverse=True)[4]
    assert plan.required_score == fifth
    assert plan.after.score == fifth and plan.after.rank == 5 and plan.after.tied


def test_leaving_the_bottom_needs_a_cent_more_than_the_boundary(profile):
    ranking = rank_report(toy_report(), profile, bottom_n=2)
    plan = plan_unit(ranking, profile, "九亭镇", target=Target(LEAVE_BOTTOM, 2))
    second_lowest = sorted(toy_others("九亭镇"))[1]
    assert plan.required_score == round(second_lowest + 0.01, 2)
    assert plan.after.flag_reasons == ("grade",)  # out of the bottom 2, still graded 一般
    assert plan.after.score >= plan.required_score


def test_what_if_recomputes_and_reranks(profile):
    ranking = rank_report(toy_report(), profile)
    settings = [parse_setting("居住区=+4", profile), parse_setting("工地=72", profile)]
    plan = plan_unit(ranking, profile, "九亭镇", settings=settings)
    expected = by_hand({"居住区": Decimal("74.00"), "城市道路": 71.50, "工地": Decimal("72")})
    assert Decimal(str(plan.after.score)) == expected
    assert plan.after.rank == rank_by_hand(expected, toy_others("九亭镇"))
    assert [(c.category, c.before, c.after, c.gain) for c in plan.changes] == [
        ("居住区", 70.0, 74.0, 4.0),
        ("工地", 69.3, 72.0, 2.7),
    ]
    assert plan.reachable and not plan.estimate and plan.target.kind == "set"


def test_unreachable_target_shows_the_best_reachable_result(profile):
    ranking = rank_report(toy_report(), profile)
    plan = plan_unit(ranking, profile, "九亭镇", target=Target(SCORE, 90.0))
    assert plan.reachable is False
    best = by_hand({c: max(cats[c] for cats in TOY.values()) for c in TOY["九亭镇"]})
    assert Decimal(str(plan.after.score)) == best
    assert {c.category: c.after for c in plan.changes} == {
        "居住区": 76.0,
        "城市道路": 77.7,
        "工地": 76.2,
    }
    assert all(c.ceiling_source == DISTRICT_BEST for c in plan.changes)
    data = plan_to_dict(plan)
    assert data["reachable"] is False and data["after"]["score"] == float(best)


def test_a_reproduced_composite_is_not_an_estimate(profile):
    scores = [s for s in toy_report().scores]
    scores += [Score(u, COMPOSITE, float(by_hand(c))) for u, c in TOY.items()]
    ranking = rank_report(report_of(*scores), profile)
    plan = plan_unit(ranking, profile, "九亭镇", target=Target(RANK, 3))
    assert plan.estimate is False and plan.offset == 0.0


def test_a_composite_off_the_categories_makes_an_estimate_that_keeps_the_offset(profile):
    scores = [s for s in toy_report().scores]
    published = {u: float(by_hand(c)) for u, c in TOY.items()}
    published["九亭镇"] = round(published["九亭镇"] + 0.30, 2)
    scores += [Score(u, COMPOSITE, v) for u, v in published.items()]
    ranking = rank_report(report_of(*scores), profile)
    plan = plan_unit(ranking, profile, "九亭镇", settings=[parse_setting("居住区=+4", profile)])
    assert plan.estimate is True and plan.offset == 0.3
    moved = by_hand({"居住区": Decimal("74.00"), "城市道路": 71.50, "工地": 69.30})
    assert Decimal(str(plan.after.score)) == moved + Decimal("0.30")
    assert plan_to_dict(plan)["estimate"] is True
    assert any("相差 +0.30 分" in note for note in plan.notes)


def test_ceilings_from_previous_half_years_and_from_the_profile(profile, tmp_path):
    earlier = {u: dict(c) for u, c in TOY.items()}
    earlier["九亭镇"]["居住区"] = 79.00  # its own best, above this half-year's district best
    previous = rank_report(toy_report(earlier), profile)
    ranking = rank_report(toy_report(), profile)
    plan = plan_unit(ranking, profile, "九亭镇", target=Target(SCORE, 90.0), previous=[previous])
    ceilings = {c.category: (c.ceiling, c.ceiling_source) for c in plan.changes}
    assert ceilings["居住区"] == (79.0, OWN_BEST)
    assert ceilings["工地"] == (76.2, DISTRICT_BEST)

    text = profile.text + '\n[plan.ceilings]\n"居住区" = 72.5\n'
    custom = tmp_path / "口径.toml"
    custom.write_text(text, encoding="utf-8")
    limited = load_profile(custom)
    plan = plan_unit(
        rank_report(toy_report(), limited), limited, "九亭镇", target=Target(SCORE, 90.0)
    )
    by_category = {c.category: c for c in plan.changes}
    assert (by_category["居住区"].after, by_category["居住区"].ceiling_source) == (
        72.5,
        PROFILE_CEILING,
    )


# The 2023 H2 sample --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    profile = load_profile()
    report = read_report(SAMPLE_2023H2, profile)
    return profile, ranked(report, profile), report


def rerun(report: Report, unit: str, categories: dict[str, float], composite: float) -> Report:
    """The report as it would read with `unit`'s new category scores and composite."""
    kept = [
        s
        for s in report.scores
        if not (s.unit == unit and s.measure in (CATEGORY, ITEM, COMPOSITE))
    ]
    kept += [Score(unit, CATEGORY, v, c) for c, v in categories.items()]
    kept.append(Score(unit, COMPOSITE, composite))
    return replace(report, scores=tuple(kept))


def test_sample_jiuting_target_rank_11_lands_at_rank_11_when_re_run(sample):
    profile, ranking, report = sample
    plan = plan_file(SAMPLE_2023H2, "九亭", profile, target=Target(RANK, 11))
    jiuting = ranking.unit("九亭镇")
    # Estimate: the published 71.84 is not what the categories give (by hand: 71.79).
    reproduced = by_hand(jiuting.categories)
    assert reproduced == Decimal("71.79") and plan.estimate and plan.offset == 0.05
    after = dict(jiuting.categories)
    after.update({c.category: c.after for c in plan.changes})
    expected = by_hand(after) + Decimal("71.84") - reproduced
    assert Decimal(str(plan.after.score)) == expected
    assert plan.reachable and plan.after.rank <= 11
    # Every unit ranked again with the changed scores: 九亭镇 has rank ≤ 11 there too.
    again = rank_report(rerun(report, "九亭镇", after, float(expected)), profile)
    assert again.unit("九亭镇").rank == plan.after.rank <= 11
    # Each gain stays under this half-year's best in its category.
    for change in plan.changes:
        best = max(u.categories[change.category] for u in ranking.units)
        assert change.after <= best and change.ceiling == best
        assert change.department
        assert change.lagging and all(line.gap < 0 for line in change.lagging)


def test_sample_what_if_re_run_through_the_cli_lands_where_the_plan_said():
    result = runner.invoke(
        app, ["plan", str(SAMPLE_2023H2), "--unit", "九亭", "--target-rank", "11", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    sets = [f"--set={c['category']}={c['to']}" for c in plan["changes"]]
    again = runner.invoke(app, ["plan", str(SAMPLE_2023H2), "-u", "九亭镇", *sets, "-f", "json"])
    assert again.exit_code == 0, again.output
    what_if = json.loads(again.stdout)
    assert what_if["after"] == plan["after"] and what_if["after"]["rank"] <= 11
    assert what_if["target"] == {
        "kind": "set",
        "value": [s.removeprefix("--set=") for s in sets],
        "required_score": None,
    }


def test_plan_json_has_the_documented_keys_and_equals_the_plan_from_the_raw_cells():
    result = runner.invoke(
        app, ["plan", str(SAMPLE_2023H2), "-u", "九亭", "--target-grade", "尚可", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    raised = {change["category"]: change["to"] for change in data["changes"]}
    target = {"kind": "grade", "value": "尚可", "required_score": 75.0}  # the 尚可 band's floor
    expected = expected_plan(SAMPLE_2023H2, "2023H2", "九亭镇", target, raised)
    without_items = [
        {key: value for key, value in change.items() if key != "lagging_items"}
        for change in data["changes"]
    ]
    assert {**data, "changes": without_items} == {**expected, "notes": data["notes"], "issues": []}
    assert data["after"]["grade"] == "尚可"  # the plan reaches its target
    documented = {"unit", "period", "before", "target", "changes", "after", "reachable", "estimate"}
    assert documented <= set(data)
    for side in ("before", "after"):
        assert {"score", "rank", "grade", "flagged"} <= set(data[side])
    assert {"kind", "value"} <= set(data["target"])
    for change in data["changes"]:
        assert {"category", "from", "to", "gain", "department"} <= set(change)
    assert data["before"] == {
        "score": 71.84,
        "rank": 17,
        "grade": "一般",
        "flagged": True,
        "tied": False,
        "flag_reasons": ["bottom", "grade"],
    }
    assert data["after"]["grade"] == "尚可" and data["after"]["score"] >= 75


def test_plan_markdown_and_table_say_the_numbers_and_that_they_are_estimates(tmp_path):
    result = runner.invoke(
        app, ["plan", str(SAMPLE_2023H2), "-u", "九亭", "--target-rank", "11", "-f", "md"]
    )
    assert result.exit_code == 0, result.output
    assert "# 九亭镇 提升计划（2023年下半年" in result.stdout
    assert "| 居住区 | 66.88 | 86.20 | +19.32 | 0.16 |" in result.stdout
    assert "相差 +0.05 分，测算结果为估算" in result.stdout
    table = runner.invoke(app, ["plan", str(SAMPLE_2023H2), "-u", "九亭", "--target-rank", "11"])
    assert "测算后：77.26 分，第 11 名（并列），尚可，倒数6名内" in table.stdout


def test_plan_xlsx_holds_the_changes(tmp_path):
    out = tmp_path / "计划.xlsx"
    result = runner.invoke(
        app,
        [
            "plan",
            str(SAMPLE_2023H2),
            "-u",
            "九亭",
            "--target-score",
            "76",
            "-f",
            "xlsx",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["提升计划"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any(row[:4] == ["居住区", 66.88, 86.2, 19.32] for row in rows)
    no_output = runner.invoke(app, ["plan", str(SAMPLE_2023H2), "-u", "九亭", "-f", "xlsx"])
    assert no_output.exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "居住=+4"], "--set「居住=+4」写法不对：应为 大类=分数（工地=72）或 大类=+分数"),
        (["--set", "工地=七十"], "--set「工地=七十」中的「七十」不是数字"),
        (
            ["--target-grade", "很好"],
            "--target-grade「很好」不是等级；等级为：优秀、良好、尚可、一般、较差",
        ),
        (["--target-rank", "3", "--target-score", "80"], "只能给一个"),
        ([], "请给出目标（--target-rank 11、--target-grade 尚可 或 --target-score 76）"),
        (["--target-rank", "40"], "--target-rank 40 应在 1 到 17 之间"),
    ],
)
def test_plan_usage_errors_name_the_fix(args, message):
    result = runner.invoke(app, ["plan", str(SAMPLE_2023H2), "-u", "九亭", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_plan_of_a_unit_not_in_the_report_lists_the_units(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["街镇", "居住区", "城市道路"], ["九亭镇", 70, 71], ["新桥镇", 72, 73]],
    )
    result = runner.invoke(app, ["plan", str(path), "-u", "泖港", "--target-rank", "1"])
    assert result.exit_code == 2
    assert "报告中没有街镇「泖港镇」；报告中的街镇：新桥镇、九亭镇" in result.output


def test_already_at_target_needs_no_gain(profile):
    ranking = rank_report(toy_report(), profile)
    plan = plan_unit(ranking, profile, "叶榭镇", target=Target(RANK, 6))
    assert plan.changes == () and plan.reachable and plan.total_gain == 0
    assert plan.after == plan.before


def test_help_lists_plan():
    result = runner.invoke(app, ["plan", "--help"])
    assert result.exit_code == 0 and "--target-rank" in result.output


def test_planning_module_does_not_import_typer():
    source = Path("mytool/analysis/planning.py").read_text(encoding="utf-8")
    assert "typer" not in source


def test_brief_target_section_agrees_with_plan(tmp_path):
    out = tmp_path / "briefs"
    result = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-f", "md", "-u", "九亭", "-d", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = (out / "2023H2-九亭镇-整改提升简报.md").read_text(encoding="utf-8")
    plan = plan_file(SAMPLE_2023H2, "九亭", target=Target(LEAVE_BOTTOM, 6))
    gains = "、".join(f"{c.category} +{c.gain:.2f} 分（{c.department}）" for c in plan.changes)
    assert "### 提升目标" in text
    assert (
        f"- 走出倒数 6 名（综合得分 ≥ {plan.required_score:.2f}）：最少需提高 {gains}，"
        f"合计 {plan.total_gain:.2f} 分，测算后 {plan.after.score:.2f} 分、第 {plan.after.rank} 名"
    ) in text
    assert not plan.after.flagged or plan.after.flag_reasons == ("grade",)
