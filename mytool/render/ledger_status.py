"""`ledger status` as JSON (a contract), and the summary line every view of it starts with.

The other views import what they draw with: the 通报 `mytool.render.ledger_status_md` (Jinja2),
the terminal tables `mytool.render.ledger_status_terminal` (rich), the workbook
`mytool.render.ledger_status_xlsx` (openpyxl); the JSON loads none of them."""

from __future__ import annotations

from typing import Any

from mytool.analysis.ledger.status import GroupCount, LedgerStatus, StatusItem


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


def status_summary(status: LedgerStatus) -> str:
    counts = "，".join(f"{s} {n} 个" for s, n in status.by_status.items())
    return (
        f"{status.period or ''} 整改台账（{status.source}），截至 {status.as_of.isoformat()}："
        f"共 {status.total} 个点位，{counts}；销号率 {status.closed_percent:g}%；"
        f"逾期 {len(status.overdue)} 个，{status.due_within} 天内到期 {len(status.due_soon)} 个，"
        f"已销号未填复查结论 {len(status.closed_unreviewed)} 个。"
    )
