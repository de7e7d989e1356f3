"""Issue 11's rules: a reading the tool is not sure of is never silent.

Each test builds its own file and checks what a user sees: the exit code, the lines on stderr,
the JSON fields; expected values are worked out here, not by calling mytool's own functions.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_xlsx
from halfyears import UNITS
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()
PROFILE_TOML = Path(__file__).resolve().parents[1] / "data" / "profile.toml"


def composite_rows(scores: dict[str, float]) -> list[list[object]]:
    return [["街镇", "综合满意度"], *([unit, score] for unit, score in scores.items())]


def all_units(start: float = 86.0, step: float = 0.9) -> dict[str, float]:
    """Distinct composites for the 17 units, best first in the profile's order."""
    return {unit: round(start - step * i, 2) for i, unit in enumerate(UNITS)}


def rank(*args: str):
    return runner.invoke(app, ["rank", *args])


# Item 5: aliases never merge two places --------------------------------------------------------


def test_sheshan_resort_and_sheshan_town_are_two_rows_not_a_duplicate(tmp_path):
    scores = all_units()
    rows = [*composite_rows(scores), ["佘山度假区", 71.05]]
    path = write_xlsx(tmp_path / "2023H2.xlsx", rows)
    result = rank(str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    assert units["佘山镇"]["score"] == scores["佘山镇"] and units["佘山镇"]["known_unit"]
    assert units["佘山度假区"]["score"] == 71.05 and not units["佘山度假区"]["known_unit"]
    assert (
        "提示：2023H2.xlsx：Sheet1!A19：「佘山度假区」不是测评口径中的街镇"
        "（是单列的区域，不并入任何街镇），按原名参与排名" in result.stderr
    )
    assert "是否为" not in result.stderr  # never suggested as a misspelt 佘山镇


def test_duplicate_unit_message_shows_the_spelling_of_each_row(tmp_path):
    path = tmp_path / "报告.csv"
    path.write_text("街镇,综合满意度\n九亭镇,70\n 九亭 ,71\n", encoding="utf-8")
    result = rank(str(path))
    assert result.exit_code == 2
    assert (
        "「九亭镇」的「综合满意度」出现两次且数值不一致："
        "报告!B2（「九亭镇」）为 70，报告!B3（「九亭」）为 71" in result.stderr
    )


def test_a_profile_that_makes_a_non_unit_area_an_alias_is_refused(tmp_path):
    text = PROFILE_TOML.read_text(encoding="utf-8")
    bad = tmp_path / "口径.toml"
    bad.write_text(
        text.replace('short = "佘山"\naliases = []', 'short = "佘山"\naliases = ["佘山度假区"]'),
        encoding="utf-8",
    )
    path = write_xlsx(tmp_path / "t.xlsx", composite_rows(all_units()))
    result = rank(str(path), "--profile", str(bad))
    assert result.exit_code == 2
    expected = "「佘山度假区」列在 other_areas（不是街镇的区域）中，不能是「佘山镇」的别名"
    assert expected in result.stderr
