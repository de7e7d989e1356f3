"""Expectations computed independently of mytool, from a sample workbook's raw cells.

The "CLI JSON equals the library" tests compare against these, not against mytool's own
serializer: openpyxl reads the cells, `Decimal` rounds half-up to two decimals, and the ranking
rules of DOMAIN (competition ranking, grade bands, bottom N plus the flag grades) are written out
here again from `profile.toml`, read with `tomllib`. Nothing from `mytool` is imported.
"""

from __future__ import annotations

import itertools
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
RULES = tomllib.loads((ROOT / "data" / "profile.toml").read_text(encoding="utf-8"))
UNIT_NAMES = [u["name"] for u in RULES["units"]]
SPELLINGS = {
    spelling: u["name"]
    for u in RULES["units"]
    for spelling in (u["name"], u.get("short", ""), *u.get("aliases", ()))
    if spelling
}
CATEGORY_NAMES = [c["name"] for c in RULES["categories"]]


def half_up(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def mean(values: list[Decimal]) -> Decimal:
    return half_up(sum(values) / len(values))


def grade(score: Decimal) -> str:
    bands = sorted(RULES["grades"], key=lambda g: g["min"], reverse=True)
    return next(g["name"] for g in bands if score >= Decimal(str(g["min"])))


def competition_ranks(scores: dict[str, Decimal]) -> dict[str, tuple[int, bool]]:
    """1 + how many score higher; tied when another has the same score."""
    values = list(scores.values())
    return {
        name: (1 + sum(v > s for v in values), values.count(s) > 1) for name, s in scores.items()
    }


def unit_name(cell: object) -> str | None:
    """The unit a cell names: its name, short name or an alias, a note in brackets dropped."""
    text = str(cell or "").strip().split("（")[0].split("(")[0]
    return SPELLINGS.get(text)


def _rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]


# Where each sample keeps its published composite: sheet, unit column, score column.
COMPOSITE_CELLS = {
    "songjiang-2023H2.xlsx": ("综合评价", 1, 2),
    "songjiang-2024H1.xlsx": ("测评结果", 0, 1),
}


def composite_scores(path: Path) -> dict[str, Decimal]:
    """The published composite of each unit, as the sample's table has it."""
    sheet, unit_col, score_col = COMPOSITE_CELLS[path.name]
    rows = _rows(path, sheet)
    return {name: half_up(row[score_col]) for row in rows if (name := unit_name(row[unit_col]))}


def category_scores(path: Path) -> dict[str, dict[str, Decimal]]:
    """Sheet 大类得分: the eleven categories in the profile's order, one unit a row."""
    rows = _rows(path, "大类得分")
    header = next(row for row in rows if row[0] == "街镇")
    assert len(header) == 1 + len(CATEGORY_NAMES)
    for written, name in zip(header[1:], CATEGORY_NAMES, strict=True):  # the order is the key
        assert written.replace("（", "(").replace("）", ")")[:2] == name[:2], (written, name)
    return {
        unit_name(row[0]): {
            name: half_up(v)
            for name, v in zip(CATEGORY_NAMES, row[1:], strict=True)
            if isinstance(v, int | float)  # "/" or blank: no score
        }
        for row in rows
        if unit_name(row[0])
    }


def expected_units(path: Path, bottom_n: int | None = None) -> list[dict]:
    """What `rank -f json` must say of each unit, in its order (rank, then name)."""
    return ranked_units(composite_scores(path), bottom_n)


def flag_reasons(score: Decimal, others: list[Decimal], bottom_n: int | None = None) -> list[str]:
    """Flagged for the bottom (fewer than N others score lower) and for a flag grade."""
    bottom_n = RULES["bottom_n"] if bottom_n is None else bottom_n
    below = sum(other < score for other in others)
    hits = (("bottom", below < bottom_n), ("grade", grade(score) in RULES["flag_grades"]))
    return [reason for reason, hit in hits if hit]


