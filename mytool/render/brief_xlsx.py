"""The briefs workbook: 总览, 大类, 牵头部门, 点位问题, and one sheet per selected unit.

Every sheet has its title in A1 with the period as people write it (2023年下半年), ranks are
numbers (a tie shows "（并列）" through the number format), and every sheet prints on A4 with
its table header repeated. A unit's sheet is one A4 portrait page at 100 % (see `page_grid`).
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mytool.analysis.brief import BriefSet, UnitBrief
from mytool.profile import Profile
from mytool.render.excel import (
    Looks,
    chart_fonts,
    fill,
    fill_row,
    fit_columns,
    new_workbook,
    prepare_print,
    title_rows,
    workbook_bytes,
    write_table,
)
from mytool.render.excel_layout import FLAG_FILL, TIED_FORMAT, TITLE_SIZE, sheet_title
from mytool.render.grades import grade_color
from mytool.render.labels import flag_text, source_note
from mytool.render.page_grid import GRID_COLUMNS, Field, PageGrid, field_column, score
from mytool.render.plan import plan_line
from mytool.render.template_filters import chinese_date, signed
from mytool.render.wording import noise_text, period_text, rank_of

UNIT_COLOR = "1F4E79"  # as the Word brief's chart (render.charts)
DISTRICT_COLOR = "9E9E9E"
STATUSES = ("未启动", "整改中", "待核验", "已销号")


def briefs_workbook(briefs: BriefSet, profile: Profile) -> bytes:
    """The whole workbook as .xlsx bytes."""
    book = new_workbook()
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


def _tied(sheet: Any, column: int, rows: list[tuple[int, bool]]) -> None:
    """Ranks stay numbers; a tied one reads "12（并列）" through its number format."""
    for row, tied in rows:
        if tied:
            sheet.cell(row=row, column=column).number_format = TIED_FORMAT


def _overview_sheet(sheet: Any, briefs: BriefSet, profile: Profile) -> None:
    ranking = briefs.ranking
    top = title_rows(
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
            u.rank,
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
    write_table(sheet, top, headers, rows, score_columns=[3])
    looks = Looks.of(sheet)
    for offset, unit in enumerate(ranking.units, start=top + 1):
        if unit.flagged:
            fill_row(sheet, offset, len(headers), FLAG_FILL)
        color = grade_color(profile, unit.grade)
        looks.apply(sheet.cell(row=offset, column=4), ("grade", color), {"fill": fill(color)})
    _tied(sheet, 1, [(top + 1 + i, u.tied) for i, u in enumerate(ranking.units)])
    fit_columns(sheet, first_row=top)
    _widen(sheet, "A", 11)
    prepare_print(sheet, f"C{top + 1}", header_row=top)


def _widen(sheet: Any, letter: str, width: float) -> None:
    """At least `width` for a rank column: "12（并列）" is wider than the number it holds."""
    dimension = sheet.column_dimensions[letter]
    dimension.width = max(dimension.width or 0, width)


def _categories_sheet(sheet: Any, briefs: BriefSet) -> None:

    ranking = briefs.ranking
    names = [c.category for c in ranking.categories]
    top = title_rows(
        sheet,
        f"{period_text(ranking.period)} 各街镇大类得分",
        "按大类全区得分排名排列；色阶：红低绿高。",
    )
    rows = [[u.unit, *(u.categories.get(name) for name in names)] for u in ranking.units]
    rows.append(["全区平均", *(c.score for c in ranking.categories)])
    last = write_table(sheet, top, ["街镇", *names], rows, score_columns=range(2, len(names) + 2))
    if names:
        area = f"B{top + 1}:{get_column_letter(len(names) + 1)}{last - 1}"
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
            [c.rank, c.category, c.score, c.weight, c.department, "、".join(c.weakest_units)]
            for c in ranking.categories
        ],
        score_columns=[3],
    )
    _tied(sheet, 1, [(below + 1 + i, c.tied) for i, c in enumerate(ranking.categories)])
    fit_columns(sheet, first_row=top, maximum=24)
    _widen(sheet, "A", 11)
    prepare_print(sheet, f"B{top + 1}", header_row=top)


def _departments_sheet(sheet: Any, briefs: BriefSet) -> None:
    top = title_rows(
        sheet,
        f"{period_text(briefs.ranking.period)} 牵头部门任务清单",
        "各部门主动认领牵头大类和点位问题。大类排名为该大类全区得分在各大类中的名次。",
    )
    rows: list[list[object]] = []
    ties: list[tuple[int, bool]] = []
    for section in briefs.departments:
        for category in section.categories:
            owned = [p for p in section.problems if p.category == category.category]
            ties.append((top + 1 + len(rows), category.tied))
            rows.append(
                [
                    section.department,
                    category.category,
                    category.score,
                    category.rank,
                    "、".join(category.weakest_units),
                    len(owned),
                    "、".join(section.flagged_units_weak_here),
                ]
            )
    write_table(
        sheet,
        top,
        ["牵头部门", "大类", "全区得分", "大类排名", "最弱街镇", "点位问题数", "重点提升街镇"],
        rows,
        score_columns=[3],
    )
    _tied(sheet, 4, ties)
    fit_columns(sheet, first_row=top)
    _widen(sheet, "D", 11)
    prepare_print(sheet, f"A{top + 1}", header_row=top)


def _problems_sheet(sheet: Any, briefs: BriefSet, profile: Profile) -> None:

    deadline = chinese_date(briefs.deadline)
    top = title_rows(
        sheet,
        f"{period_text(briefs.ranking.period)} 点位问题整改台账",
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
    last = write_table(sheet, top, headers, rows)
    for offset, point in enumerate(briefs.problems, start=top + 1):
        if point.date:
            cell = sheet.cell(row=offset, column=7, value=point.date)
            cell.number_format = "yyyy-mm-dd"
    if briefs.problems:
        status = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=True)
        sheet.add_data_validation(status)
        status.add(f"L{top + 1}:L{last}")
    fit_columns(sheet, first_row=top, maximum=30)
    for letter, width in FILL_IN_WIDTHS.items():  # empty when sent out: room to write in
        _widen(sheet, letter, width)
    prepare_print(sheet, f"C{top + 1}", header_row=top)


FILL_IN_WIDTHS = {"G": 11, "I": 24, "J": 10, "K": 11, "L": 10}


def _unit_sheet(sheet: Any, brief: UnitBrief) -> None:
    """One A4 portrait page: the summary, the categories with the chart under them, then the
    weakest items, the problem points and (with a ledger) the open ledger items."""
    unit = brief.unit
    kind = "整改提升简报" if unit.flagged else "情况简报"
    grid = PageGrid(sheet)
    grid.line(f"{unit.unit} {period_text(brief.period)} {kind}", bold=True, size=TITLE_SIZE)
    for line in _summary_lines(brief):
        grid.line(line)
    if brief.categories:
        grid.gap()
        grid.line("各大类得分（底色：先抓的大类；可提高：补齐差距可提高的综合得分）", bold=True)
        header, last = _category_table(grid, brief)
        anchor = grid.space(CHART_HEIGHT_CM / 2.54 * 72 + 6)
        sheet.add_chart(_category_chart(sheet, brief, header, last), f"A{anchor}")
    if brief.weakest_items:
        grid.gap()
        grid.line("最弱小项", bold=True)
        grid.table(
            ITEM_FIELDS,
            [[i.category, i.item, i.score, i.district, i.gap] for i in brief.weakest_items],
        )
    grid.gap()
    grid.line(f"点位问题（完成时限：{chinese_date(brief.deadline)}前）", bold=True)
    grid.table(  # the lead department of each category is in the table above
        PROBLEM_FIELDS,
        [
            [g.category, p.item, p.location, p.description]
            for g in brief.problem_groups
            for p in g.problems
        ],
    )
    if brief.ledger_as_of:
        _ledger_table(grid, brief)
    prepare_print(sheet, portrait=True, page_numbers=False)
    grid.break_pages()  # with many problem points or a ledger: the next page starts a table
    sheet.print_area = f"A1:{_last_column()}{grid.row - 1}"


CHART_HEIGHT_CM = 6.6
CHART_WIDTH_CM = 15.5
ITEM_FIELDS = (
    Field("大类", 7),
    Field("小项", 8),
    score("本街镇", 5),
    score("全区平均", 5),
    score("差距", 5),
)
PROBLEM_FIELDS = (Field("大类", 5), Field("小项", 6), Field("点位地址", 8), Field("问题描述", 11))
LEDGER_FIELDS = (
    Field("编号", 5),
    Field("大类", 4),
    Field("点位地址", 6),
    Field("完成时限", 5),
    Field("状态", 5),
    Field("整改进展", 5),
)


def _summary_lines(brief: UnitBrief) -> list[str]:
    unit = brief.unit
    head = (
        f"综合得分 {unit.score:.2f}（{unit.grade}），"
        f"{rank_of(unit.rank, brief.units_count, unit.tied).replace('第', '全区第', 1)}"
    )
    lines = [head + (f"，{flag_text(unit, brief.bottom_n)}" if unit.flagged else "")]
    change = brief.change
    if change and change.previous_score is not None:
        grade = (
            f"等级 {change.previous_grade} → {unit.grade}"
            if change.previous_grade != unit.grade
            else f"等级保持{unit.grade}"
        )
        previous = period_text(brief.previous_period) or "上期"
        lines.append(
            f"较上期（{previous}）：{signed(change.score_change)} 分{noise_text(change)}，"
            f"排名 {change.previous_rank} → {unit.rank}，{grade}"
        )
    targets = []
    if brief.points_to_leave_bottom is not None:
        targets.append(f"走出倒数 {brief.bottom_n} 名需提高 {brief.points_to_leave_bottom:.2f} 分")
    if brief.next_grade:
        targets.append(f"达到“{brief.next_grade}”需提高 {brief.points_to_next_grade:.2f} 分")
    if targets:
        estimate = "（按大类权重估算）" if brief.gains_are_estimates else ""
        lines.append("；".join(targets) + estimate)
    lines.extend(plan_line(plan) for plan in brief.plans)
    return lines


def _category_table(grid: PageGrid, brief: UnitBrief) -> tuple[int, int]:
    """The unit's categories with the district mean, the gap, the gain and the rank (a number,
    beside the number of units ranked); the categories to start with are shaded."""
    gains = {p.category: p.gain for p in brief.leverage}
    focus = {p.category for p in brief.focus}
    fields = CATEGORY_FIELDS
    header, last = grid.table(
        fields,
        [
            [
                c.category,
                c.score,
                c.district,
                c.gap,
                gains.get(c.category),
                c.rank,
                c.of,
                c.department,
            ]
            for c in brief.categories
        ],
    )
    for row, line in enumerate(brief.categories, start=header + 1):
        if line.category in focus:
            fill_row(grid.sheet, row, GRID_COLUMNS, FLAG_FILL)
    return header, last


CATEGORY_FIELDS = (
    Field("大类", 8),
    score("本街镇", 3),
    score("全区平均", 4),
    score("差距", 3),
    score("可提高", 3),
    Field("排名", 2),
    Field("共", 2),
    Field("牵头部门", 5),
)


def _category_chart(sheet: Any, brief: UnitBrief, header: int, last: int) -> Any:
    """Bars of the unit and the district mean, every category labelled, in table order."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = None
    for field, title, color in ((1, brief.unit.unit, UNIT_COLOR), (2, "全区平均", DISTRICT_COLOR)):
        column = field_column(CATEGORY_FIELDS, field)
        values = Reference(sheet, min_col=column, min_row=header + 1, max_row=last)
        series = Series(values, title=title)
        series.graphicalProperties.solidFill = color
        series.graphicalProperties.line.solidFill = color
        chart.series.append(series)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    chart.x_axis.tickLblSkip = 1  # every category's name, never every other one
    chart.x_axis.scaling.orientation = "maxMin"  # the first category on top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    scores = [v for c in brief.categories for v in (c.score, c.district)]
    chart.y_axis.scaling.min = max(0.0, (min(scores) // 5) * 5 - 5)
    chart.y_axis.scaling.max = min(100.0, math.ceil(max(scores) + 2))
    chart.y_axis.majorGridlines = None
    chart.y_axis.number_format = "0"
    chart.y_axis.crosses = "max"  # the score axis under the bars, although categories run down
    chart.legend.position = "r"  # beside the plot, so the bars get the height for every label
    chart_fonts(chart)
    chart.height, chart.width = CHART_HEIGHT_CM, CHART_WIDTH_CM
    return chart


def _ledger_table(grid: PageGrid, brief: UnitBrief) -> None:
    """The unit's open items in the rectification ledger, overdue ones marked."""
    grid.gap()
    grid.line(f"整改台账进展（截至{chinese_date(brief.ledger_as_of)}，未销号点位）", bold=True)
    grid.table(
        LEDGER_FIELDS,
        [
            [
                i.id,
                i.category,
                i.location,
                i.deadline.isoformat() if i.deadline else "",
                f"{i.status}（逾期 {i.days} 天）" if i.overdue else i.status,
                i.progress,
            ]
            for i in brief.ledger_items
        ],
    )


def _last_column() -> str:

    return get_column_letter(GRID_COLUMNS)
