"""The wording filters of the brief templates (signed changes, ranks, Chinese dates), without
Jinja2: the workbook and Word briefs write the same wording directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mytool.render.labels import rank_text


def signed(value: float | int | None, digits: int = 2) -> str:
    """A change with its sign: +1.20, −0.35, 0.00 ("—" when unknown)."""
    if value is None:
        return "—"
    text = f"{abs(value):.{digits}f}" if digits else str(abs(value))
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def ranked(result: Any) -> str:
    """The rank of a unit or category result, marked 并列 when shared."""
    return rank_text(result.rank, result.tied)


def chinese_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "规定时限"
