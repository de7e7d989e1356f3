"""Turn the rows of a score table into `Score` records, wide or long.

`mytool.reading.layout` finds the table; everything below its header is data, with reference
rows, footnotes and unknown units told apart here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mytool.diagnostics import (
    ERROR,
    INFO,
    WARNING,
    Issue,
    IssueCode,
    column_letter,
)
from mytool.profile import Profile
from mytool.reading.blocks import is_block_label, kind_word, masked, side_by_side
from mytool.reading.certainty import column_issues
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
from mytool.reading.layout import (
    column_labels,
    find_unit_column,
    header_block,
    is_header_row,
    is_text,
    padded,
)
from mytool.reading.names import names_of
from mytool.reading.scale import as_percent, rescale_fractions
from mytool.reading.sources import Sheet
from mytool.reading.transpose import SheetAddress, is_transposed, transpose_sheet, unit_hits
from mytool.reading.weights import Weight, is_weight_row, read_weight_row
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
    percent_cells: frozenset[tuple[int, int]] = frozenset()  # formatted 0.00% (pre-scan)
    percent_read: list[Score] = field(default_factory=list)  # scores read from those, ×100
    block_rows: list[int] = field(default_factory=list)  # block labels, repeated headers
    weights: list[Weight] = field(default_factory=list)  # a 权重 row's category weights
    weights_place: str = ""


def read_sheet(sheet: Sheet, profile: Profile, file: str) -> SheetResult:
    """Scores of one sheet, wide or long; a sheet without a score table is marked skipped.

    A transposed table (units along a row) is turned first; 街道 and 镇 blocks side by side are
    read one by one and joined (see `mytool.reading.blocks`).
    """
    grid = padded(sheet.rows)
    hits = unit_hits(grid, profile)
    at = SheetAddress(sheet.name)
    ragged: list[Issue] = []
    titles: list[str] = []
    if is_transposed(hits):
        if sheet.strict_width:
            ragged = _ragged_rows(grid, _unit_row_width(hits, grid), 0, at, file)
        unit_row = max(range(len(hits)), key=lambda r: sum(hits[r]))
        titles = [str(cell) for row in grid[:unit_row] for cell in row if is_text(cell)]
        sheet = transpose_sheet(sheet, grid)
        grid = padded(sheet.rows)
        hits = [list(column) for column in zip(*hits, strict=True)]
        at = SheetAddress(sheet.name, transposed=True)
    blocks = side_by_side(grid, hits, profile)
    if blocks is None:
        result = _read_table(grid, sheet, profile, file, at)
    else:
        parts = [
            _read_table(masked(grid, start, end), sheet, profile, file, at) for start, end in blocks
        ]
        result = _joined(parts, sheet.name)
    result.issues[:0] = ragged
    result.title_text[:0] = titles  # a transposed table's titles are still rows above it
    if result.use.layout != "skipped":
        result.issues.extend(rescale_fractions(result, file))
    return result


def _read_table(
    grid: list[list[object]], sheet: Sheet, profile: Profile, file: str, at: SheetAddress
) -> SheetResult:
    """The one score table in `grid` (a whole sheet, or one block of it)."""
    found = find_unit_column(grid, profile)
    if found is None:
        return SheetResult(SheetUse(sheet.name, "skipped", note=NO_UNIT_COLUMN))
    unit_col, first_unit_row = found
    top, bottom = header_block(grid, profile, unit_col, first_unit_row)
    labels = column_labels(grid, sheet.merged, top, bottom)
    result = SheetResult(
        SheetUse(sheet.name, "skipped"),
        bad_cells=sheet.bad_cells,
        percent_cells=sheet.percent_cells,
    )
    result.title_text = [
        str(cell) for row in grid[:top] for cell in row if isinstance(cell, str) and cell.strip()
    ]
    if sheet.strict_width:
        width = max((c + 1 for c, column in enumerate(labels) if any(column)), default=0)
        result.issues.extend(_ragged_rows(grid, width, bottom + 1, at, file))
    layout, used = _read_scores(grid, labels, profile, file, at, (unit_col, top, bottom), result)
    if not result.scores and not any(issue.severity == ERROR for issue in result.issues):
        note = EMPTY_SCORES if used and layout != "long" else NO_SCORE_COLUMN
        result.use = SheetUse(sheet.name, "skipped", note=note)
        return result
    result.use = SheetUse(
        sheet.name,
        layout,
        header_rows=() if at.transposed else tuple(range(top + 1, bottom + 2)),
        unit_column=column_letter(unit_col) if not at.transposed else "",
        columns=used,
        note=_layout_note(at, unit_col, top, bottom, result.block_rows),
    )
    return result


def _read_scores(
    grid: list[list[object]],
    labels: list[list[str]],
    profile: Profile,
    file: str,
    at: SheetAddress,
    frame: tuple[int, int, int],
    result: SheetResult,
) -> tuple[str, tuple[str, ...]]:
    """Read the scores below the header into `result` as a long or a wide table.

    `frame` is (unit column, header top, header bottom). Returns the layout and, for the
    sheet's note, what each score column was read as.
    """
    unit_col, top, bottom = frame
    long_columns = _long_columns(grid, labels, profile, unit_col, bottom)
    if long_columns:
        _read_long(grid, at, profile, file, unit_col, bottom, long_columns, result)
        return "long", ("长表：街镇、大类、小项、得分",)
    legacy = is_legacy_scheme(labels, profile)
    meanings = {
        c: classify(labels[c], profile, legacy=legacy) for c in range(len(labels)) if c != unit_col
    }
    _read_wide(grid, at, profile, file, unit_col, (top, bottom), meanings, result)
    result.issues.extend(
        column_issues(grid, labels, meanings, at=at, file=file, header_bottom=bottom)
    )
    used = tuple(f"{at.line(c)}={m.describe()}" for c, m in meanings.items() if m.role == "score")
    return ("transposed" if at.transposed else "wide"), used


def _layout_note(
    at: SheetAddress, unit_col: int, top: int, bottom: int, block_rows: list[int]
) -> str:
    """What a reader of `validate` should know about an unusual layout, or ""."""
    if at.transposed:  # grid rows are the sheet's columns
        first, last = column_letter(top), column_letter(bottom)
        header = first if top == bottom else f"{first}–{last}"
        return f"街镇在{at.line(unit_col)}，表头在 {header} 列"
    if block_rows:
        rows = "、".join(str(r + 1) for r in block_rows)
        return f"街镇分上下几块（第 {rows} 行是分块标题或重复的表头），已合并读取"
    return ""


def _joined(parts: list[SheetResult], sheet: str) -> SheetResult:
    """One result from the blocks of a sheet laid side by side."""
    used = [part for part in parts if part.use.layout != "skipped"]
    if not used:
        return parts[0]
    first = used[0].use
    joined = SheetResult(
        SheetUse(
            sheet,
            first.layout,
            header_rows=first.header_rows,
            unit_column="、".join(part.use.unit_column for part in used if part.use.unit_column),
            columns=tuple(dict.fromkeys(c for part in used for c in part.use.columns)),
            note="；".join(filter(None, [first.note, f"街镇分 {len(used)} 块并排，已合并读取"])),
        ),
        percent_cells=parts[0].percent_cells,
    )
    for part in parts:
        joined.scores += part.scores
        joined.units += [u for u in part.units if u not in joined.units]
        joined.unknown_units += [u for u in part.unknown_units if u not in joined.unknown_units]
        joined.reference_rows += part.reference_rows
        joined.periods += part.periods
        joined.title_text += [t for t in part.title_text if t not in joined.title_text]
        joined.city_scope = joined.city_scope or part.city_scope
        joined.issues += [i for i in part.issues if i not in joined.issues]
        joined.percent_read += part.percent_read
    return joined


def _unit_row_width(hits: list[list[bool]], grid: list[list[object]]) -> int:
    """Width of a transposed table: up to the last filled cell of its unit row."""
    row = max(range(len(hits)), key=lambda r: sum(hits[r]))  # the row naming the units
    return max((c + 1 for c, cell in enumerate(grid[row]) if display_text(cell)), default=0)


def _ragged_rows(
    grid: list[list[object]], width: int, first_row: int, at: SheetAddress, file: str
) -> list[Issue]:
    """Data rows with values beyond the header's last column (an unquoted comma in CSV)."""
    issues = []
    for r in range(first_row, len(grid)):
        extra = [c for c in range(width, len(grid[r])) if display_text(grid[r][c])]
        if width and extra:
            issues.append(
                Issue(
                    IssueCode.RAGGED_ROW,
                    ERROR,
                    f"第 {r + 1} 行比表头多出 {len(grid[r]) - width} 列"
                    "（可能是文字中有未加引号的逗号），各列已错位；请在 Excel/WPS 中检查后另存",
                    file,
                    at.cell(r, extra[0]),
                )
            )
    return issues


