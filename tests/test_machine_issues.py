"""`compare`, `trend` and `plan` JSON carry the reading issues of every file, naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from halfyears import composites, write_report
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()


@pytest.fixture
def two_periods(tmp_path: Path) -> tuple[Path, Path]:
    """Two clean half-years, except that the later one has a row for a misspelt 九亭镇 (九庭镇)
    at the end of its table: 17 units below the header in row 1, so the row is row 19."""
    before = write_report(tmp_path / "2023H2.xlsx", composites(0))
    now = write_report(tmp_path / "2024H1.xlsx", {**composites(1), "九庭镇": 80.0})
    return before, now


EXPECTED = {
    "code": "unknown-unit",
    "severity": "warning",
    "file": "2024H1.xlsx",
    "sheet": "测评结果",
    "cell": "A19",
    "unit": "九庭镇",
}


def _unknown_unit_issues(data: dict) -> list[dict]:
    return [
        {key: issue[key] for key in EXPECTED}
        for issue in data["issues"]
        if issue["code"] == "unknown-unit"
    ]


@pytest.mark.parametrize("command", ["compare", "trend"])
def test_json_issues_name_the_file_sheet_cell_and_unit_of_a_reading_problem(command, two_periods):
    result = runner.invoke(app, [command, *map(str, two_periods), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert _unknown_unit_issues(data) == [EXPECTED]
    (issue,) = (i for i in data["issues"] if i["code"] == "unknown-unit")
    assert "九亭镇" in issue["message"]  # the likely spelling is suggested
    assert any(w.startswith("2024H1.xlsx：测评结果!A19：") for w in data["warnings"])


def test_plan_json_issues_name_the_file_sheet_cell_and_unit_of_a_reading_problem(two_periods):
    _, now = two_periods
    result = runner.invoke(
        app, ["plan", str(now), "-u", "九亭", "--set", "居住区=+1", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert _unknown_unit_issues(json.loads(result.stdout)) == [EXPECTED]
