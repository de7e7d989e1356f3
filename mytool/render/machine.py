"""Machine output (`--format json|csv`): a contract scripts depend on. Keys never get renamed."""

from __future__ import annotations

import csv
import io
import json

from mytool.analysis.ranking import Ranking, UnitResult
from mytool.diagnostics import ERROR, WARNING

UNIT_CSV_COLUMNS = ("unit", "score", "rank", "grade", "flagged", "flag_reasons", "score_source")


def ranking_to_dict(ranking: Ranking) -> dict:
    """The documented JSON shape of `mytool rank` (more keys may be added, none renamed)."""
    return {
        "period": ranking.period,
        "source": ranking.source,
        "score_source": ranking.score_source,
        "bottom_n": ranking.bottom_n,
        "city_scope": ranking.city_scope or None,
        "units": [_unit_dict(unit) for unit in ranking.units],
        "categories": [
            {
                "category": c.category,
                "score": c.score,
                "rank": c.rank,
                "tied": c.tied,
                "weight": c.weight,
                "department": c.department or None,
                "weakest_units": list(c.weakest_units),
            }
            for c in ranking.categories
        ],
        "weights_from": ranking.weights_place or None,
        "warnings": [
            issue.located() for issue in ranking.all_issues if issue.severity in (WARNING, ERROR)
        ],
        "issues": [issue.as_dict(ranking.source) for issue in ranking.all_issues],
    }


def _unit_dict(unit: UnitResult) -> dict:
    return {
        "unit": unit.unit,
        "score": unit.score,
        "rank": unit.rank,
        "grade": unit.grade,
        "flagged": unit.flagged,
        "flag_reasons": list(unit.flag_reasons),
        "categories": dict(unit.categories),
        "tied": unit.tied,
        "score_source": unit.score_source,
        "weakest_categories": list(unit.weakest_categories),
        "known_unit": unit.known,
        "current": unit.current,
        "progress": unit.progress,
        "city_rank": unit.city_rank,
    }


def to_json(data: dict) -> str:
    # allow_nan=False: a NaN or infinity is a bug upstream, never written as invalid JSON.
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def csv_text(text: str) -> str:
    """Neutralise text that a spreadsheet would run as a formula (OWASP CSV injection)."""
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def ranking_to_csv(ranking: Ranking) -> str:
    """One row per unit: the fixed columns, then one column per category (empty = no score)."""
    categories = [c.category for c in ranking.categories]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*UNIT_CSV_COLUMNS, *(csv_text(c) for c in categories)])
    for unit in ranking.units:
        writer.writerow(
            [
                csv_text(unit.unit),
                f"{unit.score:.2f}",
                unit.rank,
                unit.grade,
                "true" if unit.flagged else "false",
                ";".join(unit.flag_reasons),
                unit.score_source,
                *(f"{unit.categories[c]:.2f}" if c in unit.categories else "" for c in categories),
            ]
        )
    return buffer.getvalue()
