"""`brief --all` in each format against `rank` and the import floor, side by side.

    python benchmarks/documents.py [--pairs 5] [--formats docx,md,xlsx docx md xlsx]

Each command runs in its own process (Python start-up included). Three commands are timed in
rounds, interleaved with the order rotating (rank, floor, brief; floor, brief, rank; …), so a
busy machine slows all three of a round alike; the table gives the medians of the times and
of the per-round ratios.

- `rank`: `mytool rank` on the sample, the yardstick of issue 10.
- floor: a bare `python -c "import openpyxl, docxtpl, matplotlib.figure, …backend_agg"`, the
  libraries the issue mandates for Excel, Word and charts, imported and nothing else. No
  `brief` with Word can take less than this plus reading the file.

Wall-clock seconds are what a user waits; CPU seconds (user + system, the chart workers
included) show the work done, which a shared machine does not inflate as much. The goal
(issue 10): `brief --all` in every format, Word included, at most 2× `rank`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "songjiang-2023H2.xlsx"
GOAL = 2.0
FLOOR = "import openpyxl, docxtpl, matplotlib.figure, matplotlib.backends.backend_agg"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one command in a fresh process (children included)."""
    with tempfile.TemporaryDirectory() as scratch:
        args = [a.replace("OUT", str(Path(scratch) / "out")) for a in command]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def rounds(commands: dict[str, list[str]], count: int) -> dict[str, list[tuple[float, float]]]:
    """`count` rounds of every command, the order rotating by one each round."""
    names = list(commands)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for n in range(count):
        shift = n % len(names)
        for name in names[shift:] + names[:shift]:
            runs[name].append(timed(commands[name]))
    return runs


def ratio(runs: dict[str, list[tuple[float, float]]], top: str, bottom: str, part: int) -> float:
    """Median of the per-round ratios top / bottom (part 0: wall, 1: CPU)."""
    return statistics.median(
        t[part] / b[part] for t, b in zip(runs[top], runs[bottom], strict=True)
    )


def mytool(*args: str) -> list[str]:
    return [sys.executable, "-m", "mytool", *args, "-q"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="rounds per format")
    parser.add_argument("--formats", nargs="+", default=["docx,md,xlsx", "md", "xlsx", "docx"])
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"{sys.platform}，{os.cpu_count()} 核，开始时负载 {load:.1f}；每行 rank、导入下限、brief "
        f"轮流交替运行 {args.pairs} 轮，取中位数（倍数为每轮之比的中位数）"
    )
    print(f'导入下限：python -c "{FLOOR}"\n')
    print(
        "| 命令 | brief (s) | rank (s) | 导入下限 (s) | brief/rank | brief/下限 | 下限/rank "
        "| brief CPU (s) | rank CPU (s) | CPU brief/rank |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst, floor_ratio = 0.0, 0.0
    for formats in args.formats:
        runs = rounds(
            {
                "rank": mytool("rank", str(SAMPLE)),
                "floor": [sys.executable, "-c", FLOOR],
                "brief": mytool("brief", str(SAMPLE), "--all", "-f", formats, "-d", "OUT"),
            },
            args.pairs,
        )
        m = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
        c = {k: statistics.median(u for _, u in v) for k, v in runs.items()}
        if "docx" in formats:
            worst = max(worst, ratio(runs, "brief", "rank", 0))
            floor_ratio = max(floor_ratio, ratio(runs, "floor", "rank", 0))
        print(
            f"| `brief --all -f {formats}` | {m['brief']:.2f} | {m['rank']:.2f} | "
            f"{m['floor']:.2f} | {ratio(runs, 'brief', 'rank', 0):.2f}× | "
            f"{ratio(runs, 'brief', 'floor', 0):.2f}× | {ratio(runs, 'floor', 'rank', 0):.2f}× | "
            f"{c['brief']:.2f} | {c['rank']:.2f} | {ratio(runs, 'brief', 'rank', 1):.2f}× |"
        )
    verdict = "达到" if worst <= GOAL else "未达到"
    print(f"\n目标（含 Word）≤ {GOAL:g}× rank：{verdict}（最慢 {worst:.2f}×）")
    print(f"只导入这三个库就要 rank 的 {floor_ratio:.2f} 倍")
    return 0


if __name__ == "__main__":
    sys.exit(main())
