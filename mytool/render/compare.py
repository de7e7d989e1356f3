"""`mytool compare` as JSON and CSV (a contract) and Markdown, and the wording every view shares
(the terminal view is `mytool.render.compare_terminal`, the workbook `mytool.render.table_xlsx`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from mytool.analysis.comparison import (
    LEVEL,
    METHOD,
    CategoryChange,
    ChangeTest,
    Comparison,
    Side,
    UnitChange,
)
from mytool.diagnostics import ERROR, WARNING
from mytool.render.labels import score_text
from mytool.render.machine import csv_text
from mytool.render.markdown import md_text, table
from mytool.render.wording import period_text

UNIT_KEYS = (
    "unit",
    "score",
    "previous_score",
    "score_change",
    "rank",
    "previous_rank",
    "rank_change",
    "grade",
    "previous_grade",
    "flagged",
    "previously_flagged",
)
TEST_KEYS = ("significant", "p_value")  # CSV columns after UNIT_KEYS (empty when untested)
UNTESTED_NOTE = "变化是否超出抽样误差无法判断：两期不都是逐份答卷导出，得分表不含抽样误差的信息。"
TESTED_NOTE = (
    "显著性：两期都是逐份答卷导出，按 Welch 检验（大样本正态近似，标准误按答卷线性化）"
    "判断得分变化是否超出抽样误差，p < 0.05 为显著（95% 置信水平）；"
    "“误差范围内”：变化在抽样误差范围内。"
)


# Machine output -------------------------------------------------------------------------------


def comparison_to_dict(comparison: Comparison) -> dict:
    """The documented JSON shape of `mytool compare` (more keys may be added, none renamed)."""
    return {
        "previous": _side(comparison.previous),
        "current": _side(comparison.current),
        "units": [_unit_dict(u) for u in comparison.units],
        "categories": [_category_dict(c) for c in comparison.categories],
        "unmatched_categories": {
            "previous": list(comparison.unmatched_previous),
            "current": list(comparison.unmatched_current),
        },
        "significance": _significance(comparison),
        "entered_flagged": [u.unit for u in comparison.entered_flagged],
        "left_flagged": [u.unit for u in comparison.left_flagged],
        "warnings": [i.located() for i in comparison.issues if i.severity in (WARNING, ERROR)],
        "issues": [issue.as_dict() for issue in comparison.issues],
    }


def _side(side: Side) -> dict:
    return {"period": side.period, "source": side.source}


def _significance(comparison: Comparison) -> dict:
    return {
        "tested": comparison.tested,
        "method": METHOD if comparison.tested else None,
        "level": LEVEL,
        "note": TESTED_NOTE if comparison.tested else UNTESTED_NOTE,
    }


def _unit_dict(unit: UnitChange) -> dict:
    return {key: getattr(unit, key) for key in UNIT_KEYS} | _test_dict(unit.test)


def _test_dict(test: ChangeTest | None) -> dict:
    """`significant` and `change_test` (both None when the change was not tested)."""
    if test is None:
        return {"significant": None, "change_test": None}
    return {
        "significant": test.significant,
        "change_test": {
            "method": METHOD,
            "standard_error": test.standard_error,
            "z": test.z,
            "p_value": test.p_value,
            "ci95": list(test.ci95),
        },
    }


def _category_dict(category: CategoryChange) -> dict:
    return {
        "category": category.category,
        "score": category.score,
        "previous_score": category.previous_score,
        "score_change": category.score_change,
        "rank": category.rank,
        "previous_rank": category.previous_rank,
        "mapped_from": (
            {
                "previous": list(category.previous_sources),
                "current": list(category.current_sources),
            }
            if category.mapped
            else None
        ),
    } | _test_dict(category.test)


def comparison_to_csv(comparison: Comparison) -> str:
    """One row per unit, the JSON unit keys as columns; empty where a side is missing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((*UNIT_KEYS, *TEST_KEYS))
    for unit in comparison.units:
        test = unit.test
        tested = [test.significant, f"{test.p_value:.4f}"] if test else [None, None]
        writer.writerow([_csv_cell(v) for v in [*(getattr(unit, k) for k in UNIT_KEYS), *tested]])
    return buffer.getvalue()


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    return csv_text(str(value))


# Human-facing wording --------------------------------------------------------------------------


