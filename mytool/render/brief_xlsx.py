"""The briefs workbook: 总览, 大类, 牵头部门, 点位问题, and one sheet per selected unit."""

from __future__ import annotations

from typing import Any

from mytool.analysis.brief import BriefSet, UnitBrief
from mytool.profile import Profile
from mytool.render.excel import (
    FLAG_FILL,
    Looks,
    fill_row,
    fit_columns,
    prepare_print,
    put,
    sheet_title,
    workbook_bytes,
    write_table,
)
from mytool.render.grades import grade_color
from mytool.render.labels import flag_text, rank_text, source_note
from mytool.render.plan import plan_line
from mytool.render.templating import chinese_date, signed
from mytool.render.wording import noise_text, period_text

STATUSES = ("未启动", "整改中", "待核验", "已销号")


def briefs_workbook(briefs: BriefSet, profile: Profile) -> bytes:
    """The whole workbook as .xlsx bytes."""
    from openpyxl import Workbook

    book = Workbook()
    taken: set[str] = set()
    overview = book.active
    overview.title = sheet_title("总览", taken)
    _overview_sheet(overview, briefs, profile)
    _categories_sheet(book.create_sheet(sheet_title("大类", taken)), briefs)
    _departments_sheet(book.create_sheet(sheet_title("牵头部门", taken)), briefs)
    _problems_sheet(book.create_sheet(sheet_title("点位问题", taken)), briefs, profile)
    for brief in briefs.units:
        _unit_sheet(book.create_sheet(sheet_title(brief.unit.unit, taken)), brief)
    return workbook_bytes(book)


def _title(sheet: Any, text: str, note: str = "") -> None:
    from openpyxl.styles import Font

    put(sheet, 1, 1, text).font = Font(bold=True, size=14)
    if note:
        put(sheet, 2, 1, note)


def _overview_sheet(sheet: Any, briefs: BriefSet, profile: Profile) -> None:
    from openpyxl.styles import PatternFill

    ranking = briefs.ranking
    _title(
        sheet,
        f"{period_text(ranking.period)} 街镇排名与重点提升对象",
        f"数据来源：{ranking.source}。{source_note(ranking.score_source)}。",
    )
    city = any(u.city_rank for u in ranking.units)
    headers = ["排名", "街镇", "综合得分", "等级", "重点提升", "原因", "最弱大类"]
    if city:
        headers.append(f"{ranking.city_scope or '全市'}排名")
    rows = [
        [
            rank_text(u.rank, u.tied),
            u.unit,
            u.score,
            u.grade,
            "是" if u.flagged else "",
            flag_text(u, ranking.bottom_n) if u.flagged else "",
            "、".join(u.weakest_categories),
            *([u.city_rank] if city else []),
        ]
        for u in ranking.units
    ]
    write_table(sheet, 4, headers, rows, score_columns=[3])
    looks = Looks.of(sheet)
    for offset, unit in enumerate(ranking.units, start=5):
        if unit.flagged:
            fill_row(sheet, offset, len(headers), FLAG_FILL)
        color = grade_color(profile, unit.grade)
        fill = {"fill": PatternFill("solid", fgColor=color)}
        looks.apply(sheet.cell(row=offset, column=4), ("grade", color), fill)
    fit_columns(sheet, first_row=4)
    prepare_print(sheet, "C5")


