"""One-call entry points over the reader and the ranking, for the CLI and for Python users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

# Only what `rank` on a score workbook needs is imported here; the other paths import their
# analysis steps inside their functions, so one command does not pay for all the others.
from mytool.analysis.ranking import Ranking, rank_report
from mytool.diagnostics import WARNING, Issue, IssueCode
from mytool.errors import InputError, UsageError
from mytool.profile import Profile, load_profile
from mytool.reading.exports import find_export_sheet
from mytool.reading.guard import RangeTooLarge
from mytool.reading.names import names_of
from mytool.reading.scores import (
    checked_period,
    report_from_workbook,
    reports_by_period,
)
from mytool.reading.sources import Workbook, open_workbook
from mytool.report import Report

if TYPE_CHECKING:
    from mytool.analysis.aggregation import Aggregation
    from mytool.analysis.brief import BriefSet
    from mytool.analysis.comparison import Comparison
    from mytool.analysis.ledger.status import LedgerStatus
    from mytool.analysis.planning import Plan, Target
    from mytool.analysis.significance import SamplingErrors
    from mytool.analysis.trend import Trend
    from mytool.reading.casework import Casework
    from mytool.reading.respondents import Progress, Respondents

REPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")


def open_source(path: str | Path, profile: Profile) -> Workbook | Respondents:
    """The workbook at `path`, or its respondents when it is a questionnaire export: the reader
    is chosen here, by a cheap sniff of the first rows (`find_export_sheet`), so a score
    workbook never loads the respondent reader and pandas.

    A sheet too large for a score table is tried as an export through the fast reader, whose
    limits are higher; if it is not one, the size is what the user is told.
    """
    try:
        workbook = open_workbook(path)
    except RangeTooLarge as too_large:
        # Too large for a score table: only the respondent reader (pandas) can tell more.
        from mytool.reading.respondents import read_respondents

        try:
            return read_respondents([path], profile)
        except InputError:
            raise too_large from None
    found = find_export_sheet(workbook.sheets, profile)
    if found is None:
        return workbook
    # A questionnaire export: only now is the respondent reader (and pandas) loaded.
    from mytool.reading.respondents import respondents_from_sheet

    return respondents_from_sheet(workbook, *found, profile)


def read_report(
    path: str | Path, profile: Profile, *, period: str | None = None, sheet: str | None = None
) -> Report:
    """Read the score workbook at `path`; raise `InputError` when it holds no usable scores.

    A respondent-level questionnaire export (told by its shape) is aggregated into unit scores.
    A workbook with a sheet per half-year needs `period` or `sheet` to pick one.
    """
    source = open_source(path, profile)
    if isinstance(source, Workbook):
        return report_from_workbook(source, profile, period=period, sheet=sheet)
    # A questionnaire export only: aggregation brings pandas, which score workbooks never need.
    from mytool.analysis.aggregation import report_from_respondents

    return checked_period(report_from_respondents(source, profile), period)


def read_reports(path: str | Path, profile: Profile) -> list[Report]:
    """Every half-year in the file at `path`, oldest first: several for a workbook with a sheet
    per period, else one."""
    source = open_source(path, profile)
    if isinstance(source, Workbook):
        return reports_by_period(source, profile)
    # A questionnaire export only: aggregation brings pandas, which score workbooks never need.
    from mytool.analysis.aggregation import report_from_respondents

    return [report_from_respondents(source, profile)]


def rank_file(
    path: str | Path,
    profile: str | Path | Profile | None = None,
    bottom_n: int | None = None,
    *,
    period: str | None = None,
    sheet: str | None = None,
) -> Ranking:
    """Read the report at `path` and rank it; errors in the data stop here with `InputError`.

    The ranking carries the reader's issues too (`Ranking.all_issues`). A workbook with a sheet
    per half-year is refused unless `period` or `sheet` picks one.
    """
    loaded = _profile(profile)
    return ranked(read_report(path, loaded, period=period, sheet=sheet), loaded, bottom_n)


def rank_periods(path: str | Path, profile: Profile, bottom_n: int | None = None) -> list[Ranking]:
    """Every half-year in the file at `path` ranked, oldest first (compare, trend)."""
    return [ranked(report, profile, bottom_n) for report in read_reports(path, profile)]


def compare_files(
    previous: str | Path,
    current: str | Path | None = None,
    profile: str | Path | Profile | None = None,
) -> Comparison:
    """Two half-years side by side: two files, or the two latest sheets of one (`current` None).

    The comparison's issues are both files' reading and ranking issues (each names its file),
    then the comparison's own.
    """
    from mytool.analysis.comparison import compare_rankings  # compare only

    loaded = _profile(profile)
    notes: list[Issue] = []
    errors: tuple[SamplingErrors | None, SamplingErrors | None] = (None, None)
    if current is None:  # one workbook with a sheet per half-year: score tables
        before, now, notes = _two_latest_periods(previous, loaded)
    else:
        (before, first), (now, second) = (
            _ranked_with_errors(p, loaded) for p in (previous, current)
        )
        errors = (first, second)
    comparison = _tested(compare_rankings(before, now, loaded), *errors)
    found = (*before.all_issues, *now.all_issues, *notes)
    return replace(comparison, issues=(*found, *comparison.issues))


def _ranked_with_errors(
    path: str | Path, profile: Profile, bottom_n: int | None = None
) -> tuple[Ranking, SamplingErrors | None]:
    """As `rank_file`, and for a respondent-level export its scores' sampling errors."""
    source = open_source(path, profile)
    if isinstance(source, Workbook):
        return ranked(report_from_workbook(source, profile), profile, bottom_n), None
    # A questionnaire export only: aggregation brings pandas, which score workbooks never need.
    from mytool.analysis.aggregation import aggregate
    from mytool.analysis.significance import sampling_errors

    aggregation = aggregate(source, profile)
    ranking = ranked(aggregation.report, profile, bottom_n)
    return ranking, sampling_errors(source, aggregation)


