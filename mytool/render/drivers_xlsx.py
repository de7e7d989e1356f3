"""The 驱动因素 sheet of `aggregate --drivers -f xlsx`: every scope's importance–satisfaction
table, the method notes, and the quadrant chart to the right of it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from openpyxl.drawing.image import Image

from mytool.analysis.drivers import Driver
from mytool.render.drivers import HEADINGS, method_note, scope_name, split_note
from mytool.render.excel import stream_table
from mytool.render.excel_layout import Column
from mytool.render.wording import period_text

if TYPE_CHECKING:
    from mytool.analysis.aggregation import Aggregation
    from mytool.render.charts import Chart

SHEET_NAME = "驱动因素"
SHEET_WIDTHS = (10, 6, 14, 22, 9, 16, 8, 10, 8, 9, 24)


def add_drivers_sheet(book: Any, result: Aggregation, chart: Chart | None = None) -> None:
    """A 驱动因素 sheet on `book`: the method notes, every scope's table, the chart to the right
    of it; laid out and printed as the workbook's other tables."""
    if not result.drivers:
        return
    period = period_text(result.period) or "期次未知"
    headings = ["范围", *HEADINGS, "象限分界（重要性 / 满意度）"]
    formats = {"重要性 r": "0.000", "满意度": "0.00"}
    columns = [
        Column(heading, width, formats.get(heading), wrap=heading == "小项")
        for heading, width in zip(headings, SHEET_WIDTHS, strict=True)
    ]
    sheet = stream_table(
        book,
        SHEET_NAME,
        f"{period} 驱动因素（重要性–满意度）",
        columns,
        _sheet_rows(result),
        notes=[method_note(result.drivers[0]), split_note(result.drivers[0])],
    )
    if chart is not None:
        _add_picture(sheet, chart.png)


def _sheet_rows(result: Aggregation) -> Iterator[list[object]]:
    for scope in result.drivers:
        split = f"{scope.importance_split} / {scope.satisfaction_split}"
        for number, d in enumerate(scope.drivers, start=1):
            yield [
                scope_name(scope),
                number,
                d.category,
                d.item,
                d.importance,
                _ci_text(d),
                d.satisfaction,
                d.quadrant,
                d.n,
                "样本不足" if d.low_sample else None,
                split if number == 1 else None,
            ]


def _ci_text(driver: Driver) -> str | None:
    ci = driver.ci95
    return f"{ci[0]:.3f}～{ci[1]:.3f}" if ci else None


def _add_picture(sheet: Any, png: bytes) -> None:
    picture = Image(io.BytesIO(png))
    scale = 640 / picture.width  # 300 dpi PNG shown about 17 cm wide
    picture.width, picture.height = 640, int(picture.height * scale)
    sheet.add_image(picture, "M2")  # right of the table
