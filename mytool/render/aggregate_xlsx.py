"""`mytool aggregate -f xlsx`: unit scores, samples and intervals, citizen suggestions, unmatched
questions and (with --drivers) the drivers sheet, each a streamed table printable on A4.

The first sheet is a score report in its own right: `mytool rank` and `mytool brief` read it
back (a wide table of composite, category and item scores).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mytool.analysis.aggregation import Aggregation
from mytool.render.aggregate import COMPOSITE_LABEL, aggregation_title, long_rows
from mytool.render.drivers_xlsx import add_drivers_sheet
from mytool.render.excel import new_workbook, stream_table, workbook_bytes
from mytool.render.excel_layout import SCORE_FORMAT, Column, grade_fill

if TYPE_CHECKING:
    from mytool.profile import Profile
    from mytool.render.charts import Chart


def aggregation_to_xlsx(
    result: Aggregation, profile: Profile | None = None, chart: Chart | None = None
) -> bytes:
    """Workbook: unit scores (wide, ranked, graded), intervals (long), citizen suggestions,
    unmatched questions; with --drivers a 驱动因素 sheet, with `chart` when given (the command
    draws it once, for this sheet and the files beside the workbook: see
    `mytool.render.drivers_chart`). Each sheet has a title row and prints on A4 with its header
    repeated.

    The first sheet stays a score report `rank` and `brief` read back: one row per unit, the
    composite, category and item scores under their names (排名 and 等级 are columns the
    reader sets aside).
    """
    book = new_workbook(write_only=True)
    scores_sheet(book, result, profile)
    _detail_sheet(book, result)
    suggestions = result.feedback.itertuples(index=False)
    stream_table(
        book,
        "市民反映建议",
        f"{aggregation_title(result)}：市民反映建议",
        (
            Column("街镇", 12),
            Column("大类", 12),
            Column("反映内容", 50, wrap=True),
            Column("答卷位置", 12),
        ),
        ([unit, category or None, text, place] for unit, category, text, place in suggestions),
        portrait=True,
    )
    stream_table(
        book,
        "未匹配问题",
        f"{aggregation_title(result)}：未匹配到测评小项的问题",
        (Column("未匹配到测评小项的问题（未计分）", 80, wrap=True),),
        ([question] for question in result.unmatched_questions),
        portrait=True,
    )
    add_drivers_sheet(book, result, chart)
    return workbook_bytes(book)


def scores_sheet(book: Any, result: Aggregation, profile: Profile | None = None) -> Any:
    """街镇得分: units in ranking order with rank, grade, composite, categories and items; on
    paper the rank and unit columns repeat at the left of every page across."""
    categories = list(dict.fromkeys(c for u in result.units for c in u.categories))
    items = list(dict.fromkeys(pair for u in result.units for pair in u.items))
    grades = {u.unit: u.grade for u in result.ranking.units}
    colors = {g: color for g in set(grades.values()) if (color := grade_fill(g, profile))}
    columns = [
        Column("排名", 6),
        Column("街镇", 12),
        Column("等级", 6, fills=colors),
        Column(COMPOSITE_LABEL, 9, SCORE_FORMAT),
        *(Column(c, 9, SCORE_FORMAT) for c in categories),
        *(Column(item, 9, SCORE_FORMAT) for _, item in items),
    ]
    rows = (
        [
            unit.rank,
            unit.unit,
            grades.get(unit.unit),
            unit.score,
            *(unit.categories.get(c) for c in categories),
            *(unit.items[p].score if p in unit.items else None for p in items),
        ]
        for unit in result.units
    )
    return stream_table(
        book,
        "街镇得分",
        aggregation_title(result),
        columns,
        rows,
        repeat_columns="A:B",
        fit_width=False,
    )


def _detail_sheet(book: Any, result: Aggregation) -> None:
    marks = {
        u.unit: ["是" if u.low_sample else "", "、".join(u.indistinct_from)] for u in result.units
    }
    rows = (
        [cell if cell != "" else None for cell in row]
        + (list(marks[str(row[0])]) if row[1] == COMPOSITE_LABEL else [None, None])
        for row in long_rows(result, with_categories=False)
    )
    stream_table(
        book,
        "样本与区间",
        f"{aggregation_title(result)}：样本量与 95% 置信区间",
        (
            Column("街镇", 12),
            Column("大类", 18),
            Column("小项", 18, wrap=True),
            Column("得分", 8, SCORE_FORMAT),
            Column("回答数", 8),
            Column("95%置信下限", 9, SCORE_FORMAT),
            Column("95%置信上限", 9, SCORE_FORMAT),
            Column("样本不足", 7),
            Column("名次无法区分", 24, wrap=True),
        ),
        rows,
    )