def _row_kind(cell: object, profile: Profile) -> tuple[str, str]:
    """What a unit-column cell is: "unit", "reference", "footnote", "other" or "empty"."""
    text = display_text(cell)
    if not text:
        return "empty", ""
    canonical = names_of(profile).canonical_unit(text) if isinstance(cell, str) else None
    if canonical:
        return "unit", canonical
    if names_of(profile).is_reference_row(text):
        return "reference", text
    if normalize(text).startswith(_FOOTNOTE_STARTS) or len(normalize(text)) > 24:
        return "footnote", text
    return "other", text.strip()


def _read_wide(
    grid: list[list[object]],
    at: SheetAddress,
    profile: Profile,
    file: str,
    unit_col: int,
    header: tuple[int, int],
    meanings: dict[int, ColumnMeaning],
    result: SheetResult,
) -> None:
    """Read a wide table into `result`: a row per unit, a column per category, item or measure."""
    header_bottom = header[1]
    score_cols = _score_columns(meanings)
    if not score_cols:
        return
    period_cols = [c for c, m in meanings.items() if m.role == "period"]
    result.city_scope = next((m.label for m in score_cols.values() if m.measure == CITY_RANK), "")
    result.issues.extend(_duplicate_headers(score_cols, at, file, header_bottom))
    result.issues.extend(_column_warnings(grid, meanings, profile, file, at, header_bottom))
    for r in range(header_bottom + 1, len(grid)):
        row = grid[r]
        if _took_weights(row, r, unit_col, score_cols, profile, at, file, result):
            continue
        has_numbers = any(parse_score(row[c])[0] is not None for c in score_cols)
        if not has_numbers and _between_blocks(
            grid, r, unit_col, header, profile, at, file, result
        ):
            continue
        unit = _unit_of_row(row[unit_col], has_numbers, profile, at, file, r, unit_col, result)
        if unit is None:
            continue
        for c in period_cols:
            if display_text(row[c]):
                result.periods.append((display_text(row[c]), at.cell(r, c)))
        spelling = display_text(row[unit_col])
        for c, m in score_cols.items():
            _add_score(
                result, file, at, r, c, row[c], unit, m.measure, m.category, m.item, spelling
            )


