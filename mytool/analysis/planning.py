"""Plans for one unit: where a change of category scores lands it, and the least gain to a target.

Everything is computed from a `Ranking` with the ranking's own rules, so a plan's numbers are the
numbers `mytool rank` would print after the change:

- The composite is the weighted mean of the unit's categories, weights renormalised over the
  categories it has, rounded 四舍五入 at each level (`mytool.analysis.ranking.computed_composite`).
- When the report publishes a composite that the categories do not reproduce exactly, the gap
  (published − reproduced) is assumed to stay as it is: the new score is the published score plus
  the change of the reproduced composite. Such figures are estimates (`Plan.estimate`), and the
  plan says by how much the reproduction is off (`Plan.offset`).
- Rank, grade and flags come from `rank_positions`, the profile's grade bands and the bottom-N
  rule (fewer than N units below, ties at the boundary all flagged), against the other units'
  current scores.

Target search. The composite is linear in the category scores, so the least total gain
Σ gᶜ with Σ wᶜ·gᶜ ≥ R (R the weighted shortfall, with the half-up rounding of the composite taken
into account) is found by filling the heaviest category first, up to its ceiling, then the next
— the m smallest steps with the largest weighted sum are always the heaviest ones, so no mix
with the same number of steps does better. Gains move in steps of 0.01 (scores have two
decimals), and the result is checked by recomputing the composite and the rank as published.

Ceilings (how far a category can realistically rise): the best score any unit reached in that
category this half-year, or, if higher, the unit's own best in the previous half-years given;
a profile may set its own in `[plan.ceilings]` (category = score).
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from mytool.analysis.lineage import scheme_key
from mytool.analysis.ranking import (
    BOTTOM,
    GRADE,
    REPORTED,
    Ranking,
    computed_composite,
    rank_positions,
)
from mytool.diagnostics import Issue
from mytool.errors import InputError, UsageError
from mytool.numbers import mean2, round2, to_decimal
from mytool.profile import Profile
from mytool.reading.names import names_of

SET = "set"
RANK = "rank"
GRADE_TARGET = "grade"
SCORE = "score"
LEAVE_BOTTOM = "leave-bottom"

DISTRICT_BEST = "district-best"
OWN_BEST = "own-best"
PROFILE_CEILING = "profile"

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")
LAGGING_ITEMS = 3


@dataclass(frozen=True)
class Standing:
    """A unit's score and what follows from it: rank, grade, flags."""

    score: float
    rank: int
    tied: bool
    grade: str
    flagged: bool
    flag_reasons: tuple[str, ...]


@dataclass(frozen=True)
class LaggingItem:
    item: str
    score: float
    district: float  # mean of the units' scores for this item
    gap: float  # score − district


@dataclass(frozen=True)
class CategoryChange:
    category: str
    before: float
    after: float
    gain: float
    department: str
    weight: float
    ceiling: float | None  # the realistic best for this category (None: no ceiling known)
    ceiling_source: str  # DISTRICT_BEST, OWN_BEST or PROFILE_CEILING
    given: bool  # set by the user (`--set`), not chosen by the plan
    lagging: tuple[LaggingItem, ...]


@dataclass(frozen=True)
class Target:
    kind: str  # SET, RANK, GRADE_TARGET, SCORE or LEAVE_BOTTOM
    value: int | float | str | tuple[str, ...]  # rank, score, grade, settings (--set), or N


@dataclass(frozen=True)
class Setting:
    """A what-if change of one category: to a score, or by a number of points."""

    category: str
    value: Decimal
    relative: bool
    text: str  # as the user wrote it ("居住区=+4")

    def apply(self, score: float) -> Decimal:
        return to_decimal(score) + self.value if self.relative else self.value


