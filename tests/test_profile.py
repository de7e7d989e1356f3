import pytest
from hypothesis import given
from hypothesis import strategies as st

from mytool.errors import ProfileError
from mytool.profile import load_profile
from mytool.reading.names import names_of


def test_default_profile_holds_the_district_scheme(profile):
    assert len(profile.units) == 17
    assert len(profile.categories) == 11
    assert sum(len(c.items) for c in profile.categories) == 35
    assert profile.bottom_n == 6
    assert profile.category("居住区").weight == max(c.weight for c in profile.categories)
    assert profile.category("工地").department == "区建管委"
    assert profile.labels["非常满意"] == 100 and profile.labels["非常不满意"] == 20


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


def test_grade_bands(profile):
    assert [profile.grade(s) for s in (85, 84.99, 80, 75, 74.99, 70, 69.99)] == [
        "优秀",
        "良好",
        "良好",
        "尚可",
        "一般",
        "一般",
        "较差",
    ]


def test_profile_from_environment_variable(tmp_path, monkeypatch):
    custom = tmp_path / "other.toml"
    custom.write_text(
        'name = "测试区"\nbottom_n = 2\n[[grades]]\nname = "合格"\nmin = 60\n'
        '[[grades]]\nname = "不合格"\nmin = 0\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MYTOOL_PROFILE", str(custom))
    loaded = load_profile()
    assert loaded.name == "测试区" and loaded.bottom_n == 2 and loaded.grade(59) == "不合格"


def test_broken_profile_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("name = [", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"broken\.toml"):
        load_profile(broken)
    with pytest.raises(ProfileError, match=r"missing\.toml"):
        load_profile(tmp_path / "missing.toml")


@given(st.sampled_from(["", " ", "\u3000", "\t"]), st.sampled_from(["", "镇"]))
def test_short_names_with_any_padding_resolve(profile_padding, suffix):
    profile = load_profile()
    for unit in profile.units:
        if unit.kind == "镇":
            text = f"{profile_padding}{unit.short}{suffix}{profile_padding}"
            assert names_of(profile).canonical_unit(text) == unit.name


MINIMAL = '[[grades]]\nname = "合格"\nmin = 0\n'


def categories_toml(*weights: float | None) -> str:
    tables = []
    for index, weight in enumerate(weights):
        line = "" if weight is None else f"weight = {weight}\n"
        tables.append(f'[[categories]]\nname = "大类{index}"\n{line}items = ["小项{index}"]\n')
    return MINIMAL + "".join(tables)


@pytest.mark.parametrize(
    "weights", [(0.5, 0.5), (0.333, 0.333, 0.333), (0.3, 0.3, 0.404), (None, None), (1,)]
)
def test_weights_summing_to_one_within_the_tolerance_or_absent_are_accepted(tmp_path, weights):
    path = tmp_path / "p.toml"
    path.write_text(categories_toml(*weights), encoding="utf-8")
    assert len(load_profile(path).categories) == len(weights)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ((0.5, 0.494), r"第 4 行：2 个大类的 weight 合计 0\.994"),
        ((0.3, 0.3, 0.406), r"第 4 行：3 个大类的 weight 合计 1\.006"),
        ((0.5, None), r"第 9 行：大类「大类1」没有写 weight"),
        ((0.5, "nan"), r"第 10 行：大类「大类1」的 weight = nan"),
    ],
)
def test_weights_off_by_more_than_the_tolerance_name_the_line(tmp_path, weights, message):
    path = tmp_path / "p.toml"
    path.write_text(categories_toml(*weights), encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profile(path)


def test_inline_tables_still_get_a_message_with_the_line(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        'categories = [{name = "甲", weight = 0.5}, {name = "乙", weight = -0.5}]\n' + MINIMAL,
        encoding="utf-8",
    )
    with pytest.raises(ProfileError, match=r"第 1 行：大类「乙」的 weight = -0\.5 超出"):
        load_profile(path)


def test_brackets_inside_a_string_are_not_nesting(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('name = "' + "[" * 1000 + '"\n' + MINIMAL, encoding="utf-8")
    assert load_profile(path).name == "[" * 1000


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
