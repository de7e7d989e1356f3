"""Small score reports for several half-years, in the old (13-category) or the new scheme.

Unlike builders.py (one 2023H2 truth in many layouts) these vary the period and the scheme: each
report is one wide sheet, a title naming the period (or none, so the file name has to), a unit
column, the composite, then one column per category scored around the unit's composite.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from conftest import write_xlsx

OLD_CATEGORIES = (
    "道路",
    "建筑景观",
    "居住区",
    "绿地",
    "工地",
    "集市菜场",
    "交通集散地",
    "校园周边",
    "医院周边",
    "公厕",
    "水域",
    "车容车貌",
    "服务规范",
)
NEW_CATEGORIES = (
    "建(构)筑物",
    "居住区",
    "城市道路",
    "公共设施",
    "城市绿化",
    "标识标牌与广告设施",
    "公共场所",
    "城市水域",
    "工地",
    "车容车貌",
    "服务规范",
)
UNITS = (
    "岳阳街道",
    "永丰街道",
    "方松街道",
    "中山街道",
    "广富林街道",
    "九里亭街道",
    "泗泾镇",
    "佘山镇",
    "车墩镇",
    "新桥镇",
    "洞泾镇",
    "九亭镇",
    "泖港镇",
    "石湖荡镇",
    "新浜镇",
    "叶榭镇",
    "小昆山镇",
)


def category_score(composite: float, index: int) -> float:
    """A category score near the composite, different per category."""
    return round(composite - 1.5 + (index * 7 % 11) * 0.3, 2)


def write_report(
    path: Path,
    composites: dict[str, float],
    *,
    categories: Sequence[str] = NEW_CATEGORIES,
    title: str | None = None,
) -> Path:
    """One wide sheet: optional title row, then 街镇 | 综合满意度 | categories…"""
    rows: list[list[object]] = [[title]] if title else []
    rows.append(["街镇", "综合满意度", *categories])
    for unit, composite in composites.items():
        scores = [category_score(composite, index) for index in range(len(categories))]
        rows.append([unit, composite, *scores])
    return write_xlsx(path, rows, sheet="测评结果")


def composites(seed: int, *, drift: float = 0.0) -> dict[str, float]:
    """Distinct composites for all 17 units, reshuffled by `seed`, shifted by `drift`."""
    order = sorted(UNITS, key=lambda unit: (sum(map(ord, unit)) * (seed + 3)) % 97)
    return {unit: round(86.3 - 0.87 * i + drift, 2) for i, unit in enumerate(order)}
