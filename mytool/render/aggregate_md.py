"""`mytool aggregate -f md`: the unit scores with intervals and marks, then the drivers."""

from __future__ import annotations

from pathlib import Path

from mytool.analysis.aggregation import Aggregation, UnitAggregate
from mytool.render.drivers import chart_paths, drivers_markdown
from mytool.render.labels import rank_text, score_text
from mytool.render.markdown import md_text, table
from mytool.render.wording import period_text

HEADINGS = ["排名", "街镇", "答卷数", "综合得分", "95%置信区间", "提示"]


def aggregation_markdown_files(result: Aggregation, output: Path | None) -> str:
    """The Markdown; written to `output` with --drivers, it links the chart saved beside it."""
    period = period_text(result.period) or "期次未知"
    parts = [
        f"# {period} 问卷汇总",
        f"来源：{md_text(result.source)}；{result.respondents} 份答卷。",
        table(HEADINGS, [_row(unit, result.min_answers) for unit in result.units]),
        "综合得分按大类权重计算；“名次无法区分”：与相邻名次的 95% 置信区间重叠。",
    ]
    if result.unmatched_questions:
        questions = "；".join(md_text(q) for q in result.unmatched_questions)
        parts.append(f"未匹配到测评小项的问题（未计分）：{questions}")
    if result.drivers:
        chart = chart_paths(output)[0].name if output is not None else None
        parts.append(drivers_markdown(result, chart))
    return "\n\n".join(parts) + "\n"


def _row(unit: UnitAggregate, min_answers: int) -> list[str]:
    notes = []
    if unit.indistinct_from:
        notes.append("与" + "、".join(map(md_text, unit.indistinct_from)) + "名次无法区分")
    if unit.low_sample:
        notes.append(f"样本不足 {min_answers} 份")
    ci = unit.ci95
    return [
        rank_text(unit.rank, unit.tied),
        md_text(unit.unit),
        str(unit.respondents),
        score_text(unit.score),
        f"{score_text(ci[0])}–{score_text(ci[1])}" if ci else "—",
        "；".join(notes),
    ]
