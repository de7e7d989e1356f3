"""Everyday use on office machines: GBK consoles, narrow terminals, Chinese usage errors."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from builders import load_profile_rules, resave_with_libreoffice, soffice_path, unit_names
from conftest import CHARTS, LXML, SAMPLE_2023H2, SAMPLE_2024H1, WORD, needs, write_xlsx
from test_aggregate import export_rows
from test_ledger import edit, rows_by_id
from typer.testing import CliRunner, Result

from mytool.cli import app
from mytool.commands.console import degraded, stand_in
from mytool.files import open_error, os_reason
from mytool.profile import load_profile
from mytool.render.grades import grade_color


def run_mytool(
    *args: str, cwd: Path, encoding: str = "utf-8", columns: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("NO_COLOR", None)
    if columns:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "mytool", *args], cwd=cwd, env=env, capture_output=True, timeout=120
    )


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with the samples, a questionnaire export and a ledger."""
    folder = tmp_path_factory.mktemp("office")
    for sample in (SAMPLE_2023H2, SAMPLE_2024H1):
        (folder / sample.name).write_bytes(sample.read_bytes())
    write_xlsx(folder / "问卷导出.xlsx", export_rows())
    made = run_mytool("ledger", "init", SAMPLE_2023H2.name, "-o", "台账.xlsx", cwd=folder)
    assert made.returncode == 0, made.stderr.decode()
    split = run_mytool("ledger", "split", "台账.xlsx", cwd=folder)
    assert split.returncode == 0, split.stderr.decode()
    return folder


EVERY_TERMINAL_VIEW = [
    ("rank", "songjiang-2023H2.xlsx"),
    ("validate", "songjiang-2023H2.xlsx"),
    ("compare", "songjiang-2023H2.xlsx", "songjiang-2024H1.xlsx"),
    ("trend", "songjiang-2023H2.xlsx", "songjiang-2024H1.xlsx"),
    ("aggregate", "问卷导出.xlsx"),
    ("plan", "songjiang-2023H2.xlsx", "-u", "九亭", "--target-rank", "11"),
    ("plan", "songjiang-2023H2.xlsx", "-u", "九亭", "--set", "居住区=+4"),
    pytest.param(
        ("brief", "songjiang-2023H2.xlsx", "-u", "九亭", "-d", "简报"), marks=needs(*WORD, *CHARTS)
    ),
    ("profile", "show"),
    ("ledger", "status", "台账.xlsx", "--as-of", "2024-04-15"),
    ("ledger", "split", "台账.xlsx", "--force"),
    pytest.param(
        ("ledger", "merge", "台账.xlsx", "台账-分发/台账-区房管局.xlsx"), marks=needs(*LXML)
    ),
    ("ledger", "init", "songjiang-2023H2.xlsx", "-o", "台账2.xlsx", "--force"),
    ("--help",),
    ("rank", "--help"),
]


@pytest.mark.parametrize("command", EVERY_TERMINAL_VIEW, ids=" ".join)
def test_a_gbk_console_never_crashes_any_command(office: Path, command: tuple[str, ...]):
    result = run_mytool(*command, cwd=office, encoding="gbk")
    stderr = result.stderr.decode("gbk")
    assert result.returncode == 0, stderr
    text = result.stdout.decode("gbk")  # strict: every byte is GBK
    assert text.strip()
    assert "⚑" not in text and "Traceback" not in stderr


def test_characters_gbk_lacks_are_replaced_by_the_nearest_it_has():
    assert stand_in("⚑", "gbk") == "*"
    assert stand_in("▲", "gbk") == "↑" and stand_in("▲", "ascii") == "+"
    assert stand_in("−", "gbk") == "-"
    assert stand_in("┃", "ascii") == "|" and stand_in("━", "ascii") == "-"
    assert degraded("⚑ 倒数6名内 ▼2", "gbk") == "* 倒数6名内 ▼2"
    assert degraded("⚑ 倒数6名内 ▼2", "ascii") == "* ??6?? -2"


def test_rank_on_a_gbk_console_shows_the_flag_as_a_star(office: Path):
    result = run_mytool("rank", "songjiang-2023H2.xlsx", cwd=office, encoding="gbk")
    lines = result.stdout.decode("gbk").splitlines()
    assert any("九亭镇" in line and "71.84" in line and "*" in line for line in lines)


