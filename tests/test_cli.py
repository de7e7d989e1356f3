"""The CLI through Typer's CliRunner: exit codes, exact messages, and the JSON contract."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from conftest import NOTICE_UNITS, SAMPLE_2023H2, write_xlsx
from expected import category_scores, expected_categories, expected_units
from typer.testing import CliRunner

from mytool import __version__
from mytool.cli import app

runner = CliRunner()


def rank_json(*args: str) -> dict:
    result = runner.invoke(app, ["rank", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_rank_on_the_2023h2_sample_flags_the_six_units_of_the_notice():
    data = rank_json(str(SAMPLE_2023H2))
    assert {u["unit"] for u in data["units"] if u["flagged"]} == NOTICE_UNITS
    assert data["period"] == "2023H2" and data["source"] == "songjiang-2023H2.xlsx"
    assert data["score_source"] == "reported"
    assert [u["rank"] for u in data["units"]] == list(range(1, 18))
    last = data["units"][-1]
    assert (last["unit"], last["score"], last["grade"]) == ("九亭镇", 71.84, "一般")
    assert last["flag_reasons"] == ["bottom", "grade"]
    assert len(data["categories"]) == 11
    assert {"category", "score", "rank"} <= set(data["categories"][0])


def test_json_output_equals_the_ranking_computed_from_the_raw_cells():
    """Independent of mytool: openpyxl cells, Decimal half-up and DOMAIN's rules (expected.py)."""
    data = rank_json(str(SAMPLE_2023H2))
    keys = ("unit", "score", "rank", "tied", "grade", "flagged", "flag_reasons")
    assert [{k: u[k] for k in keys} for u in data["units"]] == expected_units(SAMPLE_2023H2)
    keys = ("category", "score", "rank", "tied")
    assert [{k: c[k] for k in keys} for c in data["categories"]] == expected_categories(
        SAMPLE_2023H2
    )
    reported = category_scores(SAMPLE_2023H2)
    for unit in data["units"]:
        assert unit["categories"] == {c: float(s) for c, s in reported[unit["unit"]].items()}


def test_bottom_option_matches_the_rules_computed_from_the_raw_cells():
    data = rank_json(str(SAMPLE_2023H2), "--bottom", "3")
    keys = ("unit", "rank", "flagged", "flag_reasons")
    expected = [{k: u[k] for k in keys} for u in expected_units(SAMPLE_2023H2, bottom_n=3)]
    assert [{k: u[k] for k in keys} for u in data["units"]] == expected


def test_bottom_option_changes_the_flagged_set():
    data = rank_json(str(SAMPLE_2023H2), "--bottom", "2")
    bottom_only = {u["unit"] for u in data["units"] if "bottom" in u["flag_reasons"]}
    assert bottom_only == {"九亭镇", "石湖荡镇"}


def test_csv_to_file_has_a_bom_and_to_stdout_has_none(tmp_path):
    out = tmp_path / "排名.csv"
    result = runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["unit"] == "广富林街道" and rows[0]["score"] == "86.24"
    assert rows[-1]["flagged"] == "true" and rows[-1]["flag_reasons"] == "bottom;grade"
    stdout = runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "csv"]).stdout
    assert stdout.startswith("unit,score,rank,grade,flagged,flag_reasons,score_source,")


def test_markdown_and_table_show_flags_and_ties():
    md = runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "md"]).stdout
    assert "| 17 | 九亭镇 | 71.84 | 一般 | 倒数6名内、等级一般 |" in md
    assert "1（并列）" in md
    table = runner.invoke(app, ["rank", str(SAMPLE_2023H2)])
    assert table.exit_code == 0 and "九亭镇" in table.stdout and "⚑" in table.stdout
    assert "\x1b[" not in table.stdout  # no colour when not a terminal


def test_warnings_go_to_stderr_so_stdout_stays_parseable(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["街镇", "综合满意度"], ["测试镇", 70], ["九亭镇", 71]])
    result = runner.invoke(app, ["rank", str(path), "-f", "json"])
    assert result.exit_code == 0
    assert [u["unit"] for u in json.loads(result.stdout)["units"]] == ["九亭镇", "测试镇"]
    assert "「测试镇」不在测评口径的街镇名单中，按原名参与排名" in result.stderr
    quiet = runner.invoke(app, ["rank", str(path), "-f", "json", "--quiet"])
    assert quiet.stderr == ""


