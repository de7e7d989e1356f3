"""`ledger status`: where rectification stands on a given day — counts, overdue, due soon."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from mytool.analysis.ledger.columns import (
    CATEGORY,
    CLOSED,
    CLOSED_DATE,
    DEPARTMENT,
    DESCRIPTION,
    ID,
    ITEM,
    LOCATION,
    PROGRESS,
    REVIEW,
    STATUS,
    STATUSES,
    UNIT,
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


class _Point(NamedTuple):
    """What the counts need of one entry, read from its values once.

    `Entry`'s properties read its values on every access, and the counts ask each entry a dozen
    times; a 5,000-row ledger spent more time there than in reading the file.
    """

    entry: Entry
    id: str
    unit: str
    department: str
    status: str  # as reported: NO_STATUS when empty
    deadline: dt.date | None
    closed: bool
    overdue: bool
    reviewed: bool


def _point(entry: Entry, as_of: dt.date) -> _Point:
    """Overdue: the deadline has passed (the deadline day itself still counts), not closed."""
    text = entry.text
    status = text(STATUS)
    closed = status == CLOSED
    deadline = entry.deadline
    return _Point(
        entry,
        text(ID),
        text(UNIT),
        text(DEPARTMENT),
        status or NO_STATUS,
        deadline,
        closed,
        deadline is not None and deadline < as_of and not closed,
        bool(text(REVIEW)),
    )


def status_item(entry: Entry, as_of: dt.date) -> StatusItem:
    return _status_item(_point(entry, as_of), as_of)


def _status_item(point: _Point, as_of: dt.date) -> StatusItem:
    deadline, text = point.deadline, point.entry.text
    days = None
    if deadline is not None:
        days = (as_of - deadline).days if point.overdue else (deadline - as_of).days
    return StatusItem(
        id=point.id,
        unit=point.unit,
        department=point.department,
        category=text(CATEGORY),
        item=text(ITEM),
        location=text(LOCATION),
        description=text(DESCRIPTION),
        deadline=deadline,
        status=point.status,
        progress=text(PROGRESS),
        closed_date=text(CLOSED_DATE),
        overdue=point.overdue,
        days=days,
    )


def ledger_status(
    ledger: Ledger, as_of: dt.date, due_within: int = DEFAULT_DUE_WITHIN
) -> LedgerStatus:
    """Counts by status, unit and department; overdue, due within `due_within` days, unreviewed."""
    points = [_point(entry, as_of) for entry in ledger.entries]
    soon = as_of + dt.timedelta(days=due_within)
    by_deadline = sorted(points, key=lambda p: (p.deadline or dt.date.max, p.id))
    return LedgerStatus(
        source=ledger.source,
        period=ledger.period,
        as_of=as_of,
        due_within=due_within,
        total=len(points),
        closed_percent=_percent(sum(1 for p in points if p.closed), len(points)),
        by_status=_count_statuses(points),
        by_unit=_groups(points, attrgetter("unit")),
        by_department=_groups(points, attrgetter("department")),
        overdue=tuple(_status_item(p, as_of) for p in by_deadline if p.overdue),
        due_soon=tuple(
            _status_item(p, as_of)
            for p in by_deadline
            if not p.closed and p.deadline is not None and as_of <= p.deadline <= soon
        ),
        closed_unreviewed=tuple(
            _status_item(p, as_of) for p in points if p.closed and not p.reviewed
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


def _count_statuses(points: list[_Point]) -> dict[str, int]:
    """Every status of the list (zero included), then anything else that was typed."""
    counts = Counter(p.status for p in points)
    others = sorted(s for s in counts if s not in STATUSES)
    return {s: counts.get(s, 0) for s in (*STATUSES, *others)}


def _groups(points: list[_Point], key: Callable[[_Point], str]) -> tuple[GroupCount, ...]:
    groups: dict[str, list[_Point]] = defaultdict(list)
    for point in points:
        groups[key(point) or "未指定"].append(point)
    counts = []
    for name, members in groups.items():
        closed = sum(1 for p in members if p.closed)
        counts.append(
            GroupCount(
                name=name,
                total=len(members),
                by_status=_count_statuses(members),
                overdue=sum(1 for p in members if p.overdue),
                closed_percent=_percent(closed, len(members)),
            )
        )
    return tuple(sorted(counts, key=lambda g: (-g.overdue, g.closed_percent, g.name)))


def _percent(part: int, whole: int) -> float:
    return round2(Decimal(100 * part) / whole) if whole else 0.0
