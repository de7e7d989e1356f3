"""Scores on another scale than the profile's 0–100 are rescaled with a note, or refused.

An office that formats its composite as 0.00% stores 0.7853 and sees 78.53%. Read as it is,
every unit would be graded 较差 and flagged. So:

- a cell formatted as a percentage (xlsx/xls, found by the pre-scan) is read as the office
  sees it, ×100, with an informational note;
- a score series (one column, or one row of a transposed table) whose values all lie in 0–1
  without such a format (CSV, .ods) is rescaled ×100 with a warning naming the series and cells;
- a value in 0–1 among scores above 1 in the same series is an error (which one is right?);
- a series whose scores all lie between 1 and 10 is on a scale the profile does not know
  (5- or 10-point): an error, never ranked as it is.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from mytool.diagnostics import ERROR, INFO, WARNING, Issue, IssueCode
from mytool.numbers import to_decimal
from mytool.report import CATEGORY, CITY_RANK, COMPOSITE, CURRENT, ITEM, PROGRESS, Score

if TYPE_CHECKING:
    from mytool.reading.tables import SheetResult

SMALL_SCALE_MAX = 10.0
_NAMES = {COMPOSITE: "综合满意度", CURRENT: "现状感知评价", PROGRESS: "进步感知评价"}


def as_percent(value: float) -> float:
    """A fraction as the percentage an office sees (0.7853 → 78.53), exactly in decimal."""
    return float(to_decimal(value) * Decimal(100))


def series_name(score: Score) -> str:
    if score.measure == ITEM:
        return f"{score.category}/{score.item}"
    if score.measure == CATEGORY:
        return score.category
    return _NAMES.get(score.measure, score.measure)


def rescale_fractions(result: SheetResult, file: str) -> list[Issue]:
    """Apply the rules above to the scores of one sheet; return the notes and errors."""
    issues: list[Issue] = []
    if result.percent_read:
        first = result.percent_read[0]
        issues.append(
            Issue(
                IssueCode.PERCENT_FORMAT,
                INFO,
                f"{len(result.percent_read)} 个分数单元格设置为百分比格式"
                f"（如 {first.place} 显示为 {first.value:.2f}%），已按显示的分数读取",
                file,
                first.place,
            )
        )
    from_percent = {score.place for score in result.percent_read}
    series: dict[tuple[str, str, str], list[int]] = {}
    for index, score in enumerate(result.scores):
        if score.measure != CITY_RANK and score.place not in from_percent:
            key = (score.measure, score.category, score.item)
            series.setdefault(key, []).append(index)
    rescaled: list[tuple[Score, Score]] = []
    for indices in series.values():
        values = [result.scores[i].value for i in indices]
        fractions = [i for i in indices if 0 < result.scores[i].value <= 1]
        if fractions and max(values) <= 1:
            for i in indices:
                before = result.scores[i]
                result.scores[i] = replace(before, value=as_percent(before.value))
                rescaled.append((before, result.scores[i]))
        elif fractions:
            issues += [_mixed(result.scores[i], values, file) for i in fractions]
        elif 1 < max(values) <= SMALL_SCALE_MAX:
            issues.append(_small_scale(result.scores[indices[0]], max(values), file))
    if rescaled:
        names = list(dict.fromkeys(series_name(before) for before, _ in rescaled))
        shown = "、".join(f"「{name}」" for name in names[:5])
        more = f"等 {len(names)} 项" if len(names) > 5 else ""
        before, after = rescaled[0]
        issues.append(
            Issue(
                IssueCode.FRACTION_RESCALED,
                WARNING,
                f"{shown}{more}的分数都在 0–1 之间（如 {before.place} 为 {before.value:g}），"
                f"不是百分制；已按百分比乘以 100 读取（{before.value:g} → {after.value:.2f}）。"
                "如果原表不是这个意思，请改成百分制分数后再试",
                file,
                before.place,
                before.unit,
            )
        )
    return issues


def _mixed(score: Score, values: list[float], file: str) -> Issue:
    return Issue(
        IssueCode.SCORE_SCALE_MIXED,
        ERROR,
        f"「{series_name(score)}」的分数 {score.value:g} 在 0–1 之间，而同一列的其他分数大于 1"
        f"（最高 {max(values):g}），像是漏设百分比格式的小数；请核对后改成百分制分数",
        file,
        score.place,
        score.unit,
    )


def _small_scale(score: Score, highest: float, file: str) -> Issue:
    return Issue(
        IssueCode.SCORE_SCALE_UNKNOWN,
        ERROR,
        f"「{series_name(score)}」的分数都不超过 {SMALL_SCALE_MAX:g}（最高 {highest:g}），"
        "不是测评口径的百分制（0–100），无法排名；请换算成百分制分数后再试",
        file,
        score.place,
        score.unit,
    )
