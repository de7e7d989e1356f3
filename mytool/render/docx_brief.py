"""The send-ready Word documents of `mytool brief`, and their charts for slides.

- per unit: `<期次>-<街镇>-整改提升简报.docx` (flagged) or `…-情况简报.docx` (not flagged);
- per lead department: `<期次>-<部门>-牵头任务.docx`;
- the one-page district summary: `<期次>-全区情况简报.docx`;
- charts beside them: `<期次>-全区排名图.png/.svg`, `<期次>-<街镇>-大类得分图.png/.svg`.

Sentences are composed here from the result objects (no analysis: every number is a field of
`BriefSet` or `DistrictSummary`); the .docx templates lay them out and an office may edit them.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path
from typing import Any

from mytool.analysis.brief import JOINT_INSPECTION, BriefSet, UnitBrief
from mytool.analysis.summary import (
    DepartmentTasks,
    DistrictSummary,
    department_tasks,
    district_summary,
)
from mytool.profile import Profile
from mytool.render.brief_names import unit_file_names
from mytool.render.charts import (
    BackgroundCharts,
    Chart,
    ChartJob,
    categories_chart,
    cjk_font,
    ranking_chart,
)
from mytool.render.docx_render import WordRenderer
from mytool.render.grades import grade_color
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
from mytool.writing.output import safe_file_name

UNIT_TEMPLATE = "unit_brief.docx"
STATUS_TEMPLATE = "unit_status.docx"
DEPARTMENT_TEMPLATE = "department.docx"
SUMMARY_TEMPLATE = "summary.docx"
DOCX_TEMPLATES = (UNIT_TEMPLATE, STATUS_TEMPLATE, DEPARTMENT_TEMPLATE, SUMMARY_TEMPLATE)
MAX_PROBLEM_ROWS = 8  # more go to the workbook, so a unit brief stays within two pages
CHART_WIDTH_MM = 150


def chart_jobs(briefs: BriefSet, profile: Profile) -> list[ChartJob]:
    """The run's charts, to draw: the ranking first, then each unit's in order. Checks first
    that a CJK font is installed (`UsageError` naming the fix when not)."""
    font = cjk_font(profile.cjk_font)
    ranking = briefs.ranking
    bottom = {u.unit for u in district_summary(briefs, profile).bottom}
    jobs: list[ChartJob] = [
        (
            ranking_chart,
            {
                "title": f"{period_text(ranking.period)}各街镇综合满意度排名（按等级着色）",
                "units": [_short(u.unit) for u in ranking.units],
                "scores": [u.score for u in ranking.units],
                "colors": [grade_color(profile, u.grade) for u in ranking.units],
                "marked": [u.unit in bottom for u in ranking.units],
                "legend": [(g.name, g.color) for g in profile.grades],
                "mark_label": f"倒数 {ranking.bottom_n} 名",
                "font": font,
            },
        )
    ]
    when = period_text(ranking.period) or "本期"
    for brief in briefs.units:
        arguments = {
            "title": f"{when}{_short(brief.unit.unit)}各大类得分与全区平均",
            "unit_label": _short(brief.unit.unit),
            "categories": [c.category for c in brief.categories],
            "scores": [c.score for c in brief.categories],
            "district": [c.district for c in brief.categories],
            "font": font,
        }
        jobs.append((categories_chart, arguments))
    return jobs


def document_files(
    briefs: BriefSet,
    profile: Profile,
    *,
    template_dir: Path | None = None,
    as_of: dt.date,
    charts: BackgroundCharts | None = None,
) -> dict[str, bytes]:
    """File name → content: every Word document of the run and the charts (PNG + SVG).

    `charts` are those of `chart_jobs`, already being drawn; without them they are drawn now.
    """
    if charts is None:
        with BackgroundCharts(chart_jobs(briefs, profile)) as drawn:
            return document_files(
                briefs, profile, template_dir=template_dir, as_of=as_of, charts=drawn
            )
    renderer = WordRenderer(template_dir)
    common = {
        "office": profile.office_name,
        "date": chinese_date(as_of),
        "period_text": period_text(briefs.ranking.period) or "本期",
        "district": profile.name,
    }
    # The departments' documents need no chart: rendered first, while the charts are drawn.
    departments = _department_documents(renderer, common, briefs, profile)
    period = briefs.ranking.period or "期次未知"
    files: dict[str, bytes] = {}
    _add_chart(files, period, "全区排名图", charts[0])
    summary = district_summary(briefs, profile)
    files[safe_file_name(f"{period}-全区情况简报.docx")] = renderer.render(
        SUMMARY_TEMPLATE,
        lambda template: {
            **common,
            "doc": summary_context(summary, briefs, common["period_text"], profile.name),
            "chart": _image(template, charts[0], 150, None),
        },
    )
    files.update(_unit_documents(renderer, common, briefs, charts))
    files.update(departments)
    return files


def _unit_documents(
    renderer: WordRenderer, common: dict[str, Any], briefs: BriefSet, charts: BackgroundCharts
) -> dict[str, bytes]:
    """Each unit's chart (PNG + SVG) and its 整改提升简报 or 情况简报."""
    period = briefs.ranking.period or "期次未知"
    files: dict[str, bytes] = {}
    names = unit_file_names(briefs, period, "docx")
    for index, brief in enumerate(briefs.units, start=1):
        name = names[brief.unit.unit]
        chart = charts[index]
        _add_chart(files, f"{period}-{brief.unit.unit}", "大类得分图", chart)
        files[name] = renderer.render(
            UNIT_TEMPLATE if brief.unit.flagged else STATUS_TEMPLATE,
            functools.partial(_unit_variables, common, brief, briefs, chart),
        )
    return files


