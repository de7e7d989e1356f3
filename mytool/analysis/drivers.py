"""Derived importance of each item from respondent-level answers (key-driver analysis).

An item matters to residents when those who rate it higher also rate the rest higher. Without an
overall-satisfaction question (the reader does not keep one yet), the yardstick is each
respondent's own composite of the *other* items — the weighted mean of the items they answered,
item i left out (a corrected item–total correlation: leaving i in would correlate it partly with
itself). Weights are the profile's category weights shared equally by the category's items.

- importance: Pearson's r between the item's answers and that composite, over the respondents
  who answered the item and at least one other weighted item;
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

from mytool.analysis.intervals import Z95
from mytool.numbers import round2
from mytool.profile import Profile

if TYPE_CHECKING:
    import numpy as np

    from mytool.reading.respondents import Respondents

MIN_PAIRS = 10
PRIORITY, KEEP, SECONDARY, BONUS = "优先改进", "继续保持", "次要改进", "锦上添花"


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


def item_drivers(respondents: Respondents, profile: Profile) -> tuple[DriverSet, ...]:
    """The district's drivers, then each unit's (in the order of `respondents.units`)."""
    weights = _item_weights(respondents.items, profile)
    sets = [_drivers(None, respondents.answers, respondents.items, weights, profile)]
    for code, unit in enumerate(respondents.units):
        rows = respondents.answers[respondents.unit_codes == code]
        if len(rows):
            sets.append(_drivers(unit, rows, respondents.items, weights, profile))
    return tuple(sets)


def _item_weights(items: tuple[tuple[str, str], ...], profile: Profile) -> list[float]:
    per_category = Counter(category for category, _ in items)
    return [(profile.weight(category) or 0.0) / per_category[category] for category, _ in items]


def _drivers(
    unit: str | None,
    answers: np.ndarray,
    items: tuple[tuple[str, str], ...],
    weights: list[float],
    profile: Profile,
) -> DriverSet:
    import numpy as np

    a = np.asarray(weights, dtype=float)
    answered = ~np.isnan(answers)
    values = np.where(answered, answers, 0.0)
    weighted_sum = values @ a
    weight_total = answered.astype(float) @ a
    found = []
    for i, (category, item) in enumerate(items):
        rest_weight = weight_total - np.where(answered[:, i], a[i], 0.0)
        usable = answered[:, i] & (rest_weight > 0)
        n = int(usable.sum())
        satisfaction = (
            round2(float(answers[answered[:, i], i].mean())) if answered[:, i].any() else None
        )
        r = None
        if n >= 3:
            rest = (weighted_sum[usable] - a[i] * values[usable, i]) / rest_weight[usable]
            x = values[usable, i]
            if x.std() > 0 and rest.std() > 0:
                r = float(np.corrcoef(x, rest)[0, 1])
        found.append((category, item, r, n, satisfaction))
    rated = [(r, s) for _, _, r, _, s in found if r is not None and s is not None]
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
        for category, item, r, n, satisfaction in found
    ]
    drivers.sort(key=lambda d: (d.importance is None, -(d.importance or 0.0), d.category, d.item))
    return DriverSet(
        unit=unit,
        respondents=len(answers),
        drivers=tuple(drivers),
        importance_split=round(mean_r, 3) if rated else None,
        satisfaction_split=round2(mean_s) if rated else None,
        low_sample=len(answers) < profile.min_answers,
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
