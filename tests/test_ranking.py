"""Ranking rules of DOMAIN.md, on small reports built in memory."""

from __future__ import annotations

from mytool.analysis.ranking import COMPUTED, REPORTED, rank_positions, rank_report
from mytool.report import CATEGORY, COMPOSITE, ITEM, Report, Score


def report_of(*scores: Score) -> Report:
    units = tuple(dict.fromkeys(s.unit for s in scores))
    return Report("t.xlsx", "t.xlsx", "xlsx", "2023H2", "标题", tuple(scores), units)


def composites(**by_unit: float) -> Report:
    return report_of(*(Score(unit, COMPOSITE, value) for unit, value in by_unit.items()))


def test_competition_ranking_shares_ranks_and_skips():
    assert rank_positions([78.50, 78.50, 78.10]) == [(1, True), (1, True), (3, False)]
    assert rank_positions([78.50, 78.50, 78.10], "dense") == [(1, True), (1, True), (2, False)]


def test_ranks_compare_two_decimal_values():
    # 78.504 and 78.499 both show as 78.50, so they tie.
    assert rank_positions([78.504, 78.499, 78.1]) == [(1, True), (1, True), (3, False)]


def test_bottom_n_flags_ties_at_the_boundary(profile):
    ranking = rank_report(composites(A=90, B=85, C=80, D=80, E=79), profile, bottom_n=2)
    flagged = {u.unit: u.flag_reasons for u in ranking.units if u.flagged}
    # D and C tie at the second-lowest place: both have fewer than 2 units below them.
    assert flagged == {"C": ("bottom",), "D": ("bottom",), "E": ("bottom",)}


def test_grade_flags_units_outside_the_bottom(profile):
    ranking = rank_report(composites(A=74.99, B=72, C=71, D=69.99), profile, bottom_n=1)
    reasons = {u.unit: (u.grade, u.flag_reasons) for u in ranking.units}
    assert reasons == {
        "A": ("一般", ("grade",)),
        "B": ("一般", ("grade",)),
        "C": ("一般", ("grade",)),
        "D": ("较差", ("bottom", "grade")),
    }


def test_units_sorted_by_rank_then_name(profile):
    ranking = rank_report(composites(乙=80, 甲=80, 丙=90), profile)
    assert [(u.unit, u.rank, u.tied) for u in ranking.units] == [
        ("丙", 1, False),
        ("乙", 2, True),
        ("甲", 2, True),
    ]


def test_computed_composite_renormalises_weights_and_rounds_each_level(profile):
    report = report_of(
        # 居住区 items 80.00 and 80.01 → mean 80.005 → 80.01 (half-up) before weighting.
        Score("九亭镇", ITEM, 80.00, "居住区", "小区环境卫生"),
        Score("九亭镇", ITEM, 80.01, "居住区", "垃圾分类投放"),
        Score("九亭镇", CATEGORY, 70.0, "工地"),
    )
    (unit,) = rank_report(report, profile).units
    assert unit.categories == {"居住区": 80.01, "工地": 70.0}
    # weights 0.16 and 0.08 renormalise to 2/3 and 1/3: (2 × 80.01 + 70) / 3 = 76.673…
    assert unit.score == 76.67 and unit.score_source == COMPUTED


def test_reported_composite_wins_over_categories(profile):
    report = report_of(Score("九亭镇", COMPOSITE, 71.5), Score("九亭镇", CATEGORY, 90.0, "工地"))
    ranking = rank_report(report, profile)
    assert (ranking.units[0].score, ranking.score_source) == (71.5, REPORTED)


def test_categories_ranked_by_district_mean_with_weakest_units(profile):
    report = report_of(
        Score("甲", COMPOSITE, 80),
        Score("乙", COMPOSITE, 70),
        Score("丙", COMPOSITE, 75),
        Score("甲", CATEGORY, 80, "工地"),
        Score("乙", CATEGORY, 60, "工地"),
        Score("甲", CATEGORY, 75, "居住区"),
        Score("乙", CATEGORY, 76, "居住区"),
        Score("丙", CATEGORY, 77, "居住区"),
    )
    ranking = rank_report(report, profile)
    assert [(c.category, c.score, c.rank) for c in ranking.categories] == [
        ("居住区", 76.0, 1),
        ("工地", 70.0, 2),
    ]
    assert ranking.category("居住区").weakest_units == ("甲", "乙", "丙")
    # 乙 is 10 below the 工地 mean and at 居住区 level; 甲 is 1 below in 居住区 only.
    assert ranking.unit("乙").weakest_categories == ("工地",)
    assert ranking.unit("甲").weakest_categories == ("居住区",)
    assert "工地" not in ranking.unit("丙").categories


def test_unit_categories_come_in_the_profile_order_whatever_the_file_order(profile):
    # Mutation survivor (tools/mutate.py): the order is the profile's, unknown names last.
    first, second, third = profile.category_names[:3]
    read_order = ["不在配置中", third, first, second]
    report = report_of(
        *(Score("甲", CATEGORY, 80.0 + i, name) for i, name in enumerate(read_order))
    )
    (unit,) = rank_report(report, profile).units
    assert list(unit.categories) == [first, second, third, "不在配置中"]
