"""Turn the rows of a score table into `Score` records, wide or long.

`mytool.reading.layout` finds the table; everything below its header is data, with reference
rows, footnotes and unknown units told apart here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mytool.diagnostics import ERROR, INFO, WARNING, Issue, cell_address, column_letter
from mytool.profile import Profile
from mytool.reading.headers import (
    COMPOSITE_HEADERS,
    CURRENT_HEADERS,
    LONG_CATEGORY_HEADERS,
    LONG_ITEM_HEADERS,
    LONG_SCORE_HEADERS,
    PROGRESS_HEADERS,
    ColumnMeaning,
    classify,
    is_legacy_scheme,
)
from mytool.reading.layout import column_labels, find_unit_column, header_block, is_text, padded
from mytool.reading.sources import Sheet
from mytool.report import CATEGORY, CITY_RANK, COMPOSITE, CURRENT, ITEM, PROGRESS, Score, SheetUse
from mytool.text import display_text, normalize, parse_score

NO_UNIT_COLUMN = "未找到街镇列"
NO_SCORE_COLUMN = "未找到分数列"
EMPTY_SCORES = "分数列没有分数"
_FOOTNOTE_STARTS = ("注", "说明", "备注", "数据来源", "资料来源", "*", "※", "附")


@dataclass
class SheetResult:
    """What one sheet gave: scores, the units seen (in order), and findings."""

    use: SheetUse
    scores: list[Score] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    unknown_units: list[str] = field(default_factory=list)
    reference_rows: list[str] = field(default_factory=list)
    periods: list[tuple[str, str]] = field(default_factory=list)  # (value, place)
    title_text: list[str] = field(default_factory=list)
    city_scope: str = ""
    issues: list[Issue] = field(default_factory=list)
    bad_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # from the pre-scan


def read_sheet(sheet: Sheet, profile: Profile, file: str) -> SheetResult:
    """Scores of one sheet, wide or long; a sheet without a score table is marked skipped."""
    grid = padded(sheet.rows)
    found = find_unit_column(grid, profile)
    if found is None:
        return SheetResult(SheetUse(sheet.name, "skipped", note=NO_UNIT_COLUMN))
    unit_col, first_unit_row = found
    top, bottom = header_block(grid, profile, unit_col, first_unit_row)
    labels = column_labels(grid, sheet.merged, top, bottom)
    result = SheetResult(SheetUse(sheet.name, "skipped"), bad_cells=sheet.bad_cells)
    result.title_text = [
        str(cell) for row in grid[:top] for cell in row if isinstance(cell, str) and cell.strip()
    ]
    if sheet.strict_width:
        result.issues.extend(_ragged_rows(grid, labels, bottom, sheet.name, file))
    long_columns = _long_columns(grid, labels, profile, unit_col, bottom)
    if long_columns:
        _read_long(grid, sheet.name, profile, file, unit_col, bottom, long_columns, result)
        layout = "long"
        used = ("长表：街镇、大类、小项、得分",)
    else:
        legacy = is_legacy_scheme(labels, profile)
        meanings = {
            c: classify(labels[c], profile, legacy=legacy)
            for c in range(len(labels))
            if c != unit_col
        }
        _read_wide(grid, sheet.name, profile, file, unit_col, bottom, meanings, result)
        layout = "wide"
        used = tuple(
            f"{column_letter(c)}={m.describe()}" for c, m in meanings.items() if m.role == "score"
        )
    if not result.scores and not any(issue.severity == ERROR for issue in result.issues):
        note = EMPTY_SCORES if used and layout == "wide" else NO_SCORE_COLUMN
        result.use = SheetUse(sheet.name, "skipped", note=note)
        return result
    result.use = SheetUse(
        sheet.name,
        layout,
        header_rows=tuple(range(top + 1, bottom + 2)),
        unit_column=column_letter(unit_col),
        columns=used,
    )
    return result


def _ragged_rows(
    grid: list[list[object]], labels: list[list[str]], header_bottom: int, sheet: str, file: str
) -> list[Issue]:
    """Data rows with values beyond the header's last column (an unquoted comma in CSV)."""
    width = max((c + 1 for c, column in enumerate(labels) if any(column)), default=0)
    issues = []
    for r in range(header_bottom + 1, len(grid)):
        extra = [c for c in range(width, len(grid[r])) if display_text(grid[r][c])]
        if width and extra:
            issues.append(
                Issue(
                    "ragged-row",
                    ERROR,
                    f"第 {r + 1} 行比表头多出 {len(grid[r]) - width} 列"
                    "（可能是文字中有未加引号的逗号），各列已错位；请在 Excel/WPS 中检查后另存",
                    file,
                    cell_address(sheet, r, extra[0]),
                )
            )
    return issues


