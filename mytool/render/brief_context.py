"""What the brief documents say, computed once for the Markdown and the Word files alike: the
sentences and table rows of a unit's brief, a lead department's file and the district summary.
Neither Word nor the charts are needed to build them.

Sentences are composed here from the result objects (no analysis: every number is a field of
`BriefSet` or `DistrictSummary`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mytool.analysis.brief import JOINT_INSPECTION, BriefSet, UnitBrief
from mytool.analysis.summary import (
    DepartmentTasks,
    DistrictSummary,
)
from mytool.profile import Profile
from mytool.render.labels import flag_text, score_text
from mytool.render.template_filters import chinese_date, signed
from mytool.render.wording import (
    GAP_NOTE,
    LEVERAGE_NOTE,
    LOWEST_NOTE,
    city_rank_text,
    names,
    noise_text,
    period_text,
    rank_move,
    rank_of,
)

MAX_PROBLEM_ROWS = 8  # more go to the workbook, so a unit brief stays within two pages


def _overall(brief: UnitBrief, briefs: BriefSet) -> str:
    unit = brief.unit
    parts = [
        f"{period_text(brief.period) or '本期'}，{unit.unit}综合得分 {score_text(unit.score)} 分"
        f"（{unit.grade}）{'，由大类得分按权重计算' if unit.score_source == 'computed' else ''}，"
        f"全区{rank_of(unit.rank, brief.units_count, unit.tied)}"
    ]
    if unit.city_rank:
        parts.append(city_rank_text(brief.city_scope, unit.city_rank))
    text = "，".join(parts) + "。"
    change = brief.change
    if change and change.previous_score is not None:
        grade = (
            f"等级由{change.previous_grade}变为{unit.grade}"
            if change.previous_grade != unit.grade
            else f"等级保持{unit.grade}"
        )
        text += (
            f"较{period_text(brief.previous_period) or '上期'}得分 {signed(change.score_change)} 分"
            f"（{score_text(change.previous_score)} → {score_text(unit.score)}"
            f"{noise_text(change)}），"
            f"排名{rank_move(change.rank_change)}（第 {change.previous_rank} 名 → 第 {unit.rank} 名），"
            f"{grade}{'；上期已列为重点提升对象' if change.previously_flagged else ''}。"
        )
    elif change:
        text += f"{period_text(brief.previous_period) or '上期'}报告中没有本街镇的数据。"
    if unit.flagged:
        text += f"列为重点提升对象的原因：{flag_text(unit, brief.bottom_n)}。"
    return text


def _category_rows(brief: UnitBrief) -> list[dict[str, str]]:
    return [
        {
            "category": c.category,
            "score": score_text(c.score),
            "district": score_text(c.district),
            "gap": signed(c.gap),
            "rank": rank_of(c.rank, c.of),
            "department": c.department or "—",
        }
        for c in brief.categories
    ]


def _gap_sentence(brief: UnitBrief) -> str:
    below = sorted((c for c in brief.categories if c.gap < 0), key=lambda c: (c.gap, c.category))
    if not below:
        return "各大类均不低于全区平均。"
    shown = "；".join(
        f"{c.category} {score_text(c.score)} 分（{signed(c.gap)}，{rank_of(c.rank, c.of)}）"
        for c in below[:3]
    )
    return f"差距最大的大类：{shown}。"


def _problem_rows(brief: UnitBrief) -> tuple[list[dict[str, str]], str]:
    points = [(g, p) for g in brief.problem_groups for p in g.problems]
    rows = [
        {
            "index": str(index),
            "category": g.category or "未归类",
            "item": p.item or "—",
            "location": p.location or "—",
            "description": p.description,
            "department": g.department or "—",
        }
        for index, (g, p) in enumerate(points[:MAX_PROBLEM_ROWS], start=1)
    ]
    more = len(points) - len(rows)
    note = f"另有 {more} 个点位见简报工作簿“点位问题”工作表。" if more > 0 else ""
    return rows, note


def _deadline_sentence(deadline: dt.date | None, count: int, what: str) -> str:
    if not count:
        return f"本期没有列出{what}的点位问题。"
    return f"共 {count} 个点位问题，逐一整改到位，并建立长效机制。"


def _ledger_rows(items: tuple[Any, ...]) -> list[dict[str, str]]:
    return [
        {
            "id": i.id,
            "unit": getattr(i, "unit", ""),
            "category": i.category or "—",
            "location": i.location or "—",
            "deadline": chinese_date(i.deadline) if i.deadline else "—",
            "status": i.status + (f"（逾期 {i.days} 天）" if i.overdue else ""),
            "progress": i.progress or "—",
        }
        for i in items
    ]


def _focus_rows(brief: UnitBrief) -> list[dict[str, str]]:
    return [
        {
            "category": p.category,
            "department": p.department or "—",
            "gap": score_text(-p.gap),
            "gain": score_text(p.gain),
        }
        for p in brief.focus
    ]


def _focus_sentence(brief: UnitBrief) -> str:
    if brief.focus:
        return f"按“权重 × 差距”排序，先抓{names([p.category for p in brief.focus])}。"
    if brief.categories:
        return "各大类均不低于全区平均。"
    return "报告中没有大类得分，无法计算发力点。"


def _focus_note(brief: UnitBrief) -> str:
    note = LEVERAGE_NOTE
    rest = brief.leverage[len(brief.focus) :]
    if rest:
        note += f"另有 {len(rest)} 个大类低于全区平均，见 Markdown 简报和工作簿。"
    if brief.gains_are_estimates:
        note += "公布的综合得分不能由大类得分完全复现，提升分值为估算。"
    return note


def _targets(brief: UnitBrief) -> list[str]:
    goals = []
    if brief.points_to_leave_bottom is not None:
        goals.append(
            f"走出倒数 {brief.bottom_n} 名需再提高 {score_text(brief.points_to_leave_bottom)} 分"
            f"（超过{brief.unit_to_pass}）"
        )
    if brief.next_grade:
        goals.append(
            f"达到“{brief.next_grade}”等级需再提高 {score_text(brief.points_to_next_grade)} 分"
        )
    return [f"综合得分{'，'.join(goals)}。"] if goals else []


def _strengths(brief: UnitBrief) -> str:
    above = sorted((c for c in brief.categories if c.gap > 0), key=lambda c: (-c.gap, c.category))
    if not above:
        return "没有高于全区平均的大类。"
    return (
        f"高于全区平均的大类：{'、'.join(f'{c.category}（{signed(c.gap)}）' for c in above[:4])}。"
    )


def unit_context(brief: UnitBrief, briefs: BriefSet, when: str) -> dict[str, Any]:
    """The prepared text of one unit's document (flagged: 整改提升简报; else 情况简报)."""
    unit = brief.unit
    problems, more = _problem_rows(brief)
    count = sum(len(g.problems) for g in brief.problem_groups)
    kind = "整改提升简报" if unit.flagged else "情况简报"
    feedback = f"市民反映建议案例 {len(brief.feedback)} 件，请逐一实地核实。"
    return {
        "title": f"{when}{unit.unit}市容环境质量满意度{kind}",
        "title_lines": [f"{when}{unit.unit}", f"市容环境质量满意度{kind}"],
        "overall": _overall(brief, briefs),
        "focus": _focus_rows(brief),
        "focus_sentence": _focus_sentence(brief),
        "focus_note": _focus_note(brief),
        "targets": _targets(brief),
        "strengths": _strengths(brief),
        "gap_largest": _gap_sentence(brief),
        "gap_note": GAP_NOTE,
        "categories": _category_rows(brief),
        "has_problems": bool(count),
        "problems": problems,
        "deadline": chinese_date(brief.deadline) if brief.deadline else "规定时限",
        "deadline_sentence": _deadline_sentence(brief.deadline, count, "本街镇"),
        "problems_note": more + (feedback if brief.feedback else ""),
        "has_ledger": brief.ledger_as_of is not None,
        "ledger_as_of": chinese_date(brief.ledger_as_of) if brief.ledger_as_of else "",
        "ledger": _ledger_rows(brief.ledger_items),
        "checklist": list(brief.checklist),
        "source": briefs.ranking.source,
    }