def _tested(
    comparison: Comparison, before: SamplingErrors | None, now: SamplingErrors | None
) -> Comparison:
    """`comparison` with its changes tested when both sides have sampling errors (exports)."""
    if before is None or now is None:
        return comparison
    from mytool.analysis.significance import with_tests  # two exports only

    return with_tests(comparison, before, now)


def _two_latest_periods(path: str | Path, profile: Profile) -> tuple[Ranking, Ranking, list[Issue]]:
    """The two latest half-years of a workbook with a sheet per period (compare with one file)."""
    found = rank_periods(path, profile)
    name = Path(path).name
    if len(found) < 2:
        only = found[0].period or "期次未知"
        raise UsageError(
            f"{name} 只有一期测评结果（{only}）；比较需要两个文件（上期 本期），"
            "或一个每期一个工作表的文件"
        )
    notes = []
    if len(found) > 2:
        periods = "、".join(r.period or "" for r in found)
        notes.append(
            Issue(
                IssueCode.SEVERAL_PERIODS,
                WARNING,
                f"文件含 {len(found)} 期（{periods}），比较最近两期 "
                f"{found[-2].period} 和 {found[-1].period}；更多期次请用 mytool trend",
                name,
            )
        )
    return found[-2], found[-1], notes


def _profile(profile: str | Path | Profile | None) -> Profile:
    """The profile given, or the one read from the path given (or the default one)."""
    return profile if isinstance(profile, Profile) else load_profile(profile)


def ranked(report: Report, profile: Profile, bottom_n: int | None = None) -> Ranking:
    """The ranking of a report that has no errors and at least one unit with a score."""
    report.raise_for_errors()
    ranking = rank_report(report, profile, bottom_n)
    if not ranking.units:
        raise InputError(
            f"{report.source}：没有任何街镇有可用的分数（综合满意度或大类得分），无法排名"
        )
    return ranking


def brief_files(
    path: str | Path,
    profile: str | Path | Profile | None = None,
    *,
    units: list[str] | None = None,
    everyone: bool = False,
    bottom_n: int | None = None,
    problems: str | Path | None = None,
    feedback: str | Path | None = None,
    previous: str | Path | None = None,
    deadline: dt.date | None = None,
    period: str | None = None,
    sheet: str | None = None,
    ledger: str | Path | None = None,
    as_of: dt.date | None = None,
) -> BriefSet:
    """Everything `mytool brief` needs, read once: ranking, casework, previous period, ledger.

    `BriefSet.issues` holds what every file read raised. `as_of` (default today) dates the
    ledger's overdue counts.
    """
    # Briefs only: their analysis steps are not loaded for other commands.
    from mytool.analysis.brief import build_briefs

    loaded = _profile(profile)
    source = open_source(path, loaded)
    report, casework, aggregation = _report_and_casework(source, loaded, period=period, sheet=sheet)
    ranking = ranked(report, loaded, bottom_n)
    issues = [*report.issues, *ranking.issues]
    _add_casework(casework, loaded, problems=problems, feedback=feedback)
    issues.extend(casework.issues)
    comparison = None
    if previous:
        comparison = _brief_comparison(previous, source, aggregation, ranking, loaded, bottom_n)
        issues.extend(comparison.issues)
    briefs = build_briefs(
        ranking,
        loaded,
        units=_chosen_units(units, everyone, ranking, loaded),
        problems=casework.problems,
        feedback=casework.feedback,
        comparison=comparison,
        deadline=deadline,
    )
    if ledger:
        briefs = _with_ledger(briefs, ledger, issues, as_of or dt.date.today())
    return replace(briefs, issues=tuple(issues))