def _row_kind(cell: object, profile: Profile) -> tuple[str, str]:
    """What a unit-column cell is: "unit", "reference", "footnote", "other" or "empty"."""
    text = display_text(cell)
    if not text:
        return "empty", ""
    canonical = profile.canonical_unit(text) if isinstance(cell, str) else None
    if canonical:
        return "unit", canonical
    if profile.is_reference_row(text):
        return "reference", text
    if normalize(text).startswith(_FOOTNOTE_STARTS) or len(normalize(text)) > 24:
        return "footnote", text
    return "other", text.strip()


def _read_wide(
    grid: list[list[object]],
    sheet: str,
    profile: Profile,
    file: str,
    unit_col: int,
    header_bottom: int,
    meanings: dict[int, ColumnMeaning],
    result: SheetResult,
) -> None:
    score_cols = {c: m for c, m in meanings.items() if m.role == "score"}
    city_ranks = [c for c, m in score_cols.items() if m.measure == CITY_RANK]
    for c in city_ranks[1:]:  # one city-wide rank is kept (e.g. 郊区排名 beside 全市排名)
        del score_cols[c]
    period_cols = [c for c, m in meanings.items() if m.role == "period"]
    if not score_cols:
        return
    result.city_scope = next((m.label for m in score_cols.values() if m.measure == CITY_RANK), "")
    result.issues.extend(_duplicate_headers(score_cols, sheet, file, header_bottom))
    for c, meaning in meanings.items():
        if meaning.role == "unknown" and _column_has_numbers(grid, c, header_bottom):
            result.issues.append(
                Issue(
                    "unknown-column",
                    WARNING,
                    f"列「{meaning.label}」不是测评口径中的大类或小项，未使用",
                    file,
                    cell_address(sheet, header_bottom, c),
                )
            )
        if meaning.role == "score" and not meaning.known:
            result.issues.append(
                _unknown_scheme_issue(meaning, profile, file, sheet, header_bottom, c)
            )
    for r in range(header_bottom + 1, len(grid)):
        row = grid[r]
        values = {c: row[c] for c in score_cols}
        has_numbers = any(parse_score(v)[0] is not None for v in values.values())
        unit = _unit_of_row(row[unit_col], has_numbers, profile, sheet, file, r, unit_col, result)
        if unit is None:
            continue
        for c in period_cols:
            if display_text(row[c]):
                result.periods.append((display_text(row[c]), cell_address(sheet, r, c)))
        for c, meaning in score_cols.items():
            _add_score(
                result,
                file,
                sheet,
                r,
                c,
                row[c],
                unit,
                meaning.measure,
                meaning.category,
                meaning.item,
            )


def _duplicate_headers(
    score_cols: dict[int, ColumnMeaning], sheet: str, file: str, header_bottom: int
) -> list[Issue]:
    """Two columns that mean the same score: an error, never silently "得分.1"."""
    first: dict[tuple[str, str, str], int] = {}
    issues = []
    for c, meaning in score_cols.items():
        key = (meaning.measure, meaning.category, meaning.item)
        if key in first:
            issues.append(
                Issue(
                    "duplicate-header",
                    ERROR,
                    f"表头「{meaning.label}」与 {cell_address(sheet, header_bottom, first[key])} "
                    "重复，无法判断用哪一列；请删去或改名其中一列",
                    file,
                    cell_address(sheet, header_bottom, c),
                )
            )
        else:
            first[key] = c
    return issues