def change_text(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def rank_change_text(value: int | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    return f"▲{value}" if value > 0 else f"▼{-value}"


def grade_change_text(unit: UnitChange) -> str:
    if unit.grade == unit.previous_grade or unit.previous_grade is None:
        return unit.grade or "—"
    if unit.grade is None:
        return f"{unit.previous_grade}→—"
    return f"{unit.previous_grade}→{unit.grade}"


def flag_change_text(unit: UnitChange) -> str:
    if unit.entered_flagged:
        return "新进入排名靠后"
    if unit.left_flagged:
        return "退出排名靠后"
    if unit.flagged and unit.previously_flagged:
        return "仍排名靠后"
    if unit.previous_score is None:
        return "上期无此街镇"
    if unit.score is None:
        return "本期无此街镇"
    return ""


def mapping_text(category: CategoryChange) -> str:
    """How a category row was matched, e.g. "上期：道路" or "本期无对应大类"."""
    if not category.current_sources:
        return "本期无对应大类"
    if not category.previous_sources:
        return "上期无对应大类"
    if not category.mapped:
        return ""
    parts = []
    for label, sources in (("上期", category.previous_sources), ("本期", category.current_sources)):
        if sources != (category.category,):
            merged = "（取平均）" if len(sources) > 1 else ""
            parts.append(f"{label}：{'、'.join(sources)}{merged}")
    return "；".join(parts)


def comparison_title(comparison: Comparison) -> str:
    before = period_text(comparison.previous.period) or "期次未知"
    now = period_text(comparison.current.period) or "期次未知"
    return f"{before} → {now} 街镇变化"


def summary_lines(comparison: Comparison) -> list[str]:
    def names(units: tuple[UnitChange, ...]) -> str:
        return "、".join(u.unit for u in units) or "无"

    def movers(units: tuple[UnitChange, ...]) -> str:
        return "、".join(f"{u.unit}（{rank_change_text(u.rank_change)}）" for u in units) or "无"

    return [
        f"新进入排名靠后：{names(comparison.entered_flagged)}；"
        f"退出排名靠后：{names(comparison.left_flagged)}。",
        f"名次上升最多：{movers(comparison.risers)}；名次下降最多：{movers(comparison.fallers)}。",
    ]


def unmatched_line(comparison: Comparison) -> str:
    before = "、".join(comparison.unmatched_previous) or "无"
    now = "、".join(comparison.unmatched_current) or "无"
    return f"无对应大类（未比较）——上期：{before}；本期：{now}。"


def test_text(test: ChangeTest | None) -> str:
    """显著（p=0.003）, 误差范围内（p=0.41） or — when the change was not tested."""
    if test is None:
        return "—"
    p = "p<0.001" if test.p_value < 0.001 else f"p={test.p_value:.3f}"
    return f"{'显著' if test.significant else '误差范围内'}（{p}）"


def unit_cells(
    unit: UnitChange, escape: Callable[[str], str] = str, *, tested: bool = False
) -> list[str]:
    """One row of the unit table; `escape` is applied to the text that came from input files."""
    return [
        escape(unit.unit),
        score_text(unit.score),
        change_text(unit.score_change),
        *([test_text(unit.test)] if tested else []),
        _rank(unit.rank),
        _rank(unit.previous_rank),
        rank_change_text(unit.rank_change),
        grade_change_text(unit),
        flag_change_text(unit),
    ]


def category_cells(
    category: CategoryChange, escape: Callable[[str], str] = str, *, tested: bool = False
) -> list[str]:
    return [
        _rank(category.rank),
        escape(category.category),
        score_text(category.score),
        score_text(category.previous_score),
        change_text(category.score_change),
        *([test_text(category.test)] if tested else []),
        _rank(category.previous_rank),
        escape(mapping_text(category)),
    ]


def _rank(rank: int | None) -> str:
    return "—" if rank is None else str(rank)


UNIT_HEADINGS = ["街镇", "综合得分", "变化", "排名", "上期排名", "名次变化", "等级", "排名靠后"]
CATEGORY_HEADINGS = ["排名", "大类", "全区得分", "上期得分", "变化", "上期排名", "对应关系"]
TEST_HEADING = "变化显著性"


def table_headings(headings: list[str], tested: bool) -> list[str]:
    """The headings, with 变化显著性 after 变化 when the changes were tested."""
    if not tested:
        return headings
    at = headings.index("变化") + 1
    return [*headings[:at], TEST_HEADING, *headings[at:]]


# Markdown -------------------------------------------------------------------------------------


def comparison_markdown(comparison: Comparison) -> str:
    sources = (
        f"上期：{md_text(comparison.previous.source)}；本期：{md_text(comparison.current.source)}。"
    )
    tested = comparison.tested
    units = [unit_cells(u, md_text, tested=tested) for u in comparison.units]
    categories = [category_cells(c, md_text, tested=tested) for c in comparison.categories]
    parts = [
        f"# {comparison_title(comparison)}",
        sources,
        table(table_headings(UNIT_HEADINGS, tested), units),
        "\n\n".join(md_text(line) for line in summary_lines(comparison)),
        "## 大类变化（全区平均）",
        table(table_headings(CATEGORY_HEADINGS, tested), categories),
        TESTED_NOTE if tested else UNTESTED_NOTE,
    ]
    if comparison.unmatched_previous or comparison.unmatched_current:
        parts.append(md_text(unmatched_line(comparison)))
    return "\n\n".join(parts) + "\n"
