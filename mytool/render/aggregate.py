"""The views of an `Aggregation` without openpyxl: JSON, CSV and the terminal table (the
workbook is `mytool.render.aggregate_xlsx`, the Markdown `mytool.render.aggregate_md`).

The CSV is a score report in its own right: `mytool rank` and `mytool brief` read it back (long
table: unit, category, item, score).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from rich.table import Table

from mytool.analysis.aggregation import Aggregation, ItemStat, UnitAggregate
from mytool.diagnostics import ERROR, WARNING
from mytool.render.drivers import drivers_to_dict, print_drivers
from mytool.render.labels import rank_text, score_text
from mytool.render.machine import csv_text
from mytool.render.wording import period_text

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

COMPOSITE_LABEL = "综合满意度"  # the category cell of a composite row, as the reader knows it
CSV_COLUMNS = ("unit", "category", "item", "score", "n", "ci95_low", "ci95_high", "period")
INDISTINCT_MARK = "≈"


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


def _indistinct_mark(unit: UnitAggregate, result: Aggregation) -> str:
    """≈↑, ≈↓ or ≈↑↓: which ranking neighbours the unit cannot be told apart from."""
    order = [u.unit for u in result.units]
    position = order.index(unit.unit)
    arrows = "".join(
        arrow
        for arrow, offset in (("↑", -1), ("↓", 1))
        if 0 <= position + offset < len(order) and order[position + offset] in unit.indistinct_from
    )
    return INDISTINCT_MARK + arrows


def aggregation_title(result: Aggregation) -> str:
    period = period_text(result.period) or "期次未知"
    return f"{period} 问卷汇总（{result.source}，{result.respondents} 份答卷）"


def print_aggregation(result: Aggregation, console: Console) -> None:
    """Units in ranking order with answers, composite, interval and marks; then the notes."""
    table = Table(title=aggregation_title(result), title_justify="left", header_style="bold")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("排名", "right"),
        ("街镇", "left"),
        ("答卷数", "right"),
        ("综合得分", "right"),
        ("95%置信区间", "center"),
        ("提示", "left"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify, overflow="fold")
    for unit in result.units:
        notes = [_indistinct_mark(unit, result)] if unit.indistinct_from else []
        if unit.low_sample:
            notes.append(f"样本不足 {result.min_answers} 份")
        table.add_row(
            rank_text(unit.rank, unit.tied),
            unit.unit,
            str(unit.respondents),
            score_text(unit.score),
            f"{score_text(unit.ci95[0])}–{score_text(unit.ci95[1])}" if unit.ci95 else "—",
            "；".join(notes),
            style="yellow" if unit.low_sample else None,
        )
    console.print(table)
    console.print(
        f"综合得分按大类权重计算。{INDISTINCT_MARK}↑ / {INDISTINCT_MARK}↓：与上一名 / 下一名的"
        " 95% 置信区间重叠，名次之差不能说明满意度真有高低。"
        "各小项得分、回答数和区间见 -f json/csv/xlsx。"
    )
    if result.unmatched_questions:
        console.print("未匹配到测评小项的问题（未计分）：" + "；".join(result.unmatched_questions))
    cases = len(result.feedback)
    if cases:
        console.print(f"市民建议 {cases} 条（见 -f xlsx 输出的「市民反映建议」工作表）。")
    print_drivers(result, console)
