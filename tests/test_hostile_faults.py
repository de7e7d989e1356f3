"""Hostile catalogue, round 2: races, kills, special files and an output folder turned against
its owner. Each test builds its own situation and checks what the user would see."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import pytest
from conftest import CHARTS, LXML, SAMPLE_2023H2, WORD, needs
from test_ledger import PROBLEMS, write_problems
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()


def mytool(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI in a child process, as cron would."""
    return subprocess.run(
        [sys.executable, "-m", "mytool", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --------------------------------------------------------------------------------------------
# Ledger merges that cannot lose an edit


def split_and_edit(tmp_path: Path) -> tuple[Path, dict[str, str], list[Path]]:
    """A master ledger, one copy per unit, each copy's 整改措施 filled with a unique text."""
    problems = write_problems(tmp_path)
    master = tmp_path / "台账.xlsx"
    assert (
        runner.invoke(
            app,
            ["ledger", "init", str(SAMPLE_2023H2), "--problems", str(problems), "-o", str(master)],
        ).exit_code
        == 0
    )
    out = tmp_path / "分发"
    split = runner.invoke(
        app, ["ledger", "split", str(master), "--by", "unit", "--output-dir", str(out)]
    )
    assert split.exit_code == 0, split.output
    expected: dict[str, str] = {}
    copies = sorted(out.glob("*.xlsx"))
    for copy in copies:
        book = openpyxl.load_workbook(copy)
        sheet = book["整改台账"]
        header = [c.value for c in sheet[2]]
        for row in range(3, sheet.max_row + 1):
            entry = sheet.cell(row, 1).value
            if entry:
                text = f"措施-{copy.stem}-{entry}"
                sheet.cell(row, header.index("整改措施") + 1).value = text
                expected[entry] = text
        book.save(copy)
    assert len(expected) == len(PROBLEMS) - 1
    return master, expected, copies


def measures(master: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(master)["整改台账"]
    header = [c.value for c in sheet[2]]
    column = header.index("整改措施") + 1
    return {
        sheet.cell(r, 1).value: sheet.cell(r, column).value
        for r in range(3, sheet.max_row + 1)
        if sheet.cell(r, 1).value
    }


@pytest.mark.parametrize("parallel", [2, 5])
@needs(*LXML)
def test_concurrent_merges_keep_every_edit_and_back_up_each_merge(parallel: int, tmp_path):
    master, expected, copies = split_and_edit(tmp_path)
    chosen = copies[:parallel]
    wanted = {k: v for k, v in expected.items() if any(c.stem in v for c in chosen)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "mytool", "ledger", "merge", str(master), str(copy)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for copy in chosen
    ]
    outcomes = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    for p in processes:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in outcomes] == [0] * parallel, outcomes
    found = measures(master)
    assert {k: found[k] for k in wanted} == wanted
    backups = sorted(tmp_path.glob("台账.备份-*.xlsx"))
    assert len(backups) == parallel, [b.name for b in backups]


@needs(*LXML)
def test_a_merge_waiting_too_long_for_the_folder_is_exit_4(tmp_path, monkeypatch):
    master, _, copies = split_and_edit(tmp_path)
    monkeypatch.setattr("mytool.ledger.merge_files.MERGE_WAIT", 0.3)
    # The lock is re-entrant within a process, so another process holds it.
    code = (
        "import time\nfrom pathlib import Path\nfrom mytool.writing.locking import folder_lock\n"
        f"with folder_lock(Path({str(master.parent)!r})):\n"
        "    print('held', flush=True)\n    time.sleep(20)\n"
    )
    other = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        before = master.read_bytes()
        result = runner.invoke(app, ["ledger", "merge", str(master), str(copies[0])])
        assert result.exit_code == 4, result.output
        assert "另一个 mytool 正在写入这个文件夹" in result.stderr
        assert master.read_bytes() == before
    finally:
        other.kill()
        other.wait()
        other.stdout.close()


# --------------------------------------------------------------------------------------------
# Special files: FIFOs, devices, symlink loops, planted lock files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_input_is_refused_at_once(tmp_path):
    fifo = tmp_path / "测评结果.xlsx"
    os.mkfifo(fifo)
    result = mytool("rank", fifo, timeout=20)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "错误：测评结果.xlsx：这是命名管道（FIFO），不是普通文件，已拒绝读取"
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_devices_are_refused_at_once(device):
    if not Path(device).exists():
        pytest.skip(f"{device} is absent")
    result = mytool("rank", device, timeout=20)
    assert result.returncode == 2
    name = Path(device).name
    assert result.stderr.strip() == f"错误：{name}：这是设备文件，不是普通文件，已拒绝读取"


def test_a_symlink_loop_says_so(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.symlink_to(b)
    b.symlink_to(a)
    result = runner.invoke(app, ["rank", str(a)])
    assert result.exit_code == 2
    assert "符号链接循环" in result.stderr
    assert "不存在" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_output_into_a_fifo_goes_through_it_and_leaves_it_a_fifo(tmp_path):
    fifo = tmp_path / "管道"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = mytool("rank", SAMPLE_2023H2, "-f", "json", "-o", fifo, timeout=60)
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert json.loads(received[0])["period"] == "2023H2"
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["管道"]


def test_output_onto_a_character_device_is_written_through(tmp_path):
    null = Path(os.devnull)
    before = null.stat()
    result = mytool("rank", SAMPLE_2023H2, "-f", "json", "-o", null)
    assert result.returncode == 0, result.stderr
    after = null.stat()
    assert (after.st_ino, after.st_mode, after.st_rdev) == (
        before.st_ino,
        before.st_mode,
        before.st_rdev,
    )


def test_a_planted_lock_symlink_is_not_followed(tmp_path):
    folder = tmp_path / "简报"
    folder.mkdir()
    outside = tmp_path / "外面"
    outside.mkdir()
    (folder / ".mytool.lock").symlink_to(outside / "被创建的文件")
    result = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(folder)])
    assert result.exit_code == 0, result.output
    assert list(outside.iterdir()) == []
    assert (folder / ".mytool.lock").is_symlink()  # not ours: left as it was


def test_no_lock_file_is_left_in_the_output_folder(tmp_path):
    out = tmp_path / "结果"
    result = runner.invoke(
        app, ["rank", str(SAMPLE_2023H2), "-f", "json", "-o", str(out / "r.json")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["r.json"]


def test_a_bidi_override_in_a_unit_name_never_reaches_a_file_name(tmp_path):
    book = openpyxl.load_workbook(SAMPLE_2023H2)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "九亭镇":
                cell.value = "九亭镇\u202egpj.exe"
    source = tmp_path / "报告.xlsx"
    book.save(source)
    out = tmp_path / "简报"
    result = runner.invoke(app, ["brief", str(source), "-f", "both", "--all", "-d", str(out)])
    assert result.exit_code == 0, result.output
    names = [p.name for p in out.iterdir()]
    assert names and not any("\u202e" in n or "\u202d" in n for n in names)
    assert all(name.isprintable() for name in names)


def copy_sample(tmp_path: Path) -> Path:
    target = tmp_path / "songjiang-2023H2.xlsx"
    shutil.copyfile(SAMPLE_2023H2, target)
    return target


# --------------------------------------------------------------------------------------------
# The brief folder: all or none for the set, a manifest that is only a claim


def tool_files(folder: Path) -> dict[str, bytes]:
    """What a reader sees of the tool's set: its file names, and the Markdown texts (a workbook
    carries the time it was written, so only its name is compared)."""
    return {
        p.name: p.read_bytes() if p.suffix == ".md" else b""
        for p in folder.iterdir()
        if p.is_file() and p.name.startswith(("2023H2", "2024H1"))
    }


def test_an_edited_manifest_cannot_make_a_run_delete_other_files(tmp_path):
    out = tmp_path / "简报"
    assert (
        runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(out)]).exit_code
        == 0
    )
    contract = out / "重要合同.docx"
    contract.write_bytes(b"contract")
    outside = tmp_path / "外面.txt"
    outside.write_text("keep", encoding="utf-8")
    manifest = out / ".mytool-brief.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"]["重要合同.docx"] = "0" * 64  # a claim with the wrong content hash
    data["files"]["../外面.txt"] = "0" * 64  # a path outside the folder
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-u", "九亭", "-d", str(out)]
    )
    assert again.exit_code == 0, again.output
    assert contract.read_bytes() == b"contract"
    assert outside.read_text(encoding="utf-8") == "keep"


