"""Improvement briefs: for each unit, where to push first; for the district, who owns what.

Everything here is computed from a `Ranking` (and, when given, the problem points, feedback
cases and the previous period's ranking); renderers only lay it out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mytool.analysis.comparison import Comparison, UnitChange
from mytool.analysis.planning import CENT, Plan, brief_plans
from mytool.analysis.ranking import BOTTOM, Ranking, UnitResult, computed_composite, rank_positions
from mytool.casework import FeedbackCase, ProblemPoint
from mytool.diagnostics import Issue
from mytool.numbers import round2, to_decimal
from mytool.profile import Profile

if TYPE_CHECKING:
    from mytool.analysis.ledger.status import StatusItem

WEAKEST_ITEMS = 5
TOP_LEVERAGE = 3
# Categories the district's joint inspections target (联合检查), per the notice.
JOINT_INSPECTION = ("工地", "城市道路", "城市绿化", "居住区")


@dataclass(frozen=True)
class CategoryLine:
    category: str
    score: float
    district: float
    gap: float  # unit − district; negative means below the district mean
    rank: int  # the unit's rank among the units that have this category
    of: int
    department: str
    weight: float | None


@dataclass(frozen=True)
class ItemLine:
    category: str
    item: str
    score: float
    district: float
    gap: float


@dataclass(frozen=True)
class Leverage:
    """Closing the gap to the district mean in `category` would add `gain` points."""

    category: str
    gap: float
    weight: float
    share: float  # the weight renormalised over the unit's categories
    gain: float
    department: str


@dataclass(frozen=True)
class ProblemGroup:
    category: str
    department: str
    problems: tuple[ProblemPoint, ...]


@dataclass(frozen=True)
class UnitBrief:
    unit: UnitResult
    period: str | None
    units_count: int
    bottom_n: int
    city_scope: str
    categories: tuple[CategoryLine, ...]
    weakest_items: tuple[ItemLine, ...]
    leverage: tuple[Leverage, ...]
    gains_are_estimates: bool
    points_to_leave_bottom: float | None
    unit_to_pass: str | None
    next_grade: str | None
    points_to_next_grade: float | None
    change: UnitChange | None  # movement since the previous period, from `compare_rankings`
    previous_period: str | None
    problem_groups: tuple[ProblemGroup, ...]
    feedback: tuple[FeedbackCase, ...]
    checklist: tuple[str, ...]
    deadline: dt.date | None
    # The unit's open items in the rectification ledger, when one is given (`with_ledger`).
    ledger_items: tuple[StatusItem, ...] = ()
    ledger_as_of: dt.date | None = None
    # 提升目标: the least gains to leave the bottom N and to reach the next grade (`plan`).
    plans: tuple[Plan, ...] = ()

    @property
    def focus(self) -> tuple[Leverage, ...]:
        """The two or three categories to work on first."""
        return self.leverage[:TOP_LEVERAGE]


@dataclass(frozen=True)
class DepartmentCategory:
    category: str
    score: float
    rank: int
    tied: bool
    weakest_units: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentSection:
    department: str
    categories: tuple[DepartmentCategory, ...]
    problems: tuple[ProblemPoint, ...]
    flagged_units_weak_here: tuple[str, ...]


@dataclass(frozen=True)
class BriefSet:
    """All briefs of one run: the district overview data and one brief per selected unit."""

    ranking: Ranking
    units: tuple[UnitBrief, ...]
    departments: tuple[DepartmentSection, ...]
    problems: tuple[ProblemPoint, ...]
    feedback: tuple[FeedbackCase, ...]
    deadline: dt.date | None
    previous_period: str | None
    comparison: Comparison | None = None  # with --previous: who entered or left, categories
    # Every open ledger item, by unit (with --ledger), for the lead-department files.
    ledger_open: dict[str, tuple[StatusItem, ...]] | None = None
    ledger_as_of: dt.date | None = None
    issues: tuple[Issue, ...] = ()  # of every file read for these briefs (api.brief_files)


def build_briefs(
    ranking: Ranking,
    profile: Profile,
    *,
    units: list[str] | None = None,
    problems: list[ProblemPoint] | None = None,
    feedback: list[FeedbackCase] | None = None,
    comparison: Comparison | None = None,
    deadline: dt.date | None = None,
) -> BriefSet:
    """Briefs for `units` (canonical names), by default the flagged units."""
    problems = list(problems or [])
    feedback = list(feedback or [])
    if deadline is None and ranking.period:
        deadline = profile.deadline_after(ranking.period)
    selected = [ranking.unit(name) for name in units] if units else list(ranking.flagged)
    district = {c.category: c.score for c in ranking.categories}
    briefs = tuple(
        _unit_brief(unit, ranking, profile, district, problems, feedback, comparison, deadline)
        for unit in selected
        if unit is not None
    )
    return BriefSet(
        ranking=ranking,
        units=briefs,
        departments=_departments(ranking, profile, problems),
        problems=tuple(problems),
        feedback=tuple(feedback),
        deadline=deadline,
        previous_period=comparison.previous.period if comparison else None,
        comparison=comparison,
    )


def with_ledger(
    briefs: BriefSet, open_items: dict[str, tuple[StatusItem, ...]], as_of: dt.date
) -> BriefSet:
    """The briefs with each unit's open ledger items (from `analysis.ledger.status.open_items`)."""
    units = tuple(
        replace(brief, ledger_items=open_items.get(brief.unit.unit, ()), ledger_as_of=as_of)
        for brief in briefs.units
    )
    return replace(briefs, units=units, ledger_open=dict(open_items), ledger_as_of=as_of)