def department_checklist(
    tasks: DepartmentTasks, profile: Profile, deadline: dt.date | None
) -> list[str]:
    when = f"{chinese_date(deadline)}前" if deadline else "规定时限内"
    owned = [s.category for s in tasks.categories]
    lines = [
        f"主动认领牵头大类（{names(owned)}）的点位问题，会同属地街镇逐一整改，{when}完成",
        "针对牵头大类的薄弱小项分析研判，找准发力点，制定整改措施和提升计划",
        "主动跨前服务街镇，对得分最低的街镇加强针对性指导和跟踪检查",
    ]
    for category in owned:
        lines.extend(profile.checklist.get(category, ()))
    joint = [c for c in JOINT_INSPECTION if c in owned]
    if joint:
        lines.append(f"参加区级联合专项检查，重点检查{'、'.join(joint)}环境，跟踪问题整改到位")
    return list(dict.fromkeys(lines))


def _department_rows(tasks: DepartmentTasks) -> list[dict[str, str]]:
    return [
        {
            "category": s.category,
            "score": score_text(s.score),
            "rank": rank_of(s.rank, s.of, s.tied),
            "change": (
                f"{signed(s.score_change)}（{score_text(s.previous_score)}）"
                if s.score_change is not None
                else "—"
            ),
            "weakest": names(s.weakest_units, "—"),
        }
        for s in tasks.categories
    ]


