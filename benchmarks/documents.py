"""`brief --all` in each format against `rank` on the 2023 H2 sample, side by side.

    python benchmarks/documents.py            # a Markdown table on stdout

Each command runs in its own process (Python start-up included), best of `RUNS`; the goal is
`brief --all` in every format, Word included, at most 2× `rank`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "songjiang-2023H2.xlsx"
RUNS = 3
GOAL = 2.0


def best(arguments: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as scratch:
            args = [a.replace("OUT", str(Path(scratch) / "out")) for a in arguments]
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "mytool", *args, "-q"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    cases = [
        ("rank", ["rank", str(SAMPLE)]),
        ("brief --all -f md", ["brief", str(SAMPLE), "--all", "-f", "md", "-d", "OUT"]),
        ("brief --all -f xlsx", ["brief", str(SAMPLE), "--all", "-f", "xlsx", "-d", "OUT"]),
        ("brief --all -f docx", ["brief", str(SAMPLE), "--all", "-f", "docx", "-d", "OUT"]),
        (
            "brief --all -f docx,md,xlsx",
            ["brief", str(SAMPLE), "--all", "-f", "docx,md,xlsx", "-d", "OUT"],
        ),
    ]
    base = None
    print("| 命令 | 用时 (s) | 相对 rank |")
    print("|---|---:|---:|")
    worst = 0.0
    for name, arguments in cases:
        seconds = best(arguments)
        base = base or seconds
        ratio = seconds / base
        if name.startswith("brief"):
            worst = max(worst, ratio)
        print(f"| `{name}` | {seconds:.2f} | {ratio:.2f}× |")
    print(f"\n目标 ≤ {GOAL:g}×：{'达到' if worst <= GOAL else '未达到'}（最慢 {worst:.2f}×）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