def _brief_comparison(
    previous: str | Path,
    source: Workbook | Respondents,
    aggregation: Aggregation | None,
    ranking: Ranking,
    profile: Profile,
    bottom_n: int | None,
) -> Comparison:
    """The brief's comparison with --previous (its issues: the previous file's reading issues,
    then the comparison's own), its changes tested when both files are exports (`aggregation`
    is the current export's, already made for the brief)."""
    from mytool.analysis.comparison import compare_rankings  # briefs with --previous only

    before, before_errors = _ranked_with_errors(previous, profile, bottom_n)
    comparison = compare_rankings(before, ranking, profile)
    comparison = replace(comparison, issues=(*before.report_issues, *comparison.issues))
    if before_errors is None or aggregation is None or isinstance(source, Workbook):
        return comparison
    # Two questionnaire exports only: the test of change brings pandas.
    from mytool.analysis.significance import sampling_errors

    return _tested(comparison, before_errors, sampling_errors(source, aggregation))


def _add_casework(
    casework: Casework,
    profile: Profile,
    *,
    problems: str | Path | None,
    feedback: str | Path | None,
) -> None:
    """Add the cases of the --problems and --feedback files to `casework`."""
    from mytool.reading.casework import read_casework_file  # briefs only

    for extra, kind in ((problems, "problems"), (feedback, "feedback")):
        if extra:
            found = read_casework_file(extra, profile, kind)
            casework.problems.extend(found.problems)
            casework.feedback.extend(found.feedback)
            casework.issues.extend(found.issues)


def _chosen_units(
    units: list[str] | None, everyone: bool, ranking: Ranking, profile: Profile
) -> list[str] | None:
    """The units named (in any spelling), every unit, or None for the flagged ones."""
    if units:
        return [_resolve_unit(name, ranking, profile) for name in units]
    if everyone:
        return [u.unit for u in ranking.units]
    return None


def _with_ledger(
    briefs: BriefSet, ledger: str | Path, issues: list[Issue], as_of: dt.date
) -> BriefSet:
    """The briefs with each unit's open items of the rectification ledger at `ledger`."""
    # --ledger only: the ledger's workbook I/O and status logic.
    from mytool.analysis.brief import with_ledger
    from mytool.analysis.ledger.status import open_items
    from mytool.ledger.workbook import load_ledger

    found = load_ledger(ledger)
    issues.extend(found.issues)
    return with_ledger(briefs, open_items(found, as_of), as_of)


def _report_and_casework(
    source: Workbook | Respondents, profile: Profile, *, period: str | None, sheet: str | None
) -> tuple[Report, Casework, Aggregation | None]:
    """A brief's scores and its cases: a workbook's casework sheets, or an export's suggestions
    and its aggregation (kept for testing the change against a previous export)."""
    # Briefs only: the casework reader is not loaded for other commands.
    from mytool.reading.casework import Casework, read_casework

    if isinstance(source, Workbook):
        report = report_from_workbook(source, profile, period=period, sheet=sheet)
        return report, read_casework(source, profile), None
    # A questionnaire export only: aggregation and the respondent reader bring pandas.
    from mytool.analysis.aggregation import aggregate
    from mytool.reading.respondents import feedback_from_respondents

    aggregation = aggregate(source, profile)
    return aggregation.report, Casework(feedback=feedback_from_respondents(source)), aggregation


def _resolve_unit(name: str, ranking: Ranking, profile: Profile) -> str:
    """The canonical name of a unit the user typed in any spelling."""
    canonical = names_of(profile).canonical_unit(name) or name.strip()
    if ranking.unit(canonical) is None:
        known = "、".join(u.unit for u in ranking.units)
        raise UsageError(f"报告中没有街镇「{name}」；报告中的街镇：{known}")
    return canonical