def _department_intro(tasks: DepartmentTasks, previous: str) -> str:
    standing = "；".join(
        f"{s.category}全区得分 {score_text(s.score)} 分，{rank_of(s.rank, s.of, s.tied)}"
        + (f"，较{previous} {signed(s.score_change)} 分" if s.score_change is not None else "")
        for s in tasks.categories
    )
    owned = [s.category for s in tasks.categories]
    return f"{tasks.department}牵头 {len(set(owned))} 个大类：{names(owned)}。" + (
        standing + "。" if standing else ""
    )


def _department_problems(tasks: DepartmentTasks, briefs: BriefSet) -> list[dict[str, str]]:
    section = next(d for d in briefs.departments if d.department == tasks.department)
    return [
        {
            "index": str(index),
            "unit": p.unit,
            "category": p.category,
            "item": p.item or "—",
            "location": p.location or "—",
            "description": p.description,
        }
        for index, p in enumerate(section.problems, start=1)
    ]


def _department_ledger(tasks: DepartmentTasks, briefs: BriefSet) -> list[dict[str, str]]:
    if briefs.ledger_open is None:
        return []
    items = [
        i for unit in briefs.ledger_open.values() for i in unit if i.department == tasks.department
    ]
    return _ledger_rows(tuple(sorted(items, key=lambda i: i.id)))


def _ledger_sentence(briefs: BriefSet, ledger: list[dict[str, str]]) -> str:
    if not briefs.ledger_as_of:
        return ""
    overdue = sum(1 for r in ledger if "逾期" in r["status"])
    return (
        f"截至{chinese_date(briefs.ledger_as_of)}，整改台账中本部门尚未销号的点位 {len(ledger)} 个"
        + (f"，其中逾期 {overdue} 个" if ledger else "")
        + "。"
    )


def _moved_sentence(briefs: BriefSet, previous: str) -> str:
    if not briefs.comparison:
        return ""
    entered = [u.unit for u in briefs.comparison.units if u.entered_flagged]
    left = [u.unit for u in briefs.comparison.units if u.left_flagged]
    return (
        f"与{previous}相比，新列为重点提升对象（倒数 {briefs.ranking.bottom_n} 名及等级一般、较差）"
        f"的：{names(entered)}；不再列为重点提升对象的：{names(left)}。"
    )