@dataclass(frozen=True)
class Plan:
    """Everything `plan` shows; renderers turn this one object into every format."""

    unit: str
    period: str | None
    source: str
    units_count: int
    bottom_n: int
    before: Standing
    target: Target
    required_score: float | None  # the least score that meets the target (None for SET)
    changes: tuple[CategoryChange, ...]
    after: Standing
    reachable: bool
    estimate: bool
    offset: float | None  # published − reproduced composite, when a composite is published
    reproduced: float  # the composite the categories give before any change
    notes: tuple[str, ...]
    issues: tuple[Issue, ...] = ()  # of the files read (api.plan_file)

    @property
    def total_gain(self) -> float:
        return round2(sum((to_decimal(c.gain) for c in self.changes), Decimal(0)))


def parse_setting(text: str, profile: Profile) -> Setting:
    """`居住区=+4` (4 points more), `居住区=-2`, `工地=72` (to 72), for `--set`."""
    name, sep, value = text.partition("=")
    category = names_of(profile).match_category(name.strip()) if sep else None
    if category is None:
        known = "、".join(profile.category_names)
        raise UsageError(
            f"--set「{text}」写法不对：应为 大类=分数（工地=72）或 大类=+分数（居住区=+4），"
            f"大类为：{known}"
        )
    value = value.strip()
    try:
        number = Decimal(value)
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite():
        raise UsageError(f"--set「{text}」中的「{value}」不是数字，例如 居住区=+4 或 工地=72")
    relative = value.startswith(("+", "-"))
    if not relative and not 0 <= number <= 100:
        raise UsageError(f"--set「{text}」：得分应在 0 到 100 之间")
    return Setting(category, number.quantize(CENT), relative, text)


def target_from_options(
    rank: int | None, grade: str | None, score: float | None, profile: Profile
) -> Target | None:
    """The one target the options name (None when none), or a usage error."""
    given = [t for t in (rank, grade, score) if t is not None]
    if len(given) > 1:
        raise UsageError("--target-rank、--target-grade、--target-score 只能给一个")
    if rank is not None:
        return Target(RANK, rank)
    if grade is not None:
        names = [g.name for g in profile.grades]
        if grade.strip() not in names:
            raise UsageError(f"--target-grade「{grade}」不是等级；等级为：{'、'.join(names)}")
        return Target(GRADE_TARGET, grade.strip())
    if score is not None:
        if not 0 <= score <= 100:
            raise UsageError(f"--target-score {score} 应在 0 到 100 之间")
        return Target(SCORE, round2(score))
    return None


def plan_unit(
    ranking: Ranking,
    profile: Profile,
    unit: str,
    *,
    target: Target | None = None,
    settings: Sequence[Setting] = (),
    previous: Sequence[Ranking] = (),
    weights: dict[str, float] | None = None,
    step: Decimal = CENT,
) -> Plan:
    """The what-if of `settings` and, with a `target`, the least further gain that reaches it.

    `weights` are the file's own category weights when the ranking used them (a 权重 row);
    `previous` are earlier half-years, for the unit's own best as a ceiling; `step` is the
    smallest gain considered (0.01; tests use whole points to compare with brute force).
    """
    model = _Model(ranking, profile, unit, weights)
    categories = {c: to_decimal(s) for c, s in model.result.categories.items()}
    given = _given_scores(model, settings)
    ceilings = _ceilings(ranking, profile, unit, previous)
    start = {**categories, **given}
    if target is None:
        target = Target(SET, tuple(s.text for s in settings))
    required = _required_score(target, model, profile)
    gains: dict[str, Decimal] = {}
    reachable = True
    if required is not None:
        gains, reachable = _least_gains(model, start, given, ceilings, required, target, step)
    final = {c: start[c] + gains.get(c, Decimal(0)) for c in start}
    after = model.standing(model.score_of(final))
    changes = tuple(
        _change(model, category, final[category], ceilings.get(category), category in given)
        for category in model.result.categories
        if final[category] != categories[category]
    )
    notes = [
        *_estimate_notes(model),
        *_outcome_notes(model, target, after, required if not reachable else None),
        *_over_ceiling_notes(given, ceilings),
    ]
    return Plan(
        unit=unit,
        period=ranking.period,
        source=ranking.source,
        units_count=len(ranking.units),
        bottom_n=ranking.bottom_n,
        before=model.standing(model.result.score),
        target=target,
        required_score=float(required) if required is not None else None,
        changes=tuple(sorted(changes, key=lambda c: (not c.given, -c.weight, c.category))),
        after=after,
        reachable=reachable,
        estimate=model.estimate,
        offset=model.offset,
        reproduced=float(model.reproduced),
        notes=tuple(notes),
    )


