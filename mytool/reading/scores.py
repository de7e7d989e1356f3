"""Read a score workbook of any office's layout into a `Report` (the tidy table)."""

from __future__ import annotations

from pathlib import Path

from mytool.diagnostics import ERROR, INFO, WARNING, Issue, IssueCode
from mytool.errors import InputError, UsageError
from mytool.files import shown
from mytool.numbers import round2
from mytool.profile import Profile
from mytool.reading.certainty import missing_units
from mytool.reading.period import find_period, period_label
from mytool.reading.sources import Sheet, Workbook
from mytool.reading.tables import EMPTY_SCORES, NO_UNIT_COLUMN, SheetResult, read_sheet
from mytool.reading.weights import weight_issues
from mytool.report import COMPOSITE, Report, Score, SheetUse


def checked_period(report: Report, period: str | None) -> Report:
    """`report`, unless it is of another half-year than the --period asked for."""
    if period is not None and report.period is not None and report.period != period:
        raise UsageError(
            f"{report.source} 是 {period_label(report.period)}（{report.period}）的测评结果，"
            f"不是 --period 指定的 {period}"
        )
    return report


class SeveralPeriods(InputError):
    """A workbook holding several half-years, one per sheet, read without choosing one."""

    def __init__(self, file: str, periods: dict[str, list[str]]) -> None:
        listed = "，".join(
            "、".join(f"「{name}」" for name in sheets) + f"为 {period_label(p)}（{p}）"
            for p, sheets in periods.items()
        )
        latest = max(periods)
        super().__init__(
            f"{file} 含 {len(periods)} 期测评结果，每期一个工作表：{listed}。"
            f"请用 --period {latest}（或 --sheet 工作表名）选择一期；"
            f"比较各期请用 mytool compare {file} 或 mytool trend {file}"
        )
        self.periods = periods


Reading = tuple[Sheet, SheetResult]


def report_from_workbook(
    workbook: Workbook, profile: Profile, *, period: str | None = None, sheet: str | None = None
) -> Report:
    """Join the score tables of every sheet on the unit (hidden ones are listed by the door).

    A workbook with a sheet per half-year is refused unless `period` ("2024H1") or `sheet` picks
    one; `period` given for a one-period file must be its period.
    """
    file = shown(workbook.path.name)
    readings = _read_sheets(workbook, profile)
    if sheet is not None:
        readings = [_pick_sheet(readings, sheet, file)]
        report = _build_report(workbook, readings, profile, with_file_name=True)
    else:
        groups = _period_groups(readings)
        if len(groups) > 1:
            if period is None:
                raise SeveralPeriods(file, {p: [s.name for s, _ in g] for p, g in groups.items()})
            if period not in groups:
                raise UsageError(f"{file} 中没有 {period} 期；文件中的期次：{'、'.join(groups)}")
            report = _build_report(workbook, _with_skipped(readings, groups[period]), profile)
        else:
            report = _build_report(workbook, readings, profile, with_file_name=True)
    return checked_period(report, period)


def reports_by_period(workbook: Workbook, profile: Profile) -> list[Report]:
    """One report per half-year of a workbook with a sheet per period, oldest first; else one."""
    readings = _read_sheets(workbook, profile)
    groups = _period_groups(readings)
    if len(groups) <= 1:
        return [_build_report(workbook, readings, profile, with_file_name=True)]
    return [
        _build_report(workbook, _with_skipped(readings, groups[p]), profile) for p in sorted(groups)
    ]


def workbook_periods(workbook: Workbook, profile: Profile) -> dict[str, list[str]]:
    """The half-years of a workbook with a sheet per period and their sheets ({} for one period)."""
    groups = _period_groups(_read_sheets(workbook, profile))
    if len(groups) <= 1:
        return {}
    return {p: [s.name for s, _ in groups[p]] for p in sorted(groups)}


def _read_sheets(workbook: Workbook, profile: Profile) -> list[Reading]:
    file = shown(workbook.path.name)
    if not workbook.sheets:
        raise InputError(f"{file}：文件中没有任何表格")
    return [(sheet, read_sheet(sheet, profile, file)) for sheet in workbook.sheets]


def _pick_sheet(readings: list[Reading], name: str, file: str) -> Reading:
    for reading in readings:
        if reading[0].name == name:
            return reading
    names = "、".join(sheet.name for sheet, _ in readings)
    raise UsageError(f"{file}：工作表「{name}」不存在；现有工作表：{names}")


def _sheet_period(sheet: Sheet, result: SheetResult) -> str | None:
    """The half-year a score sheet is about: its name, else its title."""
    return find_period(sheet.name) or next(
        (found for text in result.title_text if (found := find_period(text))), None
    )


def _period_groups(readings: list[Reading]) -> dict[str, list[Reading]]:
    """Score sheets grouped by the half-year each names, in the workbook's order."""
    groups: dict[str, list[Reading]] = {}
    for sheet, result in readings:
        if result.use.layout == "skipped":
            continue
        period = _sheet_period(sheet, result)
        if period:
            groups.setdefault(period, []).append((sheet, result))
    return groups


def _with_skipped(readings: list[Reading], chosen: list[Reading]) -> list[Reading]:
    """The chosen score sheets, the sheets without scores, and the score sheets of no period
    (the last are reported, not used: which period they belong to cannot be told)."""
    kept = []
    for sheet, result in readings:
        if any(sheet is other for other, _ in chosen) or result.use.layout == "skipped":
            kept.append((sheet, result))
        elif _sheet_period(sheet, result) is None:
            note = "未注明期次，未使用"
            kept.append((sheet, SheetResult(SheetUse(sheet.name, "skipped", note=note))))
    return kept


