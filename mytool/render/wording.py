"""One vocabulary for every human-facing document (Markdown, Word, charts).

- Periods read 2023年下半年, never 2023H2 (file names may keep 2023H2).
- Every rank reads 第 N 名（共 M 个）.
- 发力点 (weight × gap: what to do first) and 差距最大 (gap to the district average) are two
  different orders, each named and explained where it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mytool.reading.period import period_label

if TYPE_CHECKING:  # an annotation only: the ranking view does not load the comparison step
    from mytool.analysis.comparison import UnitChange

LEVERAGE_NOTE = (
    "发力点按“权重 × 差距”排序：补齐与全区平均的差距后综合得分约能提高多少，先抓提高最多的；"
    "“差距最大”只看低于全区平均多少、不考虑权重，两者排序可能不同。"
)
GAP_NOTE = "差距最大：低于全区平均最多（不考虑权重，与发力点排序不同）。"
LOWEST_NOTE = "得分最低：该大类中得分最低的街镇。"


def period_text(period: str | None) -> str:
    """2023H2 → 2023年下半年; anything else as it is ("" when unknown)."""
    return period_label(period) if period else ""


def period_heading(period: str) -> str:
    """A column heading in two short lines, "2023年" over "下半年", to keep score columns narrow."""
    return period_text(period).replace("年", "年\n", 1)


def rank_of(rank: int | None, of: int | None, tied: bool = False) -> str:
    """第 3 名（共 17 个）; 第 3 名（并列，共 17 个）."""
    if rank is None:
        return "—"
    inside = "，".join(
        part for part in ("并列" if tied else "", f"共 {of} 个" if of else "") if part
    )
    return f"第 {rank} 名（{inside}）" if inside else f"第 {rank} 名"


def city_rank_text(scope: str, rank: int) -> str:
    """The city-wide rank: the reports give no count, so the text says so instead of guessing."""
    return f"{scope or '全市'}范围第 {rank} 名（报告未给出参评总数）"


def rank_move(change: int | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return f"上升 {change} 位"
    if change < 0:
        return f"下降 {-change} 位"
    return "不变"


def names(items: list[str] | tuple[str, ...], empty: str = "无") -> str:
    return "、".join(items) if items else empty


def noise_text(change: UnitChange) -> str:
    """ "，变化在抽样误差范围内" when both half-years came from respondent exports and the change
    is not significant at 95%; else "" (untested changes say nothing either way)."""
    return "，变化在抽样误差范围内" if change.within_noise else ""
