"""Build score workbooks the way real offices deliver them, from a plain "truth".

A truth maps a unit's canonical name to its scores::

    {"九亭镇": {"composite": 78.53,
               "categories": {"居住区": 77.1, "工地": None, ...},
               "items": {("居住区", "小区环境卫生"): 76.2, ...}}}

Which levels a file carries follows the truth: a level whose dicts are empty (or whose composites
are all None) is not written at all; a None inside a written level is a "no value" cell ("—", "/"
…). `expected_ranking` computes, independently of mytool's code, what `mytool rank --format json`
should report for such a file.

Layouts (each returns a list of `Sheet`): `wide_sheets` (one or two header rows), `multi_sheets`
(composite / category / item sheets joined on the unit) and `long_sheets` (unit, category, item,
score). `Quirks` switches the office habits on and off; `write_sheets` writes .xlsx, .xls or .csv;
`resave_with_libreoffice` re-saves files through LibreOffice headless.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
import tomllib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypedDict

PROFILE_PATH = Path(__file__).resolve().parents[1] / "data" / "profile.toml"


@dataclass(frozen=True)
class Percent:
    """A score the office keeps as a fraction formatted 0.00% (0.7853 shown as 78.53%).

    Written to .xlsx/.xls as the fraction with that number format; to text as Excel exports
    it ("78.53%"). `bare` writes the fraction alone, with no format, in every format.
    """

    points: float
    bare: bool = False

    @property
    def fraction(self) -> float:
        return float(Decimal(repr(float(self.points))) / 100)


Cell = str | float | int | Percent | None
ItemKey = tuple[str, str]
Merge = tuple[int, int, int, int]  # first row, first col, last row, last col; 0-based, inclusive

PERIOD_TITLE = "2023年下半年度松江区市容环境质量社会公众满意度测评结果"
PLAIN_TITLE = "松江区市容环境质量社会公众满意度测评结果"
EXTRA_TITLES = ("（各街镇得分及排名）", "测评机构：第三方调查公司")
LONG_PERIOD_TEXT = "2023年下半年"
UNIT_NOTE = "单位：分"
FOOTNOTES = (
    "注：1.“{mark}”表示该街镇无此类测评点位；2.综合满意度由现状感知评价和进步感知评价构成。",
    "数据来源：第三方测评机构",
)
REFERENCES_BELOW = ("全区平均", "全市平均", "合计")
REFERENCES_AMONG = ("全区平均", "郊区平均")
UNKNOWN_UNIT = "测试镇"
ANNOTATIONS = {"九亭镇": "九亭经济城", "佘山镇": "佘山度假区", "新桥镇": "新桥经济城"}

UNIT_HEADERS = ("街镇", "街镇名称", "街道(镇)", "单位", "测评单位", "区域")
COMPOSITE_HEADERS = ("综合满意度", "综合得分", "满意度得分", "总分", "综合评价")
NO_VALUE_MARKS = ("—", "/", "-", "无", "")
UNIT_SPELLINGS = ("canonical", "short", "spaces", "ideographic", "annotated", "marked", "mixed")
FOOTNOTE_MARKS = ("*", "※", "①", "注1", "＊", "⑴")
CATEGORY_STYLES = ("canonical", "suffix", "alias", "fullwidth")
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")

_FULL_WIDTH = str.maketrans("0123456789.-+", "０１２３４５６７８９．－＋")
_CENT = Decimal("0.01")


class UnitTruth(TypedDict):
    composite: float | None
    categories: dict[str, float | None]
    items: dict[ItemKey, float | None]


Truth = dict[str, UnitTruth]


# --------------------------------------------------------------------------------------------
# Profile and arithmetic (independent of mytool)


def load_profile_rules(path: Path = PROFILE_PATH) -> dict[str, Any]:
    """The district profile as plain TOML data."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def category_items(rules: dict[str, Any]) -> dict[str, list[str]]:
    """Category name -> its item names, in profile order."""
    return {c["name"]: list(c["items"]) for c in rules["categories"]}


def category_weights(rules: dict[str, Any]) -> dict[str, Decimal]:
    return {c["name"]: Decimal(repr(float(c["weight"]))) for c in rules["categories"]}


def unit_names(rules: dict[str, Any]) -> list[str]:
    return [u["name"] for u in rules["units"]]


def short_name(rules: dict[str, Any], unit: str) -> str:
    return next((u["short"] for u in rules["units"] if u["name"] == unit), unit)


def to_decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def round2(value: float | Decimal) -> float:
    """ROUND(x, 2) half-up on the decimal value, as Excel does."""
    decimal = value if isinstance(value, Decimal) else to_decimal(value)
    return float(decimal.quantize(_CENT, rounding=ROUND_HALF_UP))


def mean2(values: Sequence[float]) -> float | None:
    if not values:
        return None
    return round2(sum(to_decimal(round2(v)) for v in values) / len(values))


def weighted_mean2(pairs: Sequence[tuple[float, Decimal]]) -> float | None:
    total = sum(weight for _, weight in pairs)
    if not pairs or total == 0:
        return None
    return round2(sum(to_decimal(round2(v)) * w for v, w in pairs) / total)


def grade_of(score: float) -> str:
    for name, minimum in (("优秀", 85), ("良好", 80), ("尚可", 75), ("一般", 70)):
        if score >= minimum:
            return name
    return "较差"


