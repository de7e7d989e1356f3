"""`mytool aggregate` as JSON and CSV (a contract), and the title its other views share (the
terminal table is `mytool.render.aggregate_terminal`, the workbook `mytool.render.aggregate_xlsx`,
the Markdown `mytool.render.aggregate_md`).

The CSV is a score report in its own right: `mytool rank` and `mytool brief` read it back (long
table: unit, category, item, score).
"""

from __future__ import annotations

import csv
import io

from mytool.analysis.aggregation import Aggregation, ItemStat, UnitAggregate
from mytool.diagnostics import ERROR, WARNING
from mytool.render.drivers import drivers_to_dict
from mytool.render.machine import csv_text
from mytool.render.wording import period_text

COMPOSITE_LABEL = "综合满意度"  # the category cell of a composite row, as the reader knows it
CSV_COLUMNS = ("unit", "category", "item", "score", "n", "ci95_low", "ci95_high", "period")


def aggregation_to_dict(result: Aggregation) -> dict:
    """The documented JSON shape of `mytool aggregate` (more keys may be added, none renamed)."""
    return {
        "period": result.period,
        "source": result.source,
        "respondents": result.respondents,
        "min_answers": result.min_answers,
        "units": [_unit_dict(unit) for unit in result.units],
        "unmatched_questions": list(result.unmatched_questions),
        "drivers": drivers_to_dict(result),
        "warnings": [i.located() for i in result.issues if i.severity in (WARNING, ERROR)],
        "issues": [i.as_dict() for i in result.issues],
    }


def _unit_dict(unit: UnitAggregate) -> dict:
    return {
        "unit": unit.unit,
        "respondents": unit.respondents,
        "score": unit.score,
        "ci95": _pair(unit.ci95),
        "rank": unit.rank,
        "tied": unit.tied,
        "low_sample": unit.low_sample,
        "indistinct_from": list(unit.indistinct_from),
        "feedback_cases": unit.feedback,
        "categories": dict(unit.categories),
        "items": {
            f"{category}/{item}": {"score": stat.score, "n": stat.n, "ci95": _pair(stat.ci95)}
            for (category, item), stat in unit.items.items()
        },
    }


def _pair(values: tuple[float, float] | None) -> list[float] | None:
    return list(values) if values else None


def aggregation_to_csv(result: Aggregation) -> str:
    """Long table, one row per unit and measure: composite, then categories, then items."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in long_rows(result, with_categories=True):
        cells = [*row, result.period or ""]
        writer.writerow([csv_text(cell) if isinstance(cell, str) else cell for cell in cells])
    return buffer.getvalue()


def long_rows(result: Aggregation, *, with_categories: bool) -> list[list[object]]:
    """[unit, category, item, score, n, low, high] rows; "" where a value does not apply."""
    rows: list[list[object]] = []
    for unit in result.units:
        rows.append(
            [unit.unit, COMPOSITE_LABEL, "", unit.score, unit.respondents, *_ends(unit.ci95)]
        )
        if with_categories:
            rows.extend(
                [unit.unit, c, "", score, "", "", ""] for c, score in unit.categories.items()
            )
        rows.extend(_item_row(unit.unit, pair, stat) for pair, stat in unit.items.items())
    return rows


def _item_row(unit: str, pair: tuple[str, str], stat: ItemStat) -> list[object]:
    return [unit, *pair, stat.score, stat.n, *_ends(stat.ci95)]


def _ends(values: tuple[float, float] | None) -> list[object]:
    return list(values) if values else ["", ""]


def aggregation_title(result: Aggregation) -> str:
    period = period_text(result.period) or "期次未知"
    return f"{period} 问卷汇总（{result.source}，{result.respondents} 份答卷）"