def _unknown_scheme_issue(
    meaning: ColumnMeaning, profile: Profile, file: str, sheet: str, row: int, col: int
) -> Issue:
    """A category or item outside the profile; an old-scheme category is only noted."""
    place = cell_address(sheet, row, col)
    if meaning.measure == ITEM and meaning.category in profile.lineage:
        return Issue("legacy-item", INFO, f"「{meaning.label}」是旧测评口径的小项", file, place)
    if meaning.measure == CATEGORY and meaning.category in profile.lineage:
        new = profile.lineage[meaning.category]
        return Issue(
            "legacy-category",
            INFO,
            f"「{meaning.category}」是旧测评口径的大类（现归入「{new}」）",
            file,
            place,
        )
    what, code = ("小项", "item") if meaning.measure == ITEM else ("大类", "category")
    return Issue(
        f"{code}-not-in-profile",
        WARNING,
        f"{what}「{meaning.label}」不在测评口径中，按原名读取",
        file,
        place,
    )


def _unit_of_row(
    cell: object,
    has_numbers: bool,
    profile: Profile,
    sheet: str,
    file: str,
    r: int,
    unit_col: int,
    result: SheetResult,
) -> str | None:
    """The unit a data row belongs to, recording reference rows, footnotes and unknown units."""
    kind, name = _row_kind(cell, profile)
    place = cell_address(sheet, r, unit_col)
    if kind == "footnote" and has_numbers and not normalize(name).startswith(_FOOTNOTE_STARTS):
        kind = "other"  # a long name with scores is a unit, however odd its name
    if kind == "unit":
        if name not in result.units:
            result.units.append(name)
        return name
    if kind == "reference":
        result.reference_rows.append(name)
        return None
    if kind == "other" and has_numbers:
        if name not in result.unknown_units:
            result.unknown_units.append(name)
            result.issues.append(
                Issue(
                    "unknown-unit",
                    WARNING,
                    f"「{name}」不在测评口径的街镇名单中，按原名参与排名",
                    file,
                    place,
                    name,
                )
            )
        if name not in result.units:
            result.units.append(name)
        return name
    if kind in ("other", "empty") and has_numbers:
        result.issues.append(
            Issue("row-without-unit", WARNING, "这一行有分数但没有街镇名称，未使用", file, place)
        )
    elif kind == "other":
        result.issues.append(
            Issue("skipped-row", INFO, f"「{name}」行没有分数，已跳过", file, place)
        )
    return None


def _add_score(
    result: SheetResult,
    file: str,
    sheet: str,
    r: int,
    c: int,
    cell: object,
    unit: str,
    measure: str,
    category: str,
    item: str,
) -> None:
    value, understood = parse_score(cell)
    place = cell_address(sheet, r, c)
    if not understood:
        result.issues.append(
            Issue(
                "not-a-number", ERROR, f"「{display_text(cell)}」不是有效的分数", file, place, unit
            )
        )
        return
    if value is None:
        if (r, c) in result.bad_cells:
            result.issues.append(_bad_cell_issue(result.bad_cells[(r, c)], file, place, unit))
        return
    if measure == CITY_RANK:
        if value < 1 or not float(value).is_integer():
            result.issues.append(
                Issue(
                    "bad-rank",
                    WARNING,
                    f"排名「{display_text(cell)}」不是正整数，未使用",
                    file,
                    place,
                    unit,
                )
            )
            return
    elif not 0 <= value <= 100:
        result.issues.append(
            Issue(
                "out-of-range",
                ERROR,
                f"分数 {display_text(cell)} 超出 0–100 的范围",
                file,
                place,
                unit,
            )
        )
        return
    result.scores.append(Score(unit, measure, value, category, item, place))


def _bad_cell_issue(error: str, file: str, place: str, unit: str) -> Issue:
    """A score cell whose formula has no cached value, or whose cached value is an error."""
    if error:
        message = f"分数单元格是公式错误 {error}；请在 Excel/WPS 中修正公式并保存后再试"
        return Issue("formula-error", ERROR, message, file, place, unit)
    message = "分数单元格是公式但没有保存计算结果；请在 Excel/WPS 中打开并保存后再试"
    return Issue("formula-without-value", ERROR, message, file, place, unit)


def _column_has_numbers(grid: list[list[object]], col: int, header_bottom: int) -> bool:
    return any(
        parse_score(row[col])[0] is not None and row[col] != "" for row in grid[header_bottom + 1 :]
    )


@dataclass(frozen=True)
class _LongColumns:
    category: int
    item: int | None
    score: int
    period: int | None