def competition_ranks(scores: dict[str, float]) -> dict[str, int]:
    """Rank 1 is best; ties share a rank and the next rank is skipped."""
    values = list(scores.values())
    return {name: 1 + sum(other > score for other in values) for name, score in scores.items()}


# --------------------------------------------------------------------------------------------
# Truth


def make_truth(
    seed: int,
    *,
    units: Sequence[str] | None = None,
    with_composite: bool = True,
    with_categories: bool = True,
    with_items: bool = True,
    with_missing: bool = True,
    ties: bool = False,
    rules: dict[str, Any] | None = None,
) -> Truth:
    """Random two-decimal scores whose expected ranking has no ties (unless `ties`).

    With `with_missing`, a few units have no 工地 at all and a few lack single items. Reported
    category scores deliberately differ a little from their item means, and reported composites
    from the weighted category mean, so a reader that recomputes instead of reading is caught.
    With `ties`, two pairs of units share a composite, one pair at the bottom-6 boundary.
    """
    rules = rules or load_profile_rules()
    names = list(units) if units is not None else unit_names(rules)
    if not (with_categories or with_items or with_composite):
        raise ValueError("a truth needs at least one level of scores")
    if ties and not with_composite:
        raise ValueError("ties are only arranged on reported composites")
    rng = random.Random(seed)
    for _ in range(200):
        truth = {
            name: _draw_unit(rng, rules, index, with_composite, with_categories, with_items)
            for index, name in enumerate(names)
        }
        if not with_missing:
            truth = _fill_missing(truth, rng)
        if ties:
            return _arrange_ties(truth, rules)
        if _expected_scores_distinct(truth, rules):
            return truth
    raise RuntimeError("could not draw distinct scores")


def _draw_unit(
    rng: random.Random,
    rules: dict[str, Any],
    index: int,
    with_composite: bool,
    with_categories: bool,
    with_items: bool,
) -> UnitTruth:
    level = rng.uniform(66.0, 92.0)
    no_site = index % 6 == 2  # a unit without building sites has no 工地 at all
    lacks_item = index % 5 == 1  # a unit without a hospital nearby lacks one item
    items: dict[ItemKey, float | None] = {}
    categories: dict[str, float | None] = {}
    for category, names in category_items(rules).items():
        values: dict[ItemKey, float | None] = {}
        for item in names:
            absent = (no_site and category == "工地") or (lacks_item and item == "医院周边环境")
            values[(category, item)] = None if absent else _score(rng, level, 6.0)
        present = [v for v in values.values() if v is not None]
        item_mean = mean2(present)
        if item_mean is None:
            categories[category] = None
        else:
            categories[category] = round2(min(99.99, item_mean + rng.uniform(-0.4, 0.4)))
        items.update(values)
    composite = _score(rng, level, 4.0) if with_composite else None
    return {
        "composite": composite,
        "categories": categories if with_categories else {},
        "items": items if with_items else {},
    }


def _score(rng: random.Random, level: float, spread: float) -> float:
    return round2(min(99.99, max(40.0, level + rng.uniform(-spread, spread))))


def _fill_missing(truth: Truth, rng: random.Random) -> Truth:
    for scores in truth.values():
        for key, value in scores["items"].items():
            if value is None:
                scores["items"][key] = round2(rng.uniform(70, 90))
        for key, value in scores["categories"].items():
            if value is None:
                scores["categories"][key] = round2(rng.uniform(70, 90))
    return truth


def _arrange_ties(truth: Truth, rules: dict[str, Any]) -> Truth:
    ordered = sorted(truth, key=lambda name: -float(truth[name]["composite"] or 0))
    if len(ordered) < 12:
        raise ValueError("ties need at least 12 units")
    # second and third share a score; so do the 11th and 12th (the bottom-6 boundary of 17).
    truth[ordered[2]]["composite"] = truth[ordered[1]]["composite"]
    truth[ordered[11]]["composite"] = truth[ordered[10]]["composite"]
    return truth


def _expected_scores_distinct(truth: Truth, rules: dict[str, Any]) -> bool:
    scores = [unit_expectation(scores, rules)[0] for scores in truth.values()]
    return len(set(scores)) == len(scores)


# --------------------------------------------------------------------------------------------
# Expectation


def has_composite(truth: Truth) -> bool:
    return any(scores["composite"] is not None for scores in truth.values())


def unit_categories(scores: UnitTruth, rules: dict[str, Any]) -> dict[str, float]:
    """Category scores of a unit: reported where given, else the mean of its present items."""
    result: dict[str, float] = {}
    for category in category_items(rules):
        reported = scores["categories"].get(category)
        if reported is not None:
            result[category] = round2(reported)
            continue
        present = [
            v for (cat, _), v in scores["items"].items() if cat == category and v is not None
        ]
        computed = mean2(present)
        if computed is not None:
            result[category] = computed
    return result


def unit_expectation(scores: UnitTruth, rules: dict[str, Any]) -> tuple[float, dict[str, float]]:
    """(score, category scores) of one unit."""
    categories = unit_categories(scores, rules)
    if scores["composite"] is not None:
        return round2(scores["composite"]), categories
    weights = category_weights(rules)
    composite = weighted_mean2([(value, weights[cat]) for cat, value in categories.items()])
    if composite is None:
        raise ValueError("a unit without any score")
    return composite, categories


