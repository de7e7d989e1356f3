"""Derived importance on generated answers with two planted drivers and noise items."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mytool.analysis.drivers import PRIORITY, item_drivers
from mytool.reading.respondents import Respondents

ITEMS = (
    ("居住区", "小区环境卫生"),
    ("工地", "工地围挡与文明施工"),
    ("城市道路", "道路保洁"),
    ("城市绿化", "绿地养护"),
    ("公共设施", "公共厕所"),
    ("城市水域", "河岸环境"),
)


def planted(n: int = 600, seed: int = 7) -> Respondents:
    """Items 0 and 1 follow each respondent's overall mood; the other four are pure noise."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=n)
    columns = []
    for index in range(len(ITEMS)):
        signal = mood if index < 2 else rng.normal(size=n)
        level = 3 + signal + rng.normal(scale=0.6, size=n)
        columns.append(np.clip(np.rint(level), 1, 5) * 20)
    answers = np.column_stack(columns).astype(float)
    answers[rng.random(answers.shape) < 0.05] = np.nan  # some 不了解
    return Respondents(
        sources=("gen.xlsx",),
        path="gen.xlsx",
        format="xlsx",
        sheets=(),
        units=("九亭镇", "新桥镇"),
        unit_codes=rng.integers(0, 2, size=n),
        items=ITEMS,
        answers=answers,
        feedback=pd.DataFrame(columns=["unit", "category", "text", "place"]),
        unmatched_questions=(),
        period="2023H2",
        period_origin="文件名",
        issues=(),
    )


def test_planted_drivers_rank_first_and_their_intervals_exclude_zero(profile):
    district, *units = item_drivers(planted(), profile)
    assert district.unit is None and len(units) == 2
    top = {d.item for d in district.drivers[:2]}
    assert top == {"小区环境卫生", "工地围挡与文明施工"}
    for driver in district.drivers[:2]:
        assert driver.ci95 is not None and driver.ci95[0] > 0
    for driver in district.drivers[2:]:
        assert driver.ci95 is not None and driver.ci95[0] < 0 < driver.ci95[1]
    for scope in units:  # ~300 respondents each: the same two come first
        assert {d.item for d in scope.drivers[:2]} == top


def test_thin_samples_are_marked_and_small_ones_have_no_interval(profile):
    _, jiuting, _ = item_drivers(planted(n=40), profile)
    assert all(d.low_sample for d in jiuting.drivers)
    tiny = item_drivers(planted(n=12), profile)[1]
    assert any(d.ci95 is None for d in tiny.drivers)


def test_quadrants_follow_importance_and_satisfaction(profile):
    data = planted()
    data.answers[:, 0] = np.where(np.isnan(data.answers[:, 0]), np.nan, data.answers[:, 0] - 20)
    district = item_drivers(data, profile)[0]
    first = next(d for d in district.drivers if d.item == "小区环境卫生")
    assert first.quadrant == PRIORITY  # important, and rated below the items' mean