def _long_columns(
    grid: list[list[object]],
    labels: list[list[str]],
    profile: Profile,
    unit_col: int,
    header_bottom: int,
) -> _LongColumns | None:
    """Columns of a long table (unit, category, item, score), or None for a wide table."""
    leaves = [normalize(col[-1]) if col else "" for col in labels]
    data = grid[header_bottom + 1 :]
    if not data:
        return None

    def share(col: int, test) -> float:
        cells = [row[col] for row in data if is_text(row[col])]
        return sum(1 for cell in cells if test(cell)) / len(data) if cells else 0.0

    width = len(leaves)
    category_col = next(
        (c for c in range(width) if c != unit_col and leaves[c] in LONG_CATEGORY_HEADERS), None
    )
    if category_col is None:
        candidates = [
            (share(c, lambda v: bool(profile.match_category(v))), c)
            for c in range(width)
            if c != unit_col
        ]
        best = max(candidates, default=(0.0, None))
        category_col = best[1] if best[0] >= 0.3 else None
    if category_col is None:
        return None
    item_col = next(
        (c for c in range(width) if leaves[c] in LONG_ITEM_HEADERS and c != category_col), None
    )
    score_col = next((c for c in range(width) if leaves[c] in LONG_SCORE_HEADERS), None)
    if score_col is None:
        numeric = [
            c
            for c in range(width)
            if c not in (unit_col, category_col, item_col)
            and classify(labels[c], profile).role not in ("ignored", "period")
            and sum(1 for row in data if parse_score(row[c])[0] is not None and row[c] != "")
            >= len(data) / 2
        ]
        score_col = numeric[0] if len(numeric) == 1 else None
    if score_col is None:
        return None
    period_col = next(
        (c for c in range(width) if classify(labels[c], profile).role == "period"), None
    )
    return _LongColumns(category_col, item_col, score_col, period_col)


def _read_long(
    grid: list[list[object]],
    sheet: str,
    profile: Profile,
    file: str,
    unit_col: int,
    header_bottom: int,
    columns: _LongColumns,
    result: SheetResult,
) -> None:
    for r in range(header_bottom + 1, len(grid)):
        row = grid[r]
        has_number = parse_score(row[columns.score])[0] is not None
        unit = _unit_of_row(row[unit_col], has_number, profile, sheet, file, r, unit_col, result)
        if unit is None:
            continue
        if columns.period is not None and display_text(row[columns.period]):
            result.periods.append(
                (display_text(row[columns.period]), cell_address(sheet, r, columns.period))
            )
        measure, category, item = _long_measure(
            row[columns.category], row[columns.item] if columns.item is not None else "", profile
        )
        if not measure:
            result.issues.append(
                Issue(
                    "unknown-category",
                    WARNING,
                    f"「{display_text(row[columns.category])}」不是测评口径中的大类，按原名读取",
                    file,
                    cell_address(sheet, r, columns.category),
                    unit,
                )
            )
            measure, category = (
                (ITEM, display_text(row[columns.category]))
                if item
                else (CATEGORY, display_text(row[columns.category]))
            )
        _add_score(
            result, file, sheet, r, columns.score, row[columns.score], unit, measure, category, item
        )


def _long_measure(
    category_cell: object, item_cell: object, profile: Profile
) -> tuple[str, str, str]:
    """(measure, category, item) of one long-table row; measure "" when the category is unknown."""
    category_text = normalize(category_cell)
    item_text = display_text(item_cell) if normalize(item_cell) not in ("", "-", "—", "/") else ""
    for words, measure in (
        (COMPOSITE_HEADERS, COMPOSITE),
        (CURRENT_HEADERS, CURRENT),
        (PROGRESS_HEADERS, PROGRESS),
    ):
        if category_text in words and not item_text:
            return measure, "", ""
    category = profile.match_category(category_text) or profile.match_legacy_category(category_text)
    if not category and not item_text:
        # One "indicator" column holding categories and items alike: an item names its category.
        as_item = profile.match_item(category_text)
        if as_item:
            return ITEM, as_item[0], as_item[1]
    if not category:
        return "", "", item_text
    if not item_text:
        return CATEGORY, category, ""
    matched = profile.match_item(item_text, category)
    if matched and matched[0] == category:
        return ITEM, category, matched[1]
    return ITEM, category, item_text
