"""A row's cells parse, in one pass, to exactly what `parse_value` makes of each cell."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from mytool.analysis.ledger.columns import COLUMNS, DEADLINE, STATUS, parse_cells, parse_value

RAW = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["", " ", " 已 销号 ", "整改中", "2024-03-15", "2024/5/1", "下周", "  文字  "]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**6), 10**6),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS), RAW))
def test_a_row_parses_as_its_cells_do_one_by_one(cells):
    expected = {column: parse_value(column, raw) for column, raw in cells.items()}
    values, problems = parse_cells(cells)
    assert values == {column: value for column, (value, _) in expected.items()}
    assert problems == [(column, why) for column, (_, why) in expected.items() if why]


def test_empty_and_text_cells_read_as_people_typed_them():
    cells = {"问题描述": "  路面坑洼 ", "备注": None, DEADLINE: None, STATUS: " 已 销号 "}
    cells["复查时间"] = dt.datetime(2024, 3, 15, 0, 0)
    values, problems = parse_cells(cells)
    assert values == {
        "问题描述": "路面坑洼",
        "备注": "",
        DEADLINE: None,
        STATUS: "已销号",
        "复查时间": dt.date(2024, 3, 15),
    }
    assert problems == []
    assert parse_cells({STATUS: "做完了", DEADLINE: "下周"})[1] == [
        (STATUS, "「做完了」不是有效状态（可选：未启动、整改中、待核验、已销号）"),
        (DEADLINE, "「下周」不是有效日期，请写成 2024-03-15"),
    ]