def _score_columns(meanings: dict[int, ColumnMeaning]) -> dict[int, ColumnMeaning]:
    """The columns holding scores; of several city-wide ranks only the first is kept."""
    score_cols = {c: m for c, m in meanings.items() if m.role == "score"}
    city_ranks = [c for c, m in score_cols.items() if m.measure == CITY_RANK]
    for c in city_ranks[1:]:  # one city-wide rank is kept (e.g. 郊区排名 beside 全市排名)
        del score_cols[c]
    return score_cols


def _column_warnings(
    grid: list[list[object]],
    meanings: dict[int, ColumnMeaning],
    profile: Profile,
    file: str,
    at: SheetAddress,
    header_bottom: int,
) -> list[Issue]:
    """Numeric columns the profile does not name, and score columns of an unknown scheme."""
    issues = []
    for c, meaning in meanings.items():
        if meaning.role == "unknown" and _column_has_numbers(grid, c, header_bottom):
            issues.append(
                Issue(
                    IssueCode.UNKNOWN_COLUMN,
                    WARNING,
                    f"列「{meaning.label}」不是测评口径中的大类或小项，未使用",
                    file,
                    at.cell(header_bottom, c),
                )
            )
        if meaning.role == "score" and not meaning.known:
            issues.append(_unknown_scheme_issue(meaning, profile, file, at, header_bottom, c))
    return issues


