"""Normal-approximation intervals and tests shared by aggregation, drivers and comparison."""

from __future__ import annotations

import math

from mytool.numbers import round2

Z95 = 1.959964  # two-sided 95% quantile of the normal distribution


def interval(score: float, half_width: float) -> tuple[float, float]:
    """score ± half_width, each end rounded to two decimals."""
    return round2(score - half_width), round2(score + half_width)


def two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2))