def expected_ranking(truth: Truth, profile_rules: dict[str, Any]) -> dict[str, Any]:
    """What `mytool rank --format json` should say about a file holding `truth`."""
    bottom_n = int(profile_rules.get("bottom_n", 6))
    flag_grades = set(profile_rules.get("flag_grades", ["一般", "较差"]))
    scores: dict[str, float] = {}
    categories: dict[str, dict[str, float]] = {}
    for unit, unit_scores in truth.items():
        scores[unit], categories[unit] = unit_expectation(unit_scores, profile_rules)
    ranks = competition_ranks(scores)
    units = []
    for unit in sorted(scores, key=lambda name: (ranks[name], name)):
        grade = grade_of(scores[unit])
        below = sum(rank > ranks[unit] for rank in ranks.values())
        reasons = [
            reason
            for reason, applies in (("bottom", below < bottom_n), ("grade", grade in flag_grades))
            if applies
        ]
        units.append(
            {
                "unit": unit,
                "score": scores[unit],
                "rank": ranks[unit],
                "grade": grade,
                "flagged": bool(reasons),
                "flag_reasons": reasons,
                "categories": categories[unit],
            }
        )
    return {
        "score_source": "reported" if has_composite(truth) else "computed",
        "units": units,
        "categories": _district_categories(categories, profile_rules),
    }


def _district_categories(
    categories: dict[str, dict[str, float]], rules: dict[str, Any]
) -> list[dict[str, Any]]:
    means: dict[str, float] = {}
    for category in category_items(rules):
        values = [cats[category] for cats in categories.values() if category in cats]
        mean = mean2(values)
        if mean is not None:
            means[category] = mean
    ranks = competition_ranks(means)
    return [
        {"category": name, "score": means[name], "rank": ranks[name]}
        for name in sorted(means, key=lambda name: (ranks[name], name))
    ]


# --------------------------------------------------------------------------------------------
# Quirks and the sheet model


@dataclass(frozen=True)
class Quirks:
    """Office habits, each switchable. The defaults give a clean table at A1."""

    title_rows: int = 0  # 0–3 title rows above the header
    period_in_title: bool = True  # first title says "2023年下半年度…"
    unit_note: str | None = None  # "单位：分" row above the header: None, "left" or "right"
    reference_rows: str | None = None  # 全区平均 … rows: None, "below" or "among"
    footnotes: bool = False  # "注：…" rows below the table
    numbers_as_text: bool = False  # "78.53" as text, some with stray spaces
    full_width: bool = False  # "７８．５３"
    unit_spelling: str = "canonical"  # one of UNIT_SPELLINGS
    no_value: str = "—"  # what a no-value cell holds ("" = empty cell)
    unit_header: str = "街镇"
    composite_header: str = "综合满意度"
    category_style: str = "canonical"  # one of CATEGORY_STYLES
    serial_column: bool = False  # 序号 column first
    offset: bool = False  # table starts at B2, not A1
    extras: bool = False  # 现状感知评价, 进步感知评价, 等级, 郊区排名 columns (wide only)
    blank_rows: bool = False  # an empty row above the header and one among the units
    score_suffix: str | None = None  # text scores "80.70%" / "78.5分": "%", "分" or "mixed"
    percent: str | None = None  # 0.00%-formatted fractions: None, "composite" or "all"
    bare_fractions: bool = False  # with `percent`: fractions without the format (0.7853)

    @property
    def period_visible(self) -> bool:
        return self.title_rows > 0 and self.period_in_title


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    merges: list[Merge] = field(default_factory=list)


@dataclass
class Table:
    """A table before the quirks: header rows, per-unit body rows (unit name first)."""

    name: str
    header: list[list[Cell]]
    merges: list[Merge]
    body: list[list[Cell]]
    reference: Callable[[str], list[list[Cell]]]
    composite_col: int | None = None  # body column of the composite (wide tables)


def category_label(category: str, rules: dict[str, Any], style: str) -> str:
    if style == "suffix":
        return f"{category}环境"
    if style == "alias":
        aliases = next(c.get("aliases", []) for c in rules["categories"] if c["name"] == category)
        return aliases[0] if aliases else category
    if style == "fullwidth":
        return category.replace("(", "（").replace(")", "）")
    return category


def item_label(item: str, style: str) -> str:
    return item.replace("(", "（").replace(")", "）") if style == "fullwidth" else item


def unit_spelling(unit: str, index: int, spelling: str, rules: dict[str, Any]) -> str:
    """How an office spells a unit in its table."""
    if unit not in unit_names(rules):
        return unit
    if spelling == "mixed":
        spelling = UNIT_SPELLINGS[index % (len(UNIT_SPELLINGS) - 1)]
    short = short_name(rules, unit)
    if spelling == "short":
        return short
    if spelling == "spaces":
        return f" {unit} "
    if spelling == "ideographic":
        return "\u3000".join(short) if len(short) == 2 else f"\u3000{unit}"
    if spelling == "marked":
        return f"{unit}{FOOTNOTE_MARKS[index % len(FOOTNOTE_MARKS)]}"
    if spelling == "annotated":
        return f"{unit}（含{ANNOTATIONS[unit]}）" if unit in ANNOTATIONS else f"{unit} "
    return unit


