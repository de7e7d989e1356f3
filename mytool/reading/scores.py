"""Read a score workbook of any office's layout into a `Report` (the tidy table)."""

from __future__ import annotations

from pathlib import Path

from mytool.diagnostics import ERROR, INFO, WARNING, Issue
from mytool.errors import InputError
from mytool.files import shown
from mytool.numbers import round2
from mytool.profile import Profile
from mytool.reading.certainty import missing_units
from mytool.reading.guard import RangeTooLarge
from mytool.reading.period import find_period
from mytool.reading.respondents import Respondents, read_respondents, respondents_from_workbook
from mytool.reading.sources import Workbook, open_workbook
from mytool.reading.tables import EMPTY_SCORES, NO_UNIT_COLUMN, SheetResult, read_sheet
from mytool.report import Report, Score, SheetUse


def read_report(path: str | Path, profile: Profile) -> Report:
    """Read the score workbook at `path`; raise `InputError` when it holds no usable scores.

    A respondent-level questionnaire export (told by its shape) is aggregated into unit scores.
    """
    source = open_source(path, profile)
    if isinstance(source, Respondents):
        from mytool.aggregation import report_from_respondents

        return report_from_respondents(source, profile)
    return report_from_workbook(source, profile)


def open_source(path: str | Path, profile: Profile) -> Workbook | Respondents:
    """The workbook at `path`, or its respondents when it is a questionnaire export.

    A sheet too large for a score table is tried as an export through the fast reader, whose
    limits are higher; if it is not one, the size is what the user is told.
    """
    try:
        workbook = open_workbook(path)
    except RangeTooLarge as too_large:
        try:
            return read_respondents([path], profile)
        except InputError:
            raise too_large from None
    respondents = respondents_from_workbook(workbook, profile)
    return workbook if respondents is None else respondents


def report_from_workbook(workbook: Workbook, profile: Profile) -> Report:
    """Join the score tables of every sheet on the unit (hidden ones are listed by the door)."""
    file = shown(workbook.path.name)
    if not workbook.sheets:
        raise InputError(f"{file}：文件中没有任何表格")
    issues = list(workbook.issues)
    results: list[SheetResult] = []
    uses: list[SheetUse] = []
    for sheet in workbook.sheets:
        result = read_sheet(sheet, profile, file)
        uses.append(result.use)
        issues.extend(result.issues)
        if result.use.layout != "skipped":
            results.append(result)
    if not results:
        notes = {u.note for u in uses}
        if notes == {NO_UNIT_COLUMN}:
            reason = "没有找到街镇列"
        elif EMPTY_SCORES in notes:
            reason = "分数列里没有任何分数（都是空白或“—”“/”）"
        else:
            reason = "没有找到分数列"
        raise InputError(
            f"{file}：{reason}，无法读取测评结果"
            f"（已查看工作表：{'、'.join(s.name for s in workbook.sheets)}）"
        )
    scores, conflicts = _merge_scores(results, file)
    issues.extend(conflicts)
    units = list(dict.fromkeys(u for r in results for u in r.units))
    unknown = list(dict.fromkeys(u for r in results for u in r.unknown_units))
    scored = {s.unit for s in scores}
    for unit in units:
        if unit not in scored:
            issues.append(
                Issue(
                    "unit-without-scores",
                    WARNING,
                    f"「{unit}」没有任何分数，未参与排名",
                    file,
                    unit=unit,
                )
            )
    issues.extend(missing_units(units, profile, file))
    references = list(dict.fromkeys(name for r in results for name in r.reference_rows))
    issues.extend(_missing_categories(scores, profile, file))
    period, origin, period_issues = _detect_period(workbook, results, file)
    issues.extend(period_issues)
    city_scope = next((r.city_scope for r in results if r.city_scope), "")
    return Report(
        source=file,
        path=str(workbook.path),
        format=workbook.format,
        period=period,
        period_origin=origin,
        scores=tuple(scores),
        units=tuple(u for u in units if u in scored),
        unknown_units=tuple(unknown),
        reference_rows=tuple(references),
        sheets=tuple(uses),
        city_scope=city_scope,
        issues=tuple(issues),
    )


