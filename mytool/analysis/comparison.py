"""Compare two half-years: who rose, who fell, who entered or left the flagged set.

Units are matched by canonical name. Categories are matched by name, else through the profile's
category lineage (see `mytool.analysis.lineage`); a category with no counterpart is listed as
unmatched.
"""

from __future__ import annotations

from dataclasses import dataclass

from mytool.analysis.lineage import SchemeScore, in_scheme
from mytool.analysis.ranking import Ranking, UnitResult
from mytool.diagnostics import WARNING, Issue, IssueCode
from mytool.numbers import round2, to_decimal
from mytool.profile import Profile

# How `mytool.analysis.significance` tests a change between two exports (the result carries it).
METHOD = "welch-z"  # Welch's unequal-variance test, normal approximation, linearised errors
LEVEL = 0.95


@dataclass(frozen=True)
class ChangeTest:
    standard_error: float  # of the change
    z: float
    p_value: float
    ci95: tuple[float, float]  # of the change
    significant: bool


MOVERS = 3


@dataclass(frozen=True)
class Side:
    """Which report one side of a comparison is."""

    period: str | None
    source: str


@dataclass(frozen=True)
class UnitChange:
    """One unit in both reports; the fields of a side it is missing from are None."""

    unit: str
    score: float | None
    previous_score: float | None
    rank: int | None
    previous_rank: int | None
    grade: str | None
    previous_grade: str | None
    flagged: bool | None
    previously_flagged: bool | None
    test: ChangeTest | None = None  # both sides from respondent exports (`significance`)

    @property
    def within_noise(self) -> bool:
        """Tested, and the change is within the sampling noise (not significant at 95%)."""
        return self.test is not None and not self.test.significant

    @property
    def score_change(self) -> float | None:
        return _change(self.score, self.previous_score)

    @property
    def rank_change(self) -> int | None:
        """Positive when the unit moved up: previous rank − rank."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def entered_flagged(self) -> bool:
        return self.flagged is True and self.previously_flagged is False

    @property
    def left_flagged(self) -> bool:
        return self.flagged is False and self.previously_flagged is True


@dataclass(frozen=True)
class CategoryChange:
    """One category's district score in both reports, under the current report's name.

    `previous_sources` / `current_sources` are each report's own categories behind the row: empty
    when the report has no counterpart, e.g. ("集市菜场", "交通集散地", …) when several old
    categories were merged into one (their plain mean; no previous rank then).
    """

    category: str
    score: float | None
    previous_score: float | None
    rank: int | None
    previous_rank: int | None
    previous_sources: tuple[str, ...]
    current_sources: tuple[str, ...]
    test: ChangeTest | None = None  # same-named category, both sides from respondent exports

    @property
    def score_change(self) -> float | None:
        return _change(self.score, self.previous_score)

    @property
    def matched(self) -> bool:
        return bool(self.previous_sources and self.current_sources)

    @property
    def mapped(self) -> bool:
        """Matched through the lineage rather than by the same name."""
        own = (self.category,)
        return self.matched and (self.previous_sources != own or self.current_sources != own)


@dataclass(frozen=True)
class Comparison:
    previous: Side
    current: Side
    units: tuple[UnitChange, ...]  # by current rank, then name; units gone from it last
    categories: tuple[CategoryChange, ...]  # by current rank; previous-only ones last
    issues: tuple[Issue, ...]
    tested: bool = False  # both sides came from respondent exports: changes carry a `test`

    @property
    def entered_flagged(self) -> tuple[UnitChange, ...]:
        return tuple(u for u in self.units if u.entered_flagged)

    @property
    def left_flagged(self) -> tuple[UnitChange, ...]:
        return tuple(u for u in self.units if u.left_flagged)

    @property
    def risers(self) -> tuple[UnitChange, ...]:
        """The units that climbed most places (at most MOVERS)."""
        up = [u for u in self.units if (u.rank_change or 0) > 0]
        up.sort(key=lambda u: (-(u.rank_change or 0), -(u.score_change or 0), u.unit))
        return tuple(up[:MOVERS])

    @property
    def fallers(self) -> tuple[UnitChange, ...]:
        """The units that dropped most places (at most MOVERS)."""
        down = [u for u in self.units if (u.rank_change or 0) < 0]
        down.sort(key=lambda u: ((u.rank_change or 0), (u.score_change or 0), u.unit))
        return tuple(down[:MOVERS])

    @property
    def unmatched_previous(self) -> tuple[str, ...]:
        return tuple(
            s for c in self.categories if not c.current_sources for s in c.previous_sources
        )

    @property
    def unmatched_current(self) -> tuple[str, ...]:
        return tuple(
            s for c in self.categories if not c.previous_sources for s in c.current_sources
        )


def compare_rankings(previous: Ranking, current: Ranking, profile: Profile) -> Comparison:
    """Compare `current` with `previous`, unit by unit and category by category."""
    return Comparison(
        previous=Side(previous.period, previous.source),
        current=Side(current.period, current.source),
        units=_unit_changes(previous, current),
        categories=_category_changes(previous, current, profile),
        issues=_period_issues(previous, current),
    )


def _change(value: float | None, before: float | None) -> float | None:
    if value is None or before is None:
        return None
    return round2(to_decimal(value) - to_decimal(before))


def _unit_changes(previous: Ranking, current: Ranking) -> tuple[UnitChange, ...]:
    changes = [_unit_change(unit.unit, unit, previous.unit(unit.unit)) for unit in current.units]
    gone = sorted(u.unit for u in previous.units if current.unit(u.unit) is None)
    changes += [_unit_change(name, None, previous.unit(name)) for name in gone]
    return tuple(changes)


def _unit_change(name: str, now: UnitResult | None, before: UnitResult | None) -> UnitChange:
    return UnitChange(
        unit=name,
        score=now.score if now else None,
        previous_score=before.score if before else None,
        rank=now.rank if now else None,
        previous_rank=before.rank if before else None,
        grade=now.grade if now else None,
        previous_grade=before.grade if before else None,
        flagged=now.flagged if now else None,
        previously_flagged=before.flagged if before else None,
    )


def _category_changes(
    previous: Ranking, current: Ranking, profile: Profile
) -> tuple[CategoryChange, ...]:
    """Each report's categories in the other's scheme, so old and new names meet on one key."""
    now = in_scheme(current.categories, [c.category for c in previous.categories], profile)
    before = in_scheme(previous.categories, [c.category for c in current.categories], profile)
    keys = list(now) + [key for key in before if key not in now]
    return tuple(_category_change(key, now.get(key), before.get(key)) for key in keys)


def _category_change(
    key: str, now: SchemeScore | None, before: SchemeScore | None
) -> CategoryChange:
    return CategoryChange(
        category=key,
        score=now.score if now else None,
        previous_score=before.score if before else None,
        rank=now.rank if now else None,
        previous_rank=before.rank if before else None,
        previous_sources=before.sources if before else (),
        current_sources=now.sources if now else (),
    )


def _period_issues(previous: Ranking, current: Ranking) -> tuple[Issue, ...]:
    if not (previous.period and current.period) or previous.period < current.period:
        return ()
    message = (
        f"两个文件是同一期（{current.period}）"
        if previous.period == current.period
        else f"上期文件（{previous.period}）比本期文件（{current.period}）晚，请确认参数顺序："
        "mytool compare 上期文件 本期文件"
    )
    return (
        Issue(
            IssueCode.PERIOD_ORDER,
            WARNING,
            message,
            f"{previous.source}、{current.source}",
        ),
    )
