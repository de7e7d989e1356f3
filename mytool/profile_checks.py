"""Checks a profile's TOML data must pass before it is used, each failure naming key and line.

A profile decides every rank, so a mistake in it must stop the run rather than change ranks
silently: weights that are not numbers in [0, 1] (TOML accepts `nan` and `inf`), weights that
do not add up to 1, a unit or category spelled the same way twice (the second would be
unreachable), grade bands out of order, or a file built to exhaust the parser (deep nesting).

Lines are found by searching the TOML text: the n-th `[[units]]` header, then the key inside
that table. A profile written with inline tables still gets a message, with the line when the
value can be found, without it otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from mytool.text import normalize

# Sum of one scheme's weights may differ from 1 by at most this (two-decimal weights).
WEIGHT_TOLERANCE = 0.005
# A profile is three levels deep; far deeper is built to exhaust the (recursive) TOML parser,
# which fails at about 300 levels with RecursionError.
MAX_NESTING = 32
MAX_PROFILE_BYTES = 1024 * 1024


class ProfileCheckError(ValueError):
    """A profile rule broken at `line` (None when the text does not show where)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def nesting_line(text: str, limit: int = MAX_NESTING) -> int | None:
    """The line where brackets first nest deeper than `limit`, or None.

    A plain count of `[`/`{` against `]`/`}`, used only to say where a profile that is too
    deep (see `too_deep`) goes wrong; brackets inside strings count too, so it can point early.
    """
    depth, line = 0, 1
    for character in text:
        if character in "[{":
            depth += 1
            if depth > limit:
                return line
        elif character in "]}":
            depth = max(depth - 1, 0)
        elif character == "\n":
            line += 1
    return None


def too_deep(data: object, limit: int = MAX_NESTING) -> bool:
    """True when lists and tables in `data` nest deeper than `limit` (checked without recursion)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def check_profile(data: dict, text: str) -> None:
    """Raise `ProfileCheckError` for the first rule `data` (parsed from `text`) breaks."""
    finder = _Lines(text)
    _check_units(data.get("units", []), finder)
    _check_categories(data.get("categories", []), finder)
    _check_grades(data.get("grades", []), finder)
    _check_labels(data.get("labels", {}), finder)


class _Lines:
    """Line numbers of keys in a profile's TOML text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def table(self, name: str, index: int) -> tuple[int, int] | None:
        """The 0-based line range of the `index`-th `[[name]]` table, or None."""
        header = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]")
        starts = [i for i, line in enumerate(self.lines) if header.match(line)]
        if index >= len(starts):
            return None
        end = next(
            (
                i
                for i in range(starts[index] + 1, len(self.lines))
                if self.lines[i].lstrip().startswith("[")
            ),
            len(self.lines),
        )
        return starts[index], end

    def key(self, table: str | None, index: int, key: str, value: object = None) -> int | None:
        """The 1-based line of `key` (holding `value` when given) in the `index`-th `[[table]]`.

        Inside the table: the key with the value, the value alone (a list over several lines),
        then the key alone. Without such a table (inline tables, plain tables) the whole text.
        """
        assignment = re.compile(rf'(^|[{{,\s])["\']?{re.escape(key)}["\']?\s*=')
        wanted = None if value is None else _value_pattern(value)
        span = self.table(table, index) if table else None
        numbered = list(enumerate(self.lines))
        lines = numbered[span[0] : span[1]] if span else numbered
        tries = [
            lambda line: assignment.search(line) and (wanted is None or wanted.search(line)),
            lambda line: wanted is not None and wanted.search(line),
        ]
        if span:
            tries.append(lambda line: assignment.search(line))
        for test in tries:
            found = next((i + 1 for i, line in lines if test(line)), None)
            if found:
                return found
        return None

    def header(self, table: str) -> int | None:
        span = self.table(table, 0)
        return span[0] + 1 if span else None


def _value_pattern(value: object) -> re.Pattern[str]:
    if isinstance(value, str):
        return re.compile(rf'["\']{re.escape(value)}["\']')
    if isinstance(value, float) and not math.isfinite(value):
        return re.compile(r"\b(nan|inf)\b")
    return re.compile(rf"(?<![\w.]){re.escape(str(value))}(?![\w.])")


