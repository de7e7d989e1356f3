"""`mytool compare` on the terminal: the units' changes, the summary, the categories' changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from mytool.analysis.comparison import Comparison
from mytool.render.compare import (
    CATEGORY_HEADINGS,
    TEST_HEADING,
    TESTED_NOTE,
    UNIT_HEADINGS,
    UNTESTED_NOTE,
    category_cells,
    comparison_title,
    summary_lines,
    table_headings,
    unit_cells,
    unmatched_line,
)
from mytool.render.wide import print_whole

if TYPE_CHECKING:
    from rich.console import Console


def print_comparison(comparison: Comparison, console: Console) -> None:
    tested = comparison.tested
    risers = {u.unit for u in comparison.risers}
    fallers = {u.unit for u in comparison.fallers}
    sources = f"{comparison.previous.source} → {comparison.current.source}"
    title = f"{comparison_title(comparison)}（{sources}）"
    units = Table(title=title, title_justify="left", header_style="bold")
    for heading in table_headings(UNIT_HEADINGS, tested):
        left = heading in ("街镇", "等级", "排名靠后", TEST_HEADING)
        units.add_column(heading, justify="left" if left else "right", overflow="fold")
    for unit in comparison.units:
        style = "green" if unit.unit in risers else "red" if unit.unit in fallers else None
        units.add_row(*unit_cells(unit, tested=tested), style="bold " + style if style else None)
    print_whole(units, console)
    for line in summary_lines(comparison):
        console.print(line, markup=False, soft_wrap=True)
    print_whole(_category_table(comparison), console)
    if comparison.unmatched_previous or comparison.unmatched_current:
        console.print(unmatched_line(comparison), markup=False, soft_wrap=True)
    console.print(TESTED_NOTE if tested else UNTESTED_NOTE, markup=False, soft_wrap=True)


def _category_table(comparison: Comparison) -> Table:
    """Categories, the largest rise in green and the largest fall in red."""
    categories = Table(title="大类变化（全区平均）", title_justify="left", header_style="bold")
    for heading in table_headings(CATEGORY_HEADINGS, comparison.tested):
        left = heading in ("大类", "对应关系", TEST_HEADING)
        categories.add_column(heading, justify="left" if left else "right", overflow="fold")
    changes = [c.score_change for c in comparison.categories if c.score_change is not None]
    top, bottom = (max(changes), min(changes)) if changes else (None, None)
    for category in comparison.categories:
        change = category.score_change
        style = None
        if change is not None and change == top and change > 0:
            style = "bold green"
        elif change is not None and change == bottom and change < 0:
            style = "bold red"
        categories.add_row(*category_cells(category, tested=comparison.tested), style=style)
    return categories
