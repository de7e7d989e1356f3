"""Several half-years in order: each unit's score and rank per period, how long it has been flagged,
and each category's district score over time (old-scheme categories mapped to the newest scheme).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from mytool.analysis.lineage import SchemeScore, in_scheme
from mytool.analysis.ranking import Ranking
from mytool.diagnostics import WARNING, Issue, IssueCode
from mytool.errors import InputError, UsageError
from mytool.numbers import mean2
from mytool.profile import Profile


@dataclass(frozen=True)
class UnitTrend:
    """One unit over the periods; None where a period's report does not have it."""

    unit: str
    scores: tuple[float | None, ...]
    ranks: tuple[int | None, ...]
    flagged: tuple[bool | None, ...]
    # Half-years in a row, up to the latest, the unit has been flagged (连续 N 期); a half-year
    # missing from the reports breaks the run like a period it was not flagged in.
    flagged_streak: int = 0


@dataclass(frozen=True)
class CategoryTrend:
    """A category's district score per period, under the newest report's name.

    `sources[i]` are period i's own categories behind the score: () when it has none,
    ("道路",) or several old categories (their plain mean) when mapped through the lineage.
    """

    category: str
    scores: tuple[float | None, ...]
    sources: tuple[tuple[str, ...], ...]

    def mapped_in(self, index: int) -> bool:
        return bool(self.sources[index]) and self.sources[index] != (self.category,)


@dataclass(frozen=True)
class Trend:
    periods: tuple[str, ...]  # oldest first
    sources: tuple[str, ...]  # the file of each period
    units: tuple[UnitTrend, ...]  # by latest rank, then name; units gone from it last
    district_means: tuple[float | None, ...]  # plain mean of the ranked units' scores
    categories: tuple[CategoryTrend, ...]
    issues: tuple[Issue, ...]
    missing_periods: tuple[str, ...] = ()  # half-years between the first and the latest not given

    @property
    def flagged_now(self) -> tuple[UnitTrend, ...]:
        """The units flagged in the latest period."""
        return tuple(u for u in self.units if u.flagged[-1])


def build_trend(rankings: Sequence[Ranking], profile: Profile) -> Trend:
    """Order the rankings by period and line them up; every ranking must know its period."""
    ordered = _by_period(rankings)
    latest = ordered[-1]
    names = sorted({u.unit for r in ordered for u in r.units})
    order = [u.unit for u in latest.units] + [n for n in names if latest.unit(n) is None]
    periods = [r.period or "" for r in ordered]
    units = tuple(_unit_trend(name, ordered) for name in order)
    means = tuple(mean2(u.score for u in r.units) for r in ordered)
    missing = missing_periods(periods)
    issues = []
    if missing:
        issues.append(
            Issue(
                IssueCode.MISSING_PERIODS,
                WARNING,
                f"缺少 {len(missing)} 期的测评结果：{'、'.join(missing)}；"
                "“连续排名靠后”只计相邻的半年度，缺期处中断",
            )
        )
    return Trend(
        periods=tuple(periods),
        sources=tuple(r.source for r in ordered),
        units=units,
        district_means=means,
        categories=_category_trends(ordered, profile),
        issues=tuple(issues),
        missing_periods=missing,
    )


def next_half_year(period: str) -> str:
    """The half-year after `period`: 2023H2 → 2024H1, 2024H1 → 2024H2."""
    year, half = int(period[:4]), period[-1]
    return f"{year}H2" if half == "1" else f"{year + 1}H1"


def missing_periods(periods: Sequence[str]) -> tuple[str, ...]:
    """Half-years between the first and the last of `periods` (in order) that are not among them."""
    missing: list[str] = []
    for before, after in itertools.pairwise(periods):
        gap = next_half_year(before)
        while gap < after:
            missing.append(gap)
            gap = next_half_year(gap)
    return tuple(missing)


def _by_period(rankings: Sequence[Ranking]) -> list[Ranking]:
    for ranking in rankings:
        if not ranking.period:
            raise InputError(
                f"{ranking.source}：无法识别期次，不能排入走势；"
                "请在文件名或标题中写明期次（如“2023H2”“2023年下半年度”）"
            )
    seen: dict[str, str] = {}
    for ranking in rankings:
        period = ranking.period or ""
        if period in seen:
            raise InputError(f"{seen[period]} 和 {ranking.source} 都是 {period} 期，请只保留一个")
        seen[period] = ranking.source
    if len(rankings) < 2:
        raise UsageError(f"走势至少需要两期测评结果，现在只有 {len(rankings)} 期")
    return sorted(rankings, key=lambda r: r.period or "")


def _unit_trend(name: str, rankings: Sequence[Ranking]) -> UnitTrend:
    results = [r.unit(name) for r in rankings]
    streak = 0
    for index in range(len(rankings) - 1, -1, -1):
        found = results[index]
        if not (found and found.flagged):
            break
        streak += 1
        before = rankings[index - 1].period if index > 0 else None
        if before is None or next_half_year(before) != rankings[index].period:
            break  # the half-year before this one is missing: the run stops here
    return UnitTrend(
        unit=name,
        scores=tuple(u.score if u else None for u in results),
        ranks=tuple(u.rank if u else None for u in results),
        flagged=tuple(u.flagged if u else None for u in results),
        flagged_streak=streak,
    )


def _category_trends(rankings: Sequence[Ranking], profile: Profile) -> tuple[CategoryTrend, ...]:
    """District category scores per period, each period re-expressed in the newest scheme."""
    latest = [c.category for c in rankings[-1].categories]
    position = {name: index for index, name in enumerate(profile.category_names)}
    keys = sorted(latest, key=lambda name: position.get(name, len(position)))
    per_period: list[dict[str, SchemeScore]] = [
        in_scheme(r.categories, latest, profile) for r in rankings
    ]
    for scores in per_period:
        keys += [key for key in scores if key not in keys]
    return tuple(
        CategoryTrend(
            category=key,
            scores=tuple(s[key].score if key in s else None for s in per_period),
            sources=tuple(s[key].sources if key in s else () for s in per_period),
        )
        for key in keys
    )
