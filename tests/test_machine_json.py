"""`to_json` writes exactly the bytes of `json.dumps(indent=2, ensure_ascii=False)`, only faster.

Every JSON output is a contract, so any byte the fast writer changes is a regression.
"""

from __future__ import annotations

import collections
import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mytool.render import machine
from mytool.render.machine import to_json


def stdlib(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# Text that could fool a writer splicing the C encoder's output: brackets, commas, quotes,
# backslashes, newlines, the separators themselves, non-ASCII and astral characters.
TRICKY = st.sampled_from(
    ["", "},\n      {", "}, {", '"}', "\\", "\n", "\u2028", "街镇", "😀", "\x00", "a: [b", "{}"]
)
TEXT = st.one_of(st.text(), TRICKY)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
RECORDS = st.lists(st.dictionaries(TEXT, SCALARS, max_size=6), max_size=6)
JSON = st.recursive(
    st.one_of(SCALARS, RECORDS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(TEXT, inner, max_size=5),
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(TEXT, JSON, max_size=6))
def test_nested_data_is_written_as_the_standard_library_writes_it(data):
    assert to_json(data) == stdlib(data)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(TEXT, st.lists(st.dictionaries(TEXT, SCALARS, min_size=1), max_size=8)))
def test_lists_of_records_are_written_as_the_standard_library_writes_them(data):
    assert to_json(data) == stdlib(data)


def test_the_indented_layout_is_the_documented_one():
    data = {"a": [], "b": {}, "c": [{"x": 1, "y": "街镇"}, {"z": None}], "d": [1.5, True]}
    assert to_json(data) == (
        "{\n"
        '  "a": [],\n'
        '  "b": {},\n'
        '  "c": [\n'
        "    {\n"
        '      "x": 1,\n'
        '      "y": "街镇"\n'
        "    },\n"
        "    {\n"
        '      "z": null\n'
        "    }\n"
        "  ],\n"
        '  "d": [\n'
        "    1.5,\n"
        "    true\n"
        "  ]\n"
        "}\n"
    )


class Level(enum.IntEnum):
    HIGH = 2


class Kind(enum.StrEnum):
    ROW = "行"


@pytest.mark.parametrize(
    "data",
    [
        {"keys": {7: "a", 2.5: "b", True: "c", None: "d"}},
        {"nested": {"keys": {3: [1, 2]}}},
        {"enum": [Level.HIGH, Kind.ROW], "in_record": [{"level": Level.HIGH}]},
        {"counter": collections.Counter(a=2)},
        {"rows": [{"counts": collections.Counter(a=2)}]},
        {"ordered": collections.OrderedDict(b=[1])},
        {"records_and_an_empty_one": [{"a": 1}, {}, {"b": 2}]},
    ],
)
def test_unusual_values_are_written_as_the_standard_library_writes_them(data):
    assert to_json(data) == stdlib(data)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"score": math.nan}, ValueError),
        ({"rows": [{"score": math.inf}]}, ValueError),
        ({"when": object()}, TypeError),
        ({"keys": {(1, 2): "tuple key"}}, TypeError),
    ],
)
def test_what_json_refuses_is_still_refused(data, error):
    with pytest.raises(error):
        to_json(data)


def test_a_cycle_is_refused_as_json_refuses_it():
    data: dict = {"rows": []}
    data["rows"].append(data)
    with pytest.raises(ValueError, match="Circular reference"):
        to_json(data)


def test_ledger_status_shaped_data_never_falls_back_to_the_slow_writer(monkeypatch):
    """The speed is the point: the usual shapes must not go through json.dumps."""
    data = {
        "total": 2,
        "by_status": {"未启动": 1, "已销号": 1},
        "overdue": [{"id": "2023H2-0001", "deadline": "2024-04-10", "days_overdue": 5}] * 3,
        "due_soon": [],
        "closed_percent": 50.0,
        "by_unit": {"岳阳街道": {"total": 2, "by_status": {"未启动": 1}, "closed_percent": 0.0}},
        "warnings": ["整改台账!M7：「做完了」不是有效状态"],
        "issues": [{"code": "invalid-value", "cell": "M7", "unit": None}],
    }
    expected = stdlib(data)

    def refuse(*args, **kwargs):
        raise AssertionError("json.dumps was used")

    monkeypatch.setattr(machine.json, "dumps", refuse)
    assert to_json(data) == expected
