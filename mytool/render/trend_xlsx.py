"""`mytool trend --format xlsx`: the trend tables in a workbook, with native Excel line charts.

Sheets: 街镇得分 (score per period, flagged cells shaded, 连续靠后, the district mean row, and the
chart of the flagged units against the district mean), 街镇排名, 大类走势 (with its own chart).
Each sheet has a title row naming the half-years (2023年下半年 …) and prints on A4 portrait,
fitted to the width, the header repeated, the chart and its legend inside the page.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter

from mytool.analysis.trend import Trend
from mytool.render.excel import (
    Looks,
    chart_fonts,
    fill,
    heading_look,
    new_workbook,
    note_row,
    prepare_print,
    put,
    title_rows,
    workbook_bytes,
)
from mytool.render.excel_layout import FLAG_FILL, SCORE_FORMAT, text_width
from mytool.render.trend import (
    DISTRICT_MEAN,
    mapping_notes,
    missing_note,
    streak_text,
)
from mytool.render.wording import period_heading, period_text

TOP = 3  # the header row, under the title and a blank row
CHART_WIDTH_CM = 16.5  # inside A4 portrait's 18.5 cm between the margins


def trend_workbook(trend: Trend) -> bytes:
    """The workbook as .xlsx bytes (write them with `write_bytes_atomic`)."""
    book = new_workbook()
    scores = book.active
    scores.title = "街镇得分"
    _score_sheet(scores, trend)
    _rank_sheet(book.create_sheet("街镇排名"), trend)
    _category_sheet(book.create_sheet("大类走势"), trend)
    return workbook_bytes(book)


def _span(trend: Trend) -> str:
    """ "2022年上半年至2024年上半年" (or the one period)."""
    first, last = period_text(trend.periods[0]), period_text(trend.periods[-1])
    return first if first == last else f"{first}至{last}"


def _put(sheet: Any, row: int, column: int, value: object) -> Any:
    """One cell through the shared writer: scores at two decimals, text never a formula."""
    return put(sheet, row, column, value, SCORE_FORMAT if isinstance(value, float) else None)


def _header(sheet: Any, title: str, headings: list[str]) -> None:
    title_rows(sheet, title)
    looks = Looks.of(sheet)
    for column, heading in enumerate(headings, start=1):
        looks.apply(_put(sheet, TOP, column, heading), "trend heading", heading_look())


def _finish(sheet: Any, columns: int, *, note_column: bool = False) -> None:
    """Narrow columns under two-line headings (the first as wide as its names, the last wider
    when it holds notes), A4 portrait, the header on every page."""
    names = [row[0] for row in sheet.iter_rows(min_row=TOP + 1, max_col=1, values_only=True)]
    first = max([10, *(text_width(str(name)) + 2 for name in names if name)])
    for column in range(1, columns + 1):
        width = first if column == 1 else 15.0 if note_column and column == columns else 8.5
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[TOP].height = 30  # two lines: "2023年" over "下半年"
    prepare_print(sheet, f"B{TOP + 1}", portrait=True, header_row=TOP)


def _periods(trend: Trend) -> list[str]:
    return [period_heading(p) for p in trend.periods]


def _score_sheet(sheet: Any, trend: Trend) -> None:
    periods = len(trend.periods)
    title = f"{_span(trend)} 各街镇综合得分走势"
    _header(sheet, title, ["街镇", *_periods(trend), "连续靠后\n期数", "说明"])
    looks, flag = Looks.of(sheet), {"fill": fill(FLAG_FILL)}
    rows: dict[str, int] = {}
    for row, unit in enumerate(trend.units, start=TOP + 1):
        rows[unit.unit] = row
        _put(sheet, row, 1, unit.unit)
        for index, score in enumerate(unit.scores):
            cell = _put(sheet, row, 2 + index, score)
            if unit.flagged[index]:
                looks.apply(cell, "flagged", flag)
        _put(sheet, row, 2 + periods, unit.flagged_streak)
        _put(sheet, row, 3 + periods, streak_text(unit.flagged_streak) or None)
    mean_row = len(trend.units) + TOP + 1
    _put(sheet, mean_row, 1, DISTRICT_MEAN)
    for index, mean in enumerate(trend.district_means):
        _put(sheet, mean_row, 2 + index, mean)
    _finish(sheet, periods + 3, note_column=True)
    note_row(sheet, mean_row + 1, "底色标出的为该期排名靠后的街镇。", periods + 3)
    if trend.missing_periods:
        note_row(sheet, mean_row + 2, missing_note(trend), periods + 3)
    flagged_rows = [rows[u.unit] for u in trend.flagged_now]
    values = [v for u in trend.flagged_now for v in u.scores if v is not None]
    values += [m for m in trend.district_means if m is not None]
    title = f"排名靠后街镇与全区平均（{_span(trend)}）"
    chart = _line_chart(sheet, title, [*flagged_rows, mean_row], periods, values)
    chart.series[-1].graphicalProperties.line.dashStyle = "dash"
    chart.series[-1].graphicalProperties.line.solidFill = "000000"
    sheet.add_chart(chart, f"A{mean_row + 4}")


def _rank_sheet(sheet: Any, trend: Trend) -> None:
    periods = len(trend.periods)
    _header(sheet, f"{_span(trend)} 各街镇排名走势", ["街镇", *_periods(trend)])
    for row, unit in enumerate(trend.units, start=TOP + 1):
        _put(sheet, row, 1, unit.unit)
        for index, rank in enumerate(unit.ranks):
            _put(sheet, row, 2 + index, rank)
    _finish(sheet, periods + 1)
    note = "1 为最好；空白表示该期报告中没有这个街镇。"
    note_row(sheet, len(trend.units) + TOP + 2, note, periods + 1)


def _category_sheet(sheet: Any, trend: Trend) -> None:
    periods = len(trend.periods)
    _header(sheet, f"{_span(trend)} 大类全区得分走势", ["大类", *_periods(trend)])
    for row, category in enumerate(trend.categories, start=TOP + 1):
        _put(sheet, row, 1, category.category)
        for index, score in enumerate(category.scores):
            _put(sheet, row, 2 + index, score)
    _finish(sheet, periods + 1)
    below = len(trend.categories) + TOP + 2
    for offset, note in enumerate(mapping_notes(trend)):
        note_row(sheet, below + offset, f"旧口径对应：{note}", periods + 1)
    rows = list(range(TOP + 1, len(trend.categories) + TOP + 1))
    values = [v for c in trend.categories for v in c.scores if v is not None]
    chart = _line_chart(sheet, "大类全区得分走势", rows, periods, values)
    sheet.add_chart(chart, f"A{below + len(mapping_notes(trend)) + 1}")


def _line_chart(sheet: Any, title: str, rows: list[int], periods: int, values: list[float]) -> Any:
    """A line chart with one series per row (name in column A), periods on the x axis."""
    chart = LineChart()
    chart.y_axis.title = "得分"
    chart.x_axis.title = "期次"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    chart.height, chart.width = 9, CHART_WIDTH_CM
    if values:
        chart.y_axis.scaling.min = math.floor(min(values)) - 1
        chart.y_axis.scaling.max = math.ceil(max(values)) + 1
    chart.y_axis.number_format = "0"
    chart.legend.position = "b"  # below the plot: a legend at the side was cut off in print
    for row in rows:
        data = Reference(sheet, min_col=1, max_col=1 + periods, min_row=row)
        series = Series(data, title_from_data=True)
        series.smooth = False  # straight lines between half-years: a curve invents values
        chart.series.append(series)
    chart.set_categories(Reference(sheet, min_col=2, max_col=1 + periods, min_row=TOP))
    chart_fonts(chart, title=title)
    return chart
