"""The district profile: units, categories, items, weights, grades and flag rules, from TOML.

The default profile ships in the package (``mytool/data/profile.toml``); ``--profile FILE`` or the
``MYTOOL_PROFILE`` environment variable selects another. Nothing about the scheme is hard-coded
elsewhere: every name the reader matches comes from here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mytool.errors import InputError, ProfileError
from mytool.files import read_regular_file, shown
from mytool.profile_checks import (
    MAX_NESTING,
    MAX_PROFILE_BYTES,
    ProfileCheckError,
    check_profile,
    nesting_line,
    too_deep,
)
from mytool.resources import data_dir
from mytool.text import normalize, strip_numbering

PROFILE_ENV = "MYTOOL_PROFILE"

# Suffixes offices append to category and item headers ("居住区环境", "城市道路满意度").
_HEADER_SUFFIXES = ("满意度", "得分", "评价", "指标", "情况", "环境", "大类", "小项", "分")
_PARENS = re.compile(r"\([^()]*\)|【[^】]*】|\[[^\]]*\]")
_UNIT_PREFIXES = ("上海市松江区", "松江区", "上海市")
# Footnote marks offices put on a unit name: 小昆山镇*, 九亭镇※, 新桥镇① (NFKC makes ① a "1"),
# 车墩镇注1. Notes in brackets (九亭镇（含…）) are removed with `_PARENS`.
_MARKS = "*※#＃△▲☆★◆◇●○†‡§"
_TRAILING_MARK = re.compile(rf"(?:注\d{{0,2}}|[{_MARKS}]+|\d{{1,2}})$")
_LEADING_MARK = re.compile(rf"^[{_MARKS}]+")


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    short: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    department: str
    items: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grade:
    name: str
    min: float
    color: str


@dataclass(frozen=True)
class Profile:
    """A district's scheme. Build it with `load_profile`; lookups are by normalised name."""

    name: str
    source: str
    text: str
    units: tuple[Unit, ...]
    categories: tuple[Category, ...]
    grades: tuple[Grade, ...]
    bottom_n: int
    ranking: str
    flag_grades: tuple[str, ...]
    labels: dict[str, float]
    no_answer: tuple[str, ...]
    numeric_scale: str
    min_answers: int
    deadlines: dict[str, str]
    item_aliases: dict[str, tuple[str, ...]]
    lineage: dict[str, str]
    reference_exact: tuple[str, ...]
    reference_contains: tuple[str, ...]
    checklist: dict[str, tuple[str, ...]] = field(default_factory=dict)
    other_areas: tuple[str, ...] = ()  # places that are not units and no alias of any
    # [labels.by_number]: what a whole-number answer of a questionnaire export stands for
    # (option 1 = 非常满意 …); empty when the profile does not say
    by_number: dict[int, str] = field(default_factory=dict)
    # [office] name: the issuing office that closes the Word documents; [fonts] cjk: a font file
    # for the charts' Chinese text when none of the usual ones is installed.
    office_name: str = ""
    cjk_font: str = ""
    _unit_index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _category_index: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _item_index: dict[str, list[tuple[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for unit in self.units:
            for spelling in (unit.name, unit.short, *unit.aliases):
                if spelling:
                    self._unit_index.setdefault(normalize(spelling), unit.name)
        for category in self.categories:
            for spelling in (category.name, *category.aliases):
                self._category_index.setdefault(normalize(spelling), category.name)
            for item in category.items:
                for spelling in (item, *self.item_aliases.get(item, ())):
                    self._item_index.setdefault(normalize(spelling), []).append(
                        (category.name, item)
                    )

    # Units -----------------------------------------------------------------------------

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(unit.name for unit in self.units)

    def canonical_unit(self, text: object) -> str | None:
        """The profile's name for a unit spelled any known way, or None.

        Spellings: short names, aliases, a 松江区 prefix, a note in brackets, footnote marks.
        Only what the profile lists matches: 佘山国家旅游度假区 is not 佘山镇.
        """
        name = strip_numbering(normalize(text))
        candidates = [name, _PARENS.sub("", name)]
        for candidate in list(candidates):
            unmarked = _without_marks(candidate)
            if unmarked and unmarked not in candidates:
                candidates.append(unmarked)
        for candidate in list(candidates):
            for prefix in _UNIT_PREFIXES:
                if candidate.startswith(prefix) and len(candidate) > len(prefix):
                    candidates.append(candidate[len(prefix) :])
        for candidate in list(candidates):
            for suffix in ("街道", "镇", "街"):
                if candidate.endswith(suffix) and len(candidate) > len(suffix):
                    candidates.append(candidate[: -len(suffix)])
        for candidate in candidates:
            if candidate in self._unit_index:
                return self._unit_index[candidate]
        return None

    def is_other_area(self, text: object) -> bool:
        """True for a place the profile lists as not a unit (佘山度假区, 松江工业区 …)."""
        name = strip_numbering(normalize(text))
        names = {normalize(area) for area in self.other_areas}
        return name in names or _PARENS.sub("", name) in names

    def suggest_unit(self, text: object) -> str | None:
        """The unit a misspelt name most likely means ("九庭镇" → 九亭镇), or None.

        Only a close spelling counts: one character off (two for names of five or more), and
        only when a single unit is that close. Places that are not units get no suggestion.
        """
        name = _PARENS.sub("", strip_numbering(normalize(text)))
        if len(name) < 2 or self.is_other_area(text):
            return None
        best: dict[str, int] = {}
        for spelling, unit in self._unit_index.items():
            distance = edit_distance(name, spelling)
            best[unit] = min(distance, best.get(unit, distance))
        if not best:
            return None
        nearest = min(best.values())
        allowed = 2 if len(name) >= 5 else 1
        winners = [unit for unit, distance in best.items() if distance == nearest]
        return winners[0] if nearest <= allowed and len(winners) == 1 else None

    def is_reference_row(self, text: object) -> bool:
        """True for rows such as 全区平均, 合计 that are references, not units."""
        name = _PARENS.sub("", normalize(text))
        return name in self.reference_exact or any(w in name for w in self.reference_contains)

    # Categories and items ---------------------------------------------------------------

    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(category.name for category in self.categories)

    def category(self, name: str) -> Category | None:
        return next((c for c in self.categories if c.name == name), None)

    def match_category(self, header: object) -> str | None:
        """The category a header names ("居住区环境", "一、建（构）筑物"), or None."""
        for candidate in _header_candidates(header):
            if candidate in self._category_index:
                return self._category_index[candidate]
        return None

    def match_legacy_category(self, header: object) -> str | None:
        """The old-scheme category a header names (e.g. 道路 before 2022 H2), or None."""
        legacy = {normalize(name): name for name in self.lineage}
        for candidate in _header_candidates(header):
            if candidate in legacy:
                return legacy[candidate]
        return None

    def match_item(self, header: object, category: str | None = None) -> tuple[str, str] | None:
        """The (category, item) a header names, preferring `category` when given.

        Exact names and aliases first; then the longest item name contained in the header,
        so "3、您对小区环境卫生的满意程度" finds 小区环境卫生.
        """
        for candidate in _header_candidates(header):
            found = self._pick(self._item_index.get(candidate, []), category)
            if found:
                return found
        text = normalize(header)
        contained = [
            (len(spelling), pair)
            for spelling, pairs in self._item_index.items()
            if len(spelling) >= 2 and spelling in text
            for pair in pairs
        ]
        if category:
            in_category = [entry for entry in contained if entry[1][0] == category]
            contained = in_category or contained
        return max(contained)[1] if contained else None

    @staticmethod
    def _pick(pairs: list[tuple[str, str]], category: str | None) -> tuple[str, str] | None:
        if not pairs:
            return None
        if category:
            for pair in pairs:
                if pair[0] == category:
                    return pair
        return pairs[0]

    def deadline_after(self, period: str) -> dt.date | None:
        """Default rectification deadline after the survey of `period` ("2023H2" → 2024-04-10).

        An H2 survey is published early the next year, so its deadline falls in that year.
        """
        half = period[-2:]
        month_day = self.deadlines.get(half)
        if not month_day:
            return None
        month, day = (int(part) for part in month_day.split("-"))
        return dt.date(int(period[:4]) + (1 if half == "H2" else 0), month, day)

    def weight(self, category: str) -> float | None:
        found = self.category(category)
        return found.weight if found else None

    # Grades ----------------------------------------------------------------------------

    def grade(self, score: float) -> str:
        """The grade band of a two-decimal score (bands are checked from the top)."""
        for band in self.grades:
            if score >= band.min:
                return band.name
        return self.grades[-1].name

    def grade_color(self, grade: str) -> str:
        return next((g.color for g in self.grades if g.name == grade), "FFFFFF")

    def next_grade(self, grade: str) -> Grade | None:
        """The band just above `grade`, or None for the top band."""
        names = [g.name for g in self.grades]
        index = names.index(grade) if grade in names else 0
        return self.grades[index - 1] if index > 0 else None


def _without_marks(name: str) -> str:
    """A unit name without leading and trailing footnote marks ("新桥镇①" → "新桥镇")."""
    previous = None
    while previous != name:
        previous = name
        name = _LEADING_MARK.sub("", _TRAILING_MARK.sub("", name))
    return name


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions of one character."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _header_candidates(header: object) -> list[str]:
    """Spellings of a header to look up: as is, without numbering, parentheses, suffixes."""
    text = strip_numbering(normalize(header))
    candidates = [text]
    stripped = text
    changed = True
    while changed:
        changed = False
        for suffix in _HEADER_SUFFIXES:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                stripped = stripped[: -len(suffix)]
                candidates.append(stripped)
                changed = True
    without_parens = _PARENS.sub("", text)
    if without_parens and without_parens != text:
        candidates.append(without_parens)
    return candidates


def default_profile_path() -> Path:
    return data_dir() / "profile.toml"


def resolve_profile_path(path: str | Path | None = None) -> Path:
    """The profile to use: the given path, else $MYTOOL_PROFILE, else the bundled default."""
    if path:
        return Path(path)
    env = os.environ.get(PROFILE_ENV)
    return Path(env) if env else default_profile_path()


def load_profile(path: str | Path | None = None) -> Profile:
    """Read and check a profile TOML file (see `resolve_profile_path` for which one).

    The file is read only if it is a regular file of at most 1 MB (a FIFO would block forever),
    and every rule of `mytool.profile_checks` must hold; any failure is a `ProfileError` that
    names the file, and the key and line where the text shows them.
    """
    source = resolve_profile_path(path)
    where = shown(source)
    try:
        raw = read_regular_file(source, limit=MAX_PROFILE_BYTES, what="测评口径文件")
    except InputError as exc:
        raise ProfileError(exc.message) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{where}：测评口径文件不是 UTF-8 编码，请另存为 UTF-8") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{where}：测评口径文件格式有误（{exc}）") from exc
    except RecursionError:
        data = None
    if data is None or too_deep(data):
        line = nesting_line(text)
        raise ProfileError(
            f"{where}{f' 第 {line} 行' if line else ''}：方括号或花括号嵌套超过 {MAX_NESTING} 层，"
            "不像测评口径文件，已拒绝读取"
        )
    try:
        check_profile(data, text)
    except ProfileCheckError as exc:
        at_line = f" 第 {exc.line} 行" if exc.line else ""
        raise ProfileError(f"{where}{at_line}：{exc.message}") from exc
    try:
        return _build(data, where, text)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"{where}：测评口径文件缺少或写错了字段 {exc}") from exc


def _build(data: dict, source: str, text: str) -> Profile:
    units = tuple(
        Unit(
            name=str(u["name"]),
            kind=str(u.get("kind", "")),
            short=str(u.get("short", "")),
            aliases=tuple(u.get("aliases", ())),
        )
        for u in data.get("units", [])
    )
    categories = tuple(
        Category(
            name=str(c["name"]),
            weight=float(c.get("weight", 1.0)),
            department=str(c.get("department", "")),
            items=tuple(str(i) for i in c.get("items", ())),
            aliases=tuple(c.get("aliases", ())),
        )
        for c in data.get("categories", [])
    )
    grades = tuple(
        sorted(
            (
                Grade(str(g["name"]), float(g["min"]), str(g.get("color", "FFFFFF")))
                for g in data["grades"]
            ),
            key=lambda g: -g.min,
        )
    )
    if not grades:
        raise ValueError("grades")
    ranking = str(data.get("ranking", "competition"))
    if ranking not in ("competition", "dense"):
        raise ValueError(f"ranking = {ranking!r}（应为 competition 或 dense）")
    references = data.get("reference_rows", {})
    other_areas = tuple(str(a) for a in data.get("other_areas", ()))
    _check_aliases(units, other_areas)
    return Profile(
        name=str(data.get("name", "")),
        source=source,
        text=text,
        units=units,
        categories=categories,
        grades=grades,
        bottom_n=int(data.get("bottom_n", 6)),
        ranking=ranking,
        flag_grades=tuple(data.get("flag_grades", ())),
        labels={
            normalize(k): float(v) for k, v in data.get("labels", {}).items() if k != "by_number"
        },
        no_answer=tuple(normalize(v) for v in data.get("no_answer", ())),
        numeric_scale=str(data.get("numeric_scale", "5-best")),
        min_answers=int(data.get("min_answers", 30)),
        deadlines={
            "H1": str(data.get("deadline_after_h1", "10-10")),
            "H2": str(data.get("deadline_after_h2", "04-10")),
        },
        item_aliases={k: tuple(v) for k, v in data.get("item_aliases", {}).items()},
        lineage={str(k): str(v) for k, v in data.get("category_lineage", {}).items()},
        reference_exact=tuple(normalize(v) for v in references.get("exact", ())),
        reference_contains=tuple(normalize(v) for v in references.get("contains", ())),
        checklist={
            str(k): tuple(str(line) for line in v) for k, v in data.get("checklist", {}).items()
        },
        other_areas=other_areas,
        by_number=_by_number(data.get("labels", {}).get("by_number", {})),
        office_name=str(data.get("office", {}).get("name", "")),
        cjk_font=str(data.get("fonts", {}).get("cjk", "")),
    )


def _by_number(table: dict) -> dict[int, str]:
    """[labels.by_number]: option numbers (1, 2 …) to answer labels."""
    found = {}
    for key, label in table.items():
        if not str(key).strip().isdigit() or not isinstance(label, str):
            raise ValueError(
                f'labels.by_number 中的「{key} = {label!r}」（应为 1 = "非常满意" 这样）'
            )
        found[int(key)] = label
    return found


def _check_aliases(units: tuple[Unit, ...], other_areas: tuple[str, ...]) -> None:
    """An alias names the same place: never another unit, never a place listed as not a unit."""
    owner: dict[str, str] = {}
    areas = {normalize(area) for area in other_areas}
    for unit in units:
        for spelling in (unit.name, unit.short, *unit.aliases):
            key = normalize(spelling)
            if not key:
                continue
            if key in areas:
                raise ValueError(
                    f"「{spelling}」列在 other_areas（不是街镇的区域）中，"
                    f"不能是「{unit.name}」的别名"
                )
            if owner.setdefault(key, unit.name) != unit.name:
                raise ValueError(f"「{spelling}」同时是「{owner[key]}」和「{unit.name}」的写法")
