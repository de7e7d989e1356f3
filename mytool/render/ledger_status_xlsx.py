"""`ledger status -f xlsx`: 汇总, 牵头部门, 街镇, 逾期, 即将到期, 未复查 — one table each."""

from __future__ import annotations

from mytool.analysis.ledger.columns import STATUSES
from mytool.analysis.ledger.status import GroupCount, LedgerStatus, StatusItem
from mytool.render.excel import (
    fit_columns,
    font,
    new_workbook,
    prepare_print,
    put,
    workbook_bytes,
    write_table,
)
from mytool.render.ledger_status import status_summary


def status_workbook(status: LedgerStatus) -> bytes:
    """汇总, 牵头部门, 街镇, 逾期, 即将到期, 未复查 — one table each."""
    book = new_workbook()
    summary = book.active
    summary.title = "汇总"
    put(summary, 1, 1, status_summary(status)).font = font(bold=True)
    write_table(summary, 3, ["状态", "点位数"], list(status.by_status.items()))
    sheets: list[tuple[str, list[str], list[list[object]]]] = []
    for title, groups in (("牵头部门", status.by_department), ("街镇", status.by_unit)):
        sheets.append(
            (
                title,
                [title, "点位数", *STATUSES, "逾期", "销号率（%）"],
                [_group_row(g) for g in groups],
            )
        )
    headings = ["编号", "街镇", "牵头部门", "大类", "小项", "点位地址", "问题描述", "完成时限"]
    for title, items, days in (
        ("逾期", status.overdue, "逾期天数"),
        ("即将到期", status.due_soon, "剩余天数"),
        ("未复查", status.closed_unreviewed, "销号日期"),
    ):
        sheets.append((title, [*headings, "状态", days], [_item_row(i, days) for i in items]))
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        write_table(sheet, 1, header, rows)
        fit_columns(sheet, maximum=40)
        prepare_print(sheet, freeze="A2", header_row=1)
    fit_columns(summary, first_row=3)
    return workbook_bytes(book)


def _group_row(group: GroupCount) -> list[object]:
    counts = [group.by_status.get(s, 0) for s in STATUSES]
    return [group.name, group.total, *counts, group.overdue, group.closed_percent]


def _item_row(item: StatusItem, days: str) -> list[object]:
    last: object = item.closed_date if days == "销号日期" else item.days
    return [
        item.id,
        item.unit,
        item.department,
        item.category,
        item.item,
        item.location,
        item.description,
        item.deadline.isoformat() if item.deadline else "",
        item.status,
        last,
    ]
