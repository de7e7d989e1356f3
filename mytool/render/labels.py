"""Chinese wording shared by the human-facing renderers (terminal, Markdown, Excel)."""

from __future__ import annotations

from mytool.analysis.ranking import BOTTOM, COMPUTED, GRADE, UnitResult


def score_text(value: float | None) -> str:
    """A score as published: two decimals, "—" when absent."""
    return "—" if value is None else f"{value:.2f}"


def rank_text(rank: int, tied: bool) -> str:
    return f"{rank}（并列）" if tied else str(rank)


def flag_text(unit: UnitResult, bottom_n: int) -> str:
    """Why a unit is flagged, e.g. "倒数6名内、等级一般"."""
    parts = []
    if BOTTOM in unit.flag_reasons:
        parts.append(f"倒数{bottom_n}名内")
    if GRADE in unit.flag_reasons:
        parts.append(f"等级{unit.grade}")
    return "、".join(parts)


def source_note(score_source: str, weights_place: str = "") -> str:
    if score_source != COMPUTED:
        return "综合得分为报告公布的综合满意度"
    if weights_place:
        return f"综合得分由大类分数按文件中的权重（{weights_place}）计算（报告未提供综合满意度）"
    return "综合得分由大类分数按权重计算（报告未提供综合满意度）"
