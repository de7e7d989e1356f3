"""A 权重 row in a score table: the office's own category weights, read and compared.

Offices often put a row of weights under the header ("权重 | | 0.09 | 0.16 …"). When the report
publishes no composite, the composite is computed with these weights instead of the profile's;
either way, weights that differ from the profile's are pointed out, cell by cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from mytool.diagnostics import INFO, WARNING, Issue, IssueCode
from mytool.numbers import to_decimal
from mytool.profile import Profile
from mytool.reading.headers import ColumnMeaning
from mytool.reading.transpose import SheetAddress
from mytool.report import CATEGORY, ITEM
from mytool.text import display_text, normalize, parse_score

_WEIGHT_WORDS = ("权重", "权数", "权值")


@dataclass(frozen=True)
class Weight:
    category: str
    value: float
    place: str  # the cell, e.g. 大类!D3


def is_weight_row(row: list[object], score_columns: Mapping[int, ColumnMeaning]) -> bool:
    """True for a row labelled 权重 (in any column that is not a score column)."""
    return any(
        any(word in normalize(cell) for word in _WEIGHT_WORDS)
        for c, cell in enumerate(row)
        if c not in score_columns and isinstance(cell, str)
    )


def read_weight_row(
    row: list[object],
    r: int,
    score_columns: Mapping[int, ColumnMeaning],
    *,
    at: SheetAddress,
    file: str,
) -> tuple[list[Weight], str, list[Issue]]:
    """Category weights of a 权重 row, the range they fill (大类!C3:M3), and findings.

    A weight under a category column is that category's; under the items of a category without
    its own column, one number (a merged cell) or the same number under each item is the
    category's, while different numbers are item weights, which are not used (and said so).
    """
    found: dict[str, Weight] = {}
    by_items: dict[str, list[tuple[float, str]]] = {}
    used: list[int] = []
    issues: list[Issue] = []
    for c, meaning in score_columns.items():
        value = _weight_value(row[c])
        if value is None:
            continue
        place = at.cell(r, c)
        if meaning.measure == CATEGORY:
            found.setdefault(meaning.category, Weight(meaning.category, value, place))
            used.append(c)
        elif meaning.measure == ITEM:
            by_items.setdefault(meaning.category, []).append((value, place))
            used.append(c)
    for category, values in by_items.items():
        if category in found:
            continue
        if len({v for v, _ in values}) == 1:
            found[category] = Weight(category, values[0][0], values[0][1])
        else:
            issues.append(
                Issue(
                    IssueCode.ITEM_WEIGHTS_UNUSED,
                    WARNING,
                    f"权重行中「{category}」的各小项权重不同，小项权重未使用"
                    "（大类得分按小项平均计算）",
                    file,
                    values[0][1],
                )
            )
    if not used:
        return [], "", issues
    span = at.cell(r, min(used))
    if max(used) != min(used):
        span += ":" + at.cell(r, max(used)).rsplit("!", 1)[-1]
    return list(found.values()), span, issues


def weight_issues(
    weights: list[Weight],
    span: str,
    *,
    categories: set[str],
    composite_published: bool,
    profile: Profile,
    file: str,
) -> list[Issue]:
    """The note that the file's weights are used, and where they differ from the profile's."""
    if not weights:
        return []
    issues = []
    listed = "、".join(f"{w.category} {_number(w.value)}" for w in weights)
    if composite_published:
        issues.append(
            Issue(
                IssueCode.WEIGHTS_IN_FILE,
                INFO,
                f"文件中有权重行（{span}）：{listed}；报告公布了综合满意度，按公布值排名",
                file,
                span,
            )
        )
    else:
        issues.append(
            Issue(
                IssueCode.WEIGHTS_FROM_FILE,
                INFO,
                f"报告没有公布综合满意度，综合得分按文件中的权重（{span}）计算：{listed}",
                file,
                span,
            )
        )
        weighted = {w.category for w in weights}
        unweighted = sorted(categories - weighted)
        if unweighted:
            issues.append(
                Issue(
                    IssueCode.WEIGHTS_INCOMPLETE,
                    WARNING,
                    f"权重行（{span}）中没有这些大类的权重：{'、'.join(unweighted)}；"
                    "计算综合得分时未计入",
                    file,
                    span,
                )
            )
    differing = _differences(weights, profile)
    if differing:
        issues.append(
            Issue(
                IssueCode.WEIGHTS_DIFFER,
                WARNING,
                f"文件中的权重与测评口径不同（按相同大类归一后比较）：{'；'.join(differing)}"
                + ("；计算综合得分用文件中的权重" if not composite_published else ""),
                file,
                span,
            )
        )
    return issues


def _differences(weights: list[Weight], profile: Profile) -> list[str]:
    """The categories whose share of the weight differs between the file and the profile."""
    shared = [w for w in weights if profile.weight(w.category) is not None]
    file_total = sum(to_decimal(w.value) for w in shared)
    profile_total = sum(to_decimal(profile.weight(w.category) or 0.0) for w in shared)
    if not shared or file_total == 0 or profile_total == 0:
        return []
    differing = []
    for w in shared:
        mine = to_decimal(w.value) / file_total
        theirs = to_decimal(profile.weight(w.category) or 0.0) / profile_total
        if abs(mine - theirs) > Decimal("0.0005"):
            differing.append(
                f"{w.category} {w.place} 为 {_number(w.value)}，"
                f"口径为 {_number(profile.weight(w.category) or 0.0)}"
            )
    return differing


def _weight_value(cell: object) -> float | None:
    """A weight: a number, or text such as "16%" or "0.16"."""
    text = display_text(cell).strip()
    if text.endswith(("%", "％")):
        value, _ = parse_score(text[:-1])
        return None if value is None else float(value)
    value, _ = parse_score(cell)
    return None if value is None or value < 0 else float(value)


def _number(value: float) -> str:
    return f"{value:g}"
