"""Generated questionnaire exports with known effects planted, and the statistics to expect,
computed here with the standard library only (nothing from mytool).

Every respondent answers every item (labels 非常满意 … 非常不满意), one item per category, so a
unit's composite is the weighted mean of its item means and each respondent's own composite is
the same weighted mean of their answers.
"""

from __future__ import annotations

import math
import random
import statistics
from pathlib import Path

from conftest import write_xlsx
from expected import RULES

ITEMS = (  # the first two drive each respondent's overall mood; the others are noise
    ("居住区", "小区环境卫生"),
    ("工地", "工地围挡与文明施工"),
    ("城市道路", "道路保洁"),
    ("城市绿化", "绿地养护"),
    ("公共设施", "公共厕所"),
    ("城市水域", "河岸环境"),
)
DRIVERS = ("小区环境卫生", "工地围挡与文明施工")
LABELS = {100: "非常满意", 80: "满意", 60: "一般", 40: "不满意", 20: "非常不满意"}
WEIGHTS = {c["name"]: c["weight"] for c in RULES["categories"]}


def answers(rng: random.Random, n: int, shift: float = 0.0) -> list[list[int]]:
    """n respondents' scores: items 0 and 1 follow the respondent's mood, the rest do not;
    `shift` moves every answer's level (one level = 20 points) before rounding."""
    found = []
    for _ in range(n):
        mood = rng.gauss(0, 1)
        row = []
        for index in range(len(ITEMS)):
            signal = mood if index < 2 else rng.gauss(0, 1)
            level = 3 + shift + signal + rng.gauss(0, 0.6)
            row.append(int(min(5, max(1, round(level)))) * 20)
        found.append(row)
    return found


def with_overall(rng: random.Random, rows: list[list[int]]) -> list[list[int]]:
    """Each row with an overall-satisfaction answer appended: the mean of the two driving items'
    levels plus noise, so only they move it."""
    found = []
    for row in rows:
        level = (row[0] + row[1]) / 40 + rng.gauss(0, 0.5)
        found.append([*row, int(min(5, max(1, round(level)))) * 20])
    return found


def write_export(path: Path, units: dict[str, list[list[int]]], month: str) -> Path:
    """An export as 问卷星 writes it: serial, time, IP, unit, one question per item (and the
    overall-satisfaction question last when the rows have one more answer)."""
    header = ["序号", "提交答卷时间", "来自IP", "1、您所在的街镇："]
    header += [f"{i}、您对{item}的满意程度：" for i, (_, item) in enumerate(ITEMS, start=2)]
    if any(len(row) > len(ITEMS) for rows in units.values() for row in rows):
        header.append(f"{len(ITEMS) + 2}、总的来说，您对松江区市容环境的总体满意度：")
    rows: list[list[object]] = [header]
    for unit, scores in units.items():
        for row in scores:
            number = len(rows)
            rows.append([number, f"{month}/15 10:00:00", "1.2.3.4", unit, *map(LABELS.get, row)])
    return write_xlsx(path, rows)


def own_composite(row: list[int], leave_out: int | None = None) -> float:
    """A respondent's weighted mean of their answers (item `leave_out` left out)."""
    pairs = [(x, WEIGHTS[ITEMS[i][0]]) for i, x in enumerate(row) if i != leave_out]
    return sum(x * w for x, w in pairs) / sum(w for _, w in pairs)


def corrected_correlation(rows: list[list[int]], index: int) -> float:
    """Pearson r of item `index` with each respondent's composite of the other items."""
    item = [float(row[index]) for row in rows]
    rest = [own_composite(row, leave_out=index) for row in rows]
    return statistics.correlation(item, rest)


def welch_t(before: list[float], after: list[float]) -> float:
    """Welch's t of the difference of two means."""
    error = math.sqrt(
        statistics.variance(before) / len(before) + statistics.variance(after) / len(after)
    )
    return (statistics.fmean(after) - statistics.fmean(before)) / error