def _took_weights(
    row: list[object],
    r: int,
    unit_col: int,
    score_cols: dict[int, ColumnMeaning],
    profile: Profile,
    at: SheetAddress,
    file: str,
    result: SheetResult,
) -> bool:
    """True for a weights row (no unit, weights under the scores); the first one is read."""
    if names_of(profile).canonical_unit(row[unit_col]) or not is_weight_row(row, score_cols):
        return False
    if not result.weights:
        result.weights, result.weights_place, found = read_weight_row(
            row, r, score_cols, at=at, file=file
        )
        result.issues.extend(found)
    return True


def _between_blocks(
    grid: list[list[object]],
    r: int,
    unit_col: int,
    header: tuple[int, int],
    profile: Profile,
    at: SheetAddress,
    file: str,
    result: SheetResult,
) -> bool:
    """True for a row without scores that separates blocks: a block label or the header again."""
    row = grid[r]
    if names_of(profile).canonical_unit(row[unit_col]):
        return False
    if is_block_label(row, profile):  # "镇" above the second block
        result.block_rows.append(r)
        return True
    if is_header_row(row, profile):  # the header again, above a second block
        result.block_rows.append(r)
        result.issues.extend(_repeated_header(grid, r, header, at, file))
        return True
    return False


def _repeated_header(
    grid: list[list[object]], r: int, header: tuple[int, int], at: SheetAddress, file: str
) -> list[Issue]:
    """A header row repeated above a second block is skipped; one that differs is an error.

    Each of its cells must say what the table's own header says in that column; otherwise the
    rows below it have other columns and would be read under the wrong headers.
    """
    top, bottom = header
    for c, cell in enumerate(grid[r]):
        word = normalize(cell)
        if word and all(normalize(grid[h][c]) != word for h in range(top, bottom + 1)):
            return [
                Issue(
                    IssueCode.HEADER_MISMATCH,
                    ERROR,
                    f"第 {r + 1} 行又是一行表头，但这一列写的是「{display_text(cell)}」，"
                    f"与第 {top + 1} 行起的表头不同，下面各行的分数无法对应到列；"
                    "请把各块表格的列排成一致，或分成两个工作表",
                    file,
                    at.cell(r, c),
                )
            ]
    return []


def _duplicate_headers(
    score_cols: dict[int, ColumnMeaning], at: SheetAddress, file: str, header_bottom: int
) -> list[Issue]:
    """Two columns that mean the same score: an error, never silently "得分.1"."""
    first: dict[tuple[str, str, str], int] = {}
    issues = []
    for c, meaning in score_cols.items():
        key = (meaning.measure, meaning.category, meaning.item)
        if key in first:
            issues.append(
                Issue(
                    IssueCode.DUPLICATE_HEADER,
                    ERROR,
                    f"表头「{meaning.label}」与 {at.cell(header_bottom, first[key])} "
                    "重复，无法判断用哪一列；请删去或改名其中一列",
                    file,
                    at.cell(header_bottom, c),
                )
            )
        else:
            first[key] = c
    return issues


