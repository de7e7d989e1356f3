"""Turn respondent-level exports into answer scores per respondent, vectorised.

Each column is factorised once (by Arrow, for a sheet read into Arrow) and its few distinct
answers are scored (`answer_score`), so a column of 500,000 labels costs one pass in native code,
never a Python call per cell. The result,
`Respondents`, holds a (respondents × items) array of scores with NaN for no answer, the unit of
each respondent, the suggestion texts and everything worth telling the user.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mytool.casework import FeedbackCase
from mytool.diagnostics import INFO, WARNING, Issue, IssueCode, cell_address, column_letter
from mytool.errors import InputError
from mytool.files import shown
from mytool.profile import Profile
from mytool.reading.export_sheets import not_an_export, read_export_sheet
from mytool.reading.exports import (
    BY_OPTION,
    BY_TEXT,
    MAX_TITLE_ROWS,
    SAMPLE_ROWS,
    SKIPPED_MARKS,
    USUAL_OPTIONS,
    ExportLayout,
    NumberMeaning,
    Question,
    answer_score,
    find_export_layout,
    find_export_sheet,
    is_number_answer,
    number_meaning,
)
from mytool.reading.frames import arrow_frame, csv_frame
from mytool.reading.grid import Sheet
from mytool.reading.guard import ArchiveFacts, Limits
from mytool.reading.names import names_of
from mytool.reading.period import find_period
from mytool.reading.sources import CONTROL_CHARACTERS, Admission, Workbook, admit, scan_notes
from mytool.report import SheetUse
from mytool.text import NO_VALUE_MARKS, display_text, normalize

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FEEDBACK_COLUMNS = ("unit", "category", "text", "place")
# Suggestion answers that say nothing to act on.
_NOTHING_TO_SAY = frozenset(
    {"没有", "无意见", "没意见", "无建议", "没有意见", "没有建议", "暂无意见", "暂无建议", "无无"}
)
_EXAMPLES = 3  # unrecognised answers or unit spellings quoted in a message
# A 500k-row export needs about 1.6 GB resident; pandas and Arrow reserve more address space.
EXPORT_LIMITS = Limits(memory_bytes=12 * 1024**3)
_TIME_PATTERN = r"(20\d{2})\D{1,3}(\d{1,2})"


@dataclass(frozen=True, eq=False)
class Respondents:
    """Every respondent of one or more exports with a known unit, and what they answered."""

    sources: tuple[str, ...]  # file names
    path: str
    format: str
    sheets: tuple[SheetUse, ...]
    units: tuple[str, ...]  # unit names; `unit_codes` index into them
    unit_codes: np.ndarray  # one per respondent
    items: tuple[tuple[str, str], ...]  # (category, item) of each column of `answers`
    answers: np.ndarray  # (respondents × items) scores, NaN where not answered
    feedback: pd.DataFrame  # FEEDBACK_COLUMNS, one row per suggestion
    unmatched_questions: tuple[str, ...]
    period: str | None
    period_origin: str
    issues: tuple[Issue, ...]
    overall: np.ndarray | None = None  # each respondent's overall-satisfaction score, if asked

    @property
    def source(self) -> str:
        return "、".join(self.sources)


Progress = Callable[[str], None]


def read_respondents(
    paths: Iterable[str | Path], profile: Profile, progress: Progress | None = None
) -> Respondents:
    """Read one or more exports of the same questionnaire; `progress` hears of each file."""
    parts = []
    for path in paths:
        if progress:
            progress(shown(Path(path).name))
        parts.append(_read_export(Path(path), profile))
    return combine(parts, profile)


def _read_export(path: Path, profile: Profile) -> Respondents:
    """One export through the door. A spreadsheet's sheets are read into Arrow in an isolated
    child while this process checks the file and imports pandas
    (`mytool.reading.export_sheets`); the answers are scored here, on the sheet as read."""
    admission = admit(path, EXPORT_LIMITS, deep=False)
    if admission.format == "csv":
        return _respondents_of_csv(path, admission, profile)
    found = read_export_sheet(path, admission, profile, EXPORT_LIMITS, _import_pandas)
    respondents = respondents_from_table(
        arrow_frame(found.table),
        found.layout,
        profile,
        path=path,
        format=admission.format,
        sheet=found.sheet,
        issues=tuple(admission.issues),
    )
    file = shown(path.name)
    notes = scan_notes(found.facts, file)  # hidden sheets and rows, read as the rest
    unread = _cells_read_empty(found.facts, found.sheet, found.layout, file)
    return replace(respondents, issues=(*notes, *unread, *respondents.issues))


def _cells_read_empty(
    facts: ArchiveFacts | None, sheet: str, layout: ExportLayout, file: str
) -> list[Issue]:
    """Cells of the columns read whose formula has no saved result or whose value is an error
    (#N/A …): the parser reads them empty, so they count as no answer, and the user is told."""
    seen = facts.sheets.get(sheet) if facts else None
    if seen is None or not seen.bad_cells:
        return []
    used = {layout.unit_column, *(q.column for q in layout.questions)}
    used |= {column.column for column in layout.feedback}
    used |= {layout.overall.column} if layout.overall else set()
    cells = sorted(
        cell for cell in seen.bad_cells if cell[0] > layout.header_row and cell[1] in used
    )
    if not cells:
        return []
    values = {seen.bad_cells[cell] for cell in cells}  # "" is a formula without its result
    errors = sorted(values - {""})
    kinds = f"错误值（{'、'.join(errors)}）" if errors else ""
    if "" in values:
        kinds += ("或" if kinds else "") + "没有保存计算结果的公式"
    place = cell_address(sheet, *cells[0])
    return [
        Issue(
            IssueCode.FORMULA_ERROR,
            WARNING,
            f"{len(cells)} 个单元格是{kinds}，读作空白、按未回答处理（第一个在 {place}）；"
            "请在 Excel/WPS 中修正公式并保存后再试",
            file,
            place,
        )
    ]


def _import_pandas() -> None:
    import pandas  # noqa: F401  (to receive the sheet; imported while the child reads it)


def _respondents_of_csv(path: Path, admission: Admission, profile: Profile) -> Respondents:
    frame = csv_frame(path, admission)
    sample = frame.data.head(MAX_TITLE_ROWS + SAMPLE_ROWS).astype(object)
    rows = sample.where(sample.notna(), None).values.tolist()
    layout = find_export_layout(rows, profile)
    if layout is None:
        raise not_an_export(shown(path.name), [frame.sheet])
    return respondents_from_table(
        frame.data,
        layout,
        profile,
        path=path,
        format=frame.format,
        sheet=frame.sheet,
        issues=frame.issues,
    )


def respondents_from_workbook(workbook: Workbook, profile: Profile) -> Respondents | None:
    """The respondents of a workbook already opened, or None when it is not an export."""
    found = find_export_sheet(workbook.sheets, profile)
    return None if found is None else respondents_from_sheet(workbook, *found, profile)


def respondents_from_sheet(
    workbook: Workbook, sheet: Sheet, layout: ExportLayout, profile: Profile
) -> Respondents:
    """The respondents of `sheet` of `workbook`, an export sheet of the given layout."""
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import pandas as pd

    return respondents_from_table(
        pd.DataFrame(sheet.rows),
        layout,
        profile,
        path=workbook.path,
        format=workbook.format,
        sheet=sheet.name,
        issues=tuple(workbook.issues),
    )


def respondents_from_table(
    table: pd.DataFrame,
    layout: ExportLayout,
    profile: Profile,
    *,
    path: Path,
    format: str,
    sheet: str,
    issues: tuple[Issue, ...] = (),
) -> Respondents:
    """Score every answer of an export sheet (`table`: numbered columns, rows as in the sheet)."""

    file = shown(path.name)
    body = table.iloc[layout.header_row + 1 :]

    def header_cell(col: int) -> str:
        return f"{sheet}!{column_letter(col)}{layout.header_row + 1}"

    units, row_units, unit_issues, unit_cleaned = _units_of_rows(
        body, layout.unit_column, profile, file, header_cell(layout.unit_column)
    )
    keep = row_units >= 0
    everyone = bool(keep.all())
    columns = sorted(layout.questions, key=lambda q: _item_order((q.category, q.item), profile))
    answers, answer_issues, answers_cleaned = _answer_scores(
        body, columns, keep, profile, file=file, header_cell=header_cell
    )
    overall, overall_issues, overall_cleaned = _overall_scores(
        body, layout, keep, profile, file, header_cell
    )
    feedback, feedback_cleaned = _feedback(body, layout, units, row_units, profile, sheet)
    cleaned = [unit_cleaned, *answers_cleaned, *overall_cleaned, *feedback_cleaned]
    period, origin, period_issues = _export_period(table, layout, path, sheet, file)
    found = [
        *issues,
        *_cleaned_issue(table, layout.header_row, cleaned, file, sheet),
        *unit_issues,
        *answer_issues,
        *overall_issues,
        *_repeated_issues(layout, file, header_cell),
        *period_issues,
    ]
    return Respondents(
        sources=(file,),
        path=str(path),
        format=format,
        sheets=(_sheet_use(sheet, layout, columns, len(answers)),),
        units=units,
        unit_codes=row_units if everyone else row_units[keep],
        items=tuple((q.category, q.item) for q in columns),
        answers=answers,
        feedback=feedback,
        unmatched_questions=layout.unmatched,
        period=period,
        period_origin=origin,
        issues=tuple(found),
        overall=overall,
    )


def _overall_scores(
    body: pd.DataFrame,
    layout: ExportLayout,
    keep: np.ndarray,
    profile: Profile,
    file: str,
    header_cell: Callable[[int], str],
) -> tuple[np.ndarray | None, list[Issue], list[_Cleaned | None]]:
    """Each kept respondent's score on the overall-satisfaction question (None if not asked)."""
    if layout.overall is None:
        return None, [], []
    scored, issues, cleaned = _answer_scores(
        body, [layout.overall], keep, profile, file=file, header_cell=header_cell
    )
    return scored[:, 0], issues, cleaned


def _repeated_issues(
    layout: ExportLayout, file: str, header_cell: Callable[[int], str]
) -> list[Issue]:
    return [
        Issue(
            IssueCode.REPEATED_QUESTION,
            WARNING,
            f"「{question.header}」与前面的问题对应同一小项「{question.item}」，未使用",
            file,
            header_cell(question.column),
        )
        for question in layout.repeated
    ]


def _feedback(
    body: pd.DataFrame,
    layout: ExportLayout,
    units: tuple[str, ...],
    row_units: np.ndarray,
    profile: Profile,
    sheet: str,
) -> tuple[pd.DataFrame, list[_Cleaned | None]]:
    """The suggestions of every feedback column of an export, one frame, and where their
    control characters were removed."""
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import pandas as pd

    read = [
        _feedback_of_column(
            body[column.column],
            column.category,
            units,
            row_units,
            profile,
            (sheet, column.column),
            layout.header_row + 1,  # zero-based sheet row of the first respondent
        )
        for column in layout.feedback
    ]
    frames = [frame for frame, _ in read]
    cleaned = [each for _, each in read]
    return (pd.concat(frames, ignore_index=True) if frames else _no_feedback()), cleaned


def _sheet_use(sheet: str, layout: ExportLayout, columns: list[Question], count: int) -> SheetUse:
    """How an export sheet was read, for `validate` and the JSON output."""
    return SheetUse(
        sheet,
        "respondents",
        header_rows=(layout.header_row + 1,),
        unit_column=column_letter(layout.unit_column),
        columns=tuple(f"{column_letter(q.column)}={q.category}/{q.item}" for q in columns),
        note=f"逐份答卷 {count} 份",
    )


def _answer_scores(
    body: pd.DataFrame,
    columns: list[Question],
    keep: np.ndarray,
    profile: Profile,
    *,
    file: str,
    header_cell: Callable[[int], str],
) -> tuple[np.ndarray, list[Issue], list[_Cleaned | None]]:
    """The (kept respondents × questions) score array, what its answers need telling, and
    where control characters were removed from them.

    Number answers whose meaning neither the profile nor the file says are refused.
    """
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import numpy as np

    kept = None if keep.all() else keep
    found: list[Issue] = []
    answers = np.empty((int(keep.sum()), len(columns)), dtype="float64", order="F")
    numbers = number_meaning(file, profile)
    unexplained: dict[str, list[str]] = {}  # question → its number answers, meaning unknown
    saw_numbers = False
    cleaned = []
    for index, question in enumerate(columns):
        # Each column scored straight into its place: no per-column array of half a million.
        column = _score_column(
            body[question.column], question.column, profile, numbers, answers[:, index], kept
        )
        cleaned.append(column.cleaned)
        place = header_cell(question.column)
        saw_numbers = saw_numbers or bool(column.numbers)
        if column.numbers and not numbers.kind:
            unexplained[question.header] = column.numbers
            continue
        if column.unrecognised:
            found.append(_unrecognised_issue(column.unrecognised, question.header, file, place))
        if column.numbers and column.labels:
            found.append(_mixed_issue(column, question.header, numbers, file, place))
    if unexplained:
        raise InputError(_numbers_refusal(file, unexplained))
    if saw_numbers and numbers.kind == BY_OPTION:
        found.append(_numbers_note(numbers, file))
    return answers, found, cleaned


def _export_period(
    table: pd.DataFrame, layout: ExportLayout, path: Path, sheet: str, file: str
) -> tuple[str | None, str, list[Issue]]:
    """The export's half-year from its titles, sheet, file name or submission times."""
    titles = [
        text
        for row in table.head(layout.header_row).itertuples(index=False)
        for cell in row
        if isinstance(cell, str) and (text := CONTROL_CHARACTERS.sub("", cell)).strip()
    ]
    body = table.iloc[layout.header_row + 1 :]
    period, origin = _period(path, sheet, titles, body, layout.time_column)
    if period is not None:
        return period, origin, []
    issue = Issue(
        IssueCode.NO_PERIOD,
        INFO,
        "未能识别期次（标题、工作表名、文件名、提交答卷时间均未注明）",
        file,
    )
    return period, origin, [issue]


def _item_order(pair: tuple[str, str], profile: Profile) -> tuple[int, int]:
    """Position of an item in the profile: categories in order, then items in order."""
    for c_index, category in enumerate(profile.categories):
        if category.name == pair[0]:
            return c_index, category.items.index(pair[1])
    return len(profile.categories), 0


def _units_of_rows(
    body: pd.DataFrame, unit_column: int, profile: Profile, file: str, place: str
) -> tuple[tuple[str, ...], np.ndarray, list[Issue], _Cleaned | None]:
    """The units present (profile order), each row's index into them (-1: none), findings,
    and where control characters were removed from the unit names.

    Rows left entirely empty are not respondents and pass without a word.
    """
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import numpy as np
    import pandas as pd

    codes, found = _factorized(body[unit_column])
    uniques, changed = _without_controls(found)
    counts = np.bincount(codes, minlength=len(uniques))
    names = [
        names_of(profile).canonical_unit(u) if counts[i] and display_text(u) else None
        for i, u in enumerate(uniques)
    ]
    units = tuple(u for u in profile.unit_names if u in set(names))
    index: dict[str | None, int] = {unit: i for i, unit in enumerate(units)}
    row_units = np.array([index.get(name, -1) for name in names], dtype="int64")[codes]
    unknown: Counter[str] = Counter()
    for i, value in enumerate(uniques):
        if counts[i] and display_text(value) and names[i] is None:
            unknown[display_text(value)] += int(counts[i])
    without_unit = (row_units < 0) & np.isin(codes, _blank_codes(uniques))
    blank = 0
    if without_unit.any():
        filled = body[without_unit].map(lambda v: pd.notna(v) and bool(display_text(v)))
        blank = int(filled.any(axis=1).sum())
    return (
        units,
        row_units,
        _unit_issues(blank, unknown, file, place),
        _cleaned_cells(codes, changed, unit_column),
    )


def _unit_issues(blank: int, unknown: Counter[str], file: str, place: str) -> list[Issue]:
    """What to say of respondents without a unit, or with one the profile does not know."""
    issues = []
    if blank:
        issues.append(
            Issue(
                IssueCode.RESPONDENT_WITHOUT_UNIT,
                WARNING,
                f"{blank} 份答卷没有填写街镇，未计入",
                file,
                place,
            )
        )
    if unknown:
        examples = "、".join(
            f"“{text}”（{count} 份）" for text, count in unknown.most_common(_EXAMPLES)
        )
        issues.append(
            Issue(
                IssueCode.UNKNOWN_UNIT,
                WARNING,
                f"{unknown.total()} 份答卷的街镇不在测评口径的名单中，未计入：{examples}",
                file,
                place,
            )
        )
    return issues


def _blank_codes(uniques: Iterable[object]) -> list[int]:
    return [i for i, value in enumerate(uniques) if not display_text(value)]


@dataclass
class _Column:
    """One question column scored: what kinds of answers it held (its scores are written
    where the caller asked)."""

    unrecognised: Counter[str]  # answer → how many
    numbers: list[str]  # distinct whole-number answers, in order of first appearance
    labels: int  # how many answers are labels (非常满意 …)
    number_count: int  # how many answers are whole numbers
    cleaned: _Cleaned | None  # answers whose control characters were removed


def _score_column(
    column: pd.Series,
    index: int,
    profile: Profile,
    numbers: NumberMeaning,
    out: np.ndarray,
    keep: np.ndarray | None,
) -> _Column:
    """Write the scores of one question column into `out` (NaN for no answer; only the rows
    `keep` marks, when given), and tell which answers were not understood. `index` is the
    column's place in the sheet.

    Each distinct answer is cleaned and scored once; the column is then a lookup by its codes.
    """
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import numpy as np

    codes, found = _factorized(column)
    uniques, changed = _without_controls(found)
    scored = [answer_score(value, profile, numbers) for value in uniques]
    lookup = np.array([np.nan if s is None else s for s, _ in scored], dtype="float64")
    # mode "clip" (the codes are all in range) writes to `out` directly; "raise" buffers it
    np.take(lookup, codes if keep is None else codes[keep], out=out, mode="clip")
    counts = np.bincount(codes, minlength=len(uniques))
    unrecognised: Counter[str] = Counter()
    number_answers: list[str] = []
    labels = number_count = 0
    for i, value in enumerate(uniques):
        if value is None or not counts[i]:
            continue
        if is_number_answer(value):
            number_answers.append(display_text(value))
            number_count += int(counts[i])
        elif normalize(value) in profile.labels:
            labels += int(counts[i])
        if not scored[i][1] and not (is_number_answer(value) and not numbers.kind):
            unrecognised[display_text(value)] += int(counts[i])
    cleaned = _cleaned_cells(codes, changed, index)
    return _Column(unrecognised, number_answers, labels, number_count, cleaned)


def _factorized(column: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Each cell's index into the column's distinct values, and those values, in order of first
    appearance and None (empty) among them. A column read dictionary-encoded (a CSV file's
    answers) may also hold values no cell of `column` has, seen in the rows above it.

    A column read into Arrow is encoded by Arrow, into one array of small codes; pandas'
    factorize made three arrays of that column's length for it.
    """
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column.dtype, pd.ArrowDtype):
        cells = pa.array(column)
        if isinstance(cells, pa.ChunkedArray):  # one chunk, so one dictionary for every cell
            cells = cells.combine_chunks()
        if pa.types.is_dictionary(cells.type):  # encoded as it was parsed: empty cells last
            codes = pc.fill_null(cells.indices, len(cells.dictionary)).to_numpy()
            return codes, [*cells.dictionary.to_pylist(), None]
        encoded = pc.dictionary_encode(cells, null_encoding="encode")
        return encoded.indices.to_numpy(), encoded.dictionary.to_pylist()
    codes, uniques = pd.factorize(column)  # cells of any type; -1 for empty
    codes[codes < 0] = len(uniques)
    return codes, [*uniques, None]


@dataclass(frozen=True)
class _Cleaned:
    """Cells of one column of an export whose control characters were removed."""

    cells: int
    first: tuple[int, int]  # the first such cell: (row, column), row 0 the first respondent's


def _without_controls(uniques: Sequence[object]) -> tuple[Sequence[object], np.ndarray | None]:
    """A column's distinct values with control characters removed (as a score workbook's cells
    are, `CONTROL_CHARACTERS`), and which of them were changed; None when none was, and then
    `uniques` themselves. One look per distinct value, never per cell."""
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import numpy as np

    # One scan of all the text first (a single character class cannot match across values):
    # the usual file has none, and a column of 500,000 distinct suggestions costs 40% less so.
    if not CONTROL_CHARACTERS.search("".join([v for v in uniques if isinstance(v, str)])):
        return uniques, None
    found = [
        i for i, v in enumerate(uniques) if isinstance(v, str) and CONTROL_CHARACTERS.search(v)
    ]
    cleaned = list(uniques)
    for i in found:
        cleaned[i] = CONTROL_CHARACTERS.sub("", str(cleaned[i]))
    changed = np.zeros(len(uniques), dtype=bool)
    changed[found] = True
    return cleaned, changed


def _head_cleaned(table: pd.DataFrame, header_row: int) -> _Cleaned | None:
    """The title and header cells with control characters (removed where they are read: the
    layout's headers, the period's titles), as rows above the first respondent's."""
    found = [
        (row - header_row - 1, column)
        for row, cells in enumerate(table.head(header_row + 1).itertuples(index=False))
        for column, cell in enumerate(cells)
        if isinstance(cell, str) and CONTROL_CHARACTERS.search(cell)
    ]
    return _Cleaned(len(found), found[0]) if found else None


def _cleaned_cells(codes: np.ndarray, changed: np.ndarray | None, column: int) -> _Cleaned | None:
    """How many cells of a column (`codes` into its distinct values, as `_factorized` gives
    them) were `changed`, and the first; None when none was."""
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import numpy as np

    if changed is None:
        return None
    rows = np.flatnonzero(changed[codes])  # only for a column that had some
    # a dictionary-encoded column's values include those of the rows above the respondents
    return _Cleaned(len(rows), (int(rows[0]), column)) if len(rows) else None


def _cleaned_issue(
    table: pd.DataFrame,
    header_row: int,
    cleaned: Iterable[_Cleaned | None],
    file: str,
    sheet: str,
) -> list[Issue]:
    """One warning for a sheet whose cells had control characters (in its title and header
    rows, or as `cleaned` in the columns read), naming the first cell in reading order."""
    columns = [each for each in (_head_cleaned(table, header_row), *cleaned) if each is not None]
    if not columns:
        return []
    row, column = min(each.first for each in columns)
    place = cell_address(sheet, header_row + 1 + row, column)
    cells = sum(each.cells for each in columns)
    return [
        Issue(
            IssueCode.TEXT_CLEANED,
            WARNING,
            f"{cells} 个单元格含控制字符，已删去（第一个在 {place}）",
            file,
            place,
        )
    ]


def _numbers_refusal(file: str, unexplained: dict[str, list[str]]) -> str:
    """Why an export whose answers are numbers is not read, and the three ways to fix it."""
    first = next(iter(unexplained))
    examples = sorted({n for found in unexplained.values() for n in found}, key=_number_order)
    columns = f"「{first}」" + (f"等 {len(unexplained)} 个问题" if len(unexplained) > 1 else "")
    options = "\n".join(f'  {n} = "{label}"' for n, label in USUAL_OPTIONS.items())
    return (
        f"{file}：{columns}的答案是数字（{'、'.join(examples[:6])}），无法判断数字的含义："
        "问卷星“按序号”下载时数字是选项序号（1 = 第一个选项，多为“非常满意”），"
        "“按分数”下载时是问卷设定的分数（常为 5 = 非常满意），两者方向可能相反，不能猜。"
        "请任选一种：\n"
        "1. 在问卷星“下载答卷数据”中选择“按文本”重新下载；\n"
        "2. 保留问卷星文件名中的“按序号”或“按分数”字样（如 123456_按序号_满意度调查.xlsx）；\n"
        "3. 在测评口径（--profile）中声明数字的含义，按问卷的选项顺序：\n"
        f"  [labels.by_number]\n{options}"
    )


def _number_order(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.inf


def _numbers_note(numbers: NumberMeaning, file: str) -> Issue:
    """How number answers were read; an assumed option order is a warning, a declared one a note."""
    order = "、".join(f"{n} = {label}" for n, label in numbers.options)
    if numbers.assumed:
        return Issue(
            IssueCode.NUMBERS_AS_OPTIONS,
            WARNING,
            f"数字答案按选项序号读取（{numbers.origin}），选项顺序按常见问卷假定为 {order}；"
            "问卷选项顺序不同时，请在测评口径 [labels.by_number] 中声明",
            file,
        )
    return Issue(
        IssueCode.NUMBERS_AS_OPTIONS,
        INFO,
        f"数字答案按选项序号读取（{numbers.origin}）：{order}",
        file,
    )


def _mixed_issue(
    column: _Column, header: str, numbers: NumberMeaning, file: str, place: str
) -> Issue:
    how = "按选项序号" if numbers.kind == BY_OPTION else "按分数"
    if numbers.kind == BY_TEXT:
        how = "未计分（文件名含“按文本”）"
    return Issue(
        IssueCode.MIXED_ANSWERS,
        WARNING,
        f"「{header}」的答案既有文字（{column.labels} 个）又有数字（{column.number_count} 个，"
        f"如 {'、'.join(column.numbers[:3])}）；数字{how}，请核对导出方式是否一致",
        file,
        place,
    )


def _unrecognised_issue(unrecognised: Counter[str], header: str, file: str, place: str) -> Issue:
    examples = "、".join(f"“{text}”" for text, _ in unrecognised.most_common(_EXAMPLES))
    return Issue(
        IssueCode.UNRECOGNISED_ANSWER,
        WARNING,
        f"「{header}」有 {sum(unrecognised.values())} 个答案无法识别（如 {examples}），"
        "按未回答处理；可在测评口径的 [labels] 中补充",
        file,
        place,
    )


def _says_something(value: object, profile: Profile) -> bool:
    """True for a suggestion worth a case: not blank, skipped, 无, 没有意见 …"""
    text = normalize(value)
    return (
        len(text) >= 2
        and text not in SKIPPED_MARKS
        and text not in NO_VALUE_MARKS
        and text not in profile.no_answer
        and text not in _NOTHING_TO_SAY
    )


def _feedback_of_column(
    column: pd.Series,
    category: str,
    units: tuple[str, ...],
    row_units: np.ndarray,
    profile: Profile,
    where: tuple[str, int],
    first_row: int,
) -> tuple[pd.DataFrame, _Cleaned | None]:
    """Suggestions of one free-text column (`where`: its sheet and column), one row each: unit,
    category, text, cell; and where control characters were removed from them."""
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    sheet, index = where
    place = f"{sheet}!{column_letter(index)}"
    codes, found = _factorized(column)
    uniques, changed = _without_controls(found)
    useful = np.array([v is not None and _says_something(v, profile) for v in uniques], dtype=bool)
    rows = np.flatnonzero(useful[codes] & (row_units >= 0))
    # Each distinct text stripped once, as pandas' str.strip strips (Arrow's trim).
    texts = pc.utf8_trim_whitespace(pa.array([str(v) for v in uniques], type=pa.string()))
    frame = pd.DataFrame(
        {
            "unit": np.asarray(units, dtype=object)[row_units[rows]],
            "category": category,
            "text": np.asarray(texts.to_pylist(), dtype=object)[codes[rows]],
            "place": [f"{place}{first_row + row + 1}" for row in rows.tolist()],
        },
        columns=FEEDBACK_COLUMNS,
    )
    return frame, _cleaned_cells(codes, changed, index)


def _no_feedback() -> pd.DataFrame:
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import pandas as pd

    return pd.DataFrame({name: pd.Series(dtype=object) for name in FEEDBACK_COLUMNS})


def _period(
    path: Path, sheet: str, titles: list[str], body: pd.DataFrame, time_column: int | None
) -> tuple[str | None, str]:
    """The period a title, the sheet or the file names; else the half-year of most answers."""
    for text in titles:
        if found := find_period(text):
            return found, f"标题「{text.strip()[:40]}」"
    if found := find_period(sheet):
        return found, f"工作表名「{sheet}」"
    if found := find_period(path.stem):
        return found, "文件名"
    if time_column is None:
        return None, ""
    days = body[time_column].dropna().astype(str).str.slice(0, 10).value_counts()
    halves: Counter[str] = Counter()
    for text, count in days.items():
        if match := re.search(_TIME_PATTERN, text):
            year, month = match.groups()
            halves[f"{year}H{1 if int(month) <= 6 else 2}"] += int(count)
    if not halves:
        return None, ""
    return halves.most_common(1)[0][0], "提交答卷时间"


def combine(parts: list[Respondents], profile: Profile) -> Respondents:
    """One set of respondents from several exports of the same questionnaire."""
    # Lazy by design: pandas loads while the reader child reads (see export_sheets).
    import numpy as np
    import pandas as pd

    if len(parts) == 1:
        return parts[0]
    present = {unit for part in parts for unit in part.units}
    units = tuple(u for u in profile.unit_names if u in present)
    pairs = {pair for part in parts for pair in part.items}
    items = tuple(sorted(pairs, key=lambda p: _item_order(p, profile)))
    answers = np.full((sum(len(p.answers) for p in parts), len(items)), np.nan, order="F")
    codes = []
    offset = 0
    for part in parts:
        rows = slice(offset, offset + len(part.answers))
        for index, pair in enumerate(part.items):
            answers[rows, items.index(pair)] = part.answers[:, index]
        remap = np.array([units.index(u) for u in part.units], dtype="int64")
        codes.append(remap[part.unit_codes])
        offset += len(part.answers)
    feedback = pd.concat(
        [p.feedback.assign(place=p.source + "：" + p.feedback["place"]) for p in parts],
        ignore_index=True,
    )
    issues = [issue for part in parts for issue in part.issues]
    periods = {p.period for p in parts if p.period}
    first = next((p for p in parts if p.period), parts[0])
    if len(periods) > 1:
        issues.append(
            Issue(
                IssueCode.PERIOD_DISAGREEMENT,
                WARNING,
                f"各文件的期次不一致（{'、'.join(sorted(periods))}）；按 {first.period} 处理",
                first.source,
            )
        )
    return Respondents(
        sources=tuple(name for part in parts for name in part.sources),
        path=parts[0].path,
        format=parts[0].format,
        sheets=tuple(use for part in parts for use in part.sheets),
        units=units,
        unit_codes=np.concatenate(codes),
        items=items,
        answers=answers,
        feedback=feedback,
        unmatched_questions=tuple(dict.fromkeys(q for p in parts for q in p.unmatched_questions)),
        period=first.period,
        period_origin=first.period_origin,
        issues=tuple(issues),
        overall=(  # only when every file asked it: a yardstick for some respondents misleads
            np.concatenate([p.overall for p in parts])
            if all(p.overall is not None for p in parts)
            else None
        ),
    )


def feedback_from_respondents(respondents: Respondents) -> list[FeedbackCase]:
    """The suggestions of the respondents as citizen feedback cases, for briefs."""
    return [
        FeedbackCase(unit, category, text, place)
        for unit, category, text, place in respondents.feedback.itertuples(index=False)
    ]
