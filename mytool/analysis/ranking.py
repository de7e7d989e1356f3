"""Rank units and categories, grade them and flag the bottom, following DOMAIN.md's rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from mytool.diagnostics import WARNING, Issue, IssueCode
from mytool.numbers import mean2, round2, weighted_mean2
from mytool.profile import Profile
from mytool.report import CATEGORY, CITY_RANK, COMPOSITE, CURRENT, ITEM, PROGRESS, Report

REPORTED = "reported"
COMPUTED = "computed"
BOTTOM = "bottom"
GRADE = "grade"
WEAKEST_COUNT = 3


@dataclass(frozen=True)
class UnitResult:
    unit: str
    score: float
    score_source: str
    rank: int
    tied: bool
    grade: str
    flagged: bool
    flag_reasons: tuple[str, ...]
    categories: dict[str, float]
    items: dict[tuple[str, str], float]
    weakest_categories: tuple[str, ...]
    known: bool
    current: float | None = None
    progress: float | None = None
    city_rank: int | None = None


@dataclass(frozen=True)
class CategoryResult:
    category: str
    score: float
    rank: int
    tied: bool
    weight: float | None
    department: str
    weakest_units: tuple[str, ...]
    known: bool


@dataclass(frozen=True)
class Ranking:
    """Everything `rank` shows; renderers turn this one object into every format."""

    period: str | None
    source: str
    score_source: str
    bottom_n: int
    units: tuple[UnitResult, ...]
    categories: tuple[CategoryResult, ...]
    city_scope: str
    issues: tuple[Issue, ...]  # found while ranking
    report_issues: tuple[Issue, ...] = ()  # found while reading the report ranked
    weights_place: str = ""  # the file's 权重 cells when its weights replaced the profile's

    @property
    def all_issues(self) -> tuple[Issue, ...]:
        """What reading and ranking found, in that order (what `rank` prints and writes)."""
        return (*self.report_issues, *self.issues)

    @property
    def flagged(self) -> tuple[UnitResult, ...]:
        return tuple(u for u in self.units if u.flagged)

    def unit(self, name: str) -> UnitResult | None:
        return next((u for u in self.units if u.unit == name), None)

    def category(self, name: str) -> CategoryResult | None:
        return next((c for c in self.categories if c.category == name), None)


def rank_positions(scores: list[float], method: str = "competition") -> list[tuple[int, bool]]:
    """(rank, tied) for each score, 1 = best, compared at two decimals.

    "competition" gives 78.50, 78.50, 78.10 → 1, 1, 3 (并列, as official tables do);
    "dense" gives 1, 1, 2 (中国式排名).
    """
    keys = [round2(s) for s in scores]
    distinct = sorted(set(keys), reverse=True)
    counts: dict[float, int] = defaultdict(int)
    for key in keys:
        counts[key] += 1
    if method == "dense":
        position = {value: index + 1 for index, value in enumerate(distinct)}
    else:
        position, above = {}, 0
        for value in distinct:
            position[value] = above + 1
            above += counts[value]
    return [(position[key], counts[key] > 1) for key in keys]


def unit_category_scores(report: Report) -> dict[str, dict[str, float]]:
    """Each unit's category scores: reported where given, else the mean of its items."""
    reported: dict[str, dict[str, float]] = defaultdict(dict)
    items: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for score in report.scores:
        if score.measure == CATEGORY:
            reported[score.unit][score.category] = round2(score.value)
        elif score.measure == ITEM:
            items[score.unit][score.category].append(score.value)
    result: dict[str, dict[str, float]] = {}
    for unit in report.units:
        categories = dict(reported.get(unit, {}))
        for category, values in items.get(unit, {}).items():
            mean = mean2(values)  # never None: a category is listed here with its first item
            if category not in categories and mean is not None:
                categories[category] = mean
        result[unit] = categories
    return result


def computed_composite(
    categories: dict[str, float], profile: Profile, weights: dict[str, float] | None = None
) -> float | None:
    """Weighted mean of the categories present, weights renormalised over them.

    `weights` are the file's own (a 权重 row) and replace the profile's when given.
    """
    weight_of = weights.get if weights else profile.weight
    pairs = [(v, w) for c, v in categories.items() if (w := weight_of(c)) is not None]
    return weighted_mean2(pairs)


def rank_report(report: Report, profile: Profile, bottom_n: int | None = None) -> Ranking:
    """Rank the units and categories of `report` under `profile`'s rules."""
    bottom_n = profile.bottom_n if bottom_n is None else bottom_n
    by_measure, items = _scores_by_measure(report)
    categories = unit_category_scores(report)
    file_weights = dict(report.weights) or None
    rows, issues = _unit_scores(report, by_measure[COMPOSITE], categories, profile, file_weights)
    positions = rank_positions([score for _, score, _ in rows], profile.ranking)
    scores = [score for _, score, _ in rows]
    district_means = _district_category_means(categories, [u for u, _, _ in rows])
    units = []
    for (unit, score, source), (rank, tied) in zip(rows, positions, strict=True):
        grade = profile.grade(score)
        reasons = _flag_reasons(score, scores, grade, profile, bottom_n)
        city_rank = by_measure[CITY_RANK].get(unit)
        units.append(
            UnitResult(
                unit=unit,
                score=score,
                score_source=source,
                rank=rank,
                tied=tied,
                grade=grade,
                flagged=bool(reasons),
                flag_reasons=reasons,
                categories=_ordered(categories[unit], profile),
                items=items.get(unit, {}),
                weakest_categories=_weakest(categories[unit], district_means),
                known=unit in profile.unit_names,
                current=_opt_round(by_measure[CURRENT].get(unit)),
                progress=_opt_round(by_measure[PROGRESS].get(unit)),
                city_rank=int(city_rank) if city_rank is not None else None,
            )
        )
    units.sort(key=lambda u: (u.rank, u.unit))
    sources = {u.score_source for u in units}
    return Ranking(
        period=report.period,
        source=report.source,
        score_source=REPORTED if sources == {REPORTED} else COMPUTED,
        bottom_n=bottom_n,
        units=tuple(units),
        categories=_rank_categories(
            categories, [u.unit for u in units], district_means, profile, file_weights
        ),
        city_scope=report.city_scope,
        issues=tuple(issues),
        report_issues=report.issues,
        weights_place=report.weights_place if file_weights and COMPUTED in sources else "",
    )


