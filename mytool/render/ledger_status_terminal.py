"""`ledger status` on the terminal: the summary line, then a table per department and unit and
the lists of overdue, due-soon and unreviewed points."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from mytool.analysis.ledger.columns import STATUSES
from mytool.analysis.ledger.status import GroupCount, LedgerStatus, StatusItem
from mytool.render.ledger_status import status_summary
from mytool.render.wide import print_whole


def print_status(status: LedgerStatus, console: Any) -> None:
    console.print(status_summary(status), markup=False)
    for title, groups in (("牵头部门", status.by_department), ("街镇", status.by_unit)):
        table = Table(title=f"按{title}", title_justify="left", header_style="bold")
        for heading in (title, "点位数", *STATUSES, "逾期", "销号率"):
            table.add_column(
                heading, justify="left" if heading == title else "right", overflow="fold"
            )
        for group in groups:
            table.add_row(*_group_cells(group))
        print_whole(table, console)
    for title, items, days in (
        ("逾期未销号", status.overdue, "逾期天数"),
        (f"{status.due_within}天内到期", status.due_soon, "剩余天数"),
        ("已销号未填复查结论", status.closed_unreviewed, ""),
    ):
        if not items:
            continue
        table = Table(title=title, title_justify="left", header_style="bold")
        headings = ["编号", "街镇", "牵头部门", "点位地址", "完成时限", "状态", days]
        for heading in headings if days else headings[:-1]:
            table.add_column(heading, overflow="fold")
        for item in items:
            cells = _item_cells(item)
            table.add_row(*(cells if days else cells[:-1]))
        print_whole(table, console)


def _group_cells(group: GroupCount) -> list[str]:
    return [
        group.name,
        str(group.total),
        *(str(group.by_status.get(s, 0)) for s in STATUSES),
        str(group.overdue),
        f"{group.closed_percent:g}%",
    ]


def _item_cells(item: StatusItem) -> list[str]:
    return [
        item.id,
        item.unit,
        item.department,
        item.location,
        item.deadline.isoformat() if item.deadline else "—",
        item.status,
        "" if item.days is None else str(item.days),
    ]
