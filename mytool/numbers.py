"""Score arithmetic as published tables do it: decimal values, ROUND half-up, two decimals.

Scores travel as floats, but every rounding and every mean goes through `Decimal(repr(x))`, the
shortest decimal that the float stands for, so 78.535 rounds to 78.54 as Excel's ROUND does, not
to the binary artefact 78.53.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def to_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal a score stands for (shortest repr of a float)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def round2(value: float | int | Decimal) -> float:
    """Round half-up to two decimals, as Excel's ROUND(x, 2) on the decimal value."""
    if isinstance(value, float):
        # Published scores already have two decimals: a float whose shortest repr has at most
        # two is its own rounding (and float(repr(x)) == x), so the Decimal work is skipped.
        _, point, decimals = repr(value).partition(".")
        if point and len(decimals) <= 2 and "e" not in decimals:
            return value
    return float(to_decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def mean2(values: Iterable[float]) -> float | None:
    """Plain mean of two-decimal values, rounded to two decimals; None for no values."""
    decimals = [to_decimal(round2(v)) for v in values]
    if not decimals:
        return None
    return round2(sum(decimals) / len(decimals))


def weighted_mean2(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Weighted mean of (value, weight) pairs, weights renormalised over the pairs given."""
    exact = [(to_decimal(round2(v)), to_decimal(w)) for v, w in pairs]
    total = sum(w for _, w in exact)
    if not exact or total == 0:
        return None
    return round2(sum(v * w for v, w in exact) / total)
