"""Start-up time of `mytool --help` and `mytool rank` on the sample, against two floors.

    python benchmarks/startup.py [--runs 15]

Each command runs in its own process (python -m mytool …). The machine is shared and its load
swings from second to second, so the runs are paired and interleaved (floor, --help, rank,
floor, --help, rank, …): each command's time is divided by the calamine floor timed right
before it, and the median of those per-round ratios is reported, with the median seconds.
The floor is python plus python_calamine reading the same workbook: the least any reader must
do. `python -c pass` (the bare interpreter) is shown for scale. The issue's goal (14, item 7):
`rank` within 5× the calamine floor.
"""

from __future__ import annotations

import argparse
import os
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


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT
    )
    return time.perf_counter() - started


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Each command's (median seconds, median ratio to the floor timed just before it)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    ratios: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            floor = seconds(commands[FLOOR_NAME]) if name != FLOOR_NAME else None
            took = seconds(command)
            times[name].append(took)
            ratios[name].append(took / floor if floor else 1.0)
    return {
        name: (statistics.median(times[name]), statistics.median(ratios[name])) for name in commands
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    for command in COMMANDS.values():  # warm the file and byte-code caches
        subprocess.run(command, check=True, capture_output=True, env=ENVIRONMENT)
    results = measure(COMMANDS, runs)
    print(f"{'':20} {'median s':>9} {'× floor':>8}   ({runs} paired rounds; × floor: median ratio)")
    for name, (median, ratio) in results.items():
        print(f"{name:20} {median:9.3f} {ratio:8.1f}")


if __name__ == "__main__":
    main()
