"""The district profile: units, categories, items, weights, grades and flag rules, from TOML.

The default profile ships in the package (``mytool/data/profile.toml``); ``--profile FILE`` or the
``MYTOOL_PROFILE`` environment variable selects another. Nothing about the scheme is hard-coded
elsewhere: every name the reader matches comes from here.

A `Profile` is configuration only: data plus trivial look-ups (weight, grade, deadline). Matching
what offices write against its names lives in `mytool.reading.names`; the grade colours are
used by the renderers (`mytool.render.grades`).
"""

from __future__ import annotations

import datetime as dt
import os
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
from mytool.text import normalize

PROFILE_ENV = "MYTOOL_PROFILE"


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
    """A district's scheme. Build it with `load_profile`; match names with `reading.names`."""

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
    ledger_paper: str = "A4"  # [ledger] paper: what the ledger is laid out to print on

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(unit.name for unit in self.units)

    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(category.name for category in self.categories)

    def category(self, name: str) -> Category | None:
        return next((c for c in self.categories if c.name == name), None)

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

    def next_grade(self, grade: str) -> Grade | None:
        """The band just above `grade`, or None for the top band."""
        names = [g.name for g in self.grades]
        index = names.index(grade) if grade in names else 0
        return self.grades[index - 1] if index > 0 else None


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
    """The checked TOML data as a `Profile`; a missing or wrong field raises `ValueError` & co."""
    units, categories, grades, ranking = (
        _units(data),
        _categories(data),
        _grades(data),
        _ranking(data),
    )
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
        ledger_paper=_ledger_paper(data.get("ledger", {})),
    )


def _units(data: dict) -> tuple[Unit, ...]:
    """[[units]], in the profile's order."""
    return tuple(
        Unit(
            name=str(u["name"]),
            kind=str(u.get("kind", "")),
            short=str(u.get("short", "")),
            aliases=tuple(u.get("aliases", ())),
        )
        for u in data.get("units", [])
    )


def _categories(data: dict) -> tuple[Category, ...]:
    """[[categories]] with their items, in the profile's order."""
    return tuple(
        Category(
            name=str(c["name"]),
            weight=float(c.get("weight", 1.0)),
            department=str(c.get("department", "")),
            items=tuple(str(i) for i in c.get("items", ())),
            aliases=tuple(c.get("aliases", ())),
        )
        for c in data.get("categories", [])
    )


def _grades(data: dict) -> tuple[Grade, ...]:
    """[[grades]] from the top band down; at least one is required."""
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
    return grades


def _ranking(data: dict) -> str:
    """How ties share ranks: competition (1, 1, 3) or dense (1, 1, 2)."""
    ranking = str(data.get("ranking", "competition"))
    if ranking not in ("competition", "dense"):
        raise ValueError(f"ranking = {ranking!r}（应为 competition 或 dense）")
    return ranking


def _ledger_paper(table: object) -> str:
    if not isinstance(table, dict):
        raise ValueError(f'[ledger] 应为一个表（如 [ledger] paper = "A4"），不是 {table!r}')
    paper = str(table.get("paper", "A4")).strip().upper()
    if paper not in ("A4", "A3"):
        raise ValueError(f'[ledger] paper = {table.get("paper")!r}（应为 "A4" 或 "A3"）')
    return paper


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
