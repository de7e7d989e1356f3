"""Output of `mytool plan`: JSON (a contract), Markdown, and the lines and rows the terminal table
(`mytool.render.plan_terminal`), the workbook (`mytool.render.plan_xlsx`) and the briefs share.

Every format is laid out from one `Plan`; the rows of the change table come from one generator.
"""

from __future__ import annotations

from typing import Any

from mytool.analysis.planning import (
    GRADE_TARGET,
    LEAVE_BOTTOM,
    RANK,
    SCORE,
    SET,
    CategoryChange,
    Plan,
    Standing,
)
from mytool.analysis.ranking import BOTTOM, GRADE
from mytool.reading.period import period_label
from mytool.render.labels import score_text
from mytool.render.markdown import md_text, table

CHANGE_HEADERS = ["大类", "现状", "目标", "提高", "权重", "上限", "牵头部门", "最落后的小项"]
_CEILING = {"district-best": "全区最高", "own-best": "本街镇往期最高", "profile": "口径设定"}


def plan_to_dict(plan: Plan) -> dict:
    """The documented JSON shape of `mytool plan` (more keys may be added, none renamed)."""
    return {
        "unit": plan.unit,
        "period": plan.period,
        "source": plan.source,
        "before": _standing_dict(plan.before),
        "target": {
            "kind": plan.target.kind,
            "value": list(plan.target.value)
            if isinstance(plan.target.value, tuple)
            else plan.target.value,
            "required_score": plan.required_score,
        },
        "changes": [_change_dict(change) for change in plan.changes],
        "after": _standing_dict(plan.after),
        "reachable": plan.reachable,
        "estimate": plan.estimate,
        "estimate_offset": plan.offset if plan.estimate else None,
        "reproduced_score": plan.reproduced,
        "total_gain": plan.total_gain,
        "bottom_n": plan.bottom_n,
        "units": plan.units_count,
        "notes": list(plan.notes),
        "issues": [issue.as_dict() for issue in plan.issues],
    }


def _standing_dict(standing: Standing) -> dict:
    return {
        "score": standing.score,
        "rank": standing.rank,
        "grade": standing.grade,
        "flagged": standing.flagged,
        "tied": standing.tied,
        "flag_reasons": list(standing.flag_reasons),
    }


def _change_dict(change: CategoryChange) -> dict:
    return {
        "category": change.category,
        "from": change.before,
        "to": change.after,
        "gain": change.gain,
        "department": change.department or None,
        "weight": change.weight,
        "ceiling": change.ceiling,
        "ceiling_source": change.ceiling_source or None,
        "given": change.given,
        "lagging_items": [
            {"item": line.item, "score": line.score, "district": line.district, "gap": line.gap}
            for line in change.lagging
        ],
    }


def target_text(plan: Plan) -> str:
    """The target in words: 达到第 11 名, 达到“尚可”等级, 综合得分达到 76.00 分 …"""
    value = plan.target.value
    if plan.target.kind == RANK:
        return f"排名达到第 {value} 名（含并列）"
    if plan.target.kind == GRADE_TARGET:
        return f"等级达到“{value}”"
    if plan.target.kind == SCORE:
        return f"综合得分达到 {score_text(float(value))} 分"  # type: ignore[arg-type]
    if plan.target.kind == LEAVE_BOTTOM:
        return f"走出倒数 {value} 名"
    if plan.target.kind == SET:
        return "测算：" + "，".join(value)  # type: ignore[arg-type]
    return str(value)


def standing_text(standing: Standing, bottom_n: int) -> str:
    """ "71.84 分，第 17 名，一般，倒数6名内、等级一般" — the line a reader compares."""
    flags = []
    if BOTTOM in standing.flag_reasons:
        flags.append(f"倒数{bottom_n}名内")
    if GRADE in standing.flag_reasons:
        flags.append(f"等级{standing.grade}")
    mark = "、".join(flags) if flags else "不在重点提升名单"
    tied = "（并列）" if standing.tied else ""
    return f"{score_text(standing.score)} 分，第 {standing.rank} 名{tied}，{standing.grade}，{mark}"


def change_rows(plan: Plan) -> list[list[Any]]:
    """The change table's rows (numbers as numbers; each renderer formats them)."""
    rows = []
    for change in plan.changes:
        lagging = "、".join(f"{line.item} {line.score:.2f}" for line in change.lagging)
        ceiling = (
            f"{change.ceiling:.2f}（{_CEILING.get(change.ceiling_source, '')}）"
            if change.ceiling is not None
            else "—"
        )
        rows.append(
            [
                change.category + ("（给定）" if change.given else ""),
                change.before,
                change.after,
                change.gain,
                change.weight,
                ceiling,
                change.department or "—",
                lagging or "—",
            ]
        )
    return rows


def change_cells(row: list[Any]) -> list[str]:
    name, before, after, gain, weight, *rest = row
    return [name, f"{before:.2f}", f"{after:.2f}", f"{gain:+.2f}", f"{weight:g}", *rest]


def summary_lines(plan: Plan) -> list[str]:
    period = period_label(plan.period) if plan.period else "期次未知"
    lines = [
        f"{plan.unit} 提升计划（{period}，{plan.source}）",
        f"目标：{target_text(plan)}"
        + (f"，需综合得分 ≥ {plan.required_score:.2f} 分" if plan.required_score else ""),
        f"现状：{standing_text(plan.before, plan.bottom_n)}",
        f"测算后：{standing_text(plan.after, plan.bottom_n)}",
    ]
    if plan.target.kind != SET:
        verdict = "可以达到" if plan.reachable else "在现实上限内达不到，以下为最好结果"
        lines.append(f"结论：{verdict}；各大类合计提高 {plan.total_gain:.2f} 分")
    return lines


def plan_markdown(plan: Plan) -> str:

    title, *rest = summary_lines(plan)
    parts = [f"# {md_text(title)}", "", *(f"- {md_text(line)}" for line in rest), ""]
    if plan.changes:
        rows = [
            [md_text(cell) if index in (0, 6, 7) else cell for index, cell in enumerate(cells)]
            for cells in map(change_cells, change_rows(plan))
        ]
        parts += [table(CHANGE_HEADERS, rows), ""]
    elif plan.target.kind != SET:
        parts += ["已达到目标，不需要提高。", ""]
    parts += [f"注：{md_text(note)}" + "  " for note in plan.notes]
    return "\n".join(parts).rstrip() + "\n"


def plan_line(plan: Plan) -> str:
    """One line for a brief: "提升目标·走出倒数 6 名（≥ 77.27 分）：居住区 +19.32 …"."""
    head = f"提升目标·{target_text(plan)}（≥ {plan.required_score:.2f} 分）："
    if not plan.changes:
        return head + "已达到"
    gains = "、".join(f"{c.category} {c.gain:+.2f}" for c in plan.changes)
    verdict = "最少需提高 " if plan.reachable else "提高到现实上限也达不到，最多 "
    return (
        f"{head}{verdict}{gains}，合计 {plan.total_gain:.2f} 分，测算后 {plan.after.score:.2f} 分、"
        f"第 {plan.after.rank} 名{'（并列）' if plan.after.tied else ''}"
    )
