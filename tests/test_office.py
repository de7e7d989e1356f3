"""Everyday use on office machines: GBK consoles, narrow terminals, Chinese usage errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_2023H2, SAMPLE_2024H1, write_xlsx
from test_aggregate import export_rows

from mytool.commands.console import degraded, stand_in


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
    return folder


EVERY_TERMINAL_VIEW = [
    ("rank", "songjiang-2023H2.xlsx"),
    ("validate", "songjiang-2023H2.xlsx"),
    ("compare", "songjiang-2023H2.xlsx", "songjiang-2024H1.xlsx"),
    ("trend", "songjiang-2023H2.xlsx", "songjiang-2024H1.xlsx"),
    ("aggregate", "问卷导出.xlsx"),
    ("plan", "songjiang-2023H2.xlsx", "-u", "九亭", "--target-rank", "11"),
    ("plan", "songjiang-2023H2.xlsx", "-u", "九亭", "--set", "居住区=+4"),
    ("brief", "songjiang-2023H2.xlsx", "-u", "九亭", "-d", "简报"),
    ("profile", "show"),
    ("ledger", "status", "台账.xlsx", "--as-of", "2024-04-15"),
    ("ledger", "split", "台账.xlsx", "--force"),
    ("ledger", "merge", "台账.xlsx", "台账-分发/台账-区房管局.xlsx"),
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
