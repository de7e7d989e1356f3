"""The pre-scan's gated mark search finds a mark exactly when a plain substring search would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mytool.reading.guard import _IRREGULAR, _IRREGULAR_MARKS, _UNUSUAL, _UNUSUAL_MARKS

FRAGMENTS = [
    *_IRREGULAR_MARKS,
    *_UNUSUAL_MARKS,
    b'<row r="7" spans="1:45" x14ac:dyDescent="0.25">',
    b'<c r="AB7" s="1" t="s"><v>12</v></c>',
    b"</row>",
    b"r",
    b"=",
    b"'",
    b" ",
    b":",
    b"e",
    b"h",
    b"f",
    b"<",
    b"\n",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12), st.integers(0, 3))
def test_gated_search_agrees_with_plain_search(parts: list[bytes], cut: int):
    chunk = b"".join(parts)[cut:]  # a cut may split a mark, leaving a fragment of it
    assert _IRREGULAR.found_in(chunk) == any(mark in chunk for mark in _IRREGULAR_MARKS)
    assert _UNUSUAL.found_in(chunk) == any(mark in chunk for mark in _UNUSUAL_MARKS)


def test_a_plain_sheet_shows_no_marks_and_each_mark_is_found_alone():
    plain = b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="AS2"><v>5</v></c></row>' * 100
    assert not _IRREGULAR.found_in(plain) and not _UNUSUAL.found_in(plain)
    for mark in _IRREGULAR_MARKS:
        assert _IRREGULAR.found_in(plain + mark + plain), mark
    for mark in _UNUSUAL_MARKS:
        assert _UNUSUAL.found_in(plain + mark + plain), mark
