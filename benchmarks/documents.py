"""`brief --all` in each format against `rank` on the 2023 H2 sample, side by side.

    python benchmarks/documents.py [--pairs 5] [--formats docx,md,xlsx docx md xlsx]

Each command runs in its own process (Python start-up included). The runs are paired and
interleaved (rank, brief, rank, brief…, the order alternating), so a busy machine slows both
sides of a pair alike; the table gives the medians and the median of the per-pair ratios.
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


def timed(arguments: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `mytool` run in a fresh process."""
    with tempfile.TemporaryDirectory() as scratch:
        args = [a.replace("OUT", str(Path(scratch) / "out")) for a in arguments]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mytool", *args, "-q"], check=True, stdout=subprocess.DEVNULL
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def paired(brief: list[str], rank: list[str], pairs: int) -> dict[str, float]:
    """Medians of `pairs` interleaved (rank, brief) runs, and of the per-pair ratios."""
    runs: dict[str, list[tuple[float, float]]] = {"rank": [], "brief": []}
    for n in range(pairs):
        order = [("rank", rank), ("brief", brief)]
        for name, arguments in order if n % 2 == 0 else order[::-1]:
            runs[name].append(timed(arguments))
    median = statistics.median
    return {
        "brief": median(w for w, _ in runs["brief"]),
        "rank": median(w for w, _ in runs["rank"]),
        "ratio": median(b[0] / r[0] for b, r in zip(runs["brief"], runs["rank"], strict=True)),
        "brief_cpu": median(c for _, c in runs["brief"]),
        "rank_cpu": median(c for _, c in runs["rank"]),
        "ratio_cpu": median(b[1] / r[1] for b, r in zip(runs["brief"], runs["rank"], strict=True)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="paired runs per format")
    parser.add_argument("--formats", nargs="+", default=["docx,md,xlsx", "md", "xlsx", "docx"])
    args = parser.parse_args()
    rank = ["rank", str(SAMPLE)]
    cores = os.cpu_count()
    print(f"{sys.platform}，{cores} 核；每行与 rank 成对交替运行 {args.pairs} 次，取中位数")
    print("| 命令 | brief (s) | rank (s) | 倍数 | brief CPU (s) | rank CPU (s) | CPU 倍数 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for formats in args.formats:
        brief = ["brief", str(SAMPLE), "--all", "-f", formats, "-d", "OUT"]
        m = paired(brief, rank, args.pairs)
        if "docx" in formats:
            worst = max(worst, m["ratio"])
        print(
            f"| `brief --all -f {formats}` | {m['brief']:.2f} | {m['rank']:.2f} | "
            f"{m['ratio']:.2f}× | {m['brief_cpu']:.2f} | {m['rank_cpu']:.2f} | "
            f"{m['ratio_cpu']:.2f}× |"
        )
    verdict = "达到" if worst <= GOAL else "未达到"
    print(f"\n目标（含 Word）≤ {GOAL:g}× rank：{verdict}（最慢 {worst:.2f}×）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