def department_context(
    tasks: DepartmentTasks, briefs: BriefSet, profile: Profile, when: str
) -> dict[str, Any]:
    previous = period_text(briefs.previous_period) or "上期"
    weak = (
        f"各牵头大类得分最低的街镇（与上表同一名单）：{names(tasks.weak_units)}；"
        f"其中列为重点提升对象的：{names(tasks.flagged_weak_units)}。"
    )
    problems = _department_problems(tasks, briefs)
    ledger = _department_ledger(tasks, briefs)
    return {
        "title": f"{when}{tasks.department}牵头任务",
        "title_lines": [f"{when}市容环境质量满意度测评", f"{tasks.department}牵头任务"],
        "department": tasks.department,
        "intro": _department_intro(tasks, previous),
        "weak_sentence": weak if tasks.categories else "",
        "lowest_note": LOWEST_NOTE,
        "moved": _moved_sentence(briefs, previous),
        "categories": _department_rows(tasks),
        "has_problems": bool(problems),
        "problems": problems,
        "deadline_sentence": _deadline_sentence(briefs.deadline, len(problems), "本部门牵头大类"),
        "deadline": chinese_date(briefs.deadline) if briefs.deadline else "规定时限",
        "has_ledger": briefs.ledger_open is not None,
        "ledger_as_of": chinese_date(briefs.ledger_as_of) if briefs.ledger_as_of else "",
        "ledger": ledger,
        "ledger_sentence": _ledger_sentence(briefs, ledger),
        "checklist": department_checklist(tasks, profile, briefs.deadline),
    }


def summary_context(
    summary: DistrictSummary, briefs: BriefSet, when: str, district: str = ""
) -> dict[str, Any]:
    previous = period_text(summary.previous_period) or "上期"
    first = f"{when}全区 {summary.units_count} 个街镇综合满意度平均 {score_text(summary.mean)} 分"
    if summary.mean_change is not None:
        first += (
            f"，较{previous}（{score_text(summary.previous_mean)} 分）"
            f"{_change_words(summary.mean_change)}"
        )
    grades = "、".join(f"{name} {count} 个" for name, count in summary.grade_counts)
    first += f"；{grades}。"
    bottom = "、".join(f"{u.unit} {score_text(u.score)}" for u in summary.bottom)
    second = f"倒数 {summary.bottom_n} 名（分）：{bottom or '无'}"
    if summary.grade_flagged:
        second += f"；另有{names([u.unit for u in summary.grade_flagged])}因等级列为重点提升对象"
    second += "。"
    third = ""
    if summary.previous_period is not None:
        third = (
            f"与{previous}相比，新进入重点提升对象的：{names(list(summary.entered))}；"
            f"退出的：{names(list(summary.left))}。"
        )
    when_done = f"{chinese_date(summary.deadline)}前" if summary.deadline else "规定时限内"
    fourth = f"{len(briefs.problems)} 个点位问题由牵头部门认领、属地街镇配合，{when_done}整改到位。"
    departments = [
        {
            "department": d.department,
            "categories": names([s.category for s in d.categories], "—"),
            "weakest": (
                f"{d.weakest.category} {score_text(d.weakest.score)} 分，"
                f"{rank_of(d.weakest.rank, d.weakest.of, d.weakest.tied)}"
                if d.weakest
                else "—"
            ),
        }
        for d in summary.departments
    ]
    return {
        "title": f"{when}{district or '全区'}市容环境质量满意度测评情况简报",
        "title_lines": [f"{when}{district or '全区'}市容环境质量", "满意度测评情况简报"],
        "sentences": [s for s in (first, second, third, fourth) if s],
        "departments": departments,
    }


def _change_words(change: float) -> str:
    if change > 0:
        return f"上升 {score_text(change)} 分"
    if change < 0:
        return f"下降 {score_text(-change)} 分"
    return "持平"
