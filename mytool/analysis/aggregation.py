"""Unit scores from respondent-level answers: item means, answer counts and 95% intervals.

Scores follow DOMAIN.md as for any report: an item's score is the mean of its answers' scores,
rounded to two decimals; categories and the composite come from `mytool.analysis.ranking`
(plain mean of the items present, weighted mean of the categories present, rounded at each level).

95% confidence intervals use the normal approximation, estimate ± 1.96 × standard error, around
the two-decimal score and rounded to two decimals:

- item: standard error s / √n, with s the sample standard deviation (n − 1) of the n answers'
  scores; no interval for fewer than two answers.
- composite: C = Σ aᵢ·mᵢ over the unit's items (aᵢ = renormalised category weight ÷ items of
  the category present, mᵢ the item mean). Its standard error is linearised over respondents,
  which keeps the correlation between one respondent's answers: zᵣ = Σ aᵢ·(xᵣᵢ − mᵢ) / nᵢ over
  the items respondent r answered, Var(C) ≈ N / (N − 1) · Σ zᵣ² over the unit's N respondents.

Units with fewer respondents than the profile's `min_answers` are marked, and neighbours in the
ranking whose composite intervals overlap are marked as not distinguishable.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mytool.analysis.intervals import Z95, interval
from mytool.analysis.ranking import Ranking, UnitResult, rank_report
from mytool.diagnostics import INFO, WARNING, Issue, IssueCode
from mytool.numbers import round2
from mytool.profile import Profile
from mytool.reading.certainty import missing_units
from mytool.reading.respondents import Respondents
from mytool.report import ITEM, Report, Score

if TYPE_CHECKING:
    from mytool.analysis.drivers import DriverSet


@dataclass(frozen=True)
class ItemStat:
    score: float  # mean of the answers' scores, two decimals
    n: int  # answers (no-answer and blanks excluded)
    ci95: tuple[float, float] | None


@dataclass(frozen=True)
class UnitAggregate:
    unit: str
    respondents: int
    score: float  # composite, computed as DOMAIN.md says
    ci95: tuple[float, float] | None
    rank: int
    tied: bool
    categories: dict[str, float]
    items: dict[tuple[str, str], ItemStat]
    low_sample: bool  # fewer respondents than the profile's min_answers
    indistinct_from: tuple[str, ...]  # ranking neighbours whose intervals overlap this one's
    feedback: int  # suggestion cases
    standard_error: float | None = None  # of the composite, linearised; None below two answers


@dataclass(frozen=True, eq=False)
class Aggregation:
    """Everything `aggregate` shows; renderers turn this one object into every format."""

    period: str | None
    source: str
    units: tuple[UnitAggregate, ...]  # in ranking order
    unmatched_questions: tuple[str, ...]
    min_answers: int
    respondents: int
    report: Report  # the unit scores as a report, for `rank` and `brief`
    ranking: Ranking
    feedback: pd.DataFrame  # unit, category, text, place
    drivers: tuple[DriverSet, ...] = ()  # with --drivers: the district's, then each unit's

    @property
    def issues(self) -> tuple[Issue, ...]:
        return (*self.report.issues, *self.ranking.issues)


def report_from_respondents(respondents: Respondents, profile: Profile) -> Report:
    """The unit scores of respondent-level answers as a `Report`, as if read from a workbook."""
    return aggregate(respondents, profile).report


@dataclass(frozen=True, eq=False)
class ItemTotals:
    """Per unit (rows) and item (columns): answers, sum and sample variance of their scores."""

    counts: np.ndarray
    sums: np.ndarray
    variances: np.ndarray


def item_totals(respondents: Respondents) -> ItemTotals:
    units, items = respondents.units, respondents.items
    # copy=False: pandas 3 would copy the answers (140 MB at 500k rows) to group them
    grouped = pd.DataFrame(respondents.answers, copy=False).groupby(respondents.unit_codes)
    shape = (len(units), len(items))
    every = range(len(units))
    return ItemTotals(
        counts=grouped.count().reindex(every, fill_value=0).to_numpy().reshape(shape),
        sums=grouped.sum().reindex(every, fill_value=0).to_numpy().reshape(shape),
        variances=grouped.var(ddof=1).reindex(every).to_numpy().reshape(shape),
    )


def aggregate(respondents: Respondents, profile: Profile) -> Aggregation:
    """Item means with counts and intervals, category and composite scores, per unit."""
    totals = item_totals(respondents)
    stats = {
        (unit, pair): _item_stat(
            totals.sums[u, i], int(totals.counts[u, i]), totals.variances[u, i]
        )
        for u, unit in enumerate(respondents.units)
        for i, pair in enumerate(respondents.items)
        if totals.counts[u, i] > 0
    }
    base = _base_report(respondents, stats)
    ranking = rank_report(base, profile)
    errors = _composite_errors(respondents, ranking, profile, totals)
    results = _unit_aggregates(respondents, ranking, profile, stats, errors)
    findings = _findings(results, respondents, profile, base.source)
    missing = missing_units(respondents.units, profile, base.source)
    report = replace(base, issues=(*base.issues, *findings, *missing))
    return Aggregation(
        period=respondents.period,
        source=respondents.source,
        units=results,
        unmatched_questions=respondents.unmatched_questions,
        min_answers=profile.min_answers,
        respondents=len(respondents.unit_codes),
        report=report,
        ranking=ranking,
        feedback=respondents.feedback,
    )


def _base_report(
    respondents: Respondents, stats: dict[tuple[str, tuple[str, str]], ItemStat]
) -> Report:
    """The item scores as a report, before the findings of aggregation are added."""
    scores = tuple(Score(unit, ITEM, stat.score, *pair) for (unit, pair), stat in stats.items())
    return Report(
        source=respondents.source,
        path=respondents.path,
        format=respondents.format,
        period=respondents.period,
        period_origin=respondents.period_origin,
        scores=scores,
        units=tuple(dict.fromkeys(score.unit for score in scores)),
        sheets=respondents.sheets,
        issues=respondents.issues,
    )


def _unit_aggregates(
    respondents: Respondents,
    ranking: Ranking,
    profile: Profile,
    stats: dict[tuple[str, tuple[str, str]], ItemStat],
    errors: dict[str, float | None],
) -> tuple[UnitAggregate, ...]:
    units, items = respondents.units, respondents.items
    people = np.bincount(respondents.unit_codes, minlength=len(units))
    intervals = {
        row.unit: None if (se := errors[row.unit]) is None else interval(row.score, Z95 * se)
        for row in ranking.units
    }
    neighbours = _indistinct_neighbours(ranking.units, intervals)
    feedback = respondents.feedback["unit"].value_counts()
    return tuple(
        UnitAggregate(
            unit=result.unit,
            respondents=int(people[units.index(result.unit)]),
            score=result.score,
            ci95=intervals[result.unit],
            rank=result.rank,
            tied=result.tied,
            categories=result.categories,
            items={
                pair: stats[result.unit, pair] for pair in items if (result.unit, pair) in stats
            },
            low_sample=int(people[units.index(result.unit)]) < profile.min_answers,
            indistinct_from=neighbours.get(result.unit, ()),
            feedback=int(feedback.get(result.unit, 0)),
            standard_error=errors[result.unit],
        )
        for result in ranking.units
    )


def _item_stat(total: float, n: int, variance: float) -> ItemStat:
    """Mean rounded on the exact decimal quotient (sum / n), so 78.535 shows as 78.54."""
    score = round2(Decimal(repr(float(total))) / n)
    if n < 2 or math.isnan(variance):
        return ItemStat(score, n, None)
    return ItemStat(score, n, interval(score, Z95 * math.sqrt(variance / n)))


def composite_shares(
    respondents: Respondents, ranking: Ranking, profile: Profile, counts: np.ndarray
) -> np.ndarray:
    """aᵢ of each unit's composite C = Σ aᵢ·mᵢ: the renormalised category weight shared by the
    category's items the unit has answers for (zero for units not ranked)."""
    units, items = respondents.units, respondents.items
    shares = np.zeros(counts.shape)
    for u, unit in enumerate(units):
        ranked = ranking.unit(unit)
        if ranked is None:
            continue
        weights = {c: w for c in ranked.categories if (w := profile.weight(c)) is not None}
        answered = [i for i in range(len(items)) if counts[u, i]]
        per_category = Counter(items[i][0] for i in answered)
        for i in answered:
            category = items[i][0]
            if category in weights:
                shares[u, i] = weights[category] / sum(weights.values()) / per_category[category]
    return shares