def _unit_brief(
    unit: UnitResult,
    ranking: Ranking,
    profile: Profile,
    district: dict[str, float],
    problems: list[ProblemPoint],
    feedback: list[FeedbackCase],
    comparison: Comparison | None,
    deadline: dt.date | None,
) -> UnitBrief:
    lines = _category_lines(unit, ranking, profile, district)
    leverage = leverage_points(unit, district, profile)
    recomputed = computed_composite(unit.categories, profile)
    points_to_leave, to_pass = _points_to_leave_bottom(unit, ranking)
    next_band = profile.next_grade(unit.grade)
    own_problems = [p for p in problems if p.unit == unit.unit]
    return UnitBrief(
        unit=unit,
        period=ranking.period,
        units_count=len(ranking.units),
        bottom_n=ranking.bottom_n,
        city_scope=ranking.city_scope,
        categories=lines,
        weakest_items=_weakest_items(unit, ranking),
        leverage=leverage,
        gains_are_estimates=unit.score_source == "reported"
        and recomputed is not None
        and recomputed != unit.score,
        points_to_leave_bottom=points_to_leave,
        unit_to_pass=to_pass,
        next_grade=next_band.name if next_band else None,
        points_to_next_grade=round2(to_decimal(next_band.min) - to_decimal(unit.score))
        if next_band
        else None,
        change=_change(unit, comparison),
        previous_period=comparison.previous.period if comparison else None,
        problem_groups=_group_problems(own_problems, profile),
        feedback=tuple(f for f in feedback if f.unit == unit.unit),
        checklist=checklist(leverage, profile, deadline),
        deadline=deadline,
        plans=brief_plans(ranking, profile, unit.unit),
    )


def leverage_points(
    unit: UnitResult, district: dict[str, float], profile: Profile
) -> tuple[Leverage, ...]:
    """Categories below the district mean, by how much closing the gap lifts the composite.

    The gain is weight × gap with the weight renormalised over the categories the unit has,
    exactly as a computed composite is weighted.
    """
    weighted = {c: w for c in unit.categories if (w := profile.weight(c)) is not None}
    total = sum(to_decimal(w) for w in weighted.values())
    points = []
    for category, weight in weighted.items():
        gap = to_decimal(district[category]) - to_decimal(unit.categories[category])
        if gap <= 0 or total == 0:
            continue
        share = to_decimal(weight) / total
        found = profile.category(category)
        points.append(
            Leverage(
                category=category,
                gap=round2(-gap),
                weight=weight,
                share=float(share),
                gain=round2(share * gap),
                department=found.department if found else "",
            )
        )
    return tuple(sorted(points, key=lambda p: (-p.gain, p.gap, p.category)))