def _missing_categories(scores: list[Score], profile: Profile, file: str) -> list[Issue]:
    """Profile categories a report with category or item scores has nothing for at all.

    An old-scheme report covers the current categories its old ones map to; a report with
    composites only has no category level and is not short of anything.
    """
    present = {s.category for s in scores if s.category}
    if not present:
        return []
    covered = present | {profile.lineage[c] for c in present if c in profile.lineage}
    old_scheme = any(c in profile.lineage and c not in profile.category_names for c in present)
    # An old report cannot have categories that the old scheme did not have.
    expected = set(profile.lineage.values()) if old_scheme else set(profile.category_names)
    missing = [c for c in profile.category_names if c in expected and c not in covered]
    if not missing:
        return []
    message = f"报告中没有这些大类的分数：{'、'.join(missing)}；计算的综合得分只用现有大类"
    return [Issue("category-missing", WARNING, message, file)]


def _merge_scores(results: list[SheetResult], file: str) -> tuple[list[Score], list[Issue]]:
    """One score per (unit, measure, category, item); disagreeing duplicates are errors."""
    seen: dict[tuple[str, str, str, str], Score] = {}
    issues: list[Issue] = []
    for result in results:
        for score in result.scores:
            key = (score.unit, score.measure, score.category, score.item)
            first = seen.get(key)
            if first is None:
                seen[key] = score
            elif round2(first.value) != round2(score.value):
                what = score.item or score.category or "综合满意度"
                issues.append(
                    Issue(
                        "duplicate-unit-conflict",
                        ERROR,
                        f"「{score.unit}」的「{what}」出现两次且数值不一致："
                        f"{_row_text(first)}为 {first.value:g}，"
                        f"{_row_text(score)}为 {score.value:g}",
                        file,
                        score.place,
                        score.unit,
                    )
                )
    return list(seen.values()), issues


def _row_text(score: Score) -> str:
    """Where a score was read, with the unit as that row spells it: B3（「九亭」）."""
    return f"{score.place}（「{score.spelling}」）" if score.spelling else f"{score.place} "


def _detect_period(
    workbook: Workbook, results: list[SheetResult], file: str
) -> tuple[str | None, str, list[Issue]]:
    """The report's period, from a period column, a title, a sheet name or the file name."""
    issues: list[Issue] = []
    column_periods = {find_period(v) or v for r in results for v, _ in r.periods}
    if len(column_periods) > 1:
        raise InputError(
            f"{file}：期次列含多个期次（{'、'.join(sorted(map(str, column_periods)))}），"
            "请每期单独保存一个文件"
        )
    candidates: list[tuple[str, str]] = []
    if column_periods:
        value = column_periods.pop()
        if find_period(value):
            candidates.append((find_period(value), "期次列"))
    for result in results:
        for text in result.title_text:
            if found := find_period(text):
                candidates.append((found, f"标题「{text.strip()[:40]}」"))
                break
    for sheet in workbook.sheets:
        if found := find_period(sheet.name):
            candidates.append((found, f"工作表名「{sheet.name}」"))
    if found := find_period(workbook.path.stem):
        candidates.append((found, "文件名"))
    if not candidates:
        issues.append(
            Issue("no-period", INFO, "未能从文件中识别期次（标题、工作表名、文件名均未注明）", file)
        )
        return None, "", issues
    period, origin = candidates[0]
    others = {p for p, _ in candidates if p != period}
    if others:
        issues.append(
            Issue(
                "period-disagreement",
                WARNING,
                f"期次不一致：{origin}为 {period}，"
                f"但其他位置写的是 {'、'.join(sorted(others))}；按 {period} 处理",
                file,
            )
        )
    return period, origin, issues
