"""`reading.names`: what offices write, matched to the profile's units, categories and items.

The indexes are built once per profile object and follow it.
"""

from __future__ import annotations

import gc
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mytool.profile import Unit, load_profile
from mytool.reading import names
from mytool.reading.names import names_of


def test_one_profile_object_is_indexed_once(profile):
    assert names_of(profile) is names_of(profile)


def test_a_changed_profile_matches_by_its_own_names(profile):
    extra = Unit(name="试点镇", kind="镇", short="试点", aliases=("试点新镇",))
    changed = replace(profile, units=(*profile.units, extra))
    assert names_of(profile).canonical_unit("试点新镇") is None
    assert names_of(changed).canonical_unit("试点新镇") == "试点镇"
    assert names_of(changed).canonical_unit("九亭") == "九亭镇"


def test_the_indexes_go_with_their_profile(profile):
    changed = replace(profile, name="临时")
    key = id(changed)
    names_of(changed)
    assert key in names._BUILT
    del changed
    gc.collect()
    assert key not in names._BUILT


@pytest.mark.parametrize(
    "spelling",
    [
        "九亭",
        "九亭镇",
        " 九亭镇 ",
        "九亭镇（含九亭经济城）",
        "九亭镇(含九亭工业区)",
        "松江区九亭镇",
        "九\u3000亭镇",
    ],
)
def test_unit_spellings_map_to_the_canonical_name(profile, spelling):
    assert names_of(profile).canonical_unit(spelling) == "九亭镇"


def test_similar_unit_names_stay_distinct(profile):
    assert names_of(profile).canonical_unit("九里亭") == "九里亭街道"
    assert names_of(profile).canonical_unit("九亭") == "九亭镇"
    assert names_of(profile).canonical_unit("全区平均") is None
    assert names_of(profile).canonical_unit("测试镇") is None


@pytest.mark.parametrize(
    ("header", "category"),
    [
        ("居住区环境", "居住区"),
        ("一、建（构）筑物", "建(构)筑物"),
        ("城市道路满意度", "城市道路"),
        ("工地", "工地"),
    ],
)
def test_category_headers_with_suffixes_and_numbering(profile, header, category):
    assert names_of(profile).match_category(header) == category


def test_items_match_by_name_alias_and_question_text(profile):
    assert names_of(profile).match_item("垃圾箱（桶）设置") == ("公共设施", "垃圾箱(桶)设置")
    assert names_of(profile).match_item("3、您对小区环境卫生的满意程度：") == (
        "居住区",
        "小区环境卫生",
    )
    assert names_of(profile).match_item("公厕") == ("公共设施", "公共厕所")


@given(st.sampled_from(["", " ", "\u3000", "\t"]), st.sampled_from(["", "镇"]))
def test_short_names_with_any_padding_resolve(profile_padding, suffix):
    profile = load_profile()
    for unit in profile.units:
        if unit.kind == "镇":
            text = f"{profile_padding}{unit.short}{suffix}{profile_padding}"
            assert names_of(profile).canonical_unit(text) == unit.name


@pytest.mark.parametrize(
    ("spelling", "unit"),
    [
        ("小昆山镇*", "小昆山镇"),
        ("九亭镇※", "九亭镇"),
        ("新桥镇①", "新桥镇"),
        ("车墩镇注1", "车墩镇"),
        ("车墩镇注①", "车墩镇"),
        ("九亭镇（含九亭经济城）*", "九亭镇"),
        ("＊岳阳街道", "岳阳街道"),
        ("泖港²", "泖港镇"),
    ],
)
def test_footnote_marks_on_unit_names_are_dropped(profile, spelling, unit):
    assert names_of(profile).canonical_unit(spelling) == unit


@pytest.mark.parametrize(
    "place", ["佘山国家旅游度假区", "佘山国家旅游度假区*", "松江经济技术开发区①", "松江新城注1"]
)
def test_footnote_marks_never_make_another_place_a_unit(profile, place):
    assert names_of(profile).canonical_unit(place) is None


_MARKS = st.sampled_from(["*", "※", "①", "⑫", "注1", "注", "＊", "★", "²", "（含经济城）", ""])


@given(
    unit=st.sampled_from(
        [u.name for u in load_profile().units] + [u.short for u in load_profile().units]
    ),
    before=st.sampled_from(["", "*", "※"]),
    after=st.lists(_MARKS, max_size=3),
)
def test_any_footnote_marks_around_a_unit_name_find_the_unit(unit, before, after):
    profile = load_profile()
    expected = names_of(profile).canonical_unit(unit)
    assert names_of(profile).canonical_unit(before + unit + "".join(after)) == expected


@given(st.text(max_size=12))
def test_canonical_unit_never_raises_and_needs_a_unit_name(text):
    found = names_of(load_profile()).canonical_unit(text)
    assert found is None or found in load_profile().unit_names
