"""Derived importance of each item from respondent-level answers (key-driver analysis).

An item matters to residents when those who rate it higher are more satisfied overall. The
yardstick is the questionnaire's overall-satisfaction question when it has one ("您对……的总体
满意度", `Respondents.overall`). Without one it is each respondent's own composite of the *other*
items — the weighted mean of the items they answered, item i left out (a corrected item–total
correlation: leaving i in would correlate it partly with itself). Weights are the profile's
category weights shared equally by the category's items.

- importance: Pearson's r between the item's answers and the yardstick, over the respondents
  who answered the item and the overall question (or at least one other weighted item);
- 95% interval by Fisher's z: tanh(atanh(r) ± 1.959964 / √(n − 3)); none for n < 10;
- satisfaction: the item's mean score (two decimals);
- quadrant, against the means over the items: 优先改进 (importance above, satisfaction below),
  继续保持 (both above), 次要改进 (both below), 锦上添花 (importance below, satisfaction above).

Limits: correlation is not causation; items that move together (one latent "how is my street")
share importance; with few respondents the intervals are wide and `low_sample` says so.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mytool.analysis.intervals import Z95
from mytool.numbers import round2
from mytool.profile import Profile

if TYPE_CHECKING:
    from mytool.reading.respondents import Respondents

MIN_PAIRS = 10
PRIORITY, KEEP, SECONDARY, BONUS = "优先改进", "继续保持", "次要改进", "锦上添花"
OVERALL, COMPOSITE = "overall", "composite"


@dataclass(frozen=True)
class Driver:
    category: str
    item: str
    importance: float | None  # r, three decimals
    ci95: tuple[float, float] | None
    n: int
    satisfaction: float | None
    quadrant: str | None
    low_sample: bool


@dataclass(frozen=True)
class DriverSet:
    """Derived importance for one scope: the district (`unit` None) or one unit."""

    unit: str | None
    respondents: int
    drivers: tuple[Driver, ...]  # most important first
    importance_split: float | None  # the quadrants' lines: mean r and mean satisfaction over the
    satisfaction_split: float | None  # items that have both (three and two decimals)
    low_sample: bool  # fewer respondents than the profile's min_answers
    yardstick: str = "composite"  # OVERALL: the overall-satisfaction question; else COMPOSITE


def item_drivers(respondents: Respondents, profile: Profile) -> tuple[DriverSet, ...]:
    """The district's drivers, then each unit's (in the order of `respondents.units`)."""
    weights = _item_weights(respondents.items, profile)
    overall = respondents.overall
    sets = [_drivers(None, respondents.answers, overall, respondents.items, weights, profile)]
    for code, unit in enumerate(respondents.units):
        mine = respondents.unit_codes == code
        if mine.any():
            rows, yardstick = respondents.answers[mine], None if overall is None else overall[mine]
            sets.append(_drivers(unit, rows, yardstick, respondents.items, weights, profile))
    return tuple(sets)


def _item_weights(items: tuple[tuple[str, str], ...], profile: Profile) -> list[float]:
    per_category = Counter(category for category, _ in items)
    return [(profile.weight(category) or 0.0) / per_category[category] for category, _ in items]


def _correlations(
    answers: np.ndarray, overall: np.ndarray | None, weights: list[float]
) -> list[tuple[float | None, int]]:
    """(r, n) of each item with the overall question, or else with the respondent's composite
    of the other items, over the respondents who answered both."""
    a = np.asarray(weights, dtype=float)
    answered = ~np.isnan(answers)
    values = np.where(answered, answers, 0.0)
    weighted_sum = values @ a
    weight_total = answered.astype(float) @ a
    found: list[tuple[float | None, int]] = []
    for i in range(answers.shape[1]):
        if overall is not None:
            usable = answered[:, i] & ~np.isnan(overall)
            yardstick = overall[usable]
        else:
            rest_weight = weight_total - np.where(answered[:, i], a[i], 0.0)
            usable = answered[:, i] & (rest_weight > 0)
            rest = weighted_sum[usable] - a[i] * values[usable, i]
            yardstick = rest / rest_weight[usable]
        x = values[usable, i]
        n = int(usable.sum())
        usable_r = n >= 3 and x.std() > 0 and yardstick.std() > 0
        found.append((float(np.corrcoef(x, yardstick)[0, 1]) if usable_r else None, n))
    return found


def _drivers(
    unit: str | None,
    answers: np.ndarray,
    overall: np.ndarray | None,
    items: tuple[tuple[str, str], ...],
    weights: list[float],
    profile: Profile,
) -> DriverSet:
    correlations = _correlations(answers, overall, weights)
    answered = ~np.isnan(answers)
    means = [
        round2(float(answers[answered[:, i], i].mean())) if answered[:, i].any() else None
        for i in range(len(items))
    ]
    rated = [
        (r, s)
        for (r, _), s in zip(correlations, means, strict=True)
        if r is not None and s is not None
    ]
    mean_r = sum(r for r, _ in rated) / len(rated) if rated else 0.0
    mean_s = sum(s for _, s in rated) / len(rated) if rated else 0.0
    drivers = [
        Driver(
            category=category,
            item=item,
            importance=round(r, 3) if r is not None else None,
            ci95=_fisher_interval(r, n),
            n=n,
            satisfaction=satisfaction,
            quadrant=_quadrant(r, satisfaction, mean_r, mean_s),
            low_sample=n < profile.min_answers,
        )
        for (category, item), (r, n), satisfaction in zip(items, correlations, means, strict=True)
    ]
    drivers.sort(key=lambda d: (d.importance is None, -(d.importance or 0.0), d.category, d.item))
    return DriverSet(
        unit=unit,
        respondents=len(answers),
        drivers=tuple(drivers),
        importance_split=round(mean_r, 3) if rated else None,
        satisfaction_split=round2(mean_s) if rated else None,
        low_sample=len(answers) < profile.min_answers,
        yardstick=COMPOSITE if overall is None else OVERALL,
    )


def _fisher_interval(r: float | None, n: int) -> tuple[float, float] | None:
    if r is None or n < MIN_PAIRS:
        return None
    z = math.atanh(max(min(r, 0.999999), -0.999999))
    half = Z95 / math.sqrt(n - 3)
    return round(math.tanh(z - half), 3), round(math.tanh(z + half), 3)


def _quadrant(r: float | None, s: float | None, mean_r: float, mean_s: float) -> str | None:
    if r is None or s is None:
        return None
    if r >= mean_r:
        return KEEP if s >= mean_s else PRIORITY
    return BONUS if s >= mean_s else SECONDARY