def _number(value: object) -> float | None:
    """A TOML number (or a numeric string, as older profiles wrote them); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _entries(value: object) -> list[dict]:
    """The tables of an array of tables that have a name (others fail later, in `_build`)."""
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict) and "name" in entry]


def _check_units(units: object, finder: _Lines) -> None:
    _check_spellings("units", "街镇", _entries(units), ("name", "short", "aliases"), finder)


def _check_categories(categories: object, finder: _Lines) -> None:
    entries = _entries(categories)
    _check_spellings("categories", "大类", entries, ("name", "aliases"), finder)
    _check_weights("categories", "大类", entries, finder)


def _check_spellings(
    table: str, what: str, entries: list[dict], keys: tuple[str, ...], finder: _Lines
) -> None:
    """No spelling (name, short name, alias) may stand for two entries: the second would be
    unreachable, and rows of the second would silently count for the first."""
    owners: dict[str, int] = {}
    for index, key, spelling in _spellings(entries, keys):
        owner = owners.setdefault(normalize(spelling), index)
        if owner != index:
            _raise_repeated(table, what, entries, (index, owner), key, spelling, finder)


def _spellings(entries: list[dict], keys: tuple[str, ...]) -> Iterator[tuple[int, str, str]]:
    """(entry index, key, spelling): names and short names of all entries, then aliases, so
    an alias that repeats another entry's name is the one blamed, not that entry's name."""
    for pass_keys in ([k for k in keys if k != "aliases"], [k for k in keys if k == "aliases"]):
        for index, entry in enumerate(entries):
            for key in pass_keys:
                values = entry.get(key, [])
                for spelling in values if isinstance(values, list) else [values]:
                    if isinstance(spelling, str) and spelling.strip():
                        yield index, key, spelling


def _raise_repeated(
    table: str,
    what: str,
    entries: list[dict],
    indices: tuple[int, int],
    key: str,
    spelling: str,
    finder: _Lines,
) -> None:
    index, owner = indices
    name, first = str(entries[index]["name"]), str(entries[owner]["name"])
    line = finder.key(table, index, key, spelling)
    if key == "name" and normalize(first) == normalize(name):
        raise ProfileCheckError(f"{what}「{name}」列了两次（{table} 的 name）", line)
    raise ProfileCheckError(
        f"{what}「{name}」的 {key} 写了「{spelling}」，但「{spelling}」已经是{what}"
        f"「{first}」的名称或别名；同一个写法只能指一个{what}",
        line,
    )


def _check_weights(table: str, what: str, entries: list[dict], finder: _Lines) -> None:
    """One scheme's weights: each a finite number in [0, 1], together 1 (± the tolerance).

    A scheme whose entries carry no weight at all is equally weighted; once one entry has a
    weight, every entry needs one (a missing weight would count as 1, outweighing the rest).
    """
    weighted = [(i, c) for i, c in enumerate(entries) if "weight" in c]
    if not weighted:
        return
    values: list[float] = []
    for index, entry in weighted:
        raw = entry["weight"]
        value = _number(raw)
        line = finder.key(table, index, "weight", raw if value is not None else None)
        name = entry["name"]
        if value is None:
            raise ProfileCheckError(
                f"{what}「{name}」的 weight = {raw!r} 不是数字，应为 0 到 1 之间的小数", line
            )
        if not math.isfinite(value):
            raise ProfileCheckError(
                f"{what}「{name}」的 weight = {raw} 不是有效数字，应为 0 到 1 之间的小数", line
            )
        if not 0 <= value <= 1:
            raise ProfileCheckError(f"{what}「{name}」的 weight = {raw} 超出 0 到 1 的范围", line)
        values.append(value)
    missing = [(i, c) for i, c in enumerate(entries) if "weight" not in c]
    if missing:
        index, entry = missing[0]
        raise ProfileCheckError(
            f"{what}「{entry['name']}」没有写 weight，而其他{what}都写了；"
            f"请给每个{what}都写上权重（或都不写，表示等权）",
            finder.key(table, index, "name", str(entry["name"])),
        )
    total = math.fsum(values)
    if abs(total - 1) > WEIGHT_TOLERANCE:
        raise ProfileCheckError(
            f"{len(values)} 个{what}的 weight 合计 {total:.4g}，应为 1（允许相差 "
            f"{WEIGHT_TOLERANCE}）；请检查各{what}的权重",
            finder.header(table),
        )


def _check_grades(grades: object, finder: _Lines) -> None:
    if not isinstance(grades, list):
        return
    seen: set[str] = set()
    for index, grade in enumerate(grades):
        if not isinstance(grade, dict) or "min" not in grade:
            continue
        name, raw = str(grade.get("name", "")), grade["min"]
        value = _number(raw)
        if value is None or not math.isfinite(value) or not 0 <= value <= 100:
            raise ProfileCheckError(
                f"等级「{name}」的 min = {raw} 应为 0 到 100 之间的分数",
                finder.key("grades", index, "min"),
            )
        if name in seen:
            raise ProfileCheckError(
                f"等级「{name}」列了两次（grades 的 name）",
                finder.key("grades", index, "name", name),
            )
        seen.add(name)


def _check_labels(labels: object, finder: _Lines) -> None:
    if not isinstance(labels, dict):
        return
    for label, raw in labels.items():
        if label == "by_number":  # option number → label, checked where it is read
            continue
        value = _number(raw)
        if value is None or not math.isfinite(value) or not 0 <= value <= 100:
            raise ProfileCheckError(
                f"答案「{label}」的分值 {raw} 应为 0 到 100 之间的数（labels）",
                finder.key(None, 0, str(label)),
            )
