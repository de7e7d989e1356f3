"""Start-up time of `mytool --help` and `mytool rank` on the sample, against two floors.

    python benchmarks/startup.py [--runs 7]

Each command runs in its own process (python -m mytool …), the median of several runs is shown
in seconds and as a ratio to `python -c pass` (the interpreter) and to the calamine floor
(python plus python_calamine reading the same workbook: the least any reader must do).
The issue's goal: `rank` within 5× the calamine floor.
"""

from __future__ import annotations

import argparse
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
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "calamine floor": [sys.executable, "-c", FLOOR],
    "mytool --help": [sys.executable, "-m", "mytool", "--help"],
    "mytool rank": [sys.executable, "-m", "mytool", "rank", str(SAMPLE)],
}


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    subprocess.run(COMMANDS["mytool rank"], check=True, capture_output=True)  # warm the caches
    seconds = {name: median_seconds(command, runs) for name, command in COMMANDS.items()}
    python, floor = seconds["python -c pass"], seconds["calamine floor"]
    print(f"{'':16} {'median s':>9} {'× python':>9} {'× floor':>8}   ({runs} runs each)")
    for name, value in seconds.items():
        print(f"{name:16} {value:9.3f} {value / python:9.1f} {value / floor:8.1f}")


if __name__ == "__main__":
    main()