def _department_documents(
    renderer: WordRenderer, common: dict[str, Any], briefs: BriefSet, profile: Profile
) -> dict[str, bytes]:
    period = briefs.ranking.period or "期次未知"
    files: dict[str, bytes] = {}
    for tasks in department_tasks(briefs, profile):
        name = safe_file_name(f"{period}-{tasks.department}", keep_end="-牵头任务.docx")
        files[name] = renderer.render(
            DEPARTMENT_TEMPLATE,
            functools.partial(_department_variables, common, tasks, briefs, profile),
        )
    return files


def _add_chart(files: dict[str, bytes], stem: str, kind: str, chart: Chart) -> None:
    files[safe_file_name(stem, keep_end=f"-{kind}.png")] = chart.png
    files[safe_file_name(stem, keep_end=f"-{kind}.svg")] = chart.svg


def _unit_variables(
    common: dict[str, Any], brief: Any, briefs: Any, chart: Chart, template: Any
) -> dict[str, Any]:
    """What a unit's Word template receives (the chart needs the template object)."""
    return {
        **common,
        "brief": brief,
        "doc": unit_context(brief, briefs, common["period_text"]),
        "chart": _image(template, chart, 150, None),
    }


def _department_variables(
    common: dict[str, Any], tasks: Any, briefs: Any, profile: Any, template: Any
) -> dict[str, Any]:
    """What a lead department's Word template receives."""
    return {**common, "doc": department_context(tasks, briefs, profile, common["period_text"])}


def _image(template: Any, chart: Chart, width_mm: float, height_mm: float | None) -> Any:
    from docx.shared import Mm
    from docxtpl import InlineImage

    return InlineImage(
        template,
        io.BytesIO(chart.png),
        width=Mm(width_mm),
        height=Mm(height_mm) if height_mm else None,
    )


# Charts -----------------------------------------------------------------------------------


def _short(name: str, limit: int = 20) -> str:
    """A unit name as a chart can show it (a name from a hostile file may be any length)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


# Contexts ---------------------------------------------------------------------------------


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