def _categories_sheet(sheet: Any, briefs: BriefSet) -> None:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.utils import get_column_letter

    ranking = briefs.ranking
    names = [c.category for c in ranking.categories]
    _title(
        sheet, f"{ranking.period or ''} 各街镇大类得分", "按大类全区得分排名排列；色阶：红低绿高。"
    )
    rows = [[u.unit, *(u.categories.get(name) for name in names)] for u in ranking.units]
    rows.append(["全区平均", *(c.score for c in ranking.categories)])
    last = write_table(sheet, 4, ["街镇", *names], rows, score_columns=range(2, len(names) + 2))
    if names:
        area = f"B5:{get_column_letter(len(names) + 1)}{last - 1}"
        sheet.conditional_formatting.add(
            area,
            ColorScaleRule(
                start_type="min",
                start_color="F8696B",
                mid_type="percentile",
                mid_value=50,
                mid_color="FFEB84",
                end_type="max",
                end_color="63BE7B",
            ),
        )
    below = last + 2
    write_table(
        sheet,
        below,
        ["大类排名", "大类", "全区得分", "权重", "牵头部门", "最弱街镇"],
        [
            [
                rank_text(c.rank, c.tied),
                c.category,
                c.score,
                c.weight,
                c.department,
                "、".join(c.weakest_units),
            ]
            for c in ranking.categories
        ],
        score_columns=[3],
    )
    fit_columns(sheet, first_row=4, maximum=24)
    prepare_print(sheet, "B5")


def _departments_sheet(sheet: Any, briefs: BriefSet) -> None:
    _title(sheet, "牵头部门任务清单", "各部门主动认领牵头大类和点位问题。")
    rows = []
    for section in briefs.departments:
        for category in section.categories:
            owned = [p for p in section.problems if p.category == category.category]
            rows.append(
                [
                    section.department,
                    category.category,
                    category.score,
                    rank_text(category.rank, category.tied),
                    "、".join(category.weakest_units),
                    len(owned),
                    "、".join(section.flagged_units_weak_here),
                ]
            )
    write_table(
        sheet,
        4,
        ["牵头部门", "大类", "全区得分", "大类排名", "最弱街镇", "点位问题数", "重点提升街镇"],
        rows,
        score_columns=[3],
    )
    fit_columns(sheet, first_row=4)
    prepare_print(sheet, "A5")


def _problems_sheet(sheet: Any, briefs: BriefSet, profile: Profile) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    deadline = chinese_date(briefs.deadline)
    _title(
        sheet,
        "点位问题整改台账",
        f"完成时限：{deadline}前。整改措施、责任人、完成时限、整改状态由各单位填写。",
    )
    headers = [
        "序号",
        "街镇",
        "大类",
        "小项",
        "点位地址",
        "问题描述",
        "发现日期",
        "牵头部门",
        "整改措施",
        "责任人",
        "完成时限",
        "整改状态",
    ]
    rows = []
    for index, point in enumerate(briefs.problems, start=1):
        found = profile.category(point.category)
        rows.append(
            [
                index,
                point.unit,
                point.category,
                point.item,
                point.location,
                point.description,
                None,
                found.department if found else "",
                "",
                "",
                None,
                "",
            ]
        )
    last = write_table(sheet, 4, headers, rows)
    for offset, point in enumerate(briefs.problems, start=5):
        if point.date:
            cell = sheet.cell(row=offset, column=7, value=point.date)
            cell.number_format = "yyyy-mm-dd"
    if briefs.problems:
        status = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=True)
        sheet.add_data_validation(status)
        status.add(f"L5:L{last}")
    fit_columns(sheet, first_row=4, maximum=40)
    prepare_print(sheet, "C5")