def _category_lines(
    unit: UnitResult, ranking: Ranking, profile: Profile, district: dict[str, float]
) -> tuple[CategoryLine, ...]:
    lines = []
    for category, score in unit.categories.items():
        peers = [u.categories[category] for u in ranking.units if category in u.categories]
        position = rank_positions(peers, profile.ranking)[peers.index(score)][0]
        found = profile.category(category)
        lines.append(
            CategoryLine(
                category=category,
                score=score,
                district=district[category],
                gap=round2(to_decimal(score) - to_decimal(district[category])),
                rank=position,
                of=len(peers),
                department=found.department if found else "",
                weight=found.weight if found else None,
            )
        )
    return tuple(lines)


def _weakest_items(unit: UnitResult, ranking: Ranking) -> tuple[ItemLine, ...]:
    """The unit's items furthest below the district's mean for the same item."""
    by_item: dict[tuple[str, str], list[float]] = defaultdict(list)
    for other in ranking.units:
        for key, score in other.items.items():
            by_item[key].append(score)
    lines = []
    for (category, item), score in unit.items.items():
        values = by_item[(category, item)]
        mean = round2(sum(to_decimal(v) for v in values) / len(values))
        gap = round2(to_decimal(score) - to_decimal(mean))
        if gap < 0:
            lines.append(ItemLine(category, item, score, mean, gap))
    lines.sort(key=lambda line: (line.gap, line.category, line.item))
    return tuple(lines[:WEAKEST_ITEMS])


def _points_to_leave_bottom(unit: UnitResult, ranking: Ranking) -> tuple[float | None, str | None]:
    """Points needed to pass the lowest-scoring unit outside the bottom N, and its name."""
    if BOTTOM not in unit.flag_reasons:
        return None, None
    outside = [u for u in ranking.units if BOTTOM not in u.flag_reasons]
    if not outside:
        return None, None
    target = min(outside, key=lambda u: (u.score, u.unit))
    return round2(to_decimal(target.score) - to_decimal(unit.score) + CENT), target.unit


def _change(unit: UnitResult, comparison: Comparison | None) -> UnitChange | None:
    if comparison is None:
        return None
    return next((change for change in comparison.units if change.unit == unit.unit), None)


def _group_problems(problems: list[ProblemPoint], profile: Profile) -> tuple[ProblemGroup, ...]:
    order = {name: index for index, name in enumerate(profile.category_names)}
    groups: dict[str, list[ProblemPoint]] = defaultdict(list)
    for point in problems:
        groups[point.category].append(point)
    return tuple(
        ProblemGroup(
            category=category,
            department=(found.department if (found := profile.category(category)) else ""),
            problems=tuple(points),
        )
        for category, points in sorted(groups.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    )


def checklist(
    leverage: tuple[Leverage, ...], profile: Profile, deadline: dt.date | None
) -> tuple[str, ...]:
    """The notice's checklist: lines for every unit, then lines for its focus categories."""
    when = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else "规定时限"
    lines = [line.replace("{deadline}", when) for line in profile.checklist.get("always", ())]
    weak = [point.category for point in leverage[:TOP_LEVERAGE]]
    for category in weak:
        lines.extend(profile.checklist.get(category, ()))
    joint = [c for c in JOINT_INSPECTION if c in weak]
    if joint:
        lines.append(f"配合区级联合检查，重点迎检{'、'.join(joint)}环境")
    return tuple(dict.fromkeys(lines))


def _departments(
    ranking: Ranking, profile: Profile, problems: list[ProblemPoint]
) -> tuple[DepartmentSection, ...]:
    """One section per lead department: its categories, weakest units, and problem points."""
    sections = []
    departments = dict.fromkeys(c.department for c in profile.categories if c.department)
    for department in departments:
        owned = [c.name for c in profile.categories if c.department == department]
        categories = tuple(
            DepartmentCategory(c.category, c.score, c.rank, c.tied, c.weakest_units)
            for c in ranking.categories
            if c.category in owned
        )
        # From the same list the table shows (each category's lowest-scoring units), so the
        # sentence under a department's table never names other towns than the table.
        named = {u for c in categories for u in c.weakest_units}
        flagged_weak = tuple(u.unit for u in ranking.flagged if u.unit in named)
        sections.append(
            DepartmentSection(
                department=department,
                categories=categories,
                problems=tuple(p for p in problems if p.category in owned),
                flagged_units_weak_here=flagged_weak,
            )
        )
    return tuple(sections)
