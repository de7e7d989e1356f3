"""`mytool plan` on the terminal: the summary lines, the change table, the notes."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from mytool.analysis.planning import SET, Plan
from mytool.render.plan import CHANGE_HEADERS, change_cells, change_rows, summary_lines


def print_plan(plan: Plan, console: Any) -> None:
    for line in summary_lines(plan):
        console.print(line, markup=False)
    if plan.changes:
        table = Table(header_style="bold")
        for heading in CHANGE_HEADERS[:-1]:
            table.add_column(
                heading,
                justify="right" if heading in ("现状", "目标", "提高") else "left",
                overflow="fold",
            )
        rows = change_rows(plan)
        for row in rows:
            table.add_row(*change_cells(row)[:-1])
        console.print(table)
        for row in rows:
            console.print(f"{row[0]} 最落后的小项：{row[-1]}", markup=False)
    elif plan.target.kind != SET:
        console.print("已达到目标，不需要提高。", markup=False)
    for note in plan.notes:
        console.print(f"注：{note}", markup=False)
