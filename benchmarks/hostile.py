"""Time and peak memory of every hostile input in the test catalogues, each in its own process.

    python benchmarks/hostile.py            # a Markdown table on stdout

The bound we promise is under 1 GB of resident memory and under 60 s per input on a 2-core
machine; the last line says whether every case held it. The peak is the largest resident size
of the command and of any child it started (the isolated reader), from wait4's rusage.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_hostile  # noqa: E402  (the catalogue lives beside the tests)
import test_hostile_faults  # noqa: E402

LIMIT_KB = 1024 * 1024
LIMIT_SECONDS = 60.0


def measure(arguments: list[str], env: dict[str, str] | None = None) -> tuple[int, float, int]:
    """(exit code, seconds, peak RSS in KB) of `python -m mytool ARGUMENTS`.

    GNU time reports the largest resident size of the command and its reaped children; a
    fork from this (larger) Python process would count our own memory instead.
    """
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "mytool", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=LIMIT_SECONDS * 2,
    )
    seconds = time.perf_counter() - started
    return result.returncode, seconds, int(result.stderr.strip().splitlines()[-1])


def cases(folder: Path) -> list[tuple[str, list[str], dict[str, str]]]:
    """(name, arguments, environment) of every hostile input, built into `folder`."""
    found = []
    for case in test_hostile.REFUSED:
        path = folder / case.id / case.name
        path.parent.mkdir()
        path.write_bytes(case.build())
        found.append((f"rank {case.id}", ["rank", str(path)], {}))
    for spelling, xml in test_hostile_faults.FAR_SPELLINGS.items():
        from hostile_files import xlsx_bytes

        path = folder / f"far-{spelling}.xlsx"
        path.write_bytes(xlsx_bytes({"整改台账": xml}))
        found.append((f"ledger status far cell, {spelling}", ["ledger", "status", str(path)], {}))
        found.append((f"rank far cell, {spelling}", ["rank", str(path)], {}))
    one_line = folder / "one-line.csv"
    with one_line.open("wb") as stream:
        for _ in range(200):
            stream.write(b"a," * 500_000)
    found.append(("rank 200 MB one-line CSV", ["rank", str(one_line)], {}))
    found.append(("aggregate 200 MB one-line CSV", ["aggregate", str(one_line)], {}))
    wide = folder / "wide.csv"
    wide.write_text("街镇," + ",".join("1" for _ in range(1_000_000)) + "\n", encoding="utf-8")
    found.append(("rank million-column CSV", ["rank", str(wide)], {}))
    fifo = folder / "fifo.xlsx"
    os.mkfifo(fifo)
    found.append(("rank FIFO", ["rank", str(fifo)], {}))
    sample = str(ROOT / "data" / "samples" / "songjiang-2023H2.xlsx")
    found.append(
        ("rank with MYTOOL_PROFILE a FIFO", ["rank", sample], {"MYTOOL_PROFILE": str(fifo)})
    )
    for case in test_hostile.BAD_PROFILES:
        folder_of_case = folder / f"profile-{case.id}"
        folder_of_case.mkdir()
        found.append(
            (
                f"rank with profile {case.id}",
                ["rank", sample, "-p", str(case.build(folder_of_case))],
                {},
            )
        )
    for case, text, _ in test_hostile.RUNAWAY_TEMPLATES:
        templates = folder / f"template-{case}"
        templates.mkdir()
        (templates / "unit_brief.md.j2").write_text(text, encoding="utf-8")
        out = str(folder / f"out-{case}")
        arguments = ["brief", sample, "--template-dir", str(templates), "-d", out]
        found.append((f"brief with template {case}", arguments, {}))
    for device in ("/dev/zero", "/dev/urandom"):
        found.append((f"rank {device}", ["rank", device], {}))
    return found


def main() -> None:
    print("| 输入 | 退出码 | 用时 (s) | 峰值内存 (MB) |")
    print("|---|---:|---:|---:|")
    worst_seconds, worst_kb = 0.0, 0
    with tempfile.TemporaryDirectory() as temporary:
        for name, arguments, env in cases(Path(temporary)):
            code, seconds, kb = measure(arguments, env)
            worst_seconds, worst_kb = max(worst_seconds, seconds), max(worst_kb, kb)
            print(f"| {name} | {code} | {seconds:.2f} | {kb / 1024:.0f} |", flush=True)
    held = worst_kb < LIMIT_KB and worst_seconds < LIMIT_SECONDS
    print(
        f"\n最长 {worst_seconds:.2f} s，最大 {worst_kb / 1024:.0f} MB："
        + ("全部在 1 GB、60 s 以内" if held else "有输入超出 1 GB 或 60 s")
    )


if __name__ == "__main__":
    main()