def test_missing_file_is_one_message_exit_2_no_traceback(tmp_path):
    result = runner.invoke(app, ["rank", str(tmp_path / "没有.xlsx")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：没有.xlsx：文件不存在（{tmp_path / '没有.xlsx'}）"
    assert "Traceback" not in result.output


def test_bad_cells_stop_rank_and_name_the_cell(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["街镇", "综合满意度"], ["九亭镇", 107]], sheet="综合")
    result = runner.invoke(app, ["rank", str(path)])
    assert result.exit_code == 2
    assert "t.xlsx：综合!B2：分数 107 超出 0–100 的范围" in result.stderr


def test_validate_reports_what_it_found_and_exits_by_problems(tmp_path):
    clean = runner.invoke(app, ["validate", str(SAMPLE_2023H2)])
    assert clean.exit_code == 0, clean.output
    assert "街镇（17 个）" in clean.stdout and "未发现问题" in clean.stdout
    assert "已跳过的参考行：全区平均、郊区平均" in clean.stdout
    path = write_xlsx(tmp_path / "t.xlsx", [["街镇", "综合满意度"], ["测试镇", 70], ["九亭", "x"]])
    problems = runner.invoke(app, ["validate", str(path), "-f", "json"])
    assert problems.exit_code == 1
    issues = {(i["code"], i["place"]) for i in json.loads(problems.stdout)["issues"]}
    assert issues == {
        ("unknown-unit", "Sheet1!A2"),
        ("not-a-number", "Sheet1!B3"),
        ("unit-without-scores", None),
        ("units-missing", None),
        ("no-period", None),
    }
    unreadable = runner.invoke(app, ["validate", str(tmp_path / "none.csv")])
    assert unreadable.exit_code == 2


def test_profile_show_prints_the_toml_and_honours_the_option(tmp_path):
    shown = runner.invoke(app, ["profile", "show"])
    assert shown.exit_code == 0 and 'name = "九亭镇"' in shown.stdout
    custom = tmp_path / "p.toml"
    custom.write_text('name = "X"\n[[grades]]\nname = "合格"\nmin = 0\n', encoding="utf-8")
    assert 'name = "X"' in runner.invoke(app, ["profile", "show", "--profile", str(custom)]).stdout


def test_profile_option_changes_bottom_n(tmp_path):
    text = (SAMPLE_2023H2.parent.parent / "profile.toml").read_text(encoding="utf-8")
    custom = tmp_path / "p.toml"
    custom.write_text(text.replace("bottom_n = 6", "bottom_n = 1"), encoding="utf-8")
    data = rank_json(str(SAMPLE_2023H2), "--profile", str(custom))
    assert [u["unit"] for u in data["units"] if "bottom" in u["flag_reasons"]] == ["九亭镇"]


def test_version():
    assert runner.invoke(app, ["--version"]).stdout.strip() == f"mytool {__version__}"


@pytest.mark.parametrize(
    "command", [["--help"], ["rank", "--help"], ["validate", "--help"], ["brief", "--help"]]
)
def test_help_is_chinese_and_does_not_import_heavy_modules(command):
    code = (
        "import sys\nfrom mytool.cli import main\nsys.argv = ['mytool', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'openpyxl', 'python_calamine', 'matplotlib', 'docx',"
        " 'docxtpl') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out
    assert "测评" in out or "街镇" in out or "文件" in out


def test_python_dash_m_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "mytool", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"mytool {__version__}"


def test_profile_can_switch_to_dense_ranking(tmp_path):
    text = (SAMPLE_2023H2.parent.parent / "profile.toml").read_text(encoding="utf-8")
    custom = tmp_path / "p.toml"
    custom.write_text(
        text.replace('ranking = "competition"', 'ranking = "dense"'), encoding="utf-8"
    )
    source = tmp_path / "t.csv"
    source.write_text("街镇,综合满意度\n九亭镇,78.5\n新桥镇,78.50\n泗泾镇,78.1\n", encoding="utf-8")
    dense = rank_json(str(source), "--profile", str(custom))
    assert [(u["unit"], u["rank"]) for u in dense["units"]] == [
        ("九亭镇", 1),
        ("新桥镇", 1),
        ("泗泾镇", 2),
    ]
    default = rank_json(str(source))
    assert [u["rank"] for u in default["units"]] == [1, 1, 3]


# --- Both Typer lines: 0.28 (click's words) and ≥ 0.29 (its own rows, pydantic's checks) ----------


def test_help_rows_and_usage_read_the_same_from_either_typer_line():
    from mytool.commands.chinese import ChineseHelpFormatter

    formatter = ChineseHelpFormatter(width=80, arguments=["文件"], variadic=["文件"])
    assert formatter._argument_row("文件") == "<文件>"  # Typer 0.28
    assert formatter._argument_row("文件... <path>") == "<文件>"  # Typer ≥ 0.29
    assert formatter._argument_row("--bottom <int>") == "--bottom <int>"
    for usage in ("[OPTIONS] {文件}", "[OPTIONS] {文件}..."):  # 0.29 writes the "..." itself
        formatter.buffer.clear()
        formatter.write_usage("mytool aggregate", usage)
        assert formatter.getvalue() == "用法：mytool aggregate [选项] <文件>...\n"


def test_a_value_refused_by_typer_029s_pydantic_check_is_explained_in_chinese():
    from mytool.commands.chinese import _pydantic_reason

    bound = {"type": "greater_than_equal", "ctx": {"ge": 1}, "input": "0"}
    assert _pydantic_reason(bound) == ("0", "不能小于 1")
    assert _pydantic_reason({"type": "int_parsing", "input": "十一"}) == ("十一", "须为整数")
    choice = {"type": "enum", "msg": "'pdf' is not one of 'table', 'json'", "input": "pdf"}
    assert _pydantic_reason(choice) == ("pdf", "可选：table、json")
