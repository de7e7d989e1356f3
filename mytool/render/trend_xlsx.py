"""`mytool trend --format xlsx`: the trend tables in a workbook, with native Excel line charts.

Sheets: 街镇得分 (score per period, flagged cells shaded, 连续靠后, the district mean row, and the
chart of the flagged units against the district mean), 街镇排名, 大类走势 (with its own chart).
"""

from __future__ import annotations

import io
import math
from typing import Any

from mytool.analysis.trend import Trend
from mytool.render.excel import FLAG_FILL, HEADER_FILL, SCORE_FORMAT, Looks, put
from mytool.render.trend import (
    DISTRICT_MEAN,
    chart_title,
    mapping_notes,
    missing_note,
    streak_text,
)


def trend_workbook(trend: Trend) -> bytes:
    """The workbook as .xlsx bytes (write them with `write_bytes_atomic`)."""
    from openpyxl import Workbook

    book = Workbook()
    scores = book.active
    scores.title = "街镇得分"
    _score_sheet(scores, trend)
    _rank_sheet(book.create_sheet("街镇排名"), trend)
    _category_sheet(book.create_sheet("大类走势"), trend)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(sheet: Any, row: int, column: int, value: object) -> Any:
    """One cell through the shared writer: scores at two decimals, text never a formula."""
    return put(sheet, row, column, value, SCORE_FORMAT if isinstance(value, float) else None)


def _header(sheet: Any, headings: list[str]) -> None:
    from openpyxl.styles import Font, PatternFill

    looks = Looks.of(sheet)
    heading_look = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor=HEADER_FILL)}
    for column, heading in enumerate(headings, start=1):
        looks.apply(_put(sheet, 1, column, heading), "trend heading", heading_look)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 20


def _score_sheet(sheet: Any, trend: Trend) -> None:
    from openpyxl.styles import PatternFill

    periods = len(trend.periods)
    _header(sheet, ["街镇", *trend.periods, "连续靠后期数", "说明"])
    looks, flag = Looks.of(sheet), {"fill": PatternFill("solid", fgColor=FLAG_FILL)}
    rows: dict[str, int] = {}
    for row, unit in enumerate(trend.units, start=2):
        rows[unit.unit] = row
        _put(sheet, row, 1, unit.unit)
        for index, score in enumerate(unit.scores):
            cell = _put(sheet, row, 2 + index, score)
            if unit.flagged[index]:
                looks.apply(cell, "flagged", flag)
        _put(sheet, row, 2 + periods, unit.flagged_streak)
        _put(sheet, row, 3 + periods, streak_text(unit.flagged_streak) or None)
    mean_row = len(trend.units) + 2
    _put(sheet, mean_row, 1, DISTRICT_MEAN)
    for index, mean in enumerate(trend.district_means):
        _put(sheet, mean_row, 2 + index, mean)
    _put(sheet, mean_row + 1, 1, "底色标出的为该期排名靠后的街镇。")
    if trend.missing_periods:
        _put(sheet, mean_row + 2, 1, missing_note(trend))
    sheet.column_dimensions[_letter(3 + periods)].width = 18
    flagged_rows = [rows[u.unit] for u in trend.flagged_now]
    values = [v for u in trend.flagged_now for v in u.scores if v is not None]
    values += [m for m in trend.district_means if m is not None]
    chart = _line_chart(sheet, chart_title(trend), [*flagged_rows, mean_row], periods, values)
    chart.series[-1].graphicalProperties.line.dashStyle = "dash"
    chart.series[-1].graphicalProperties.line.solidFill = "000000"
    sheet.add_chart(chart, f"A{mean_row + 3}")


def _rank_sheet(sheet: Any, trend: Trend) -> None:
    _header(sheet, ["街镇", *trend.periods])
    for row, unit in enumerate(trend.units, start=2):
        _put(sheet, row, 1, unit.unit)
        for index, rank in enumerate(unit.ranks):
            _put(sheet, row, 2 + index, rank)
    _put(sheet, len(trend.units) + 3, 1, "1 为最好；空白表示该期报告中没有这个街镇。")


def _category_sheet(sheet: Any, trend: Trend) -> None:
    periods = len(trend.periods)
    _header(sheet, ["大类", *trend.periods])
    for row, category in enumerate(trend.categories, start=2):
        _put(sheet, row, 1, category.category)
        for index, score in enumerate(category.scores):
            _put(sheet, row, 2 + index, score)
    below = len(trend.categories) + 3
    for offset, note in enumerate(mapping_notes(trend)):
        _put(sheet, below + offset, 1, f"旧口径对应：{note}")
    rows = list(range(2, len(trend.categories) + 2))
    values = [v for c in trend.categories for v in c.scores if v is not None]
    chart = _line_chart(sheet, "大类全区得分走势", rows, periods, values)
    sheet.add_chart(chart, f"A{below + len(mapping_notes(trend)) + 1}")


def _line_chart(sheet: Any, title: str, rows: list[int], periods: int, values: list[float]) -> Any:
    """A line chart with one series per row (name in column A), periods on the x axis."""
    from openpyxl.chart import LineChart, Reference, Series

    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "得分"
    chart.x_axis.title = "期次"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    chart.height, chart.width = 9, 18
    if values:
        chart.y_axis.scaling.min = math.floor(min(values)) - 1
        chart.y_axis.scaling.max = math.ceil(max(values)) + 1
    chart.legend.position = "b"  # below the plot: a legend at the side was cut off in print
    for row in rows:
        data = Reference(sheet, min_col=1, max_col=1 + periods, min_row=row)
        series = Series(data, title_from_data=True)
        series.smooth = False  # straight lines between half-years: a curve invents values
        chart.series.append(series)
    chart.set_categories(Reference(sheet, min_col=2, max_col=1 + periods, min_row=1))
    return chart


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
