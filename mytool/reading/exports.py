"""Recognise a respondent-level questionnaire export (问卷星-style) and the role of each column.

One row per respondent; columns such as 序号, 提交答卷时间, 来自IP, then questions whose header is
the question text ("3、您对小区环境卫生的满意程度："). Everything here works on a sample of rows
as plain Python values, so telling an export from a score table costs nothing; the answers
themselves are mapped in `mytool.reading.respondents`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from mytool.errors import ProfileError
from mytool.profile import Profile
from mytool.reading.grid import Sheet
from mytool.reading.headers import is_unit_header
from mytool.reading.names import names_of
from mytool.reading.sources import CONTROL_CHARACTERS
from mytool.text import display_text, normalize, strip_numbering

SAMPLE_ROWS = 300  # data rows looked at to recognise an export and its columns
MAX_TITLE_ROWS = 10  # rows above the header (titles, notes) an export may have
NUMERIC_POINTS = 5  # numeric answers run 1..5
_POINT_SCORE = 100 / NUMERIC_POINTS

# Cells the platform writes for a question the respondent never saw or left empty.
SKIPPED_MARKS = frozenset({"(跳过)", "跳过", "(空)", "空"})
# Headers of the platform's own columns: neither questions nor answers.
EXPORT_META_HEADERS = frozenset(
    {
        "序号",
        "编号",
        "id",
        "答卷编号",
        "答卷序号",
        "提交答卷时间",
        "提交时间",
        "开始时间",
        "开始答题时间",
        "结束时间",
        "结束答题时间",
        "答题时间",
        "填写时间",
        "所用时间",
        "答题时长",
        "填写时长",
        "来源",
        "来源详情",
        "来自ip",
        "ip",
        "ip地址",
        "ip属地",
        "总分",
        "用户名",
        "用户id",
        "微信昵称",
        "昵称",
        "姓名",
        "手机",
        "手机号",
        "联系电话",
        "填写设备",
        "设备",
        "操作系统",
        "浏览器",
        "渠道",
    }
)
# The header of the column telling when an answer was given (for the period).
TIME_HEADERS = ("提交答卷时间", "提交时间", "结束答题时间", "结束时间", "答题时间", "填写时间")
# Words of a suggestion question whose free-text answers become citizen feedback cases.
FEEDBACK_WORDS = ("建议", "意见", "反映", "诉求", "留言")
_UNIT_WORDS = ("街镇", "街道", "镇")
# "您对松江区市容环境的总体满意度", "总的来说，您对……满意吗": the yardstick of derived importance.
OVERALL_QUESTION = re.compile(r"(总体|整体|综合|总的来说|总的来看).*满意")
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0*)?$")


@dataclass(frozen=True)
class Question:
    """A question column matched to an item of the profile."""

    column: int
    header: str
    category: str
    item: str


@dataclass(frozen=True)
class TextColumn:
    """A suggestion column; `category` is the profile category its header names, or ""."""

    column: int
    header: str
    category: str


@dataclass(frozen=True)
class ExportLayout:
    """Where things are in an export: row and column numbers are zero-based."""

    header_row: int
    unit_column: int
    questions: tuple[Question, ...]
    feedback: tuple[TextColumn, ...]
    time_column: int | None
    unmatched: tuple[str, ...]  # headers of questions that match no item (age, sex, …)
    repeated: tuple[Question, ...]  # further columns for an item already asked; not used
    overall: Question | None = None  # the overall-satisfaction question (category, item "")


# How 问卷星 names a download: answers as labels, as option numbers, or as the author's scores.
BY_TEXT, BY_OPTION, BY_SCORE = "按文本", "按序号", "按分数"
# The option order of the usual satisfaction question, assumed for a 按序号 download when the
# profile declares none (and said so).
USUAL_OPTIONS = {1: "非常满意", 2: "满意", 3: "一般", 4: "不满意", 5: "非常不满意", 6: "不了解"}


@dataclass(frozen=True)
class NumberMeaning:
    """What a whole-number answer stands for in one export, and how that was learnt.

    `kind` is BY_OPTION (option numbers, read through `options`), BY_SCORE (scores the author
    set, read through the profile's `numeric_scale`), BY_TEXT (numbers are not expected), or ""
    when nothing says: such numbers are never scored.
    """

    kind: str = ""
    options: tuple[tuple[int, str], ...] = ()
    origin: str = ""
    assumed: bool = False  # the usual option order, not declared anywhere


UNKNOWN_NUMBERS = NumberMeaning()


def number_meaning(file_name: str, profile: Profile) -> NumberMeaning:
    """The meaning of numbers in an export: the file name's 按… word, else the profile's
    [labels.by_number], else unknown."""
    declared = tuple(sorted(profile.by_number.items()))
    for kind in (BY_OPTION, BY_SCORE, BY_TEXT):
        if kind in file_name:
            origin = f"文件名含“{kind}”"
            if kind != BY_OPTION:
                return NumberMeaning(kind, origin=origin)
            if declared:
                return NumberMeaning(
                    kind, declared, f"{origin}，选项顺序按测评口径 [labels.by_number]"
                )
            return NumberMeaning(kind, tuple(USUAL_OPTIONS.items()), origin, assumed=True)
    if declared:
        return NumberMeaning(BY_OPTION, declared, "测评口径 [labels.by_number]")
    return UNKNOWN_NUMBERS


def is_number_answer(value: object) -> bool:
    """True for an answer that is a whole number (5, 5.0, "5"), whatever it means."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return not math.isnan(value) and float(value).is_integer()
    return isinstance(value, str) and bool(_INTEGER.match(normalize(value)))


def answer_score(
    value: object, profile: Profile, numbers: NumberMeaning = UNKNOWN_NUMBERS
) -> tuple[float | None, bool]:
    """Score of one answer: (score or None for no answer, understood).

    Labels are scored by the profile (非常满意 100 …); blanks, skipped questions and the
    profile's no-answer words (不了解, 说不清 …) are no answer. A whole number is read as
    `numbers` says: an option number through its label, or (按分数) a score 1–5 through the
    profile's `numeric_scale` ("5-best": 5 → 100 … 1 → 20; "1-best" the other way); when nothing
    says what numbers mean, a number is not understood.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        return _numeric_score(float(value), profile, numbers)
    text = normalize(value)
    if not text or text in SKIPPED_MARKS or text in profile.no_answer:
        return None, True
    if text in profile.labels:
        return profile.labels[text], True
    if _INTEGER.match(text):
        return _numeric_score(float(text), profile, numbers)
    return None, False


def _numeric_score(
    number: float, profile: Profile, numbers: NumberMeaning
) -> tuple[float | None, bool]:
    if not number.is_integer():
        return None, False
    if numbers.kind == BY_OPTION:
        label = normalize(dict(numbers.options).get(int(number), ""))
        if label in profile.no_answer:
            return None, True
        return (profile.labels[label], True) if label in profile.labels else (None, False)
    if numbers.kind != BY_SCORE or not 1 <= number <= NUMERIC_POINTS:
        return None, False
    if profile.numeric_scale == "5-best":
        return number * _POINT_SCORE, True
    if profile.numeric_scale == "1-best":
        return (NUMERIC_POINTS + 1 - number) * _POINT_SCORE, True
    raise ProfileError(
        f"{profile.source}：numeric_scale = {profile.numeric_scale!r}（应为 5-best 或 1-best）"
    )


def could_be_export(rows: list[list[object]], profile: Profile) -> bool:
    """A cheap sniff before `find_export_layout`: False only for rows that cannot be an export.

    An export shows respondents (see `_looks_like_respondents`): some answer is a label, or some
    unit answers more than once. Rows with neither — a score table, one row per unit — are not
    one, whatever their headers say; those are most workbooks, and this spares them the search.
    """
    texts = Counter(
        normalize(cell) for row in rows for cell in row if isinstance(cell, str) and cell.strip()
    )
    if any(text in profile.labels for text in texts):
        return True
    units: Counter[str] = Counter()
    for text, count in texts.items():
        unit = names_of(profile).canonical_unit(text)
        if unit is not None:
            units[unit] += count
    return any(count > 1 for count in units.values())


def find_export_sheet(
    sheets: Iterable[Sheet], profile: Profile
) -> tuple[Sheet, ExportLayout] | None:
    """The first visible sheet that is a questionnaire export, with its layout; else None.

    Plain Python on the first rows of each sheet, so a score workbook is told from an export
    without loading the respondent reader (and pandas).
    """
    for sheet in sheets:
        if sheet.hidden:
            continue
        head = sheet.rows[: MAX_TITLE_ROWS + SAMPLE_ROWS]
        layout = find_export_layout(head, profile) if could_be_export(head, profile) else None
        if layout is not None:
            return sheet, layout
    return None


def find_export_layout(rows: list[list[object]], profile: Profile) -> ExportLayout | None:
    """The layout of an export from its first rows, or None when they are not an export.

    An export has a unit column (a header about 街镇/街道/镇 over unit names), at least one
    question matched to an item whose answers are labels or 1–5, and looks like respondents:
    some answer is a label, or some unit answers more than once.
    """
    for header_row in range(min(MAX_TITLE_ROWS, len(rows))):
        header = [_header_text(cell) for cell in rows[header_row]]
        if not any(names_of(profile).match_item(text) for text in header if text):
            continue
        data = rows[header_row + 1 : header_row + 1 + SAMPLE_ROWS]
        unit_column = _unit_column(header, data, profile)
        if unit_column is None:
            continue
        layout = _classify(header_row, header, data, unit_column, profile)
        if layout.questions and _looks_like_respondents(layout, data, profile):
            return layout
    return None


def _header_text(cell: object) -> str:
    """A header cell as read, its control characters removed: an export read into Arrow is not
    cleaned cell by cell as a score workbook is (`mytool.reading.sources`)."""
    return display_text(CONTROL_CHARACTERS.sub("", cell) if isinstance(cell, str) else cell)


def _column(data: list[list[object]], col: int) -> list[object]:
    return [row[col] if col < len(row) else None for row in data]


def _filled(values: list[object]) -> list[object]:
    return [v for v in values if display_text(v) and not _is_nan(v)]


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _unit_share(values: list[object], profile: Profile) -> float:
    filled = _filled(values)
    if not filled:
        return 0.0
    return sum(1 for v in filled if names_of(profile).canonical_unit(v)) / len(filled)


def _unit_column(header: list[str], data: list[list[object]], profile: Profile) -> int | None:
    """The column about 街镇 whose values are units; failing that, any column of unit names."""
    about_units = [
        col
        for col, text in enumerate(header)
        if is_unit_header(text) or any(word in normalize(text) for word in _UNIT_WORDS)
    ]
    for candidates, threshold in ((about_units, 0.5), (range(len(header)), 0.8)):
        shares = {col: _unit_share(_column(data, col), profile) for col in candidates}
        best = max(shares, key=lambda col: (shares[col], -col), default=None)
        if best is not None and shares[best] >= threshold:
            return best
    return None


def _classify(
    header_row: int,
    header: list[str],
    data: list[list[object]],
    unit_column: int,
    profile: Profile,
) -> ExportLayout:
    questions: list[Question] = []
    repeated: list[Question] = []
    feedback: list[TextColumn] = []
    unmatched: list[str] = []
    time_column = None
    overall: Question | None = None
    asked: set[tuple[str, str]] = set()
    for col, text in enumerate(header):
        values = _filled(_column(data, col))
        key = strip_numbering(normalize(text)).rstrip(":").casefold()
        if col == unit_column or (not text and not values):
            continue
        if key in EXPORT_META_HEADERS:
            if time_column is None and key in TIME_HEADERS:
                time_column = col
            continue
        asks_suggestion = any(word in normalize(text) for word in FEEDBACK_WORDS)
        matched = names_of(profile).match_item(text) if text else None
        may_be_overall = overall is None and OVERALL_QUESTION.search(normalize(text))
        # Scoring the answers is the costly part: only for a column that may be a question.
        answers_like = bool(matched or may_be_overall) and _answers_like(
            values, asks_suggestion, profile
        )
        if matched and answers_like:
            question = Question(col, text, *matched)
            (repeated if matched in asked else questions).append(question)
            asked.add(matched)
        elif may_be_overall and answers_like:
            overall = Question(col, text, "", "")
        elif asks_suggestion:
            category = matched[0] if matched else named_category(text, profile)
            feedback.append(TextColumn(col, text, category))
        else:
            unmatched.append(text or f"（第 {col + 1} 列，无表头）")
    return ExportLayout(
        header_row=header_row,
        unit_column=unit_column,
        questions=tuple(questions),
        feedback=tuple(feedback),
        time_column=time_column,
        unmatched=tuple(unmatched),
        repeated=tuple(repeated),
        overall=overall,
    )


def _answers_like(values: list[object], asks_suggestion: bool, profile: Profile) -> bool:
    """Whether a column's sample reads as answers: at least half labels or small numbers
    (an empty sample counts unless the header asks for suggestions)."""
    if not values:
        return not asks_suggestion
    understood = sum(1 for v in values if answer_score(v, profile)[1] or _small_number(v))
    return understood >= len(values) / 2


def _small_number(value: object) -> bool:
    """An answer that may be an option number or a score (1–9): answer-like, meaning unknown."""
    return is_number_answer(value) and 1 <= float(normalize(value) or 0) <= 9


def named_category(text: str, profile: Profile) -> str:
    """The profile category a header names anywhere in its text ("…居住区环境…"), or ""."""
    header = normalize(text)
    found = [
        (len(spelling), category.name)
        for category in profile.categories
        for spelling in (category.name, *category.aliases)
        if len(normalize(spelling)) >= 2 and normalize(spelling) in header
    ]
    return max(found)[1] if found else ""


def _looks_like_respondents(
    layout: ExportLayout, data: list[list[object]], profile: Profile
) -> bool:
    for question in layout.questions:
        for value in _filled(_column(data, question.column)):
            if isinstance(value, str) and normalize(value) in profile.labels:
                return True
    units = Counter(
        names_of(profile).canonical_unit(v) for v in _filled(_column(data, layout.unit_column))
    )
    units.pop(None, None)
    return any(count > 1 for count in units.values())