def test_a_rerun_removes_only_its_own_unchanged_files(tmp_path):
    out = tmp_path / "简报"
    assert (
        runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-d", str(out)]).exit_code
        == 0
    )
    edited = out / "2023H2-新桥镇-整改提升简报.md"
    edited.write_text("我改过的简报", encoding="utf-8")
    stale = out / "2023H2-叶榭镇-整改提升简报.md"
    assert stale.exists()
    again = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-f", "both", "-u", "九亭", "-d", str(out)]
    )
    assert again.exit_code == 0, again.output
    assert not stale.exists()  # the tool's own, unchanged: replaced by the new set
    assert edited.read_text(encoding="utf-8") == "我改过的简报"  # changed by a person: kept


@pytest.mark.skipif(sys.platform != "linux", reason="the folder swap is Linux's renameat2")
def test_brief_killed_at_random_moments_leaves_the_old_or_the_new_set(tmp_path):
    import random
    import signal
    import time

    from conftest import SAMPLE_2024H1

    out = tmp_path / "简报"
    first = mytool("brief", SAMPLE_2023H2, "-f", "both", "--all", "-d", out)
    assert first.returncode == 0, first.stderr
    (out / "重要合同.docx").write_bytes(b"contract")
    old = tool_files(out)
    reference = tmp_path / "新"
    assert mytool("brief", SAMPLE_2024H1, "-f", "both", "--all", "-d", reference).returncode == 0
    new = tool_files(reference)
    assert old and new and set(old) != set(new)
    rng = random.Random(20261201)
    seen = set()
    for _ in range(5):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mytool",
                "brief",
                str(SAMPLE_2024H1),
                "-f",
                "both",
                "--all",
                "-d",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(1.5, 3.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tool_files(out)
        assert now in (old, new), sorted(now)
        seen.add("new" if now == new else "old")
        assert (out / "重要合同.docx").read_bytes() == b"contract"
        if now == new:  # start again from the old set
            shutil.rmtree(out)
            assert mytool("brief", SAMPLE_2023H2, "-f", "both", "--all", "-d", out).returncode == 0
            (out / "重要合同.docx").write_bytes(b"contract")
    final = mytool("brief", SAMPLE_2024H1, "-f", "both", "--all", "-d", out)
    assert final.returncode == 0, final.stderr
    assert tool_files(out) == new
    assert (out / "重要合同.docx").read_bytes() == b"contract"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".mytool")] == []


