"""Normalising what offices type into cells: full-width forms, stray spaces, "no value" marks."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata

# Cells that mean "this unit has no such item" — never zero.
NO_VALUE_MARKS = frozenset(
    {"", "—", "——", "–", "-", "--", "－", "/", "／", "\\", "无", "暂无", "不适用", "空", "缺", "×"}
)

_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_NUMBERING = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十]+[)）、.]|[(（]?\d{1,2}[)）、]|\d{1,2}\.(?!\d))"
)
_SCORE_SUFFIX = re.compile(r"(?<=[\d.])(?:分|%)$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


_SURROGATES = re.compile("[\ud800-\udfff]")


def displayable(text: str) -> str:
    """`text` safe to print and encode as UTF-8: lone surrogates become "�".

    A file name that is not valid UTF-8 (GBK bytes from another system) arrives on Linux as
    lone surrogates; the name still opens the file, but printing or encoding it fails.
    """
    if not _SURROGATES.search(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        return _SURROGATES.sub("\ufffd", text)
    return raw.decode("utf-8", "replace")


def normalize(value: object) -> str:
    """Text of a cell with full-width forms folded (NFKC) and all whitespace removed."""
    if value is None:
        return ""
    return _normalized(str(value))


@functools.lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    """Reading a score workbook asks for the same few hundred cells thousands of times (each
    header and unit name once per pass that looks for it): remembered, not recomputed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def strip_numbering(text: str) -> str:
    """Drop a leading list number such as "一、", "(3)", "2." from a header."""
    return _NUMBERING.sub("", text, count=1)


def parse_score(value: object) -> tuple[float | None, bool]:
    """Read a score cell: (number or None, understood).

    Numbers stored as text, full-width digits, spaces and a trailing 分 or % are accepted
    ("80.70%" is 80.70 points: offices type the sign after a score out of 100, so the number
    is kept as written, not divided by 100); a no-value mark gives (None, True); anything else
    gives (None, False).
    """
    if value is None:
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        number = float(value)
        return (number, True) if math.isfinite(number) else (None, False)
    text = normalize(value)
    if text in NO_VALUE_MARKS:
        return None, True
    text = _SCORE_SUFFIX.sub("", text, count=1).replace(",", "")
    if _NUMBER.match(text):
        number = float(text)
        return (number, True) if math.isfinite(number) else (None, False)
    return None, False


def display_text(value: object) -> str:
    """A cell as the user would read it, for messages (numbers without a trailing .0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date_text(text: object) -> dt.date | None:
    """A date typed as 2024-04-10, 2024/4/10, 2024.4.10 or 2024年4月10日 (None otherwise)."""
    match = _DATE_TEXT.fullmatch(unicodedata.normalize("NFKC", str(text)).strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