def format_value(value: Cell, quirks: Quirks, row: int, *, composite: bool = False) -> Cell:
    """A score cell as the office typed it."""
    if value is None:
        return quirks.no_value or None
    if isinstance(value, str):
        return value or None
    if isinstance(value, float) and (
        quirks.percent == "all" or (quirks.percent == "composite" and composite)
    ):
        return Percent(value, bare=quirks.bare_fractions)
    if quirks.score_suffix and isinstance(value, float):
        suffix = quirks.score_suffix
        if suffix == "mixed":
            suffix = ("%", "分", "")[row % 3]
        return f"{value:.2f}{suffix}"
    if not (quirks.numbers_as_text or quirks.full_width):
        return value
    text = str(value) if isinstance(value, int) else f"{value:.2f}"
    if quirks.full_width:
        return text.translate(_FULL_WIDTH)
    return f" {text} " if row % 2 else text


# --------------------------------------------------------------------------------------------
# Layouts


def _ordered_items(truth: Truth, rules: dict[str, Any]) -> list[ItemKey]:
    written = {key for scores in truth.values() for key in scores["items"]}
    return [
        (cat, item)
        for cat, items in category_items(rules).items()
        for item in items
        if (cat, item) in written
    ]


def _ordered_categories(truth: Truth, rules: dict[str, Any]) -> list[str]:
    written = {cat for scores in truth.values() for cat in scores["categories"]}
    return [cat for cat in category_items(rules) if cat in written]


def _extras(truth: Truth) -> dict[str, dict[str, Cell]]:
    composites = {u: float(s["composite"] or 0) for u, s in truth.items()}
    ranks = competition_ranks(composites)
    return {
        unit: {
            "现状感知评价": round2(min(99.99, value + 0.83)),
            "进步感知评价": round2(max(0.0, value - 1.94)),
            "等级": grade_of(value),
            "郊区排名": ranks[unit] + 30,
        }
        for unit, value in composites.items()
    }


@dataclass(frozen=True)
class _Column:
    top: str  # header text of the first row (group label for items)
    bottom: str | None  # header text of the second row; None = merged vertically
    get: Callable[[str], Cell]


def _wide_columns(
    truth: Truth,
    rules: dict[str, Any],
    quirks: Quirks,
    subtotal_label: str | None,
    subtotal_first: bool,
    composite_last: bool = False,
) -> list[_Column]:
    leading: list[_Column] = []
    if has_composite(truth):
        leading.append(_Column(quirks.composite_header, None, lambda u: truth[u]["composite"]))
        if quirks.extras:
            extras = _extras(truth)
            for name in ("现状感知评价", "进步感知评价", "等级", "郊区排名"):
                leading.append(_Column(name, None, lambda u, n=name: extras[u][n]))
    columns: list[_Column] = [] if composite_last else leading
    written_categories = set(_ordered_categories(truth, rules))
    written_items = _ordered_items(truth, rules)
    for category in category_items(rules):
        label = category_label(category, rules, quirks.category_style)
        items = [key for key in written_items if key[0] == category]
        group: list[_Column] = [
            _Column(label, item_label(key[1], quirks.category_style), _item_getter(truth, key))
            for key in items
        ]
        if category in written_categories:
            getter = _category_getter(truth, category)
            if not items:
                group = [_Column(label, None, getter)]
            elif subtotal_first:
                group.insert(0, _Column(label, subtotal_label or label, getter))
            else:
                group.append(_Column(label, subtotal_label or label, getter))
        columns.extend(group)
    return columns + leading if composite_last else columns


def _item_getter(truth: Truth, key: ItemKey) -> Callable[[str], Cell]:
    return lambda unit: truth[unit]["items"].get(key)


def _category_getter(truth: Truth, category: str) -> Callable[[str], Cell]:
    return lambda unit: truth[unit]["categories"].get(category)


def _mean_row(name: str, body: list[list[Cell]], start: int) -> list[Cell]:
    """A reference row of column means; text and integer columns are left blank."""
    row: list[Cell] = [name] + [""] * (len(body[0]) - 1)
    for col in range(start, len(body[0])):
        values = [r[col] for r in body if isinstance(r[col], float)]
        if values:
            row[col] = mean2(values)
    return row


def wide_table(
    truth: Truth,
    *,
    header_rows: int = 1,
    subtotal_label: str | None = None,
    subtotal_first: bool = False,
    composite_last: bool = False,
    quirks: Quirks = Quirks(),
    rules: dict[str, Any] | None = None,
    unit_order: Sequence[str] | None = None,
    name: str = "Sheet1",
) -> Table:
    """One row per unit: unit | composite | categories and/or items.

    With `header_rows=2` a category is merged over its items; its own score sits in a column
    headed `subtotal_label` ("小计", "得分") under it. With one header row, item columns are
    headed by the item name alone. `composite_last` puts the composite after the categories.
    """
    rules = rules or load_profile_rules()
    columns = _wide_columns(truth, rules, quirks, subtotal_label, subtotal_first, composite_last)
    if header_rows == 2 and not _ordered_items(truth, rules):
        raise ValueError("two header rows need item columns")
    if header_rows == 2 and _ordered_categories(truth, rules) and not subtotal_label:
        raise ValueError("category scores under two header rows need a subtotal label")
    order = list(unit_order or truth)
    body = [[unit] + [column.get(unit) for column in columns] for unit in order]
    if header_rows == 1:
        header = [[quirks.unit_header] + [c.bottom or c.top for c in columns]]
        merges: list[Merge] = []
    else:
        header, merges = _two_row_header(quirks.unit_header, columns)
    composite_col = next(
        (
            i + 1
            for i, c in enumerate(columns)
            if c.top == quirks.composite_header and c.bottom is None
        ),
        None,
    )
    return Table(name, header, merges, body, lambda ref: [_mean_row(ref, body, 1)], composite_col)