# --------------------------------------------------------------------------------------------
# The pre-scan reads XML as XML: any quote style, any prefix, on every path (ledgers too)

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LEDGER_HEAD = (
    '<row r="2"><c r="A2" t="inlineStr"><is><t>编号</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>街镇</t></is></c>'
    '<c r="C2" t="inlineStr"><is><t>状态</t></is></c></row>'
)
FAR_SPELLINGS = {
    "single-quotes": f'<worksheet xmlns="{NS}"><sheetData>{LEDGER_HEAD}'
    "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row></sheetData></worksheet>",
    "x-prefix": f'<x:worksheet xmlns:x="{NS}"><x:sheetData>{LEDGER_HEAD.replace("<", "<x:")}'
    '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
    "</x:sheetData></x:worksheet>".replace("<x:/", "</x:"),
    "spaces-around-equals": f'<worksheet xmlns="{NS}"><sheetData>{LEDGER_HEAD}'
    '<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    "newline-before-attribute": f'<worksheet xmlns="{NS}"><sheetData>{LEDGER_HEAD}'
    '<row\nr="1048576"><c\nr="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    "lower-case-reference": f'<worksheet xmlns="{NS}"><sheetData>{LEDGER_HEAD}'
    '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row></sheetData></worksheet>',
    "single-quoted-dimension": f"<worksheet xmlns=\"{NS}\"><dimension ref='A1:XFD1048576'/>"
    f"<sheetData>{LEDGER_HEAD}</sheetData></worksheet>",
    "character-reference": f'<worksheet xmlns="{NS}"><sheetData>{LEDGER_HEAD}'
    '<row r="3"><c r="&#88;FD3"><v>1</v></c></row></sheetData></worksheet>',
}


@pytest.mark.parametrize("spelling", FAR_SPELLINGS, ids=str)
@pytest.mark.parametrize("command", ["rank", "ledger status"])
def test_far_cells_in_any_xml_spelling_are_refused_before_parsing(spelling, command, tmp_path):
    from hostile_files import xlsx_bytes

    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx_bytes({"整改台账": FAR_SPELLINGS[spelling]}))
    assert path.stat().st_size < 6000
    result = mytool(*command.split(), path, timeout=60)
    assert result.returncode == 2, (result.returncode, result.stderr)
    message = result.stderr.strip()
    assert message.startswith("错误：台账.xlsx：") and "已拒绝读取" in message, message
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------------------------
# Bounds on the text paths: long lines, wide rows, floods of notes


