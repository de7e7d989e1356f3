"""`brief --all` in each format against `rank` and the import floor, side by side.

    python benchmarks/documents.py [--pairs 5] [--formats docx,md,xlsx docx md xlsx]
    python benchmarks/documents.py --phases [--pairs 3]

Each command runs in its own process (Python start-up included). Three commands are timed in
rounds, interleaved with the order rotating (rank, floor, brief; floor, brief, rank; …), so a
busy machine slows all three of a round alike; the table gives the medians of the times and
of the per-round ratios.

- `rank`: `mytool rank` on the sample, the yardstick of issue 10.
- floor: a bare `python -c "import openpyxl, docxtpl, matplotlib.figure, …backend_agg"`, the
  libraries the issue mandates for Excel, Word and charts, imported and nothing else. No
  `brief` with Word can take less than this plus reading the file.

`--phases` instead times the parts of `brief --all -f docx,md,xlsx` in this process, in CPU
seconds: each import once, each rendering step first (compiling, caches) and then the least of
`--pairs` repeats, and the 18 charts drawn one after another (a run draws them in two worker
processes beside the rest).

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


def phases(repeats: int) -> None:
    """CPU seconds of each part of `brief --all -f docx,md,xlsx`, measured in this process."""
    import datetime as dt
    import importlib

    made: list[object] = []

    def cpu(make) -> float:
        started = time.process_time()
        made.append(make())
        return time.process_time() - started

    day = dt.date(2024, 3, 1)
    rows = [("import mytool.api", cpu(lambda: importlib.import_module("mytool.api")), None)]
    from mytool.api import brief_files
    from mytool.profile import load_profile

    profile = load_profile()
    rows.append(("读取并分析", cpu(lambda: brief_files(SAMPLE, profile, everyone=True)), None))
    briefs = made[-1]
    for module in ("openpyxl", "docxtpl", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        rows.append((f"import {module}", cpu(lambda m=module: importlib.import_module(m)), None))
    from mytool.render.brief_md import markdown_files
    from mytool.render.brief_xlsx import briefs_workbook
    from mytool.render.docx_brief import chart_jobs, document_files

    jobs = chart_jobs(briefs, profile)
    steps = {
        f"{len(jobs)} 张图（PNG + SVG，依次画）": lambda: [d(**a) for d, a in jobs],
        "Markdown": lambda: markdown_files(briefs, profile, None, day, True),
        "工作簿 xlsx": lambda: briefs_workbook(briefs, profile),
        f"Word {len(jobs) + 7} 份（图已画好）": lambda: document_files(
            briefs, profile, as_of=day, charts=charts
        ),
    }
    charts: object = None
    for name, make in steps.items():
        first = cpu(make)
        charts = charts or made[-1]
        rows.append((name, first, min(cpu(make) for _ in range(repeats))))
    print(f"{sys.platform}，{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.1f}；本进程 CPU 秒")
    print("| 部分 | 首次 (s) | 重复最少 (s) |\n|---|---:|---:|")
    for name, first, least in rows:
        print(f"| {name} | {first:.3f} | {'' if least is None else f'{least:.3f}'} |")


def mytool(*args: str) -> list[str]:
    return [sys.executable, "-m", "mytool", *args, "-q"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="rounds per format")
    parser.add_argument("--formats", nargs="+", default=["docx,md,xlsx", "md", "xlsx", "docx"])
    parser.add_argument("--phases", action="store_true", help="CPU of each part, in-process")
    args = parser.parse_args()
    if args.phases:
        phases(args.pairs)
        return 0
    load = os.getloadavg()[0]
    print(
        f"{sys.platform}，{os.cpu_count()} 核，开始时负载 {load:.1f}；每行 rank、导入下限、brief "
        f"轮流交替运行 {args.pairs} 轮，取中位数（倍数为每轮之比的中位数）"
    )
    print(f'导入下限：python -c "{FLOOR}"\n')
    print(
        "| 命令 | brief (s) | rank (s) | 下限 (s) | brief/rank | brief/下限 | 下限/rank "
        "| CPU brief (s) | CPU rank (s) | CPU 下限 (s) | CPU brief/rank | CPU 下限/rank |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
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
            f"{c['brief']:.2f} | {c['rank']:.2f} | {c['floor']:.2f} | "
            f"{ratio(runs, 'brief', 'rank', 1):.2f}× | {ratio(runs, 'floor', 'rank', 1):.2f}× |"
        )
    verdict = "达到" if worst <= GOAL else "未达到"
    print(f"\n目标（含 Word）≤ {GOAL:g}× rank：{verdict}（最慢 {worst:.2f}×）")
    print(f"只导入这三个库就要 rank 的 {floor_ratio:.2f} 倍")
    return 0


if __name__ == "__main__":
    sys.exit(main())
