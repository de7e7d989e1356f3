from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from mytool import numbers
from mytool.numbers import mean2, round2, weighted_mean2


def test_round2_is_half_up_on_the_decimal_value_like_excel():
    assert round2(78.535) == 78.54
    assert round2(78.525) == 78.53
    assert round2(2.675) == 2.68  # Python's round() gives 2.67
    assert round2(78.5349) == 78.53


def test_mean2_rounds_the_mean_of_two_decimal_values():
    assert mean2([78.53, 78.54]) == 78.54  # 78.535 → 78.54
    assert mean2([]) is None


def test_weighted_mean_renormalises_over_present_categories():
    # Only two categories present: weights 0.16 and 0.08 become 2/3 and 1/3.
    assert weighted_mean2([(80.0, 0.16), (71.0, 0.08)]) == 77.0
    assert weighted_mean2([]) is None


@given(st.decimals(min_value=0, max_value=100, places=3))
def test_round2_matches_decimal_half_up_for_three_decimal_inputs(value: Decimal):
    expected = float(value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))
    assert round2(float(value)) == expected


def test_weighted_mean_of_weights_that_sum_to_one_is_not_refused():
    # Mutation survivor (tools/mutate.py): only a zero total weight means "no mean".
    assert weighted_mean2([(80.0, 0.5), (90.0, 0.5)]) == 85.0
    assert weighted_mean2([(80.0, 0.0), (90.0, 0.0)]) is None


@given(
    st.floats(min_value=-1e9, max_value=1e9)
    | st.decimals(min_value=-1000, max_value=1000, places=2).map(float)
)
def test_round2_of_any_float_is_the_decimal_half_up_of_its_shortest_repr(value: float):
    """The two-decimal shortcut gives exactly what the Decimal rounding gives, -0.0 included."""
    expected = float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert repr(round2(value)) == repr(expected)


def test_a_score_with_two_decimals_is_returned_without_decimal_arithmetic(monkeypatch):
    """The shortcut is taken exactly for one or two decimals (it is what makes ranking cheap)."""
    used: list[object] = []
    monkeypatch.setattr(numbers, "to_decimal", lambda v: used.append(v) or Decimal(repr(v)))
    assert [round2(v) for v in (78.54, 78.5, 80.0, -0.25)] == [78.54, 78.5, 80.0, -0.25]
    assert used == []
    assert round2(78.535) == 78.54
    assert used == [78.535]