def _build_report(
    workbook: Workbook, readings: list[Reading], profile: Profile, *, with_file_name: bool = False
) -> Report:
    file = shown(workbook.path.name)
    issues = list(workbook.issues)
    results = _score_results(readings, file, issues)
    scores, conflicts = _merge_scores(results, file)
    issues.extend(conflicts)
    units = list(dict.fromkeys(u for r in results for u in r.units))
    unknown = list(dict.fromkeys(u for r in results for u in r.unknown_units))
    scored = {s.unit for s in scores}
    issues.extend(
        Issue(
            IssueCode.UNIT_WITHOUT_SCORES,
            WARNING,
            f"「{unit}」没有任何分数，未参与排名",
            file,
            unit=unit,
        )
        for unit in units
        if unit not in scored
    )
    issues.extend(missing_units(units, profile, file))
    references = list(dict.fromkeys(name for r in results for name in r.reference_rows))
    issues.extend(_missing_categories(scores, profile, file))
    # One period of several: only its own score sheets' names say which; else every sheet's.
    sheet_names = [sheet.name for sheet, result in readings if result.use.layout != "skipped"]
    if with_file_name and len(readings) == len(workbook.sheets):
        sheet_names = [sheet.name for sheet in workbook.sheets]
    period, origin, period_issues = _detect_period(
        workbook.path if with_file_name else None, sheet_names, results, file
    )
    issues.extend(period_issues)
    city_scope = next((r.city_scope for r in results if r.city_scope), "")
    weighted = next((r for r in results if r.weights), None)
    if weighted is not None:
        issues.extend(_file_weight_issues(weighted, scores, profile, file))
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
        sheets=tuple(result.use for _, result in readings),
        city_scope=city_scope,
        issues=tuple(issues),
        weights=tuple((w.category, w.value) for w in weighted.weights) if weighted else (),
        weights_place=weighted.weights_place if weighted else "",
    )


def _file_weight_issues(
    weighted: SheetResult, scores: list[Score], profile: Profile, file: str
) -> list[Issue]:
    """What is wrong with the category weights a sheet of the file states."""
    return weight_issues(
        weighted.weights,
        weighted.weights_place,
        categories={s.category for s in scores if s.category},
        composite_published=any(s.measure == COMPOSITE for s in scores),
        profile=profile,
        file=file,
    )


def _score_results(readings: list[Reading], file: str, issues: list[Issue]) -> list[SheetResult]:
    """The sheets that hold scores; every sheet's issues go to `issues`. None at all is refused,
    with the likeliest reason."""
    results: list[SheetResult] = []
    for _, result in readings:
        issues.extend(result.issues)
        if result.use.layout != "skipped":
            results.append(result)
        elif result.use.note == "未注明期次，未使用":
            issues.append(
                Issue(
                    IssueCode.SHEET_WITHOUT_PERIOD,
                    WARNING,
                    f"工作表「{result.use.name}」有分数但未注明期次，不知属于哪一期，未使用",
                    file,
                    result.use.name,
                )
            )
    if results:
        return results
    notes = {result.use.note for _, result in readings}
    if notes == {NO_UNIT_COLUMN}:
        reason = "没有找到街镇列"
    elif EMPTY_SCORES in notes:
        reason = "分数列里没有任何分数（都是空白或“—”“/”）"
    else:
        reason = "没有找到分数列"
    raise InputError(
        f"{file}：{reason}，无法读取测评结果"
        f"（已查看工作表：{'、'.join(sheet.name for sheet, _ in readings)}）"
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
    return [Issue(IssueCode.CATEGORY_MISSING, WARNING, message, file)]


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
                        IssueCode.DUPLICATE_UNIT_CONFLICT,
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
    path: Path | None, sheet_names: list[str], results: list[SheetResult], file: str
) -> tuple[str | None, str, list[Issue]]:
    """The report's period, from a period column, a title, a sheet name or the file name.

    `path` is None for one period of a workbook holding several: its file name says nothing
    about which.
    """
    issues: list[Issue] = []
    column_periods = {find_period(v) or v for r in results for v, _ in r.periods}
    if len(column_periods) > 1:
        raise InputError(
            f"{file}：期次列含多个期次（{'、'.join(sorted(map(str, column_periods)))}），"
            "请每期单独保存一个文件"
        )
    candidates: list[tuple[str, str]] = []
    if column_periods:
        found = find_period(column_periods.pop())
        if found:
            candidates.append((found, "期次列"))
    for result in results:
        for text in result.title_text:
            if found := find_period(text):
                candidates.append((found, f"标题「{text.strip()[:40]}」"))
                break
    for name in sheet_names:
        if found := find_period(name):
            candidates.append((found, f"工作表名「{name}」"))
    if path is not None and (found := find_period(path.stem)):
        candidates.append((found, "文件名"))
    if not candidates:
        issues.append(
            Issue(
                IssueCode.NO_PERIOD,
                INFO,
                "未能从文件中识别期次（标题、工作表名、文件名均未注明）",
                file,
            )
        )
        return None, "", issues
    period, origin = candidates[0]
    others = {p for p, _ in candidates if p != period}
    if others:
        issues.append(
            Issue(
                IssueCode.PERIOD_DISAGREEMENT,
                WARNING,
                f"期次不一致：{origin}为 {period}，"
                f"但其他位置写的是 {'、'.join(sorted(others))}；按 {period} 处理",
                file,
            )
        )
    return period, origin, issues
