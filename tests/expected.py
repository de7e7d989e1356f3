"""Expectations computed independently of mytool, from a sample workbook's raw cells.

The "CLI JSON equals the library" tests compare against these, not against mytool's own
serializer: openpyxl reads the cells, `Decimal` rounds half-up to two decimals, and the ranking
rules of DOMAIN (competition ranking, grade bands, bottom N plus the flag grades) are written out
here again from `profile.toml`, read with `tomllib`. Nothing from `mytool` is imported.
"""

from __future__ import annotations

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
    bottom_n = RULES["bottom_n"] if bottom_n is None else bottom_n
    scores = composite_scores(path)
    ranks = competition_ranks(scores)
    units = []
    for name, score in scores.items():
        below = sum(other < score for other in scores.values())
        reasons = [
            r
            for r, hit in (
                ("bottom", below < bottom_n),
                ("grade", grade(score) in RULES["flag_grades"]),
            )
            if hit
        ]
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