def ranked_units(scores: dict[str, Decimal], bottom_n: int | None = None) -> list[dict]:
    """Each unit's rank, grade and flags from its composite, in rank order (then name)."""
    ranks = competition_ranks(scores)
    units = []
    for name, score in scores.items():
        reasons = flag_reasons(score, list(scores.values()), bottom_n)
        units.append(
            {
                "unit": name,
                "score": float(score),
                "rank": ranks[name][0],
                "tied": ranks[name][1],
                "grade": grade(score),
                "flagged": bool(reasons),
                "flag_reasons": reasons,
            }
        )
    return sorted(units, key=lambda u: (u["rank"], u["unit"]))


def expected_categories(path: Path) -> list[dict]:
    """District category scores (mean over the units), ranked; ties in the profile's order."""
    by_unit = category_scores(path)
    district = {
        c: mean([scores[c] for scores in by_unit.values() if c in scores]) for c in CATEGORY_NAMES
    }
    ranks = competition_ranks(district)
    rows = [
        {"category": c, "score": float(s), "rank": ranks[c][0], "tied": ranks[c][1]}
        for c, s in district.items()
    ]
    return sorted(rows, key=lambda r: (r["rank"], CATEGORY_NAMES.index(r["category"])))


def expected_changes(previous: Path, current: Path) -> list[dict]:
    """What `compare -f json` must say of each unit, in the current ranking's order."""
    before = {u["unit"]: u for u in expected_units(previous)}
    changes = []
    for now in expected_units(current):
        was = before[now["unit"]]
        changes.append(
            {
                "unit": now["unit"],
                "score": now["score"],
                "previous_score": was["score"],
                "score_change": float(
                    half_up(Decimal(str(now["score"])) - Decimal(str(was["score"])))
                ),
                "rank": now["rank"],
                "previous_rank": was["rank"],
                "rank_change": was["rank"] - now["rank"],
                "grade": now["grade"],
                "previous_grade": was["grade"],
                "flagged": now["flagged"],
                "previously_flagged": was["flagged"],
            }
        )
    return changes


# Trend: halfyears.py reports (one wide sheet 测评结果: 街镇, 综合满意度, categories) ---------

LINEAGE = RULES["category_lineage"]


def wide_report(path: Path) -> tuple[dict[str, Decimal], dict[str, dict[str, Decimal]]]:
    """The composite and the category scores of each unit, by header name as written."""
    rows = _rows(path, "测评结果")
    top = next(i for i, row in enumerate(rows) if row[0] == "街镇")
    header = rows[top]
    composites, categories = {}, {}
    for row in rows[top + 1 :]:
        if name := unit_name(row[0]):
            composites[name] = half_up(row[1])
            categories[name] = {h: half_up(v) for h, v in zip(header[2:], row[2:], strict=True)}
    return composites, categories


def next_half(period: str) -> str:
    year, half = int(period[:4]), period[4:]
    return f"{year}H2" if half == "H1" else f"{year + 1}H1"


def expected_trend(files: dict[str, Path]) -> dict:
    """What `trend -f json` must say of these reports (period → file), all keys but the issues."""
    periods = sorted(files)
    read = {p: wide_report(files[p]) for p in periods}
    ranked = {p: {u["unit"]: u for u in ranked_units(read[p][0])} for p in periods}
    latest = ranked_units(read[periods[-1]][0])
    return {
        "periods": [{"period": p, "source": files[p].name} for p in periods],
        "units": [_unit_trend(u["unit"], periods, ranked) for u in latest],
        "district_mean": [float(mean(list(read[p][0].values()))) for p in periods],
        "categories": [_category_trend(c, [read[p][1] for p in periods]) for c in CATEGORY_NAMES],
        "missing_periods": [
            missing
            for before, after in itertools.pairwise(periods)
            for missing in _between(before, after)
        ],
    }


def _between(before: str, after: str) -> list[str]:
    found, period = [], next_half(before)
    while period < after:
        found.append(period)
        period = next_half(period)
    return found


