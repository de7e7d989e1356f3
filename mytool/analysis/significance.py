"""Is a change between two half-years larger than the sampling noise?

Only respondent-level exports carry what this needs: for each score, its standard error. Both
sides' errors come from the same linearisation as `aggregate`'s intervals (see
`mytool.analysis.aggregation`): a unit's composite, and the district score of a category (the
plain mean over the ranked units of each unit's category score, itself the mean of its item
means). The two half-years are independent samples, so the change d = now − before has

    SE(d) = √(SE_before² + SE_now²),  z = d / SE(d),  p = P(|Z| ≥ |z|),

Welch's test in its large-sample form (unequal variances, normal reference: with the tens of
respondents per unit an export has, Student's t with Welch's degrees of freedom differs from it
in the third decimal of p). The change is significant at 95% when p < 0.05, i.e. when its 95%
interval d ± 1.96·SE(d) excludes zero. d is the change as shown (two-decimal scores).

A category matched through the lineage (renamed, merged) is not tested: its two sides are not
the same statistic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from mytool.analysis.aggregation import Aggregation, item_totals, linearised_variances
from mytool.analysis.comparison import LEVEL, CategoryChange, ChangeTest, Comparison
from mytool.analysis.intervals import Z95, interval, two_sided_p
from mytool.reading.respondents import Respondents


@dataclass(frozen=True)
class SamplingErrors:
    """One half-year's standard errors, from its respondent-level answers (None: too few)."""

    units: dict[str, float | None]  # each unit's composite
    categories: dict[str, float | None]  # each category's district score


def sampling_errors(respondents: Respondents, aggregation: Aggregation) -> SamplingErrors:
    """The standard errors of the scores `aggregation` computed from `respondents`."""
    units = {u.unit: u.standard_error for u in aggregation.units}
    return SamplingErrors(units, _category_errors(respondents, aggregation))


def _category_errors(respondents: Respondents, aggregation: Aggregation) -> dict[str, float | None]:
    totals = item_totals(respondents)
    ranked = [respondents.units.index(u.unit) for u in aggregation.units]
    found: dict[str, float | None] = {}
    for category in aggregation.ranking.categories:
        columns = [i for i, (c, _) in enumerate(respondents.items) if c == category.category]
        holders = [u for u in ranked if totals.counts[u, columns].any()]
        shares = np.zeros(totals.counts.shape)
        for u in holders:
            answered = [i for i in columns if totals.counts[u, i]]
            shares[u, answered] = 1 / (len(holders) * len(answered))
        variance = float(linearised_variances(respondents, shares, totals)[holders].sum())
        found[category.category] = None if math.isnan(variance) else math.sqrt(variance)
    return found


def change_test(change: float | None, before: float | None, now: float | None) -> ChangeTest | None:
    """The test of `change` given each side's standard error (None when one is unknown)."""
    if change is None or before is None or now is None:
        return None
    error = math.hypot(before, now)
    if error == 0:
        return None
    z = change / error
    p = two_sided_p(z)
    return ChangeTest(
        standard_error=round(error, 4),
        z=round(z, 3),
        p_value=round(p, 4),
        ci95=interval(change, Z95 * error),
        significant=p < 1 - LEVEL,
    )


def with_tests(comparison: Comparison, before: SamplingErrors, now: SamplingErrors) -> Comparison:
    """`comparison` with each unit's and each same-named category's change tested."""
    units = tuple(
        replace(
            u, test=change_test(u.score_change, before.units.get(u.unit), now.units.get(u.unit))
        )
        for u in comparison.units
    )
    categories = tuple(_tested_category(c, before, now) for c in comparison.categories)
    return replace(comparison, units=units, categories=categories, tested=True)


def _tested_category(
    category: CategoryChange, before: SamplingErrors, now: SamplingErrors
) -> CategoryChange:
    own = (category.category,)
    if category.previous_sources != own or category.current_sources != own:
        return category
    test = change_test(
        category.score_change,
        before.categories.get(category.category),
        now.categories.get(category.category),
    )
    return replace(category, test=test)