def _two_row_header(
    unit_header: str, columns: list[_Column]
) -> tuple[list[list[Cell]], list[Merge]]:
    top: list[Cell] = [unit_header]
    bottom: list[Cell] = [None]
    merges: list[Merge] = [(0, 0, 1, 0)]
    col = 1
    while col <= len(columns):
        column = columns[col - 1]
        if column.bottom is None:
            top.append(column.top)
            bottom.append(None)
            merges.append((0, col, 1, col))
            col += 1
            continue
        span = 1
        while col + span <= len(columns) and columns[col + span - 1].top == column.top:
            span += 1
        top.extend([column.top] + [None] * (span - 1))
        bottom.extend(c.bottom for c in columns[col - 1 : col - 1 + span])
        if span > 1:
            merges.append((0, col, 0, col + span - 1))
        col += span
    return [top, bottom], merges


def wide_sheets(
    truth: Truth,
    *,
    header_rows: int = 1,
    subtotal_label: str | None = None,
    subtotal_first: bool = False,
    composite_last: bool = False,
    quirks: Quirks = Quirks(),
    rules: dict[str, Any] | None = None,
) -> list[Sheet]:
    """A single wide sheet (see `wide_table`) dressed with `quirks`."""
    rules = rules or load_profile_rules()
    table = wide_table(
        truth,
        header_rows=header_rows,
        subtotal_label=subtotal_label,
        subtotal_first=subtotal_first,
        composite_last=composite_last,
        quirks=quirks,
        rules=rules,
        name="测评结果",
    )
    return [dress(table, quirks, rules)]


def multi_sheets(
    truth: Truth,
    *,
    seed: int = 0,
    quirks: Quirks = Quirks(),
    rules: dict[str, Any] | None = None,
) -> list[Sheet]:
    """A composite sheet, a category sheet and a two-header item sheet, units shuffled per sheet.

    Only the levels the truth carries get a sheet.
    """
    rules = rules or load_profile_rules()
    rng = random.Random(seed)
    sheets: list[Sheet] = []

    def order() -> list[str]:
        units = list(truth)
        rng.shuffle(units)
        return units

    def level(keep: str) -> Truth:
        return {
            unit: {
                "composite": scores["composite"] if keep == "composite" else None,
                "categories": scores["categories"] if keep == "categories" else {},
                "items": scores["items"] if keep == "items" else {},
            }
            for unit, scores in truth.items()
        }

    if has_composite(truth):
        table = wide_table(
            level("composite"), quirks=quirks, rules=rules, unit_order=order(), name="综合满意度"
        )
        sheets.append(dress(table, quirks, rules))
    if _ordered_categories(truth, rules):
        table = wide_table(
            level("categories"), quirks=quirks, rules=rules, unit_order=order(), name="大类得分"
        )
        sheets.append(dress(table, quirks, rules))
    if _ordered_items(truth, rules):
        table = wide_table(
            level("items"),
            header_rows=2,
            quirks=quirks,
            rules=rules,
            unit_order=order(),
            name="小项得分",
        )
        sheets.append(dress(table, quirks, rules))
    return sheets


def long_sheets(
    truth: Truth,
    *,
    period_column: bool = False,
    omit_missing: bool = False,
    by_item: bool = False,
    quirks: Quirks = Quirks(),
    rules: dict[str, Any] | None = None,
) -> list[Sheet]:
    """unit | 大类 | 小项 | 得分 (| 测评期); composite as category 综合满意度 if the truth has it.

    Items only: a truth with category scores is refused (a long table has no place for them).
    A missing item is a row with a no-value mark, or no row at all with `omit_missing`. Rows are
    grouped by unit, or with `by_item` by item (all units' 立面整洁完好 first …).
    """
    rules = rules or load_profile_rules()
    if _ordered_categories(truth, rules):
        raise ValueError("long tables carry items only: use make_truth(with_categories=False)")
    header: list[Cell] = [quirks.unit_header, "大类", "小项", "得分"]
    if period_column:
        header.append("测评期")
    body: list[list[Cell]] = []
    for unit, scores in truth.items():
        rows: list[list[Cell]] = []
        if scores["composite"] is not None:
            rows.append([unit, quirks.composite_header, "", scores["composite"]])
        for (category, item), value in scores["items"].items():
            if value is None and omit_missing:
                continue
            label = category_label(category, rules, quirks.category_style)
            rows.append([unit, label, item_label(item, quirks.category_style), value])
        body.extend([*row, LONG_PERIOD_TEXT] if period_column else row for row in rows)
    if by_item:
        position = {key: i for i, key in enumerate(dict.fromkeys((r[1], r[2]) for r in body))}
        body.sort(key=lambda row: position[(row[1], row[2])])

    def reference(name: str) -> list[list[Cell]]:
        groups: dict[tuple[Cell, Cell], list[float]] = {}
        for row in body:
            if isinstance(row[3], float):
                groups.setdefault((row[1], row[2]), []).append(row[3])
        tail = [LONG_PERIOD_TEXT] if period_column else []
        return [[name, cat, item, mean2(values), *tail] for (cat, item), values in groups.items()]

    return [dress(Table("明细", [header], [], body, reference), quirks, rules)]


