"""What a column header means: unit, composite, category, item, rank … matched by content.

Header spellings vary by office (街镇 / 街镇名称 / 测评单位, 综合满意度 / 综合得分 / 总分,
居住区环境); everything here works on normalised text (see `mytool.text.normalize`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mytool.profile import Profile
from mytool.reading.names import names_of
from mytool.report import CATEGORY, CITY_RANK, COMPOSITE, CURRENT, ITEM, PROGRESS
from mytool.text import normalize, strip_numbering

UNIT_HEADERS = frozenset(
    {
        "街镇",
        "街镇名称",
        "街道(镇)",
        "街道镇",
        "街道/镇",
        "镇(街道)",
        "单位",
        "单位名称",
        "测评单位",
        "被测评单位",
        "区域",
        "街道",
        "镇",
        "街镇/单位",
        "地区",
        "所属街镇",
        "属地街镇",
        "街道(镇)名称",
    }
)
COMPOSITE_HEADERS = frozenset(
    {
        "综合满意度",
        "综合得分",
        "满意度得分",
        "总分",
        "综合评价",
        "综合满意度得分",
        "综合分",
        "综合",
        "满意度",
        "总得分",
        "综合评分",
        "得分",
        "综合指数",
        "满意度指数",
        "测评得分",
    }
)
CURRENT_HEADERS = frozenset({"现状感知评价", "现状感知", "现状感知得分", "现状评价", "现状"})
PROGRESS_HEADERS = frozenset({"进步感知评价", "进步感知", "进步感知得分", "进步评价", "进步"})
# Leaf headers under a category that hold the category's own score.
CATEGORY_SCORE_HEADERS = frozenset(
    {
        "得分",
        "小计",
        "大类得分",
        "平均",
        "平均分",
        "合计",
        "综合",
        "分值",
        "满意度",
        "大类",
        "均分",
        "大类满意度",
        "类别得分",
        "分数",
    }
)
IGNORED_HEADERS = frozenset(
    {
        "序号",
        "编号",
        "等级",
        "评价等级",
        "等第",
        "备注",
        "说明",
        "类型",
        "街镇类型",
        "区",
        "所属区",
        "区县",
        "nan",
        "较上期",
        "变化",
        "升降",
        "增减",
        "同比",
        "环比",
    }
)
PERIOD_HEADERS = frozenset(
    {"期次", "期数", "时期", "测评期", "测评期次", "年度", "半年度", "期间", "period", "测评时间"}
)
LONG_CATEGORY_HEADERS = frozenset({"大类", "类别", "测评大类", "指标大类", "一级指标", "category"})
LONG_ITEM_HEADERS = frozenset(
    {"小项", "测评小项", "指标小项", "二级指标", "指标", "item", "测评项目", "项目"}
)
LONG_SCORE_HEADERS = frozenset(
    {"得分", "分数", "分值", "满意度", "满意度得分", "score", "数值", "测评得分"}
)
CITY_SCOPES = ("中心城区", "郊区", "全市")
_LEADING_PERIOD = re.compile(r"^20\d{2}年?度?(?:[上下]半年度?|第?[一二12]半年)?")
_UNIT_NOTE = re.compile(r"\((?:分|分值|单位:?分|%|百分制)\)$")


@dataclass(frozen=True)
class ColumnMeaning:
    """What a column holds. `measure` is one of the report measures, or "" when not a score."""

    role: str  # "unit" | "score" | "period" | "ignored" | "unknown"
    measure: str = ""
    category: str = ""
    item: str = ""
    known: bool = True  # False for a category or item not in the profile
    label: str = ""

    def describe(self) -> str:
        names = {COMPOSITE: "综合满意度", CURRENT: "现状感知评价", PROGRESS: "进步感知评价"}
        if self.measure == ITEM:
            return f"{self.category}/{self.item}"
        if self.measure == CATEGORY:
            return self.category
        if self.measure == CITY_RANK:
            return f"{self.label}（全市排名）"
        return names.get(self.measure, self.label)


def is_unit_header(text: object) -> bool:
    return strip_numbering(normalize(text)) in UNIT_HEADERS


def is_header_word(text: object, profile: Profile) -> bool:
    """True when a cell reads as a column header of a score table."""
    word = clean_header(text)
    if not word:
        return False
    if _measure_of(word):
        return True
    vocab = (
        UNIT_HEADERS,
        CATEGORY_SCORE_HEADERS,
        IGNORED_HEADERS,
        PERIOD_HEADERS,
        LONG_CATEGORY_HEADERS,
        LONG_ITEM_HEADERS,
    )
    if any(word in words for words in vocab) or _rank_scope(word) is not None:
        return True
    return bool(
        names_of(profile).match_category(word)
        or names_of(profile).match_legacy_category(word)
        or _exact_item(word, profile)
    )


def _exact_item(word: str, profile: Profile) -> bool:
    found = names_of(profile).match_item(word)
    return found is not None and len(word) <= len(found[1]) + 6


def _rank_scope(word: str) -> str | None:
    """For a rank column: its scope ("郊区", "中心城区", "全市") or "" for a district rank."""
    if "排名" not in word and "名次" not in word and "排序" not in word:
        return None
    return next((scope for scope in CITY_SCOPES if scope in word), "")


def clean_header(text: object) -> str:
    """A header without numbering, a leading period, a unit note like "(分)" or a colon."""
    word = strip_numbering(normalize(text))
    word = _LEADING_PERIOD.sub("", word)
    word = _UNIT_NOTE.sub("", word).rstrip(":")
    return word


def _measure_of(word: str) -> str:
    """COMPOSITE / CURRENT / PROGRESS for a unit-level score header, else ""."""
    if len(word) > 12:  # a title such as "…满意度测评综合得分表", not a column header
        return ""
    if word in CURRENT_HEADERS or ("现状" in word and "感知" in word):
        return CURRENT
    if word in PROGRESS_HEADERS or ("进步" in word and "感知" in word):
        return PROGRESS
    if word in COMPOSITE_HEADERS or (
        "综合" in word and any(w in word for w in ("满意度", "得分", "评价", "分"))
    ):
        return COMPOSITE
    return ""


def is_legacy_scheme(columns: list[list[str]], profile: Profile) -> bool:
    """True for a table laid out in the pre-2022H2 scheme (道路, 绿地, 集市菜场 … as categories).

    It takes three or more headers that are exactly old-only category names, one of them not
    also a current item's short name (集市菜场 could be either; 道路 or 绿地 cannot), and no
    category name that only the current scheme has.
    """
    current = {normalize(name) for name in profile.category_names}
    labels = {clean_header(label) for column in columns for label in column if label}
    old_names = {normalize(name) for name in profile.lineage} - current
    old_only = labels & old_names
    unambiguous = {label for label in old_only if names_of(profile).match_item(label) is None}
    current_only = {
        category
        for label in labels
        if (category := names_of(profile).match_category(label))
        and normalize(category) not in {normalize(name) for name in profile.lineage}
    }
    return len(old_only) >= 3 and bool(unambiguous) and not current_only


def classify(labels: list[str], profile: Profile, *, legacy: bool = False) -> ColumnMeaning:
    """The meaning of a column from its header labels, top (parent) to bottom (leaf).

    With `legacy`, old-scheme category names are read as categories of their own (a
    13-category report), never as items of the current scheme.
    """
    words = [clean_header(label) for label in labels if clean_header(label)]
    words = [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]
    if not words:
        return ColumnMeaning("unknown")
    leaf, parents = words[-1], words[:-1]
    label = "/".join(words)
    parent_category = next((c for p in parents if (c := names_of(profile).match_category(p))), None)
    measure = _measure_of(leaf)

    if leaf in IGNORED_HEADERS:
        return ColumnMeaning("ignored", label=label)
    if leaf in PERIOD_HEADERS:
        return ColumnMeaning("period", label=label)
    scope = _rank_scope(leaf)
    if scope is not None:
        scope = scope or next((s for p in parents if (s := _rank_scope(p))), "")
        if scope:
            return ColumnMeaning("score", CITY_RANK, label=scope)
        return ColumnMeaning("ignored", label=label)
    if parent_category and leaf in CATEGORY_SCORE_HEADERS:
        return ColumnMeaning("score", CATEGORY, category=parent_category, label=label)
    if parent_category and measure in (CURRENT, PROGRESS):
        # A category's own 现状/进步 split: its total is read from another column.
        return ColumnMeaning("ignored", label=label)
    if measure and not parent_category:
        return ColumnMeaning("score", measure, label=label)
    if legacy:
        found = _legacy_meaning(leaf, parents, label, profile)
        if found:
            return found
    category = names_of(profile).match_category(leaf)
    if category:
        return ColumnMeaning("score", CATEGORY, category=category, label=label)
    item = names_of(profile).match_item(leaf, parent_category)
    if item and (not parent_category or item[0] == parent_category or _exact_item(leaf, profile)):
        return ColumnMeaning("score", ITEM, category=item[0], item=item[1], label=label)
    legacy_category = names_of(profile).match_legacy_category(leaf)
    if legacy_category and not parent_category:
        return ColumnMeaning("score", CATEGORY, category=legacy_category, known=False, label=label)
    if parent_category:
        return ColumnMeaning(
            "score", ITEM, category=parent_category, item=leaf, known=False, label=label
        )
    legacy_parent = next(
        (c for p in parents if (c := names_of(profile).match_legacy_category(p))), None
    )
    if legacy_parent:
        return ColumnMeaning(
            "score", ITEM, category=legacy_parent, item=leaf, known=False, label=label
        )
    if is_unit_header(leaf):
        return ColumnMeaning("ignored", label=label)
    return ColumnMeaning("unknown", label=label)


def _legacy_meaning(
    leaf: str, parents: list[str], label: str, profile: Profile
) -> ColumnMeaning | None:
    """An old-scheme category column, or an item column under an old-scheme category."""
    old_parent = next(
        (c for p in parents if (c := names_of(profile).match_legacy_category(p))), None
    )
    if old_parent and leaf in CATEGORY_SCORE_HEADERS:
        return ColumnMeaning("score", CATEGORY, category=old_parent, known=False, label=label)
    if old_parent:
        return ColumnMeaning(
            "score", ITEM, category=old_parent, item=leaf, known=False, label=label
        )
    old = names_of(profile).match_legacy_category(leaf)
    if old:
        known = old in profile.category_names  # 居住区, 工地 … kept their names
        return ColumnMeaning("score", CATEGORY, category=old, known=known, label=label)
    return None


# For the checks in `mytool.reading.certainty`.
measure_of = _measure_of
rank_scope = _rank_scope
