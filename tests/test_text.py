from hypothesis import given
from hypothesis import strategies as st

from mytool.text import normalize, parse_score


def test_full_width_digits_and_text_numbers_are_scores():
    assert parse_score("７８．５３") == (78.53, True)
    assert parse_score(" 78.53 ") == (78.53, True)
    assert parse_score("78.53分") == (78.53, True)
    assert parse_score(78) == (78.0, True)


def test_no_value_marks_are_none_never_zero():
    for mark in ("—", "/", "-", "无", "", " ", "／", "——", None):
        assert parse_score(mark) == (None, True), mark


def test_words_and_non_finite_numbers_are_not_scores():
    assert parse_score("良好") == (None, False)
    assert parse_score(float("nan")) == (None, False)
    assert parse_score("inf") == (None, False)
    assert parse_score(True) == (None, False)


def test_normalize_folds_full_width_and_removes_all_spaces():
    assert normalize(" 九亭\u3000镇 ") == "九亭镇"
    assert normalize("建（构）筑物") == "建(构)筑物"


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_any_two_decimal_text_reads_back_as_its_number(value):
    text = f"{value:.2f}"
    full_width = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_score(text) == (float(text), True)
    assert parse_score(full_width) == (float(text), True)


@given(st.text())
def test_parse_score_never_raises(text):
    value, understood = parse_score(text)
    assert value is None or understood


def test_percent_and_fen_suffixes_are_points():
    assert parse_score("80.70%") == (80.7, True)
    assert parse_score("８０．７０％") == (80.7, True)
    assert parse_score("78.5分") == (78.5, True)
    assert parse_score("78.5 %") == (78.5, True)
    assert parse_score("%") == (None, False)
    assert parse_score("78%%") == (None, False)
    assert parse_score("良好%") == (None, False)


@given(st.decimals(min_value=0, max_value=100, places=2), st.sampled_from(["%", "％", "分", " %"]))
def test_a_score_with_a_suffix_reads_as_the_points_written(value, suffix):
    text = f"{value:.2f}{suffix}"
    assert parse_score(text) == (float(f"{value:.2f}"), True)
