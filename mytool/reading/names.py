"""Matching what offices write to the profile's names: units, categories, items, reference rows.

`Profile` (mytool/profile.py) is the district's configuration and knows nothing about spelling.
The reader asks `names_of(profile)` instead: a `Names` built once per profile object, holding
the look-up indexes and the heuristics ("九亭" and "松江区九亭镇※" are 九亭镇, "居住区环境" is the
居住区 category, "3、您对小区环境卫生的满意程度" is the item 小区环境卫生).
"""

from __future__ import annotations

import re
import weakref

from mytool.profile import Profile
from mytool.text import normalize, strip_numbering

# Suffixes offices append to category and item headers ("居住区环境", "城市道路满意度").
_HEADER_SUFFIXES = ("满意度", "得分", "评价", "指标", "情况", "环境", "大类", "小项", "分")
_PARENS = re.compile(r"\([^()]*\)|【[^】]*】|\[[^\]]*\]")
_UNIT_PREFIXES = ("上海市松江区", "松江区", "上海市")
_UNIT_SUFFIXES = ("街道", "镇", "街")
# Footnote marks offices put on a unit name: 小昆山镇*, 九亭镇※, 新桥镇① (NFKC makes ① a "1"),
# 车墩镇注1. Notes in brackets (九亭镇（含…）) are removed with `_PARENS`.
_MARKS = "*※#＃△▲☆★◆◇●○†‡§"
_TRAILING_MARK = re.compile(rf"(?:注\d{{0,2}}|[{_MARKS}]+|\d{{1,2}})$")
_LEADING_MARK = re.compile(rf"^[{_MARKS}]+")


_REMEMBERED_TEXTS = 10_000  # look-ups kept per profile and kind: a score workbook needs ~200


class Names:
    """The profile's names indexed by every normalised spelling it lists."""

    def __init__(self, profile: Profile) -> None:
        self._units: dict[str, str] = {}
        self._categories: dict[str, str] = {}
        self._items: dict[str, list[tuple[str, str]]] = {}
        for unit in profile.units:
            for spelling in (unit.name, unit.short, *unit.aliases):
                if spelling:
                    self._units.setdefault(normalize(spelling), unit.name)
        for category in profile.categories:
            for spelling in (category.name, *category.aliases):
                self._categories.setdefault(normalize(spelling), category.name)
            for item in category.items:
                for spelling in (item, *profile.item_aliases.get(item, ())):
                    self._items.setdefault(normalize(spelling), []).append((category.name, item))
        self._legacy = {normalize(name): name for name in profile.lineage}
        self._other_areas = {normalize(area) for area in profile.other_areas}
        self._reference_exact = profile.reference_exact
        self._reference_contains = profile.reference_contains
        # A score workbook names each unit and item in every sheet, and every pass looks them
        # up again (about 1,500 unit look-ups of a few dozen texts on the sample): each text
        # is matched once.
        self._unit_of_text: dict[str, str | None] = {}
        self._item_of_text: dict[tuple[str, str | None], tuple[str, str] | None] = {}

    # Units -----------------------------------------------------------------------------

    def canonical_unit(self, text: object) -> str | None:
        """The profile's name for a unit spelled any known way, or None.

        Spellings: short names, aliases, a 松江区 prefix, a note in brackets, footnote marks.
        Only what the profile lists matches: 佘山国家旅游度假区 is not 佘山镇.
        """
        key = "" if text is None else str(text)
        if key in self._unit_of_text:
            return self._unit_of_text[key]
        found = next((self._units[c] for c in _unit_candidates(key) if c in self._units), None)
        if len(self._unit_of_text) < _REMEMBERED_TEXTS:
            self._unit_of_text[key] = found
        return found

    def is_other_area(self, text: object) -> bool:
        """True for a place the profile lists as not a unit (佘山度假区, 松江工业区 …)."""
        name = strip_numbering(normalize(text))
        return name in self._other_areas or _PARENS.sub("", name) in self._other_areas

    def suggest_unit(self, text: object) -> str | None:
        """The unit a misspelt name most likely means ("九庭镇" → 九亭镇), or None.

        Only a close spelling counts: one character off (two for names of five or more), and
        only when a single unit is that close. Places that are not units get no suggestion.
        """
        name = _PARENS.sub("", strip_numbering(normalize(text)))
        if len(name) < 2 or self.is_other_area(text):
            return None
        best: dict[str, int] = {}
        for spelling, unit in self._units.items():
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
        return name in self._reference_exact or any(w in name for w in self._reference_contains)

    # Categories and items ---------------------------------------------------------------

    def match_category(self, header: object) -> str | None:
        """The category a header names ("居住区环境", "一、建（构）筑物"), or None."""
        for candidate in _header_candidates(header):
            if candidate in self._categories:
                return self._categories[candidate]
        return None

    def match_legacy_category(self, header: object) -> str | None:
        """The old-scheme category a header names (e.g. 道路 before 2022 H2), or None."""
        for candidate in _header_candidates(header):
            if candidate in self._legacy:
                return self._legacy[candidate]
        return None

    def match_item(self, header: object, category: str | None = None) -> tuple[str, str] | None:
        """The (category, item) a header names, preferring `category` when given.

        Exact names and aliases first; then the longest item name contained in the header,
        so "3、您对小区环境卫生的满意程度" finds 小区环境卫生.
        """
        key = ("" if header is None else str(header), category)
        if key in self._item_of_text:
            return self._item_of_text[key]
        found = self._item(key[0], category)
        if len(self._item_of_text) < _REMEMBERED_TEXTS:
            self._item_of_text[key] = found
        return found

    def _item(self, header: str, category: str | None) -> tuple[str, str] | None:
        for candidate in _header_candidates(header):
            found = _pick(self._items.get(candidate, []), category)
            if found:
                return found
        text = normalize(header)
        contained = [
            (len(spelling), pair)
            for spelling, pairs in self._items.items()
            if len(spelling) >= 2 and spelling in text
            for pair in pairs
        ]
        if category:
            in_category = [entry for entry in contained if entry[1][0] == category]
            contained = in_category or contained
        return max(contained)[1] if contained else None


# One `Names` per live profile object. A Profile holds dicts, so it cannot be a dict key itself;
# the entry goes when the profile does, so a later profile reusing the id never sees it.
_BUILT: dict[int, Names] = {}


def names_of(profile: Profile) -> Names:
    """The matching indexes of `profile`, built on first use and kept while it lives."""
    found = _BUILT.get(id(profile))
    if found is None:
        found = _BUILT[id(profile)] = Names(profile)
        weakref.finalize(profile, _BUILT.pop, id(profile), None)
    return found


def _pick(pairs: list[tuple[str, str]], category: str | None) -> tuple[str, str] | None:
    """The pair in `category` when there is one, else the first."""
    if not pairs:
        return None
    if category:
        for pair in pairs:
            if pair[0] == category:
                return pair
    return pairs[0]


def _unit_candidates(text: object) -> list[str]:
    """Spellings of a unit name to look up, from as written to stripped of prefix and suffix."""
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
        for suffix in _UNIT_SUFFIXES:
            if candidate.endswith(suffix) and len(candidate) > len(suffix):
                candidates.append(candidate[: -len(suffix)])
    return candidates


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