def _unknown_scheme_issue(
    meaning: ColumnMeaning, profile: Profile, file: str, at: SheetAddress, row: int, col: int
) -> Issue:
    """A category or item outside the profile; an old-scheme category is only noted."""
    place = at.cell(row, col)
    if meaning.measure == ITEM and meaning.category in profile.lineage:
        return Issue(
            IssueCode.LEGACY_ITEM, INFO, f"「{meaning.label}」是旧测评口径的小项", file, place
        )
    if meaning.measure == CATEGORY and meaning.category in profile.lineage:
        new = profile.lineage[meaning.category]
        return Issue(
            IssueCode.LEGACY_CATEGORY,
            INFO,
            f"「{meaning.category}」是旧测评口径的大类（现归入「{new}」）",
            file,
            place,
        )
    what, code = (
        ("小项", IssueCode.ITEM_NOT_IN_PROFILE)
        if meaning.measure == ITEM
        else ("大类", IssueCode.CATEGORY_NOT_IN_PROFILE)
    )
    return Issue(
        code,
        WARNING,
        f"{what}「{meaning.label}」不在测评口径中，按原名读取",
        file,
        place,
    )


def _unit_of_row(
    cell: object,
    has_numbers: bool,
    profile: Profile,
    at: SheetAddress,
    file: str,
    r: int,
    unit_col: int,
    result: SheetResult,
) -> str | None:
    """The unit a data row belongs to, recording reference rows, footnotes and unknown units."""
    kind, name = _row_kind(cell, profile)
    place = at.cell(r, unit_col)
    if kind == "footnote" and has_numbers and not normalize(name).startswith(_FOOTNOTE_STARTS):
        kind = "other"  # a long name with scores is a unit, however odd its name
    if kind == "unit":
        if name not in result.units:
            result.units.append(name)
        return name
    if kind == "other" and kind_word(name, profile):  # "街道" / "镇" labelling a block
        kind = "reference" if has_numbers else "empty"
    if kind == "reference":
        result.reference_rows.append(name)
        return None
    if kind == "other" and has_numbers and names_of(profile).is_other_area(name):
        # 佘山度假区 and the like: listed in reports, never one of the district's units
        result.reference_rows.append(name)
        result.issues.append(other_area_issue(name, file, place))
        return None
    if kind == "other" and has_numbers:
        if name not in result.unknown_units:
            result.unknown_units.append(name)
            result.issues.append(unknown_unit_issue(name, profile, file, place))
        if name not in result.units:
            result.units.append(name)
        return name
    if kind in ("other", "empty") and has_numbers:
        result.issues.append(
            Issue(
                IssueCode.ROW_WITHOUT_UNIT,
                WARNING,
                "这一行有分数但没有街镇名称，未使用",
                file,
                place,
            )
        )
    elif kind == "other":
        result.issues.append(
            Issue(IssueCode.SKIPPED_ROW, INFO, f"「{name}」行没有分数，已跳过", file, place)
        )
    return None


def other_area_issue(name: str, file: str, place: str) -> Issue:
    """A place the profile lists as not a unit (佘山度假区 …): shown, not ranked, not merged."""
    return Issue(
        IssueCode.OTHER_AREA,
        WARNING,
        f"「{name}」是单列的区域，不是测评口径中的街镇，不参与街镇排名，也不并入任何街镇",
        file,
        place,
        name,
    )


def unknown_unit_issue(name: str, profile: Profile, file: str, place: str) -> Issue:
    """A row naming no unit of the profile: ranked under its own name, with a likely spelling."""
    if names_of(profile).is_other_area(name):
        return other_area_issue(name, file, place)
    message = f"「{name}」不在测评口径的街镇名单中，按原名参与排名"
    suggestion = names_of(profile).suggest_unit(name)
    if suggestion:
        message += f"；是否为「{suggestion}」？"
    return Issue(IssueCode.UNKNOWN_UNIT, WARNING, message, file, place, name)