def _given_scores(model: _Model, settings: Sequence[Setting]) -> dict[str, Decimal]:
    """The category scores `--set` asks for; each must be a category the unit has, in 0–100."""
    categories = model.result.categories
    given: dict[str, Decimal] = {}
    for setting in settings:
        if setting.category not in categories:
            have = "、".join(categories)
            raise UsageError(
                f"「{model.result.unit}」没有「{setting.category}」的得分，不能用 --set 改变它；"
                f"它有得分的大类：{have}"
            )
        given[setting.category] = setting.apply(categories[setting.category])
        if not 0 <= given[setting.category] <= 100:
            raise UsageError(
                f"--set「{setting.text}」后得分为 {given[setting.category]}，超出 0–100"
            )
    return given


def _outcome_notes(
    model: _Model, target: Target, after: Standing, unreached: Decimal | None
) -> list[str]:
    """Still in the bottom after reaching a rank; or, with `unreached` (the score needed), the
    best the ceilings allow."""
    if unreached is not None:
        return [
            f"各大类都提高到现实上限也达不到目标（需 {unreached:.2f} 分），"
            f"最多可达 {after.score:.2f} 分、第 {after.rank} 名"
        ]
    if target.kind in (RANK, LEAVE_BOTTOM) and BOTTOM in after.flag_reasons:
        return [
            f"达到第 {after.rank} 名{'（并列）' if after.tied else ''}后仍在倒数 "
            f"{model.ranking.bottom_n} 名内（与边界上的街镇同分时一并标记）"
        ]
    return []


def _over_ceiling_notes(
    given: dict[str, Decimal], ceilings: dict[str, tuple[float, str]]
) -> list[str]:
    """A note for each `--set` score above what the unit has realistically reached."""
    notes = []
    for category, value in given.items():
        ceiling = ceilings.get(category)
        if ceiling is not None and value > to_decimal(ceiling[0]):
            notes.append(
                f"{category}设为 {value:.2f} 分，高于现实上限 {ceiling[0]:.2f} 分"
                f"（{_CEILING_WORDS[ceiling[1]]}）"
            )
    return notes


_CEILING_WORDS = {
    DISTRICT_BEST: "本期全区最高",
    OWN_BEST: "本街镇往期最高",
    PROFILE_CEILING: "测评口径设定",
}


class _Model:
    """One unit's composite as a function of its category scores, and its standing."""

    def __init__(
        self, ranking: Ranking, profile: Profile, unit: str, weights: dict[str, float] | None
    ) -> None:
        result = ranking.unit(unit)
        if result is None:
            known = "、".join(u.unit for u in ranking.units)
            raise UsageError(f"报告中没有街镇「{unit}」；报告中的街镇：{known}")
        self.result, self.profile, self.ranking, self.weights = result, profile, ranking, weights
        weight_of = weights.get if weights else profile.weight
        self.weight = {
            c: to_decimal(w) for c in result.categories if (w := weight_of(c)) is not None
        }
        reproduced = computed_composite(result.categories, profile, weights)
        if reproduced is None or not self.weight:
            raise InputError(
                f"{ranking.source}：「{unit}」没有带权重的大类得分，无法测算提升计划"
                "（测算需要各大类得分）"
            )
        self.reproduced = to_decimal(reproduced)
        self.published = to_decimal(result.score)
        self.estimate = result.score_source == REPORTED and self.reproduced != self.published
        self.offset = (
            round2(self.published - self.reproduced) if result.score_source == REPORTED else None
        )
        self.others = [u.score for u in ranking.units if u.unit != unit]

    def score_of(self, categories: dict[str, Decimal]) -> float:
        """The unit's score with these category scores, as the ranking would show it."""
        values = {c: float(v) for c, v in categories.items()}
        composite = computed_composite(values, self.profile, self.weights)
        assert composite is not None  # the same weighted categories gave `reproduced`
        computed = to_decimal(composite)
        return round2(self.published + computed - self.reproduced)

    def standing(self, score: float) -> Standing:
        rank, tied = rank_positions([*self.others, score], self.profile.ranking)[-1]
        below = sum(1 for other in self.others if round2(other) < round2(score))
        grade = self.profile.grade(score)
        reasons = tuple(
            reason
            for reason, hit in (
                (BOTTOM, below < self.ranking.bottom_n),
                (GRADE, grade in self.profile.flag_grades),
            )
            if hit
        )
        return Standing(round2(score), rank, tied, grade, bool(reasons), reasons)


