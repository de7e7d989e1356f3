import pytest

from mytool.errors import ProfileError
from mytool.profile import load_profile


def test_default_profile_holds_the_district_scheme(profile):
    assert len(profile.units) == 17
    assert len(profile.categories) == 11
    assert sum(len(c.items) for c in profile.categories) == 35
    assert profile.bottom_n == 6
    assert profile.category("居住区").weight == max(c.weight for c in profile.categories)
    assert profile.category("工地").department == "区建管委"
    assert profile.labels["非常满意"] == 100 and profile.labels["非常不满意"] == 20


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