def _unit_sheet(sheet: Any, brief: UnitBrief) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    unit = brief.unit
    _title(sheet, f"{unit.unit} {brief.period or ''} 整改提升简报")
    lines = [
        f"综合得分 {unit.score:.2f}（{unit.grade}），全区第 {rank_text(unit.rank, unit.tied)} 名"
        f"（共 {brief.units_count} 个）",
    ]
    if unit.flagged:
        lines.append(f"重点提升原因：{flag_text(unit, brief.bottom_n)}")
    change = brief.change
    if change and change.previous_score is not None:
        lines.append(
            f"较上期（{brief.previous_period or '上期'}）：{signed(change.score_change)} 分"
            f"{noise_text(change)}，"
            f"排名 {change.previous_rank} → {unit.rank}，"
            + (
                f"等级 {change.previous_grade} → {unit.grade}"
                if change.previous_grade != unit.grade
                else f"等级保持{unit.grade}"
            )
        )
    if brief.focus:
        lines.append("先抓：" + "、".join(f"{p.category}（+{p.gain:.2f}）" for p in brief.focus))
    if brief.points_to_leave_bottom is not None:
        lines.append(f"走出倒数 {brief.bottom_n} 名需提高 {brief.points_to_leave_bottom:.2f} 分")
    if brief.next_grade:
        lines.append(f"达到“{brief.next_grade}”需提高 {brief.points_to_next_grade:.2f} 分")
    if brief.gains_are_estimates:
        lines.append("提升分值为按大类权重估算的近似值")
    for plan in brief.plans:
        lines.append(plan_line(plan))
    for offset, line in enumerate(lines, start=2):
        put(sheet, offset, 1, line)
    top = len(lines) + 3
    put(sheet, top - 1, 1, "各大类得分").font = Font(bold=True)
    last = write_table(
        sheet,
        top,
        ["大类", "本街镇", "全区平均", "差距", "大类内排名", "牵头部门"],
        [
            [c.category, c.score, c.district, c.gap, f"{c.rank}/{c.of}", c.department]
            for c in brief.categories
        ],
        score_columns=[2, 3, 4],
    )
    if brief.categories:
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"{unit.unit}与全区平均"
        chart.y_axis.title = "得分"
        data = Reference(sheet, min_col=2, max_col=3, min_row=top, max_row=last)
        labels = Reference(sheet, min_col=1, min_row=top + 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(labels)
        chart.height = max(7.5, 0.7 * len(brief.categories))
        chart.width = 16
        sheet.add_chart(chart, f"H{top}")
    row = last + 2
    put(sheet, row, 1, "发力点（补齐与全区平均的差距可提高的综合得分）").font = Font(bold=True)
    row = write_table(
        sheet,
        row + 1,
        ["大类", "差距", "权重", "可提高", "牵头部门"],
        [[p.category, p.gap, p.weight, p.gain, p.department] for p in brief.leverage],
        score_columns=[2, 4],
    )
    row += 2
    put(sheet, row, 1, "最弱小项").font = Font(bold=True)
    row = write_table(
        sheet,
        row + 1,
        ["大类", "小项", "本街镇", "全区平均", "差距"],
        [[i.category, i.item, i.score, i.district, i.gap] for i in brief.weakest_items],
        score_columns=[3, 4, 5],
    )
    row += 2
    put(sheet, row, 1, f"点位问题（完成时限：{chinese_date(brief.deadline)}前）").font = Font(
        bold=True
    )
    row = write_table(
        sheet,
        row + 1,
        ["大类", "牵头部门", "小项", "点位地址", "问题描述"],
        [
            [g.category, g.department, p.item, p.location, p.description]
            for g in brief.problem_groups
            for p in g.problems
        ],
    )
    if brief.ledger_as_of:
        _ledger_table(sheet, row + 2, brief)
    fit_columns(sheet, first_row=top, maximum=40)
    prepare_print(sheet)


def _ledger_table(sheet: Any, row: int, brief: UnitBrief) -> None:
    """The unit's open items in the rectification ledger, overdue ones marked."""
    from openpyxl.styles import Font

    title = f"整改台账进展（截至{chinese_date(brief.ledger_as_of)}，未销号点位）"
    put(sheet, row, 1, title).font = Font(bold=True)
    write_table(
        sheet,
        row + 1,
        ["编号", "大类", "点位地址", "牵头部门", "完成时限", "状态", "整改进展"],
        [
            [
                i.id,
                i.category,
                i.location,
                i.department,
                i.deadline.isoformat() if i.deadline else "",
                f"{i.status}（逾期 {i.days} 天）" if i.overdue else i.status,
                i.progress,
            ]
            for i in brief.ledger_items
        ],
    )