def _add_score(
    result: SheetResult,
    file: str,
    at: SheetAddress,
    r: int,
    c: int,
    cell: object,
    unit: str,
    measure: str,
    category: str,
    item: str,
    spelling: str = "",
) -> None:
    """Record the score in `cell` for `unit`, or the issue that keeps it out of the table."""
    value, understood = parse_score(cell)
    place = at.cell(r, c)
    if not understood:
        result.issues.append(
            Issue(
                IssueCode.NOT_A_NUMBER,
                ERROR,
                f"「{display_text(cell)}」不是有效的分数",
                file,
                place,
                unit,
            )
        )
        return
    if value is None:
        if (r, c) in result.bad_cells:
            result.issues.append(_bad_cell_issue(result.bad_cells[(r, c)], file, place, unit))
        return
    percent = (
        (r, c) in result.percent_cells and isinstance(cell, int | float) and measure != CITY_RANK
    )
    if percent:  # 0.7853 formatted 0.00%: the office sees 78.53
        value = as_percent(value)
    problem = _unusable_value(value, cell, measure, file, place, unit)
    if problem:
        result.issues.append(problem)
        return
    score = Score(unit, measure, value, category, item, place, spelling)
    result.scores.append(score)
    if percent:
        result.percent_read.append(score)


def _unusable_value(
    value: float, cell: object, measure: str, file: str, place: str, unit: str
) -> Issue | None:
    """Why a number cannot be used: a city rank that is no positive whole number, a score
    outside 0–100; None when it can."""
    text = display_text(cell)
    if measure == CITY_RANK:
        if value < 1 or not float(value).is_integer():
            message = f"排名「{text}」不是正整数，未使用"
            return Issue(IssueCode.BAD_RANK, WARNING, message, file, place, unit)
        return None
    if not 0 <= value <= 100:
        message = f"分数 {text} 超出 0–100 的范围"
        return Issue(IssueCode.OUT_OF_RANGE, ERROR, message, file, place, unit)
    return None


def _bad_cell_issue(error: str, file: str, place: str, unit: str) -> Issue:
    """A score cell whose formula has no cached value, or whose cached value is an error."""
    if error:
        message = f"分数单元格是公式错误 {error}；请在 Excel/WPS 中修正公式并保存后再试"
        return Issue(IssueCode.FORMULA_ERROR, ERROR, message, file, place, unit)
    message = "分数单元格是公式但没有保存计算结果；请在 Excel/WPS 中打开并保存后再试"
    return Issue(IssueCode.FORMULA_WITHOUT_VALUE, ERROR, message, file, place, unit)


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
            (share(c, lambda v: bool(names_of(profile).match_category(v))), c)
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
    at: SheetAddress,
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
        unit = _unit_of_row(row[unit_col], has_number, profile, at, file, r, unit_col, result)
        if unit is None:
            continue
        if columns.period is not None and display_text(row[columns.period]):
            result.periods.append((display_text(row[columns.period]), at.cell(r, columns.period)))
        measure, category, item = _long_measure(
            row[columns.category], row[columns.item] if columns.item is not None else "", profile
        )
        if not measure:
            result.issues.append(
                Issue(
                    IssueCode.UNKNOWN_CATEGORY,
                    WARNING,
                    f"「{display_text(row[columns.category])}」不是测评口径中的大类，按原名读取",
                    file,
                    at.cell(r, columns.category),
                    unit,
                )
            )
            measure, category = (
                (ITEM, display_text(row[columns.category]))
                if item
                else (CATEGORY, display_text(row[columns.category]))
            )
        _add_score(
            result,
            file,
            at,
            r,
            columns.score,
            row[columns.score],
            unit,
            measure,
            category,
            item,
            display_text(row[unit_col]),
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
    category = names_of(profile).match_category(category_text) or names_of(
        profile
    ).match_legacy_category(category_text)
    if not category and not item_text:
        # One "indicator" column holding categories and items alike: an item names its category.
        as_item = names_of(profile).match_item(category_text)
        if as_item:
            return ITEM, as_item[0], as_item[1]
    if not category:
        return "", "", item_text
    if not item_text:
        return CATEGORY, category, ""
    matched = names_of(profile).match_item(item_text, category)
    if matched and matched[0] == category:
        return ITEM, category, matched[1]
    return ITEM, category, item_text