def linearised_variances(
    respondents: Respondents, shares: np.ndarray, totals: ItemTotals
) -> np.ndarray:
    """Per unit, the variance of Σᵢ shares[u, i]·mᵢ (mᵢ the unit's item means), linearised
    over its respondents as the module docstring says; NaN for units with fewer than two."""
    codes, units = respondents.unit_codes, respondents.units
    counts, sums = totals.counts, totals.sums
    coefficients = np.divide(shares, counts, out=np.zeros(counts.shape), where=counts > 0)
    means = np.divide(sums, counts, out=np.zeros(counts.shape), where=counts > 0)
    z = np.zeros(len(codes))
    for i in np.flatnonzero(shares.any(axis=0)):
        contribution = (respondents.answers[:, i] - means[codes, i]) * coefficients[codes, i]
        np.add(z, contribution, out=z, where=~np.isnan(contribution))
    squares = np.bincount(codes, weights=z * z, minlength=len(units))
    people = np.bincount(codes, minlength=len(units)).astype(float)
    factor = np.divide(people, people - 1, out=np.full(len(units), np.nan), where=people > 1)
    return factor * squares


def _composite_errors(
    respondents: Respondents, ranking: Ranking, profile: Profile, totals: ItemTotals
) -> dict[str, float | None]:
    """Standard error of each ranked unit's composite (None with fewer than two respondents)."""
    shares = composite_shares(respondents, ranking, profile, totals.counts)
    variances = linearised_variances(respondents, shares, totals)
    found: dict[str, float | None] = {}
    for row in ranking.units:
        variance = float(variances[respondents.units.index(row.unit)])
        found[row.unit] = None if math.isnan(variance) else math.sqrt(variance)
    return found


