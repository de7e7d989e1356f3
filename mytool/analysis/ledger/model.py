"""A ledger in memory: one `Entry` per problem point, keyed by its ID."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from mytool.analysis.ledger.columns import (
    CLOSED,
    DEADLINE,
    DEPARTMENT,
    ID,
    PERIOD,
    REVIEW,
    STATUS,
    UNIT,
    Value,
)
from mytool.diagnostics import Issue


@dataclass(frozen=True)
class Entry:
    """One ledger row: column → value; `row` is its Excel row when read from a file."""

    values: Mapping[str, Value]
    row: int = 0

    def text(self, column: str) -> str:
        value = self.values.get(column)
        if value.__class__ is str:  # most values (the rest: a date or None)
            return value
        if isinstance(value, dt.date):
            return value.isoformat()
        return value or ""

    @property
    def id(self) -> str:
        return self.text(ID)

    @property
    def period(self) -> str:
        return self.text(PERIOD)

    @property
    def unit(self) -> str:
        return self.text(UNIT)

    @property
    def department(self) -> str:
        return self.text(DEPARTMENT)

    @property
    def status(self) -> str:
        return self.text(STATUS)

    @property
    def deadline(self) -> dt.date | None:
        value = self.values.get(DEADLINE)
        return value if isinstance(value, dt.date) else None

    @property
    def is_closed(self) -> bool:
        return self.status == CLOSED

    @property
    def reviewed(self) -> bool:
        return bool(self.text(REVIEW))


@dataclass(frozen=True)
class Ledger:
    """The rows of a ledger file, with what was odd about it (invalid cells, columns)."""

    source: str
    entries: tuple[Entry, ...]
    issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def period(self) -> str:
        periods = sorted({e.period for e in self.entries if e.period})
        return "、".join(periods)