def _scores_by_measure(
    report: Report,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[tuple[str, str], float]]]:
    """Unit-level scores by measure (composite, current, progress, city rank), and item scores."""
    by_measure: dict[str, dict[str, float]] = defaultdict(dict)
    items: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for entry in report.scores:
        if entry.measure in (COMPOSITE, CURRENT, PROGRESS, CITY_RANK):
            by_measure[entry.measure][entry.unit] = entry.value
        elif entry.measure == ITEM:
            items[entry.unit][(entry.category, entry.item)] = round2(entry.value)
    return by_measure, items


ScoreRow = tuple[str, float, str]  # unit, composite score, REPORTED or COMPUTED


def _unit_scores(
    report: Report,
    published: dict[str, float],
    categories: dict[str, dict[str, float]],
    profile: Profile,
    file_weights: dict[str, float] | None,
) -> tuple[list[ScoreRow], list[Issue]]:
    """Each unit's composite, published or else computed from its categories; a unit with
    neither is left out with a warning, and a mix of published and computed is told."""
    issues: list[Issue] = []
    rows: list[ScoreRow] = []
    for unit in report.units:
        if unit in published:
            rows.append((unit, round2(published[unit]), REPORTED))
            continue
        computed = computed_composite(categories[unit], profile, file_weights)
        if computed is None:
            issues.append(
                Issue(
                    IssueCode.NO_COMPOSITE,
                    WARNING,
                    f"「{unit}」既没有综合满意度，也没有可计算的大类分数，未参与排名",
                    report.source,
                    unit=unit,
                )
            )
            continue
        rows.append((unit, computed, COMPUTED))
    if any(src == COMPUTED for _, _, src in rows) and any(src == REPORTED for _, _, src in rows):
        computed_units = "、".join(u for u, _, src in rows if src == COMPUTED)
        issues.append(
            Issue(
                IssueCode.MIXED_SCORE_SOURCE,
                WARNING,
                f"部分街镇没有综合满意度，按大类加权计算：{computed_units}",
                report.source,
            )
        )
    return rows, issues


def _flag_reasons(
    score: float, scores: list[float], grade: str, profile: Profile, bottom_n: int
) -> tuple[str, ...]:
    """Why a unit is flagged: among the bottom `bottom_n` (fewer than that score lower), or
    a grade the profile flags; empty when it is not."""
    below = sum(1 for other in scores if other < score)
    return tuple(
        reason
        for reason, hit in ((BOTTOM, below < bottom_n), (GRADE, grade in profile.flag_grades))
        if hit
    )


def _opt_round(value: float | None) -> float | None:
    return None if value is None else round2(value)


def _ordered(categories: dict[str, float], profile: Profile) -> dict[str, float]:
    """Categories in the profile's order, unknown ones after, in the order read."""
    order = {name: index for index, name in enumerate(profile.category_names)}
    return dict(sorted(categories.items(), key=lambda kv: order.get(kv[0], len(order))))


def _district_category_means(
    categories: dict[str, dict[str, float]], ranked_units: list[str]
) -> dict[str, float]:
    """District score of each category: plain mean over the ranked units that have it."""
    values: dict[str, list[float]] = defaultdict(list)
    for unit in ranked_units:
        for category, score in categories[unit].items():
            values[category].append(score)
    means = {category: mean2(scores) for category, scores in values.items()}
    return {category: mean for category, mean in means.items() if mean is not None}


def _weakest(categories: dict[str, float], district: dict[str, float]) -> tuple[str, ...]:
    """The unit's categories furthest below the district mean (largest shortfall first)."""
    gaps = sorted(
        (round2(score - district[category]), category)
        for category, score in categories.items()
        if score < district[category]
    )
    return tuple(category for _, category in gaps[:WEAKEST_COUNT])


def _rank_categories(
    categories: dict[str, dict[str, float]],
    ranked_units: list[str],
    district: dict[str, float],
    profile: Profile,
    file_weights: dict[str, float] | None = None,
) -> tuple[CategoryResult, ...]:
    names = list(_ordered(district, profile))
    positions = rank_positions([district[name] for name in names], profile.ranking)
    results = []
    for name, (rank, tied) in zip(names, positions, strict=True):
        holders = sorted(
            (categories[unit][name], unit) for unit in ranked_units if name in categories[unit]
        )
        known = profile.category(name)
        results.append(
            CategoryResult(
                category=name,
                score=district[name],
                rank=rank,
                tied=tied,
                weight=(
                    file_weights.get(name) if file_weights else (known.weight if known else None)
                ),
                department=known.department if known else "",
                weakest_units=tuple(unit for _, unit in holders[:WEAKEST_COUNT]),
                known=known is not None,
            )
        )
    results.sort(key=lambda c: (c.rank, names.index(c.category)))
    return tuple(results)
