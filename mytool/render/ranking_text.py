"""The ranking view's tables (units, then categories), and the view as plain text.

One model feeds both outputs: `mytool.render.terminal` draws it with rich on a terminal
(grades coloured, flagged rows in red), `ranking_text` lays it out without rich for a pipe, a
file or cron, where nothing is coloured.
"""

from __future__ import annotations

from mytool.analysis.ranking import Ranking
from mytool.render.labels import flag_text, rank_text, score_text, source_note
from mytool.render.text_table import Justify, Table, table_lines, wrap
from mytool.render.wording import period_text

_UNIT_COLUMNS: tuple[tuple[str, Justify], ...] = (
    ("排名", "right"),
    ("街镇", "left"),
    ("综合得分", "right"),
    ("等级", "center"),
    ("标记", "left"),
    ("最弱大类", "left"),
)
_CATEGORY_COLUMNS: tuple[tuple[str, Justify], ...] = tuple(
    (heading, "left") for heading in ("排名", "大类", "全区得分", "权重", "牵头部门", "最弱街镇")
)


def unit_table(ranking: Ranking) -> Table:
    """One row per unit, best first; the city-rank column only when the report has one."""
    with_city = any(u.city_rank for u in ranking.units)
    columns = _UNIT_COLUMNS + (
        ((f"{ranking.city_scope or '全市'}排名", "right"),) if with_city else ()
    )
    rows = []
    for unit in ranking.units:
        row = (
            rank_text(unit.rank, unit.tied),
            unit.unit if unit.known else f"{unit.unit}（不在名单）",
            score_text(unit.score) + ("*" if unit.score_source == "computed" else ""),
            unit.grade,
            f"⚑ {flag_text(unit, ranking.bottom_n)}" if unit.flagged else "",
            "、".join(unit.weakest_categories),
        )
        rows.append(row + ((str(unit.city_rank or ""),) if with_city else ()))
    title = f"{period_text(ranking.period) or '期次未知'} 街镇排名（{ranking.source}）"
    return Table(title, columns, tuple(rows))


def ranking_note(ranking: Ranking) -> str:
    """The line under the unit table: where the scores come from, how many units are flagged."""
    note = source_note(ranking.score_source, ranking.weights_place)
    if ranking.score_source == "computed":
        note += "；带 * 的为计算值"
    return f"{note}。标记 ⚑ 的 {len(ranking.flagged)} 个街镇需制定整改措施。"


def category_table(ranking: Ranking) -> Table | None:
    """One row per category, best first; None when the report has no category scores."""
    if not ranking.categories:
        return None
    rows = tuple(
        (
            rank_text(c.rank, c.tied),
            c.category if c.known else f"{c.category}（不在口径）",
            score_text(c.score),
            "—" if c.weight is None else f"{c.weight:g}",
            c.department or "—",
            "、".join(c.weakest_units),
        )
        for c in ranking.categories
    )
    return Table("大类排名（全区平均）", _CATEGORY_COLUMNS, rows)


def ranking_text(ranking: Ranking, width: int, *, ascii_only: bool = False) -> str:
    """The view as plain text `width` cells wide, line for line what rich prints uncoloured."""
    lines = table_lines(unit_table(ranking), width, ascii_only=ascii_only)
    lines += wrap(ranking_note(ranking), width)
    categories = category_table(ranking)
    if categories is not None:
        lines += table_lines(categories, width, ascii_only=ascii_only)
    return "".join(f"{line}\n" for line in lines)