def report_files(paths: Sequence[str | Path]) -> list[tuple[Path, bool]]:
    """The files to read, each with whether it was found in a folder (rather than named)."""
    files: list[tuple[Path, bool]] = []
    for given in map(Path, paths):
        if not given.is_dir():
            files.append((given, False))
            continue
        found = sorted(
            p
            for p in given.iterdir()
            if p.is_file()
            and p.suffix.lower() in REPORT_SUFFIXES
            and not p.name.startswith(("~$", "."))
        )
        if not found:
            suffixes = " ".join(REPORT_SUFFIXES)
            raise InputError(f"{given}：文件夹中没有测评结果文件（{suffixes}）")
        files += [(p, True) for p in found]
    return files


def aggregate_files(
    paths: Iterable[str | Path],
    profile: str | Path | Profile | None = None,
    progress: Progress | None = None,
    *,
    drivers: bool = False,
) -> Aggregation:
    """Read exports of one questionnaire and aggregate them (`progress` hears of each file);
    with `drivers`, add each item's derived importance (`mytool.analysis.drivers`).

    `Aggregation.issues` holds the reader's and the ranking's issues.
    """
    # aggregate only: the reader of exports, which score workbooks never need.
    from mytool.reading.respondents import read_respondents

    loaded = _profile(profile)
    respondents = read_respondents(paths, loaded, progress)
    # Only now: these bring pandas and numpy, which the reader imports while its child reads
    # the sheet; imported before the read, they would hold it up by half a second.
    from mytool.analysis.aggregation import aggregate
    from mytool.analysis.drivers import item_drivers

    result = aggregate(respondents, loaded)
    return replace(result, drivers=item_drivers(respondents, loaded)) if drivers else result


def ledger_status_file(
    path: str | Path, as_of: dt.date, due_within: int | None = None
) -> LedgerStatus:
    """The rectification ledger at `path` as of a day: counts, overdue and due-soon points.

    `LedgerStatus.issues` holds what reading the ledger found (renamed columns, bad values).
    """
    # ledger status only: the ledger's workbook I/O and its status logic.
    from mytool.analysis.ledger.status import DEFAULT_DUE_WITHIN, ledger_status
    from mytool.ledger.workbook import load_ledger

    days = DEFAULT_DUE_WITHIN if due_within is None else due_within
    return ledger_status(load_ledger(path), as_of, days)


def trend_paths(paths: Sequence[str | Path], profile: str | Path | Profile | None = None) -> Trend:
    """Read every report in `paths` (files or folders) and build the trend.

    A file named on its own must be readable; one found in a folder that is not a usable score
    report (a problem-point list, say) is skipped with a warning. The trend's issues are every
    file's reading and ranking issues (each names its file), then the trend's own.
    """
    from mytool.analysis.trend import build_trend  # trend only

    loaded = _profile(profile)
    rankings: list[Ranking] = []
    issues: list[Issue] = []
    for path, in_folder in report_files(paths):
        try:
            found = rank_periods(path, loaded)  # several for a workbook with a sheet per period
        except InputError as exc:
            if not in_folder:
                raise
            issues.append(Issue(IssueCode.SKIPPED_FILE, WARNING, f"已跳过：{exc.message}"))
            continue
        for ranking in found:
            rankings.append(ranking)
            issues += ranking.all_issues
    trend = build_trend(rankings, loaded)
    return replace(trend, issues=(*issues, *trend.issues))


def plan_file(
    path: str | Path,
    unit: str,
    profile: str | Path | Profile | None = None,
    *,
    target: Target | None = None,
    settings: Iterable[str] = (),
    previous: Iterable[str | Path] = (),
    bottom_n: int | None = None,
    period: str | None = None,
    sheet: str | None = None,
) -> Plan:
    """Read the report at `path` (and `previous` ones), then plan for `unit` in any spelling.

    `Plan.issues` holds the issues of every file read.
    """
    from mytool.analysis.planning import parse_setting, plan_unit  # plan only

    loaded = _profile(profile)
    report = read_report(path, loaded, period=period, sheet=sheet)
    ranking = ranked(report, loaded, bottom_n)
    issues = list(ranking.all_issues)
    earlier = []
    for other in previous:
        before = rank_file(other, loaded, bottom_n)
        earlier.append(before)
        issues.extend(before.all_issues)
    parsed = [parse_setting(text, loaded) for text in settings]
    if target is None and not parsed:
        raise UsageError(
            "请给出目标（--target-rank 11、--target-grade 尚可 或 --target-score 76），"
            "或用 --set 居住区=+4 测算改变某些大类后的结果"
        )
    name = names_of(loaded).canonical_unit(unit) or unit.strip()
    weights = dict(report.weights) or None
    plan = plan_unit(
        ranking, loaded, name, target=target, settings=parsed, previous=earlier, weights=weights
    )
    return replace(plan, issues=tuple(issues))
