"""Tell the half-year a report covers from text: "2023年下半年度…", "2023H2", "2024上半年"."""

from __future__ import annotations

import re

from mytool.text import normalize

_PATTERNS = (
    re.compile(r"(20\d{2})年?度?[(（]?(上|下)半?年"),
    re.compile(r"(20\d{2})年?度?第?([一二12])半年"),
    re.compile(r"(?<![0-9])(20\d{2})[-_. ]?[Hh]([12])(?![0-9])"),
    re.compile(r"(?<![0-9])[Hh]([12])[-_. ]?(20\d{2})(?![0-9])"),
)
_HALF = {"上": "1", "下": "2", "一": "1", "二": "2", "1": "1", "2": "2"}


def find_period(text: object) -> str | None:
    """The period named in `text` as "2023H2", or None."""
    value = normalize(text)
    for index, pattern in enumerate(_PATTERNS):
        match = pattern.search(value)
        if match:
            year, half = match.groups()
            if index == 3:
                half, year = year, half
            return f"{year}H{_HALF[half]}"
    return None


def period_label(period: str) -> str:
    """2023H2 → 2023年下半年, as people write it; anything else as it is."""
    match = re.fullmatch(r"(\d{4})H([12])", period)
    if not match:
        return period
    return f"{match.group(1)}年{'上' if match.group(2) == '1' else '下'}半年"
