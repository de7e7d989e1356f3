"""The rule that a reading the tool is not sure of is never silent, checked in one place.

Readers call these on what they found; each returns issues, never changes the scores:
- a column the header calls a published composite that did not end up read as one is an error
  (a composite is never silently replaced by one computed from the categories);
- a column holding numbers that was set aside without a known reason is reported;
- every unit of the profile that the file does not list is named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mytool.diagnostics import ERROR, WARNING, Issue, IssueCode
from mytool.profile import Profile
from mytool.reading.headers import (
    CATEGORY_SCORE_HEADERS,
    IGNORED_HEADERS,
    ColumnMeaning,
    clean_header,
    measure_of,
    rank_scope,
)
from mytool.reading.transpose import SheetAddress
from mytool.report import CATEGORY, COMPOSITE, CURRENT, PROGRESS
from mytool.text import parse_score

# Measures a column under a 综合满意度 parent may rightly be read as.
_COMPOSITE_PARTS = (COMPOSITE, CURRENT, PROGRESS)


def column_issues(
    grid: list[list[object]],
    labels: list[list[str]],
    meanings: Mapping[int, ColumnMeaning],
    *,
    at: SheetAddress,
    file: str,
    header_bottom: int,
) -> list[Issue]:
    """Columns of a wide table that hold numbers but were not read as what their header says."""
    issues: list[Issue] = []
    composite_read = any(m.role == "score" and m.measure == COMPOSITE for m in meanings.values())
    for col, meaning in meanings.items():
        if not _has_numbers(grid, col, header_bottom):
            continue
        words = [clean_header(label) for label in labels[col] if clean_header(label)]
        place = at.cell(header_bottom, col)
        shown = "/".join(dict.fromkeys(words))
        if _names_composite(words, meaning) and meaning.measure not in _COMPOSITE_PARTS:
            if composite_read:
                issues.append(
                    Issue(
                        IssueCode.COMPOSITE_COLUMN_UNUSED,
                        WARNING,
                        f"列「{shown}」像是综合满意度，但读成了「{_as_read(meaning)}」；"
                        "已按另一列的综合满意度排名，请核对",
                        file,
                        place,
                    )
                )
            else:
                issues.append(
                    Issue(
                        IssueCode.COMPOSITE_NOT_READ,
                        ERROR,
                        f"列「{shown}」是报告公布的综合满意度，但表头读成了「{_as_read(meaning)}」，"
                        "无法使用；不会改用大类分数重新计算。请检查表头（如合并的“街道”“镇”"
                        "分组行），或把该列表头改为“综合满意度”后再试",
                        file,
                        place,
                    )
                )
        elif meaning.role == "ignored" and _unexplained(words):
            issues.append(
                Issue(
                    IssueCode.UNKNOWN_COLUMN,
                    WARNING,
                    f"列「{shown}」有分数，但表头不是测评口径中的大类或小项，未使用",
                    file,
                    place,
                )
            )
    return issues


def missing_units(units_seen: Iterable[str], profile: Profile, file: str) -> list[Issue]:
    """One warning naming every unit of the profile the file does not list at all."""
    seen = set(units_seen)
    missing = [unit for unit in profile.unit_names if unit not in seen]
    if not missing:
        return []
    return [
        Issue(
            IssueCode.UNITS_MISSING,
            WARNING,
            f"报告中没有这 {len(missing)} 个街镇：{'、'.join(missing)}"
            f"（测评口径共 {len(profile.unit_names)} 个街镇）",
            file,
        )
    ]


def _names_composite(words: list[str], meaning: ColumnMeaning) -> bool:
    """True when a header word names the composite (a category's own 得分 under it does not,
    nor a column such as 综合满意度/较上期 whose own header says it is something else)."""
    if not words or words[-1] in IGNORED_HEADERS:
        return False
    return any(
        measure_of(w) == COMPOSITE
        and rank_scope(w) is None
        and not (w in CATEGORY_SCORE_HEADERS and meaning.measure == CATEGORY)
        for w in words
    )


def _unexplained(words: list[str]) -> bool:
    """True when a column was set aside although no header word says why (序号, 排名, 等级 …)."""
    if not words:
        return False
    leaf = words[-1]
    return (
        leaf not in IGNORED_HEADERS
        and rank_scope(leaf) is None
        and measure_of(leaf) not in (CURRENT, PROGRESS)
    )


def _as_read(meaning: ColumnMeaning) -> str:
    if meaning.role == "score":
        return meaning.describe()
    return {"ignored": "不使用的列", "period": "期次", "unknown": "不认识的列"}.get(
        meaning.role, meaning.role
    )


def _has_numbers(grid: list[list[object]], col: int, header_bottom: int) -> bool:
    return any(
        row[col] != "" and parse_score(row[col])[0] is not None for row in grid[header_bottom + 1 :]
    )
