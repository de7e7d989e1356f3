"""Every format of `mytool compare`: JSON and CSV (a contract), Markdown, the terminal view."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from rich.console import Console, JustifyMethod
from rich.table import Table

from mytool.analysis.comparison import CategoryChange, Comparison, Side, UnitChange
from mytool.diagnostics import ERROR, WARNING
from mytool.render.labels import score_text
from mytool.render.machine import csv_text
from mytool.render.markdown import md_text, table
from mytool.render.wide import print_whole
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
        "entered_flagged": [u.unit for u in comparison.entered_flagged],
        "left_flagged": [u.unit for u in comparison.left_flagged],
        "warnings": [i.located() for i in comparison.issues if i.severity in (WARNING, ERROR)],
        "issues": [issue.as_dict() for issue in comparison.issues],
    }


def _side(side: Side) -> dict:
    return {"period": side.period, "source": side.source}


def _unit_dict(unit: UnitChange) -> dict:
    return {key: getattr(unit, key) for key in UNIT_KEYS}


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
    }


def comparison_to_csv(comparison: Comparison) -> str:
    """One row per unit, the JSON unit keys as columns; empty where a side is missing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(UNIT_KEYS)
    for unit in comparison.units:
        writer.writerow([_csv_cell(getattr(unit, key)) for key in UNIT_KEYS])
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


def _title(comparison: Comparison) -> str:
    before = period_text(comparison.previous.period) or "期次未知"
    now = period_text(comparison.current.period) or "期次未知"
    return f"{before} → {now} 街镇变化"


def _summary(comparison: Comparison) -> list[str]:
    def names(units: tuple[UnitChange, ...]) -> str:
        return "、".join(u.unit for u in units) or "无"

    def movers(units: tuple[UnitChange, ...]) -> str:
        return "、".join(f"{u.unit}（{rank_change_text(u.rank_change)}）" for u in units) or "无"

    return [
        f"新进入排名靠后：{names(comparison.entered_flagged)}；"
        f"退出排名靠后：{names(comparison.left_flagged)}。",
        f"名次上升最多：{movers(comparison.risers)}；名次下降最多：{movers(comparison.fallers)}。",
    ]


def _unmatched_line(comparison: Comparison) -> str:
    before = "、".join(comparison.unmatched_previous) or "无"
    now = "、".join(comparison.unmatched_current) or "无"
    return f"无对应大类（未比较）——上期：{before}；本期：{now}。"


def _unit_cells(unit: UnitChange, escape: Callable[[str], str] = str) -> list[str]:
    """One row of the unit table; `escape` is applied to the text that came from input files."""
    return [
        escape(unit.unit),
        score_text(unit.score),
        change_text(unit.score_change),
        _rank(unit.rank),
        _rank(unit.previous_rank),
        rank_change_text(unit.rank_change),
        grade_change_text(unit),
        flag_change_text(unit),
    ]


def _category_cells(category: CategoryChange, escape: Callable[[str], str] = str) -> list[str]:
    return [
        _rank(category.rank),
        escape(category.category),
        score_text(category.score),
        score_text(category.previous_score),
        change_text(category.score_change),
        _rank(category.previous_rank),
        escape(mapping_text(category)),
    ]


def _rank(rank: int | None) -> str:
    return "—" if rank is None else str(rank)


UNIT_HEADINGS = ["街镇", "综合得分", "变化", "排名", "上期排名", "名次变化", "等级", "排名靠后"]
CATEGORY_HEADINGS = ["排名", "大类", "全区得分", "上期得分", "变化", "上期排名", "对应关系"]


# Markdown -------------------------------------------------------------------------------------


def comparison_markdown(comparison: Comparison) -> str:
    sources = (
        f"上期：{md_text(comparison.previous.source)}；本期：{md_text(comparison.current.source)}。"
    )
    units = [_unit_cells(u, md_text) for u in comparison.units]
    categories = [_category_cells(c, md_text) for c in comparison.categories]
    parts = [
        f"# {_title(comparison)}",
        sources,
        table(UNIT_HEADINGS, units),
        "\n\n".join(md_text(line) for line in _summary(comparison)),
        "## 大类变化（全区平均）",
        table(CATEGORY_HEADINGS, categories),
    ]
    if comparison.unmatched_previous or comparison.unmatched_current:
        parts.append(md_text(_unmatched_line(comparison)))
    return "\n\n".join(parts) + "\n"


# Terminal -------------------------------------------------------------------------------------


def print_comparison(comparison: Comparison, console: Console) -> None:
    risers = {u.unit for u in comparison.risers}
    fallers = {u.unit for u in comparison.fallers}
    title = f"{_title(comparison)}（{comparison.previous.source} → {comparison.current.source}）"
    units = Table(title=title, title_justify="left", header_style="bold")
    for heading in UNIT_HEADINGS:
        justify: JustifyMethod = "left" if heading in ("街镇", "等级", "排名靠后") else "right"
        units.add_column(heading, justify=justify, overflow="fold")
    for unit in comparison.units:
        style = "green" if unit.unit in risers else "red" if unit.unit in fallers else None
        units.add_row(*_unit_cells(unit), style="bold " + style if style else None)
    print_whole(units, console)
    for line in _summary(comparison):
        console.print(line, markup=False, soft_wrap=True)
    categories = Table(title="大类变化（全区平均）", title_justify="left", header_style="bold")
    for heading in CATEGORY_HEADINGS:
        categories.add_column(
            heading,
            justify="left" if heading in ("大类", "对应关系") else "right",
            overflow="fold",
        )
    changes = [c.score_change for c in comparison.categories if c.score_change is not None]
    top, bottom = (max(changes), min(changes)) if changes else (None, None)
    for category in comparison.categories:
        change = category.score_change
        style = None
        if change is not None and change == top and change > 0:
            style = "bold green"
        elif change is not None and change == bottom and change < 0:
            style = "bold red"
        categories.add_row(*_category_cells(category), style=style)
    print_whole(categories, console)
    if comparison.unmatched_previous or comparison.unmatched_current:
        console.print(_unmatched_line(comparison), markup=False, soft_wrap=True)
