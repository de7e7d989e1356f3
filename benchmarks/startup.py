"""Start-up time of `mytool --help` and `mytool rank` on the sample, against two floors.

    python benchmarks/startup.py [--runs 15]

Each command runs in its own process (python -m mytool …). The machine is shared and its load
swings from second to second, so the runs are paired and interleaved (floor, --help, rank,
floor, --help, rank, …): each command's time is divided by the calamine floor timed right
before it, and the median of those per-round ratios is reported, with the median seconds.
The same is reported for CPU time (user + system, the reader's child included), which the
other work on a shared machine disturbs far less than wall time.
The floor is python plus python_calamine reading the same workbook: the least any reader must
do. `python -c pass` (the bare interpreter) is shown for scale. The issue's goal (14, item 7):
`rank` within 5× the calamine floor.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "songjiang-2023H2.xlsx"
FLOOR = (
    "from python_calamine import CalamineWorkbook\n"
    f"book = CalamineWorkbook.from_path({str(SAMPLE)!r})\n"
    "[book.get_sheet_by_name(n).to_python() for n in book.sheet_names]\n"
)
FLOOR_NAME = "calamine floor"
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    FLOOR_NAME: [sys.executable, "-c", FLOOR],
    "mytool --help": [sys.executable, "-m", "mytool", "--help"],
    "mytool rank": [sys.executable, "-m", "mytool", "rank", str(SAMPLE)],
    "mytool rank -f json": [sys.executable, "-m", "mytool", "rank", str(SAMPLE), "-f", "json"],
}


# As installed (pip compiles every module to byte code): an editable checkout run with
# PYTHONDONTWRITEBYTECODE would compile mytool's sources on every run instead.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


Row = tuple[float, float, float, float]  # median wall s, × floor, median CPU s, × floor


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, Row]:
    """Each command's medians, in wall and CPU time, of its seconds and of its ratio to the
    floor timed just before it."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    ratios: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            floor = seconds(commands[FLOOR_NAME]) if name != FLOOR_NAME else None
            took = seconds(command)
            times[name].append(took)
            ratios[name].append((took[0] / floor[0], took[1] / floor[1]) if floor else (1.0, 1.0))
    return {
        name: (
            statistics.median(t[0] for t in times[name]),
            statistics.median(r[0] for r in ratios[name]),
            statistics.median(t[1] for t in times[name]),
            statistics.median(r[1] for r in ratios[name]),
        )
        for name in commands
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    for command in COMMANDS.values():  # warm the file and byte-code caches
        subprocess.run(command, check=True, capture_output=True, env=ENVIRONMENT)
    results = measure(COMMANDS, runs)
    print(f"{runs} paired rounds; × floor is the median of the per-round ratios")
    print(f"{'':20} {'wall s':>8} {'× floor':>8} {'CPU s':>8} {'× floor':>8}")
    for name, (wall, wall_ratio, cpu, cpu_ratio) in results.items():
        print(f"{name:20} {wall:8.3f} {wall_ratio:8.1f} {cpu:8.3f} {cpu_ratio:8.1f}")


if __name__ == "__main__":
    main()
