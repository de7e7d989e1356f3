"""`ledger status` output: JSON (a contract), terminal tables, the Markdown 通报, a workbook."""

from __future__ import annotations

from typing import Any

from mytool.analysis.ledger.columns import STATUSES
from mytool.analysis.ledger.status import GroupCount, LedgerStatus, StatusItem
from mytool.reading.period import period_label

NOTICE_TEMPLATE = "ledger_notice.md.j2"


def status_dict(status: LedgerStatus) -> dict[str, Any]:
    """The JSON document; keys are stable (see README, 机器可读输出)."""
    return {
        "as_of": status.as_of.isoformat(),
        "total": status.total,
        "by_status": status.by_status,
        "overdue": [_item(i, "days_overdue") for i in status.overdue],
        "due_soon": [_item(i, "days_left") for i in status.due_soon],
        "source": status.source,
        "period": status.period or None,
        "due_within": status.due_within,
        "closed_percent": status.closed_percent,
        "by_department": {g.name: _group(g) for g in status.by_department},
        "by_unit": {g.name: _group(g) for g in status.by_unit},
        "closed_without_review": [
            {"id": i.id, "unit": i.unit, "department": i.department, "closed_date": i.closed_date}
            for i in status.closed_unreviewed
        ],
        "warnings": [issue.located() for issue in status.issues],
        "issues": [issue.as_dict() for issue in status.issues],
    }


def _item(item: StatusItem, days_key: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "unit": item.unit,
        "department": item.department,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "status": item.status,
        "category": item.category,
        "item": item.item,
        "location": item.location,
        "description": item.description,
        days_key: item.days,
    }


def _group(group: GroupCount) -> dict[str, Any]:
    return {
        "total": group.total,
        "by_status": group.by_status,
        "overdue": group.overdue,
        "closed_percent": group.closed_percent,
    }


def notice_markdown(status: LedgerStatus) -> str:
    """The ready-to-circulate 通报, from the bundled template."""
    from mytool.render.templating import make_environment, render

    return render(
        make_environment(),
        NOTICE_TEMPLATE,
        status=status,
        statuses=STATUSES,
        period_label=period_label(status.period) if status.period else "",
    )


def print_status(status: LedgerStatus, console: Any) -> None:
    from rich.table import Table

    from mytool.render.wide import print_whole

    console.print(_summary(status), markup=False)
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


def _summary(status: LedgerStatus) -> str:
    counts = "，".join(f"{s} {n} 个" for s, n in status.by_status.items())
    return (
        f"{status.period or ''} 整改台账（{status.source}），截至 {status.as_of.isoformat()}："
        f"共 {status.total} 个点位，{counts}；销号率 {status.closed_percent:g}%；"
        f"逾期 {len(status.overdue)} 个，{status.due_within} 天内到期 {len(status.due_soon)} 个，"
        f"已销号未填复查结论 {len(status.closed_unreviewed)} 个。"
    )


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


def status_workbook(status: LedgerStatus) -> bytes:
    """汇总, 牵头部门, 街镇, 逾期, 即将到期, 未复查 — one table each."""
    from mytool.render.excel import (
        fit_columns,
        font,
        new_workbook,
        prepare_print,
        put,
        workbook_bytes,
        write_table,
    )

    book = new_workbook()
    summary = book.active
    summary.title = "汇总"
    put(summary, 1, 1, _summary(status)).font = font(bold=True)
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