# --------------------------------------------------------------------------------------------
# 街道 / 镇 blocks and transposed tables

BLOCK_LABELS = {"街道": "街道", "镇": "镇"}
BLOCK_SUBTOTALS = {"街道": "街道平均", "镇": "镇小计"}


def _core(quirks: Quirks) -> Quirks:
    """The quirks a block carries itself; titles, notes, footnotes and offset frame the sheet."""
    return replace(quirks, title_rows=0, unit_note=None, footnotes=False, offset=False)


def _blocks(truth: Truth, rules: dict[str, Any]) -> list[tuple[str, Truth]]:
    kinds = {u["name"]: u.get("kind", "") for u in rules["units"]}
    streets = {u: s for u, s in truth.items() if kinds.get(u) == "街道"}
    towns = {u: s for u, s in truth.items() if u not in streets}
    return [("街道", streets), ("镇", towns)]


def _block_sheet(
    block: Truth, quirks: Quirks, rules: dict[str, Any], table_options: dict[str, Any]
) -> tuple[Sheet, int]:
    """One block dressed with the core quirks, and how many header rows it starts with."""
    table = wide_table(block, quirks=quirks, rules=rules, **table_options)
    sheet = dress(table, _core(quirks), rules)
    return sheet, len(table.header) + (1 if quirks.blank_rows else 0)


def frame(rows: list[list[Cell]], merges: list[Merge], quirks: Quirks, name: str) -> Sheet:
    """Titles and the 单位 note above, footnotes below, the offset: as `dress` does."""
    width = max(len(row) for row in rows)
    if quirks.footnotes:
        mark = quirks.no_value or "空白"
        rows = [*rows, [None] * width, *([note.format(mark=mark)] for note in FOOTNOTES)]
    above = _rows_above(replace(quirks, blank_rows=False), width)
    rows = [*above, *rows]
    merges = [(r1 + len(above), c1, r2 + len(above), c2) for r1, c1, r2, c2 in merges]
    merges += [(r, 0, r, width - 1) for r in range(quirks.title_rows)]
    rows = [[*row, *[None] * (width - len(row))] for row in rows]
    if quirks.offset:
        rows = [[None] * (width + 1)] + [[None, *row] for row in rows]
        merges = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for r1, c1, r2, c2 in merges]
    return Sheet(name, rows, merges)


def stacked_sheets(
    truth: Truth,
    *,
    labels: str | None = "merged",
    subtotals: bool = False,
    repeat_header: bool = False,
    quirks: Quirks = Quirks(),
    rules: dict[str, Any] | None = None,
    **table_options: Any,
) -> list[Sheet]:
    """The 街道 block above the 镇 block in one wide table.

    `labels`: a "街道" / "镇" row above each block, "merged" across the table, "plain" (text in
    the first cell only) or None. `subtotals`: a 街道平均 / 镇小计 row after each block.
    `repeat_header`: the header again above the second block.
    """
    rules = rules or load_profile_rules()
    rows: list[list[Cell]] = []
    merges: list[Merge] = []
    for index, (kind, block) in enumerate(_blocks(truth, rules)):
        sheet, header_rows = _block_sheet(block, quirks, rules, table_options)
        width = len(sheet.rows[0])
        skip = header_rows if index and not repeat_header else 0
        part = sheet.rows[skip:]
        part_merges = [
            (r1 - skip, c1, r2 - skip, c2) for r1, c1, r2, c2 in sheet.merges if r1 >= skip
        ]
        if labels:
            position = header_rows - skip  # just below the header
            part = [*part[:position], [BLOCK_LABELS[kind]] + [None] * (width - 1), *part[position:]]
            part_merges = [
                (r1 + (r1 >= position), c1, r2 + (r1 >= position), c2)
                for r1, c1, r2, c2 in part_merges
            ]
            if labels == "merged":
                part_merges.append((position, 0, position, width - 1))
        if subtotals:
            table = wide_table(block, quirks=quirks, rules=rules, **table_options)
            mean = table.reference(BLOCK_SUBTOTALS[kind])[0]
            cells = [format_value(v, quirks, 0) for v in mean[1:]]
            part.append([mean[0], *cells] if not quirks.serial_column else [None, mean[0], *cells])
        top = len(rows)
        rows += part
        merges += [(r1 + top, c1, r2 + top, c2) for r1, c1, r2, c2 in part_merges]
    return [frame(rows, merges, quirks, "测评结果")]