def _estimate_notes(model: _Model) -> list[str]:
    if not model.estimate:
        return []
    return [
        f"报告公布的综合满意度 {model.published:.2f} 与按大类权重复现的 {model.reproduced:.2f} "
        f"相差 {model.offset:+.2f} 分，测算结果为估算（假定这一差值不变）"
    ]


def _required_score(target: Target, model: _Model, profile: Profile) -> Decimal | None:
    """The least published score that meets the target (None for a plain what-if)."""
    others = sorted((to_decimal(s) for s in model.others), reverse=True)
    if target.kind == SET:
        return None
    if target.kind == SCORE and isinstance(target.value, float | int):
        return to_decimal(target.value)
    if target.kind == GRADE_TARGET:
        band = next(g for g in profile.grades if g.name == target.value)
        return to_decimal(band.min)
    if target.kind == RANK and isinstance(target.value, int):
        wanted = target.value  # rank ≤ wanted, ties shared
        if not 1 <= wanted <= len(others) + 1:
            raise UsageError(f"--target-rank {wanted} 应在 1 到 {len(others) + 1} 之间")
        ladder = sorted(set(others), reverse=True) if profile.ranking == "dense" else others
        return ladder[wanted - 1] if wanted <= len(ladder) else Decimal(0)
    if target.kind == LEAVE_BOTTOM and isinstance(target.value, int):  # N units strictly below
        n = target.value
        ascending = others[::-1]
        return ascending[n - 1] + CENT if n <= len(ascending) else Decimal(101)
    raise ValueError(target.kind)


def _meets(target: Target, standing: Standing, required: Decimal) -> bool:
    if target.kind == RANK and isinstance(target.value, int):
        return standing.rank <= target.value
    if target.kind == LEAVE_BOTTOM:
        return BOTTOM not in standing.flag_reasons
    return to_decimal(standing.score) >= required


def _least_gains(
    model: _Model,
    start: dict[str, Decimal],
    given: dict[str, Decimal],
    ceilings: dict[str, tuple[float, str]],
    required: Decimal,
    target: Target,
    step: Decimal,
) -> tuple[dict[str, Decimal], bool]:
    """Least total gain over the categories not given, heaviest first, up to each ceiling."""
    free = sorted(
        (c for c in model.weight if c not in given and c in start),
        key=lambda c: (-model.weight[c], start[c], c),
    )
    room = {
        c: max(0, math.floor((to_decimal(ceilings[c][0]) - start[c]) / step))
        if c in ceilings
        else 0
        for c in free
    }
    total_weight = sum(model.weight.values())
    # The published score moves with the reproduced one; the reproduced one rounds half-up.
    computed_needed = required - model.published + model.reproduced
    shortfall = total_weight * (computed_needed - HALF_CENT) - sum(
        model.weight[c] * start[c] for c in model.weight
    )
    gains: dict[str, Decimal] = {}
    for category in free:
        if shortfall <= 0:
            break
        steps = min(room[category], math.ceil(shortfall / (model.weight[category] * step)))
        if steps:
            gains[category] = steps * step
            shortfall -= model.weight[category] * steps * step
    # Check the answer as the ranking would compute it; one more step while the rounding of a
    # score at the boundary still falls short (the algebra above should make this a no-op).
    while True:
        final = {c: start[c] + gains.get(c, Decimal(0)) for c in start}
        if _meets(target, model.standing(model.score_of(final)), required):
            return gains, True
        spare = next((c for c in free if gains.get(c, 0) < room[c] * step), None)
        if spare is None:
            return gains, False
        gains[spare] = gains.get(spare, Decimal(0)) + step


