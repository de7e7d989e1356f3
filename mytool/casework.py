"""Problem points (点位问题) and citizen feedback cases (市民反映建议案例) a brief must act on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemPoint:
    """One problem the pollster observed; `category`/`item` are profile names where matched."""

    unit: str
    category: str
    item: str
    location: str
    description: str
    date: dt.date | None = None
    place: str = ""  # where it was read, e.g. 点位问题!B7


@dataclass(frozen=True)
class FeedbackCase:
    """One citizen's report or suggestion, to be verified on site."""

    unit: str
    category: str
    text: str
    place: str = ""
