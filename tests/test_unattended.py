"""Unattended runs: exit codes, locks, the audit log, protected inputs, killed runs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import CHARTS, SAMPLE_2023H2, WORD, needs
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()


def wait_for(path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_a_second_run_into_a_locked_folder_fails_fast_with_exit_4(tmp_path: Path):
    folder = tmp_path / "简报"
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import time
            from pathlib import Path
            from mytool.writing.locking import folder_lock
            with folder_lock(Path({str(folder)!r})):
                Path({str(ready)!r}).touch()
                time.sleep(60)
        """),
        ],
    )
    try:
        wait_for(ready)
        result = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(folder)])
        assert result.exit_code == 4, result.output
        assert "另一个 mytool 正在写入这个文件夹" in result.stderr
        assert list(folder.iterdir()) == []  # the lock is on the folder: no file in it
    finally:
        holder.kill()
        holder.wait()
    again = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(folder)])
    assert again.exit_code == 0, again.output


def test_a_bug_is_exit_5_with_a_report_hint_and_debug_shows_it(monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("mytool.api.rank_report", broken)
    result = runner.invoke(app, ["rank", str(SAMPLE_2023H2)])
    assert result.exit_code == 5
    assert "内部错误：division by zero" in result.stderr and "程序缺陷" in result.stderr
    assert "Traceback" not in result.output
    debug = runner.invoke(app, ["rank", str(SAMPLE_2023H2), "--debug"])
    assert isinstance(debug.exception, ZeroDivisionError)


def test_output_may_not_replace_an_input(tmp_path: Path):
    copy = tmp_path / "报告.xlsx"
    copy.write_bytes(SAMPLE_2023H2.read_bytes())
    result = runner.invoke(app, ["rank", str(copy), "-o", str(copy)])
    assert result.exit_code == 2
    assert "输出文件不能是本次读取的输入文件" in result.stderr
    assert copy.read_bytes() == SAMPLE_2023H2.read_bytes()


def test_unwritable_output_is_exit_3(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(
        app, ["rank", str(SAMPLE_2023H2), "-f", "json", "-o", str(blocker / "r.json")]
    )
    assert result.exit_code == 3, result.output
    assert "无法写入输出" in result.stderr


def test_log_file_records_each_run_with_input_hashes(tmp_path: Path):
    log = tmp_path / "logs" / "mytool.log"
    out = tmp_path / "r.json"
    ok = runner.invoke(
        app, ["--log-file", str(log), "rank", str(SAMPLE_2023H2), "-f", "json", "-o", str(out)]
    )
    assert ok.exit_code == 0
    failed = runner.invoke(
        app, ["rank", str(tmp_path / "缺.xlsx")], env={"MYTOOL_LOG_FILE": str(log)}
    )
    assert failed.exit_code == 2
    first, second = (json.loads(line) for line in log.read_text(encoding="utf-8").splitlines())
    assert first["command"] == "mytool rank" and first["exit_code"] == 0
    assert first["inputs"] == [
        {
            "path": str(SAMPLE_2023H2),
            "sha256": hashlib.sha256(SAMPLE_2023H2.read_bytes()).hexdigest(),
        }
    ]
    assert first["outputs"] == [str(out)]
    assert second["exit_code"] == 2 and second["inputs"] == [] and second["outputs"] == []


KILLABLE = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path

    started = Path(sys.argv[1])
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        started.touch()
        time.sleep(60)
    os.fsync = slow_fsync
    from mytool.cli import main
    sys.argv = ["mytool", *sys.argv[2:]]
    main()
""")


@needs(*WORD, *CHARTS)
def test_a_run_killed_while_writing_leaves_the_previous_outputs_intact(tmp_path: Path):
    folder = tmp_path / "简报"
    first = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(folder)])
    assert first.exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    started = tmp_path / "writing"
    run = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLABLE,
            str(started),
            "brief",
            str(SAMPLE_2023H2),
            "--all",
            "-d",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(started)
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    after = {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and not p.name.endswith(".mytool-tmp")
    }
    assert after == before
    rerun = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(folder)])
    assert rerun.exit_code == 0
    assert not list(folder.glob("*.mytool-tmp"))