def _indistinct_neighbours(
    ranked: tuple[UnitResult, ...], intervals: dict[str, tuple[float, float] | None]
) -> dict[str, tuple[str, ...]]:
    """For each unit, the units just above and below it whose intervals overlap its own."""
    found: dict[str, list[str]] = {}
    for upper, lower in pairwise(ranked):
        high, low = intervals[upper.unit], intervals[lower.unit]
        if high is None or low is None or high[0] <= low[1]:
            found.setdefault(upper.unit, []).append(lower.unit)
            found.setdefault(lower.unit, []).append(upper.unit)
    return {unit: tuple(names) for unit, names in found.items()}


def _findings(
    units: tuple[UnitAggregate, ...], respondents: Respondents, profile: Profile, source: str
) -> list[Issue]:
    """Thin samples, indistinguishable neighbours and unmatched questions, for the user."""
    issues = [
        Issue(
            IssueCode.LOW_SAMPLE,
            WARNING,
            f"「{u.unit}」只有 {u.respondents} 份答卷（少于 {profile.min_answers} 份），"
            "得分仅供参考",
            source,
            unit=u.unit,
        )
        for u in units
        if u.low_sample
    ]
    chains: list[list[str]] = []
    for upper, lower in pairwise(units):
        if lower.unit in upper.indistinct_from:
            if chains and chains[-1][-1] == upper.unit:
                chains[-1].append(lower.unit)
            else:
                chains.append([upper.unit, lower.unit])
    if chains:
        issues.append(
            Issue(
                IssueCode.INDISTINCT_RANKS,
                WARNING,
                "综合得分的 95% 置信区间相互重叠、名次无法区分的相邻街镇："
                + "；".join(" ≈ ".join(chain) for chain in chains),
                source,
            )
        )
    if respondents.unmatched_questions:
        issues.append(
            Issue(
                IssueCode.UNMATCHED_QUESTION,
                INFO,
                "这些问题没有对应的测评小项，未计分：" + "；".join(respondents.unmatched_questions),
                source,
            )
        )
    return issues