def _unit_trend(unit: str, periods: list[str], ranked: dict[str, dict[str, dict]]) -> dict:
    flagged = [ranked[p][unit]["flagged"] for p in periods]
    streak = 0
    for index in range(len(periods) - 1, -1, -1):
        if not flagged[index] or (streak and next_half(periods[index]) != periods[index + 1]):
            break
        streak += 1
    return {
        "unit": unit,
        "scores": [ranked[p][unit]["score"] for p in periods],
        "ranks": [ranked[p][unit]["rank"] for p in periods],
        "flagged": flagged,
        "flagged_streak": streak,
    }


def _category_trend(category: str, by_period: list[dict[str, dict[str, Decimal]]]) -> dict:
    """A category's district mean each period; in an old-scheme period, the plain mean of the
    district means of the old categories it came from (`category_lineage`)."""
    scores, mapped = [], []
    for by_unit in by_period:
        headers = list(next(iter(by_unit.values())))
        sources = (
            [category]
            if category in headers
            else [old for old in headers if LINEAGE.get(old) == category]
        )
        means = [mean([scores_[old] for scores_ in by_unit.values()]) for old in sources]
        scores.append(float(mean(means)) if means else None)
        mapped.append(sources if means and sources != [category] else None)
    return {"category": category, "scores": scores, "mapped_from": mapped}


# Plan: a unit's categories raised to given scores, on a sample ---------------------------------

WEIGHTS = {c["name"]: Decimal(str(c["weight"])) for c in RULES["categories"]}
DEPARTMENTS = {c["name"]: c.get("department", "") for c in RULES["categories"]}


def weighted_composite(categories: dict[str, Decimal]) -> Decimal:
    """The categories' weighted mean, weights renormalised over those present."""
    total = sum(WEIGHTS[c] for c in categories)
    return half_up(sum(score * WEIGHTS[c] for c, score in categories.items()) / total)


def standing(score: Decimal, others: list[Decimal]) -> dict:
    """Rank (competition), grade and flags of `score` among the other units' scores."""
    reasons = flag_reasons(score, others)
    return {
        "score": float(score),
        "rank": 1 + sum(other > score for other in others),
        "grade": grade(score),
        "flagged": bool(reasons),
        "tied": score in others,
        "flag_reasons": reasons,
    }


def expected_plan(
    path: Path, period: str, unit: str, target: dict, raised: dict[str, float]
) -> dict:
    """What `plan -f json` must say when `unit`'s categories are raised to `raised`.

    Which categories to raise, and how far, is the planner's search (checked against brute force
    in test_plan.py); everything that follows from the choice is computed here from the raw
    cells: the new composite keeps the published score's offset from the weighted categories.
    All keys but `notes` and the changes' `lagging_items`.
    """
    published = composite_scores(path)
    by_unit = category_scores(path)
    own = by_unit[unit]
    reproduced = weighted_composite(own)
    after = {**own, **{c: half_up(v) for c, v in raised.items()}}
    score = half_up(published[unit] + weighted_composite(after) - reproduced)
    others = [s for name, s in published.items() if name != unit]
    changes = [
        {
            "category": c,
            "from": float(own[c]),
            "to": float(after[c]),
            "gain": float(after[c] - own[c]),
            "department": DEPARTMENTS[c],
            "weight": float(WEIGHTS[c]),
            "ceiling": float(max(scores[c] for scores in by_unit.values() if c in scores)),
            "ceiling_source": "district-best",
            "given": False,
        }
        for c in sorted(raised, key=lambda c: (-WEIGHTS[c], c))
    ]
    offset = published[unit] - reproduced
    return {
        "unit": unit,
        "period": period,
        "source": path.name,
        "before": standing(published[unit], others),
        "target": target,
        "changes": changes,
        "after": standing(score, others),
        "reachable": True,
        "estimate": offset != 0,
        "estimate_offset": float(offset) if offset else None,
        "reproduced_score": float(reproduced),
        "total_gain": float(sum(after[c] - own[c] for c in raised)),
        "bottom_n": RULES["bottom_n"],
        "units": len(published),
    }
