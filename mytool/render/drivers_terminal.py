"""`aggregate --drivers` on the terminal: the district's importance–satisfaction table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from mytool.analysis.drivers import PRIORITY
from mytool.render.drivers import (
    CHART_SUFFIX,
    HEADINGS,
    driver_cells,
    method_note,
    scope_title,
    split_note,
)
from mytool.render.wide import print_whole

if TYPE_CHECKING:
    from rich.console import Console

    from mytool.analysis.aggregation import Aggregation


def print_drivers(result: Aggregation, console: Console) -> None:
    """The district's importance–satisfaction table; the units' are in json, md and xlsx."""
    if not result.drivers:
        return
    district = result.drivers[0]
    view = Table(title=scope_title(district), title_justify="left", header_style="bold")
    for heading in HEADINGS:
        justify = "left" if heading in ("大类", "小项", "象限", "提示") else "right"
        view.add_column(heading, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for number, driver in enumerate(district.drivers, start=1):
        style = "bold red" if driver.quadrant == PRIORITY else None
        view.add_row(*driver_cells(number, driver), style=style)
    print_whole(view, console)
    for line in (method_note(district), split_note(district)):
        console.print(line, markup=False, soft_wrap=True)
    console.print(
        "各街镇的驱动因素见 -f json/md/xlsx；给出 -o 时，象限图另存为 "
        f"<文件名>{CHART_SUFFIX}.png 和 .svg。",
        markup=False,
        soft_wrap=True,
    )