@pytest.mark.parametrize(
    "command",
    [
        ("rank", "songjiang-2023H2.xlsx"),
        ("compare", "songjiang-2023H2.xlsx", "songjiang-2024H1.xlsx"),
        ("aggregate", "问卷导出.xlsx"),
        ("ledger", "status", "台账.xlsx", "--as-of", "2024-04-15"),
    ],
    ids=" ".join,
)
def test_an_80_column_terminal_wraps_values_instead_of_cutting_them(
    office: Path, command: tuple[str, ...]
):
    result = run_mytool(*command, cwd=office, columns=80)
    assert result.returncode == 0, result.stderr.decode()
    text = result.stdout.decode()
    assert "…" not in text
    assert all(len(line) <= 80 * 2 for line in text.splitlines())


def test_an_80_column_rank_keeps_every_flag_reason(office: Path):
    text = run_mytool("rank", "songjiang-2023H2.xlsx", cwd=office, columns=80).stdout.decode()
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "岳阳街道" in line)
    flag_cells = [line.split("│")[5].strip() for line in lines[first : first + 3]]
    assert "".join(flag_cells) == "⚑倒数6名内、等级一般"


# --- Chinese all the way -------------------------------------------------------------------

runner = CliRunner()


def invoke(args: list[str]) -> Result:
    return runner.invoke(app, args, prog_name="mytool")


ENGLISH_FRAMEWORK_WORDS = re.compile(
    r"Usage|Error|Options|Arguments|Commands|Show this|default:|env var|required|Invalid|"
    r"No such|Missing|Try '|<path>|<str>|<int|\[OPTIONS\]|COMMAND|\bFILE\b|\{file\}"
)