def peak_run(*args: object) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run the CLI under a 3 GB address-space cap; return the result and peak RSS in KB."""
    code = (
        "import resource, sys, runpy\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))\n"
        "sys.argv = ['mytool', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('mytool', run_name='__main__')\n"
        "finally:\n"
        "    print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=60
    )
    peak = int(result.stderr.rsplit("peak ", 1)[1].split()[0])  # kilobytes on Linux
    return result, peak


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in kilobytes is Linux's")
@pytest.mark.parametrize("command", ["rank", "aggregate"])
def test_a_huge_one_line_csv_is_refused_quickly_and_cheaply(command, tmp_path):
    path = tmp_path / "一行.csv"
    with path.open("wb") as stream:
        for _ in range(50):
            stream.write(b"a," * 500_000)
    result, peak = peak_run(command, path)
    assert result.returncode == 2
    assert "错误：一行.csv：第 1 行超过 1 MB，不是正常的表格文本，已拒绝读取" in result.stderr
    assert peak < 1024 * 1024  # under 1 GB


def test_a_million_column_csv_is_refused(tmp_path):
    path = tmp_path / "宽.csv"
    path.write_text("街镇," + ",".join("1" * 1 for _ in range(400_000)) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["rank", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "错误：宽.csv：第 1 行有 400001 列，超过 16384 列的限制（Excel 的上限），已拒绝读取"
    )


def test_many_unused_columns_print_ten_notes_and_one_summary(tmp_path):
    path = tmp_path / "多列.csv"
    header = ["街镇", "综合满意度", *(f"附加{i}" for i in range(300))]
    rows = [",".join(header)]
    for unit, score in (("九亭镇", "71.84"), ("新桥镇", "80.25")):
        rows.append(",".join([unit, score, *("1" for _ in range(300))]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["rank", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    unused = [line for line in result.stderr.splitlines() if "未使用" in line]
    assert len(unused) == 10
    assert "提示：另有 290 条同类提示未列出（用 mytool validate 查看全部）" in result.stderr


def _pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_the_reader_child_dies_with_its_parent_under_timeout(tmp_path):
    import signal
    import time

    pid_file = tmp_path / "child.pid"
    code = (
        "import os, time\nfrom pathlib import Path\n"
        "from mytool.reading.guard import Limits\n"
        "from mytool.reading.isolation import run_isolated\n"
        "def stuck(path):\n"
        "    Path(path).write_text(str(os.getpid()))\n"
        "    time.sleep(600)\n"
        f"run_isolated(stuck, {str(pid_file)!r}, name='x', limits=Limits(seconds=600))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pid_file.read_text())
    assert _pid_alive(child)
    parent.send_signal(signal.SIGTERM)  # what `timeout` sends
    parent.wait(10)
    deadline = time.monotonic() + 10
    while _pid_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _pid_alive(child)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 200 KB tmpfs, where this machine lets the tests mount one (root on Linux)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_is_exit_3_and_leaves_nothing_half_written(tiny_disk):
    (tiny_disk / "占位").write_bytes(b"\0" * 190 * 1024)
    target = tiny_disk / "排名.json"
    result = runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "json", "-o", str(target)])
    assert result.exit_code == 3
    assert result.stderr.strip() == f"错误：{target}：无法写入输出文件（磁盘空间不足）"
    brief = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-f", "both", "--all", "-d", str(tiny_disk / "简报")]
    )
    assert brief.exit_code == 3
    assert "磁盘空间不足" in brief.stderr
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["占位"]


@needs(*WORD, *CHARTS)
def test_a_folder_that_is_not_the_tools_own_is_written_file_by_file(tmp_path):
    """A folder with subfolders (a user's working folder) keeps its inode: it is never swapped."""
    out = tmp_path / "我的文件夹"
    (out / "项目").mkdir(parents=True)
    (out / "项目" / "计划.docx").write_bytes(b"plan")
    assert runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-d", str(out)]).exit_code == 0
    before = (out.stat().st_ino, (out / "项目").stat().st_ino)
    again = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-u", "九亭", "-d", str(out)])
    assert again.exit_code == 0, again.output
    assert (out.stat().st_ino, (out / "项目").stat().st_ino) == before
    assert (out / "项目" / "计划.docx").read_bytes() == b"plan"
    assert not (out / "2023H2-叶榭镇-整改提升简报.md").exists()  # its own stale file: removed


@pytest.mark.skipif(sys.platform != "linux", reason="the folder swap is Linux's renameat2")
@needs(*WORD, *CHARTS)
def test_the_tools_own_folder_is_swapped_whole(tmp_path):
    out = tmp_path / "简报"
    assert runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-d", str(out)]).exit_code == 0
    before = out.stat().st_ino
    assert runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-d", str(out)]).exit_code == 0
    assert out.stat().st_ino != before  # a new folder, swapped in at once


def test_a_csv_with_bare_carriage_returns_is_read(tmp_path):
    """Excel for Mac's "CSV (Macintosh)" ends lines with a bare \\r; csv.reader alone refuses it."""
    path = tmp_path / "报告.csv"
    path.write_bytes("街镇,综合满意度\r九亭镇,71.84\r新桥镇,80.25\r".encode())
    result = runner.invoke(app, ["rank", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    units = {u["unit"]: (u["score"], u["rank"]) for u in json.loads(result.stdout)["units"]}
    assert units == {"新桥镇": (80.25, 1), "九亭镇": (71.84, 2)}
