"""`ledger status`: where rectification stands on a given day — counts, overdue, due soon."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from mytool.analysis.ledger.columns import (
    CATEGORY,
    CLOSED_DATE,
    DESCRIPTION,
    ITEM,
    LOCATION,
    PROGRESS,
    STATUSES,
)
from mytool.analysis.ledger.model import Entry, Ledger
from mytool.diagnostics import Issue
from mytool.numbers import round2

NO_STATUS = "未填写"
DEFAULT_DUE_WITHIN = 14


@dataclass(frozen=True)
class StatusItem:
    """One problem point as a status report lists it; `days` is overdue days or days left."""

    id: str
    unit: str
    department: str
    category: str
    item: str
    location: str
    description: str
    deadline: dt.date | None
    status: str
    progress: str
    closed_date: str
    overdue: bool
    days: int | None


@dataclass(frozen=True)
class GroupCount:
    """Counts for one unit or lead department."""

    name: str
    total: int
    by_status: dict[str, int]
    overdue: int
    closed_percent: float


@dataclass(frozen=True)
class LedgerStatus:
    source: str
    period: str
    as_of: dt.date
    due_within: int
    total: int
    closed_percent: float
    by_status: dict[str, int]
    by_unit: tuple[GroupCount, ...]
    by_department: tuple[GroupCount, ...]
    overdue: tuple[StatusItem, ...]
    due_soon: tuple[StatusItem, ...]
    closed_unreviewed: tuple[StatusItem, ...]
    issues: tuple[Issue, ...]


def status_of(entry: Entry) -> str:
    return entry.status or NO_STATUS


def is_overdue(entry: Entry, as_of: dt.date) -> bool:
    """The deadline has passed (the deadline day itself still counts) and it is not closed."""
    return entry.deadline is not None and entry.deadline < as_of and not entry.is_closed


def status_item(entry: Entry, as_of: dt.date) -> StatusItem:
    overdue = is_overdue(entry, as_of)
    days = None
    if entry.deadline is not None:
        days = (as_of - entry.deadline).days if overdue else (entry.deadline - as_of).days
    return StatusItem(
        id=entry.id,
        unit=entry.unit,
        department=entry.department,
        category=entry.text(CATEGORY),
        item=entry.text(ITEM),
        location=entry.text(LOCATION),
        description=entry.text(DESCRIPTION),
        deadline=entry.deadline,
        status=status_of(entry),
        progress=entry.text(PROGRESS),
        closed_date=entry.text(CLOSED_DATE),
        overdue=overdue,
        days=days,
    )


def ledger_status(
    ledger: Ledger, as_of: dt.date, due_within: int = DEFAULT_DUE_WITHIN
) -> LedgerStatus:
    """Counts by status, unit and department; overdue, due within `due_within` days, unreviewed."""
    entries = ledger.entries
    soon = as_of + dt.timedelta(days=due_within)
    by_deadline = sorted(entries, key=lambda e: (e.deadline or dt.date.max, e.id))
    return LedgerStatus(
        source=ledger.source,
        period=ledger.period,
        as_of=as_of,
        due_within=due_within,
        total=len(entries),
        closed_percent=_percent(sum(1 for e in entries if e.is_closed), len(entries)),
        by_status=_count_statuses(entries),
        by_unit=_groups(entries, lambda e: e.unit, as_of),
        by_department=_groups(entries, lambda e: e.department, as_of),
        overdue=tuple(status_item(e, as_of) for e in by_deadline if is_overdue(e, as_of)),
        due_soon=tuple(
            status_item(e, as_of)
            for e in by_deadline
            if not e.is_closed and e.deadline is not None and as_of <= e.deadline <= soon
        ),
        closed_unreviewed=tuple(
            status_item(e, as_of) for e in entries if e.is_closed and not e.reviewed
        ),
        issues=ledger.issues,
    )


def open_items(ledger: Ledger, as_of: dt.date) -> dict[str, tuple[StatusItem, ...]]:
    """Each unit's items not yet closed, in ID order (for the briefs)."""
    found: dict[str, list[StatusItem]] = defaultdict(list)
    for entry in sorted(ledger.entries, key=lambda e: e.id):
        if not entry.is_closed:
            found[entry.unit].append(status_item(entry, as_of))
    return {unit: tuple(items) for unit, items in found.items()}


def _count_statuses(entries: tuple[Entry, ...] | list[Entry]) -> dict[str, int]:
    """Every status of the list (zero included), then anything else that was typed."""
    counts = Counter(status_of(e) for e in entries)
    others = sorted(s for s in counts if s not in STATUSES)
    return {s: counts.get(s, 0) for s in (*STATUSES, *others)}


def _groups(
    entries: tuple[Entry, ...], key: Callable[[Entry], str], as_of: dt.date
) -> tuple[GroupCount, ...]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[key(entry) or "未指定"].append(entry)
    counts = []
    for name, members in groups.items():
        closed = sum(1 for e in members if e.is_closed)
        counts.append(
            GroupCount(
                name=name,
                total=len(members),
                by_status=_count_statuses(members),
                overdue=sum(1 for e in members if is_overdue(e, as_of)),
                closed_percent=_percent(closed, len(members)),
            )
        )
    return tuple(sorted(counts, key=lambda g: (-g.overdue, g.closed_percent, g.name)))


def _percent(part: int, whole: int) -> float:
    return round2(Decimal(100 * part) / whole) if whole else 0.0