def side_by_side_sheets(
    truth: Truth,
    *,
    gap: bool = False,
    quirks: Quirks = Quirks(),
    rules: dict[str, Any] | None = None,
    **table_options: Any,
) -> list[Sheet]:
    """The 街道 table on the left, the 镇 table on the right (a blank column between, `gap`)."""
    rules = rules or load_profile_rules()
    parts = [
        _block_sheet(block, quirks, rules, table_options)[0] for _, block in _blocks(truth, rules)
    ]
    height = max(len(part.rows) for part in parts)
    rows: list[list[Cell]] = [[] for _ in range(height)]
    merges: list[Merge] = []
    left = 0
    for part in parts:
        width = len(part.rows[0])
        for r in range(height):
            cells = part.rows[r] if r < len(part.rows) else []
            rows[r] += [*cells, *[None] * (width - len(cells))] + ([None] if gap else [])
        merges += [(r1, c1 + left, r2, c2 + left) for r1, c1, r2, c2 in part.merges]
        left += width + (1 if gap else 0)
    return [frame(rows, merges, quirks, "测评结果")]


def transposed_sheets(
    truth: Truth,
    *,
    quirks: Quirks = Quirks(),
    rules: dict[str, Any] | None = None,
    **table_options: Any,
) -> list[Sheet]:
    """Units as columns, composite / categories / items as rows (a wide table turned)."""
    rules = rules or load_profile_rules()
    table = wide_table(truth, quirks=quirks, rules=rules, **table_options)
    sheet = dress(table, _core(quirks), rules)
    width = max(len(row) for row in sheet.rows)
    grid = [[*row, *[None] * (width - len(row))] for row in sheet.rows]
    rows = [list(column) for column in zip(*grid, strict=True)]
    merges = [(c1, r1, c2, r2) for r1, c1, r2, c2 in sheet.merges]
    return [frame(rows, merges, quirks, "测评结果")]


# --------------------------------------------------------------------------------------------
# Dressing a table with quirks


def dress(table: Table, quirks: Quirks, rules: dict[str, Any]) -> Sheet:
    """Apply the quirks: spellings, value formats, reference rows, 序号, notes, titles, offset."""
    units = list(dict.fromkeys(str(row[0]) for row in table.body))
    body: list[tuple[bool, list[Cell]]] = []
    for index, row in enumerate(table.body):
        spelled = unit_spelling(str(row[0]), units.index(str(row[0])), quirks.unit_spelling, rules)
        cells = [
            format_value(v, quirks, index, composite=c == table.composite_col)
            for c, v in enumerate(row[1:], start=1)
        ]
        body.append((True, [spelled, *cells]))
    body = _insert_references(table, body, quirks, units)
    if quirks.blank_rows:
        middle = len(body) // 2
        body = [*body[:middle], (False, []), *body[middle:]]
    header = [list(row) for row in table.header]
    merges = list(table.merges)
    if quirks.serial_column:
        header, merges, body = _add_serial(header, merges, body)
    width = max(len(row) for row in header)
    rows: list[list[Cell]] = [*header, *(row for _, row in body)]
    if quirks.footnotes:
        mark = quirks.no_value or "空白"
        rows += [[None] * width, *([note.format(mark=mark)] for note in FOOTNOTES)]
    above = _rows_above(quirks, width)
    rows = [*above, *rows]
    merges = [(r1 + len(above), c1, r2 + len(above), c2) for r1, c1, r2, c2 in merges]
    merges += [(r, 0, r, width - 1) for r in range(quirks.title_rows)]
    rows = [[*row, *[None] * (width - len(row))] for row in rows]
    if quirks.offset:
        rows = [[None] * (width + 1)] + [[None, *row] for row in rows]
        merges = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for r1, c1, r2, c2 in merges]
    return Sheet(table.name, rows, merges)


BodyRows = list[tuple[bool, list[Cell]]]  # (is a unit row, cells)


def _insert_references(table: Table, body: BodyRows, quirks: Quirks, units: list[str]) -> BodyRows:
    def formatted(name: str) -> BodyRows:
        return [
            (
                False,
                [row[0]]
                + [
                    format_value(v, quirks, 0, composite=c == table.composite_col)
                    for c, v in enumerate(row[1:], start=1)
                ],
            )
            for row in table.reference(name)
        ]

    if quirks.reference_rows == "below":
        return body + [row for name in REFERENCES_BELOW for row in formatted(name)]
    if quirks.reference_rows == "among":
        seventh = units[min(6, len(units) - 1)]
        middle = next(i for i, row in enumerate(table.body) if row[0] == seventh)
        first, last = REFERENCES_AMONG
        return formatted(first) + body[:middle] + formatted(last) + body[middle:]
    return body


def _add_serial(
    header: list[list[Cell]], merges: list[Merge], body: BodyRows
) -> tuple[list[list[Cell]], list[Merge], BodyRows]:
    header = [["序号" if i == 0 else None, *row] for i, row in enumerate(header)]
    merges = [(r1, c1 + 1, r2, c2 + 1) for r1, c1, r2, c2 in merges]
    if len(header) > 1:
        merges.append((0, 0, len(header) - 1, 0))
    serial = 0
    numbered: BodyRows = []
    for is_unit, row in body:
        serial += is_unit
        numbered.append((is_unit, [serial if is_unit else None, *row]))
    return header, merges, numbered


def _rows_above(quirks: Quirks, width: int) -> list[list[Cell]]:
    titles = [PERIOD_TITLE if quirks.period_in_title else PLAIN_TITLE, *EXTRA_TITLES]
    rows: list[list[Cell]] = [[title] for title in titles[: quirks.title_rows]]
    if quirks.blank_rows:
        rows.append([])
    if quirks.unit_note == "left":
        rows.append([UNIT_NOTE])
    elif quirks.unit_note == "right":
        rows.append([None] * (width - 1) + [UNIT_NOTE])
    return rows