def _ceilings(
    ranking: Ranking, profile: Profile, unit: str, previous: Sequence[Ranking]
) -> dict[str, tuple[float, str]]:
    """Each category's realistic best and where it comes from (see the module's docstring)."""
    found: dict[str, tuple[float, str]] = {}
    for result in ranking.units:
        for category, score in result.categories.items():
            if category not in found or score > found[category][0]:
                found[category] = (score, DISTRICT_BEST)
    scheme = set(found)
    for earlier in previous:
        own = earlier.unit(unit)
        if own is None:
            continue
        merged: dict[str, list[float]] = defaultdict(list)
        for category, score in own.categories.items():
            merged[scheme_key(category, scheme, profile)].append(score)
        for category, scores in merged.items():
            best = mean2(scores)
            if category in found and best is not None and best > found[category][0]:
                found[category] = (best, OWN_BEST)
    for category, score in profile_ceilings(profile).items():
        found[category] = (score, PROFILE_CEILING)
    return found


def profile_ceilings(profile: Profile) -> dict[str, float]:
    """`[plan.ceilings]` of the profile: category = the highest score a plan may assume."""
    try:
        table = tomllib.loads(profile.text).get("plan", {}).get("ceilings", {})
    except (tomllib.TOMLDecodeError, AttributeError):
        return {}
    result = {}
    for name, value in table.items() if isinstance(table, dict) else ():
        category = names_of(profile).match_category(name)
        if category and isinstance(value, int | float) and 0 <= value <= 100:
            result[category] = round2(value)
    return result


def _change(
    model: _Model,
    category: str,
    after: Decimal,
    ceiling: tuple[float, str] | None,
    given: bool,
) -> CategoryChange:
    before = model.result.categories[category]
    found = model.profile.category(category)
    return CategoryChange(
        category=category,
        before=before,
        after=float(after),
        gain=round2(after - to_decimal(before)),
        department=found.department if found else "",
        weight=float(model.weight.get(category, 0)),
        ceiling=ceiling[0] if ceiling else None,
        ceiling_source=ceiling[1] if ceiling else "",
        given=given,
        lagging=lagging_items(model.ranking, model.result.unit, category),
    )


def lagging_items(ranking: Ranking, unit: str, category: str) -> tuple[LaggingItem, ...]:
    """The unit's items in `category` furthest below the district mean of the same item."""
    values: dict[str, list[float]] = defaultdict(list)
    for other in ranking.units:
        for (cat, item), score in other.items.items():
            if cat == category:
                values[item].append(score)
    own = ranking.unit(unit)
    lines = []
    for (cat, item), score in own.items.items() if own else ():
        district = mean2(values[item]) if cat == category else None
        if district is not None and score < district:
            lines.append(
                LaggingItem(item, score, district, round2(to_decimal(score) - to_decimal(district)))
            )
    lines.sort(key=lambda line: (line.gap, line.item))
    return tuple(lines[:LAGGING_ITEMS])


def brief_plans(ranking: Ranking, profile: Profile, unit: str) -> tuple[Plan, ...]:
    """The plans a unit's brief shows: leave the bottom N (when in it), reach the next grade.

    Empty when the unit has no weighted category scores to plan with.
    """
    result = ranking.unit(unit)
    if result is None:
        return ()
    weights = (
        {c.category: c.weight for c in ranking.categories if c.weight is not None}
        if ranking.weights_place
        else None
    )
    targets = []
    if BOTTOM in result.flag_reasons:
        targets.append(Target(LEAVE_BOTTOM, ranking.bottom_n))
    band = profile.next_grade(result.grade)
    if band is not None:
        targets.append(Target(GRADE_TARGET, band.name))
    try:
        return tuple(
            plan_unit(ranking, profile, unit, target=target, weights=weights) for target in targets
        )
    except InputError:
        return ()
