"""The rich terminal view of a ranking: units (grades coloured, flags marked), then categories."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from mytool.analysis.ranking import Ranking
from mytool.profile import Profile
from mytool.render.grades import grade_color
from mytool.render.labels import flag_text, rank_text, score_text, source_note
from mytool.render.wording import period_text


def print_ranking(ranking: Ranking, profile: Profile, console: Console) -> None:
    title = f"{period_text(ranking.period) or '期次未知'} 街镇排名（{ranking.source}）"
    units = Table(title=title, title_justify="left", header_style="bold")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("排名", "right"),
        ("街镇", "left"),
        ("综合得分", "right"),
        ("等级", "center"),
        ("标记", "left"),
        ("最弱大类", "left"),
    )
    for heading, justify in columns:
        units.add_column(heading, justify=justify, overflow="fold")
    if any(u.city_rank for u in ranking.units):
        units.add_column(f"{ranking.city_scope or '全市'}排名", justify="right", overflow="fold")
    for unit in ranking.units:
        mark = f"⚑ {flag_text(unit, ranking.bottom_n)}" if unit.flagged else ""
        name = unit.unit if unit.known else f"{unit.unit}（不在名单）"
        cells: list[str | Text] = [
            rank_text(unit.rank, unit.tied),
            name,
            score_text(unit.score) + ("*" if unit.score_source == "computed" else ""),
            Text(unit.grade, style=f"on #{grade_color(profile, unit.grade)} black"),
            mark,
            "、".join(unit.weakest_categories),
        ]
        if len(units.columns) > 6:
            cells.append(str(unit.city_rank or ""))
        units.add_row(*cells, style="bold red" if unit.flagged else None)
    console.print(units)
    note = source_note(ranking.score_source, ranking.weights_place)
    if ranking.score_source == "computed":
        note += "；带 * 的为计算值"
    console.print(f"{note}。标记 ⚑ 的 {len(ranking.flagged)} 个街镇需制定整改措施。")
    if ranking.categories:
        categories = Table(title="大类排名（全区平均）", title_justify="left", header_style="bold")
        for heading in ("排名", "大类", "全区得分", "权重", "牵头部门", "最弱街镇"):
            categories.add_column(heading, overflow="fold")
        for c in ranking.categories:
            categories.add_row(
                rank_text(c.rank, c.tied),
                c.category if c.known else f"{c.category}（不在口径）",
                score_text(c.score),
                "—" if c.weight is None else f"{c.weight:g}",
                c.department or "—",
                "、".join(c.weakest_units),
            )
        console.print(categories)


def render_to_text(draw: Callable[[Console], None], width: int = 120) -> str:
    """What `draw` prints, as plain text without colour (for --output files)."""
    buffer = io.StringIO()
    draw(Console(file=buffer, width=width, color_system=None, highlight=False))
    return buffer.getvalue()