# --------------------------------------------------------------------------------------------
# Writers


def write_sheets(sheets: list[Sheet], path: Path, *, encoding: str = "utf-8") -> Path:
    """Write to .xlsx (openpyxl), .xls (xlwt), .csv or .txt (first sheet only, in `encoding`).

    A .txt file is tab-separated, as Excel's "文本文件(制表符分隔)" export. The encoding
    "utf-16" writes Excel's "Unicode 文本": UTF-16LE with a BOM, tab-separated, whatever the
    suffix.
    """
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(sheets, path)
    elif suffix == ".xls":
        _write_xls(sheets, path)
    elif suffix in (".csv", ".txt"):
        if len(sheets) != 1:
            raise ValueError("a text file holds one sheet")
        tab = suffix == ".txt" or encoding == "utf-16"
        _write_csv(sheets[0], path, encoding, delimiter="\t" if tab else ",")
    else:
        raise ValueError(f"unsupported suffix {suffix}")
    return path


def _write_xlsx(sheets: list[Sheet], path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, Percent):
                    cell = worksheet.cell(row=r, column=c, value=value.fraction)
                    if not value.bare:
                        cell.number_format = "0.00%"
                elif value is not None:
                    worksheet.cell(row=r, column=c, value=value)
        for r1, c1, r2, c2 in sheet.merges:
            worksheet.merge_cells(
                start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1
            )
    workbook.save(path)


def _write_xls(sheets: list[Sheet], path: Path) -> None:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    for sheet in sheets:
        worksheet = workbook.add_sheet(sheet.name)
        covered = {
            (r, c)
            for r1, c1, r2, c2 in sheet.merges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
        }
        for r1, c1, r2, c2 in sheet.merges:
            worksheet.write_merge(r1, r2, c1, c2, sheet.rows[r1][c1])
        percent = xlwt.easyxf(num_format_str="0.00%")
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if isinstance(value, Percent):
                    if value.bare:
                        worksheet.write(r, c, value.fraction)
                    else:
                        worksheet.write(r, c, value.fraction, percent)
                elif value is not None and (r, c) not in covered:
                    worksheet.write(r, c, value)
    workbook.save(str(path))


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Percent):  # as Excel exports what it shows
        return repr(value.fraction) if value.bare else f"{value.points:.2f}%"
    if isinstance(value, float):
        return str(value).removesuffix(".0")
    return str(value)


def _write_csv(sheet: Sheet, path: Path, encoding: str, *, delimiter: str = ",") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter)
    for row in sheet.rows:
        writer.writerow([_csv_text(v) for v in row])
    if encoding == "utf-16":  # Excel writes little-endian with a BOM
        path.write_bytes(b"\xff\xfe" + buffer.getvalue().encode("utf-16-le"))
    else:
        path.write_bytes(buffer.getvalue().encode(encoding))


# --------------------------------------------------------------------------------------------
# One-call building and LibreOffice


LAYOUTS: dict[str, Callable[..., list[Sheet]]] = {
    "wide": wide_sheets,
    "multi": multi_sheets,
    "long": long_sheets,
    "stacked": stacked_sheets,
    "side": side_by_side_sheets,
    "transposed": transposed_sheets,
}


def build_file(
    truth: Truth,
    path: Path,
    *,
    layout: str = "wide",
    quirks: Quirks = Quirks(),
    encoding: str = "utf-8",
    rules: dict[str, Any] | None = None,
    **layout_options: Any,
) -> Path:
    """Lay `truth` out as `layout` with `quirks` and write it to `path` (format by suffix)."""
    sheets = LAYOUTS[layout](truth, quirks=quirks, rules=rules, **layout_options)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_sheets(sheets, path, encoding=encoding)


def soffice_path() -> str | None:
    return shutil.which("soffice")


def resave_with_libreoffice(
    sources: Sequence[Path], formats: Sequence[str], outdir: Path, *, timeout: float = 180
) -> dict[str, list[Path]]:
    """Re-save every source through LibreOffice headless into outdir/<format>/.

    One soffice process per format, all running at once, each with its own user profile so
    they do not lock each other out. Returns format -> converted paths (in source order).
    """
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError("soffice is not installed")
    processes = []
    profiles: list[Path] = []
    for fmt in formats:
        target = outdir / fmt
        target.mkdir(parents=True, exist_ok=True)
        profiles.append(Path(f"/tmp/lo-profile-{uuid.uuid4().hex}"))
        command = [
            soffice,
            f"-env:UserInstallation={profiles[-1].as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(target),
            *map(str, sources),
        ]
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    try:
        for process in processes:
            process.communicate(timeout=timeout)
    finally:
        for profile in profiles:
            shutil.rmtree(profile, ignore_errors=True)
    result: dict[str, list[Path]] = {}
    for fmt in formats:
        converted = [outdir / fmt / f"{source.stem}.{fmt}" for source in sources]
        missing = [str(p) for p in converted if not p.exists()]
        if missing:
            raise RuntimeError(f"LibreOffice did not write {missing}")
        result[fmt] = converted
    return result