def test_bottom_0_is_refused_in_chinese():
    result = invoke(["rank", str(SAMPLE_2023H2), "--bottom", "0"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "错误：--bottom 的值「0」不行：不能小于 1",
        "用法：mytool rank [选项] <文件>",
        "运行 mytool rank -h 查看全部选项和示例。",
    ]


def test_an_unknown_option_is_refused_in_chinese():
    result = invoke(["rank", str(SAMPLE_2023H2), "--unit", "九亭"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "错误：没有 --unit 这个选项；是不是 --quiet？"
    assert not ENGLISH_FRAMEWORK_WORDS.search(result.stderr)


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["rank"], "错误：缺少参数 <文件>"),
        (["rnak"], "错误：没有「rnak」这个命令；是不是 rank？"),
        (
            ["rank", "a.xlsx", "-f", "pdf"],
            "错误：--format 的值「pdf」不行：可选：table、json、csv、md、xlsx",
        ),
        (["rank", "a.xlsx", "b.xlsx"], "错误：多出了参数：b.xlsx（文件名中有空格时请加引号）"),
        (["rank", "a.xlsx", "-o"], "错误：-o 后面要跟一个值"),
        (
            ["plan", "a.xlsx", "-u", "九亭", "--target-rank", "十一"],
            "错误：--target-rank 的值「十一」不行：须为整数",
        ),
        (
            ["rank", "/nowhere/测评结果.xlsx"],
            "错误：测评结果.xlsx：文件不存在（/nowhere/测评结果.xlsx）",
        ),
    ],
)
def test_usage_errors_are_chinese_with_no_framework_english(args: list[str], first_line: str):
    result = invoke(args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == first_line
    assert not ENGLISH_FRAMEWORK_WORDS.search(result.stderr), result.stderr


def test_an_unreadable_file_is_explained_in_chinese(tmp_path: Path):
    locked = tmp_path / "测评结果.xlsx"
    reason = open_error(locked, PermissionError(errno.EACCES, "Permission denied"))
    assert reason == f"测评结果.xlsx：没有读取该文件的权限（{locked}）"
    busy = OSError(errno.EBUSY, "Device or resource busy")
    assert "正被其他程序打开（如 Excel、WPS）" in open_error(locked, busy)
    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"


EVERY_COMMAND = [
    [],
    ["rank"],
    ["validate"],
    ["brief"],
    ["plan"],
    ["compare"],
    ["trend"],
    ["aggregate"],
    ["profile"],
    ["profile", "show"],
    ["ledger"],
    ["ledger", "init"],
    ["ledger", "split"],
    ["ledger", "merge"],
    ["ledger", "status"],
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_every_help_is_chinese_and_commands_end_with_examples(command: list[str]):
    result = invoke([*command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("用法：mytool")
    assert not ENGLISH_FRAMEWORK_WORDS.search(result.stdout), result.stdout
    is_group = command in ([], ["profile"], ["ledger"])
    if not is_group:
        tail = result.stdout.rstrip().split("示例：")[-1].strip().splitlines()
        assert 2 <= len(tail) <= 3 and all(line.strip().startswith("mytool ") for line in tail)


def test_dates_and_ranks_have_chinese_placeholders():
    brief_help = invoke(["brief", "--help"]).stdout
    assert "--deadline <日期 2024-04-10>" in brief_help
    plan_help = invoke(["plan", "--help"]).stdout
    assert "--target-rank <名次>" in plan_help and "-u, --unit <街镇>" in plan_help


def test_shell_completion_can_be_installed(tmp_path: Path):
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    done = subprocess.run(
        [sys.executable, "-m", "mytool", "--install-completion", "bash"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "mytool" in (tmp_path / ".bashrc").read_text()
    env.update({"_MYTOOL_COMPLETE": "complete_bash", "COMP_WORDS": "mytool le", "COMP_CWORD": "1"})
    script = Path(sys.executable).parent / "mytool"  # the installed console script
    completed = subprocess.run([str(script)], env=env, capture_output=True, timeout=60)
    assert "ledger" in completed.stdout.decode()


# --- The format follows the extension ---------------------------------------------------------


def test_rank_and_compare_write_workbooks_when_the_output_ends_in_xlsx(tmp_path: Path):
    ranked, compared = tmp_path / "排名.xlsx", tmp_path / "对比.xlsx"
    assert invoke(["rank", str(SAMPLE_2023H2), "-o", str(ranked)]).exit_code == 0
    both = [str(SAMPLE_2023H2), str(SAMPLE_2024H1)]
    assert invoke(["compare", *both, "-o", str(compared)]).exit_code == 0

    book = openpyxl.load_workbook(ranked)
    units = book["街镇排名"]
    assert units["A1"].value == "2023年下半年 街镇排名（songjiang-2023H2.xlsx）"
    headers = [c.value for c in units[4]]
    assert headers == ["排名", "街镇", "综合得分", "等级", "标记", "最弱大类", "郊区排名"]
    last = [c.value for c in units[21]]
    assert last[:5] == [17, "九亭镇", 71.84, "一般", "倒数6名内、等级一般"]
    assert str(units.page_setup.paperSize) == units.PAPERSIZE_A4
    assert units["D21"].fill.fgColor.rgb.endswith(grade_color(load_profile(), "一般"))
    tied = book["大类排名"]["A5"]
    assert tied.value == 1 and tied.number_format == '0"（并列）"'

    changes = openpyxl.load_workbook(compared)["街镇变化"]
    assert [c.value for c in changes[4]][:4] == ["街镇", "综合得分", "变化", "排名"]
    assert isinstance(changes["B5"].value, float) and isinstance(changes["D5"].value, int)

    if soffice_path():
        converted = resave_with_libreoffice([ranked, compared], ["ods"], tmp_path / "lo")
        assert all(path.stat().st_size > 0 for path in converted["ods"])


@pytest.mark.parametrize(
    ("name", "starts"), [("排名.json", b"{"), ("排名.csv", b"\xef\xbb\xbfunit")]
)
def test_the_extension_chooses_the_format_when_f_is_not_given(tmp_path: Path, name, starts):
    target = tmp_path / name
    assert invoke(["rank", str(SAMPLE_2023H2), "-o", str(target)]).exit_code == 0
    assert target.read_bytes().startswith(starts)


def test_f_contradicting_the_extension_is_refused(tmp_path: Path):
    target = tmp_path / "排名.xlsx"
    result = invoke(["rank", str(SAMPLE_2023H2), "-f", "json", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "错误：-f json 与输出文件 排名.xlsx 的扩展名不一致："
        "去掉 -f 按扩展名写成 xlsx，或把文件名改成与 -f json 相符的扩展名"
    ]
    assert not target.exists()


def test_an_extension_the_command_cannot_write_is_refused(tmp_path: Path):
    result = invoke(
        ["trend", str(SAMPLE_2023H2), str(SAMPLE_2024H1), "-o", str(tmp_path / "走势.csv")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "错误：走势.csv：这个命令不能写 csv 格式；可选的格式：table、json、md、xlsx（用 -f 指定）"
    )


# --- Exit codes --------------------------------------------------------------------------------


# Delays while the command line loads and the file is read; not at the very end of the run,
# where a signal racing the interpreter's own exit is no longer ours to turn into a line.
@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15])
def test_ctrl_c_is_exit_130_with_one_chinese_line_even_while_starting(delay: float):
    """From mytool's first line on (the guard in mytool.__main__), Ctrl-C is one line, 130.

    The child says when its first line has run, so a loaded machine's slow interpreter start
    (before any code of ours can run) does not decide the outcome; the delays then cover
    loading the command line, reading and ranking.
    """
    code = (
        "import sys\n"
        "import mytool.__main__ as entry\n"
        "print('ready', flush=True)\n"
        "sys.argv = ['mytool', 'rank', sys.argv[1]]\n"
        "entry.main()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(SAMPLE_2023H2)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"ready\n"
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    process.stdout.read()
    stderr = process.stderr.read().decode()
    exit_code = process.wait(timeout=60)
    process.stdout.close()
    process.stderr.close()
    if exit_code == 0:  # finished before the signal arrived
        return
    assert exit_code == 130, stderr
    assert stderr == "已中断（Ctrl-C）：输出文件保持运行前的样子，没有写一半的文件。\n"


def test_validate_is_0_for_a_correct_export_with_statistical_notes(tmp_path: Path):
    units = unit_names(load_profile_rules())
    answers = [(unit, "满意", "一般", None) for unit in units for _ in range(3)]
    export = write_xlsx(tmp_path / "2023H2问卷导出.xlsx", export_rows(answers))
    result = invoke(["validate", str(export), "-f", "json"])
    codes = {issue["code"] for issue in json.loads(result.stdout)["issues"]}
    assert "low-sample" in codes
    assert result.exit_code == 0, result.stdout
    assert invoke(["validate", str(SAMPLE_2023H2)]).exit_code == 0


@needs(*LXML)
def test_a_merge_into_a_master_open_in_excel_is_exit_4_and_names_the_result(
    office: Path, tmp_path: Path
):
    master = tmp_path / "台账.xlsx"
    master.write_bytes((office / "台账.xlsx").read_bytes())
    copies = tmp_path / "分发"
    assert invoke(["ledger", "split", str(master), "-d", str(copies), "-q"]).exit_code == 0
    returned = copies / "台账-区房管局.xlsx"
    first = next(iter(rows_by_id(returned)))
    edit(returned, {(first, "状态"): "整改中"})
    (tmp_path / "~$台账.xlsx").write_bytes(b"owner")  # Excel has the master open
    result = invoke(["ledger", "merge", str(master), str(returned)])
    assert result.exit_code == 4, result.output
    side = next(tmp_path.glob("台账-合并结果-*.xlsx"))
    assert result.stderr.splitlines()[-1] == f"错误：总台账正在被打开，未更新；合并结果在 {side}"


# --- Inputs as people type them ----------------------------------------------------------------


def test_trend_takes_a_quoted_pattern_as_windows_passes_it(tmp_path: Path):
    for sample in (SAMPLE_2024H1, SAMPLE_2023H2):
        (tmp_path / sample.name).write_bytes(sample.read_bytes())
    (tmp_path / "~$songjiang-2024H1.xlsx").write_bytes(b"owner")  # Excel's lock file: skipped
    result = invoke(["trend", str(tmp_path / "*.xlsx"), "-f", "json"])
    assert result.exit_code == 0, result.output
    periods = json.loads(result.stdout)["periods"]
    assert [p["period"] for p in periods] == ["2023H2", "2024H1"]


def test_a_pattern_matching_nothing_says_so(tmp_path: Path):
    result = invoke(["aggregate", str(tmp_path / "收回" / "*.xlsx")])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"错误：「{tmp_path}/收回/*.xlsx」没有匹配到任何文件，请检查文件夹和扩展名"
    )


def test_compare_takes_one_pattern_for_its_two_files(tmp_path: Path):
    for sample in (SAMPLE_2023H2, SAMPLE_2024H1):
        (tmp_path / sample.name).write_bytes(sample.read_bytes())
    result = invoke(["compare", str(tmp_path / "songjiang-*.xlsx"), "-f", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["previous"]["period"], found["current"]["period"]) == ("2023H2", "2024H1")


@needs(*LXML)
def test_ledger_merge_and_aggregate_take_a_folder(office: Path, tmp_path: Path):
    master = tmp_path / "台账.xlsx"
    master.write_bytes((office / "台账.xlsx").read_bytes())
    copies = tmp_path / "收回"
    assert invoke(["ledger", "split", str(master), "-d", str(copies), "-q"]).exit_code == 0
    result = invoke(["ledger", "merge", str(master), str(copies)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("回收表 ") == len(list(copies.glob("*.xlsx")))
    exports = tmp_path / "问卷"
    exports.mkdir()
    write_xlsx(exports / "问卷导出.xlsx", export_rows())
    assert invoke(["aggregate", str(exports), "-f", "json"]).exit_code == 0


# --- Sanity warnings ---------------------------------------------------------------------------


def test_bottom_at_least_the_number_of_units_is_warned():
    result = invoke(["rank", str(SAMPLE_2023H2), "--bottom", "99", "-f", "json"])
    assert result.exit_code == 0
    assert "提示：--bottom 99 不小于街镇数 17，所有街镇都会被标记为排名靠后" in result.stderr


def test_unit_with_all_is_refused(tmp_path: Path):
    result = invoke(
        ["brief", str(SAMPLE_2023H2), "-u", "九亭", "--all", "-d", str(tmp_path / "简报")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "错误：--unit 与 --all 不能同时使用：只写某几个街镇用 --unit，写全部街镇用 --all"
    )


def test_a_deadline_before_the_period_ends_is_warned(tmp_path: Path):
    target = tmp_path / "台账.xlsx"
    result = invoke(
        ["ledger", "init", str(SAMPLE_2023H2), "--deadline", "2023-10-10", "-o", str(target)]
    )
    assert result.exit_code == 0
    assert (
        "提示：完成时限 2023-10-10 早于测评期次 2023年下半年 结束（2023-12-31），请核对"
        in result.stderr
    )


def test_brief_with_a_ledger_repeats_byte_for_byte_with_as_of(office: Path, tmp_path: Path):
    runs = []
    for name in ("一", "二"):
        folder = tmp_path / name
        args = ["brief", str(SAMPLE_2023H2), "-u", "九亭", "-f", "md", "-d", str(folder)]
        result = invoke([*args, "--ledger", str(office / "台账.xlsx"), "--as-of", "2024-04-15"])
        assert result.exit_code == 0, result.output
        runs.append({p.name: p.read_bytes() for p in folder.glob("*.md")})
    assert runs[0] == runs[1] and any("2024年4月15日".encode() in b for b in runs[0].values())


def test_a_slow_step_shows_a_spinner_only_on_a_terminal(monkeypatch):
    """brief and ledger merge say they are working on a terminal, and nothing in a pipe."""
    import io
    import time

    from rich.console import Console

    from mytool.commands import common

    shown_on = io.StringIO()
    monkeypatch.setattr(
        common, "stderr_console", lambda: Console(file=shown_on, force_terminal=True, width=80)
    )
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: False, raising=False)
    with common.working("正在生成简报文件", quiet=False):
        time.sleep(0.2)
    assert shown_on.getvalue() == ""
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: True, raising=False)
    with common.working("正在生成简报文件", quiet=True):
        time.sleep(0.2)
    assert shown_on.getvalue() == ""
    with common.working("正在生成简报文件", quiet=False):
        time.sleep(0.3)
    assert "正在生成简报文件" in shown_on.getvalue()


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_the_console_entry_keeps_openblas_to_one_thread_unless_the_user_says(given, expected):
    """NumPy's OpenBLAS would start a spinning thread on the core the reader's child uses; a
    user's own OPENBLAS_NUM_THREADS is kept."""
    code = (
        "import os, sys\n"
        "import mytool.__main__ as entry\n"
        "sys.argv = ['mytool', '--version']\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == expected, done.stderr
