"""`mytool aggregate` on the terminal: the units in ranking order, the notes, the drivers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from mytool.analysis.aggregation import Aggregation, UnitAggregate
from mytool.render.aggregate import aggregation_title
from mytool.render.drivers_terminal import print_drivers
from mytool.render.labels import rank_text, score_text

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

INDISTINCT_MARK = "≈"


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
