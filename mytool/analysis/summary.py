"""What the one-page district summary and the lead-department files say, computed once.

The documents layer (`mytool.render.docx_brief`) only lays these out; every number here comes
from the same `BriefSet` (ranking, comparison) as `rank -f json` and the Markdown briefs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mytool.analysis.brief import BriefSet
from mytool.analysis.ranking import BOTTOM, UnitResult
from mytool.numbers import mean2, round2, to_decimal
from mytool.profile import Profile


@dataclass(frozen=True)
class CategoryStanding:
    """A category a department leads: its district score and rank, and since last time."""

    category: str
    score: float
    rank: int
    tied: bool
    of: int
    previous_score: float | None
    score_change: float | None
    previous_rank: int | None
    weakest_units: tuple[str, ...]  # the units scoring lowest in it (得分最低), lowest first


@dataclass(frozen=True)
class DepartmentTasks:
    department: str
    categories: tuple[CategoryStanding, ...]  # in the profile's order
    weakest: CategoryStanding | None  # its lowest-ranked category
    # Units named in `categories[*].weakest_units`, in order of first mention: the sentence and
    # the table of a department file come from this one list.
    weak_units: tuple[str, ...]
    flagged_weak_units: tuple[str, ...]  # those of `weak_units` that are flagged


@dataclass(frozen=True)
class DistrictSummary:
    period: str | None
    previous_period: str | None
    units_count: int
    mean: float
    previous_mean: float | None
    mean_change: float | None
    grade_counts: tuple[tuple[str, int], ...]  # every grade of the profile, best first
    bottom_n: int
    bottom: tuple[UnitResult, ...]  # units flagged as bottom N, worst first
    grade_flagged: tuple[UnitResult, ...]  # flagged for their grade only
    entered: tuple[str, ...]  # flagged now, not last time (with --previous)
    left: tuple[str, ...]  # flagged last time, not now
    deadline: dt.date | None
    departments: tuple[DepartmentTasks, ...]


def department_tasks(briefs: BriefSet, profile: Profile) -> tuple[DepartmentTasks, ...]:
    changes = {c.category: c for c in briefs.comparison.categories} if briefs.comparison else {}
    flagged = {u.unit for u in briefs.ranking.flagged}
    of = len(briefs.ranking.categories)
    result = []
    for section in briefs.departments:
        standings = []
        for line in section.categories:
            change = changes.get(line.category)
            standings.append(
                CategoryStanding(
                    category=line.category,
                    score=line.score,
                    rank=line.rank,
                    tied=line.tied,
                    of=of,
                    previous_score=change.previous_score if change else None,
                    score_change=change.score_change if change else None,
                    previous_rank=change.previous_rank if change else None,
                    weakest_units=line.weakest_units,
                )
            )
        order = {name: index for index, name in enumerate(profile.category_names)}
        standings.sort(key=lambda s: order.get(s.category, len(order)))
        weak = tuple(dict.fromkeys(u for s in standings for u in s.weakest_units))
        result.append(
            DepartmentTasks(
                department=section.department,
                categories=tuple(standings),
                weakest=max(standings, key=lambda s: (s.rank, s.category), default=None),
                weak_units=weak,
                flagged_weak_units=tuple(u for u in weak if u in flagged),
            )
        )
    return tuple(result)


def district_summary(briefs: BriefSet, profile: Profile) -> DistrictSummary:
    ranking = briefs.ranking
    comparison = briefs.comparison
    mean = mean2([u.score for u in ranking.units])
    assert mean is not None  # a ranking always has units (see api.ranked)
    previous_mean = None
    if comparison:
        previous = [u.previous_score for u in comparison.units if u.previous_score is not None]
        previous_mean = mean2(previous) if previous else None
    counts = {grade.name: 0 for grade in profile.grades}
    for unit in ranking.units:
        counts[unit.grade] = counts.get(unit.grade, 0) + 1
    bottom = tuple(u for u in reversed(ranking.units) if BOTTOM in u.flag_reasons)
    return DistrictSummary(
        period=ranking.period,
        previous_period=comparison.previous.period if comparison else None,
        units_count=len(ranking.units),
        mean=mean,
        previous_mean=previous_mean,
        mean_change=(
            round2(to_decimal(mean) - to_decimal(previous_mean))
            if previous_mean is not None
            else None
        ),
        grade_counts=tuple(counts.items()),
        bottom_n=ranking.bottom_n,
        bottom=bottom,
        grade_flagged=tuple(u for u in ranking.flagged if BOTTOM not in u.flag_reasons),
        entered=tuple(u.unit for u in comparison.units if u.entered_flagged) if comparison else (),
        left=tuple(u.unit for u in comparison.units if u.left_flagged) if comparison else (),
        deadline=briefs.deadline,
        departments=department_tasks(briefs, profile),
    )
