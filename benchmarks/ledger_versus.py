"""Paired before/after timing of the `mytool ledger` steps: another checkout of mytool vs this one.

    git archive <old commit> | tar -x -C /tmp/old-mytool
    python benchmarks/ledger_versus.py /tmp/old-mytool --rows 5000 20000 --repeat 3
    python benchmarks/ledger_versus.py /tmp/old-mytool --rows 5000 --steps status --repeat 9

Each step runs in its own process (start-up included) with PYTHONPATH pointing at the old
checkout, then at this one, alternating which goes first; it prints the medians of the wall
and CPU (user + system) times and of the per-pair ratios of each. Inputs are made once, by this
checkout's `init` and `split` (the old code reads them as well), so both sides do the same work.
Wall time on a shared machine swings with the load; CPU time much less. Python may cache
compiled modules (PYTHONDONTWRITEBYTECODE is unset for the runs, as a pip-installed copy has its
.pyc files), and one unmeasured run of each side comes first.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ledger import SAMPLE, edit_returns, write_problems

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path, source: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    # As installed (pip compiles every module to byte code): with PYTHONDONTWRITEBYTECODE set,
    # each checkout would recompile its sources on every run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(source)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} 失败（{done.returncode}）：{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def steps(folder: Path, rows: int) -> dict[str, tuple[list[str], object]]:
    """Step name → (arguments, a function restoring its inputs before each run)."""
    mytool = [sys.executable, "-m", "mytool", "ledger"]
    problems, master = folder / "点位.csv", folder / "台账.xlsx"
    write_problems(problems, rows)
    here = {**os.environ, "PYTHONPATH": str(ROOT)}
    init = [*mytool, "init", str(SAMPLE), "--problems", str(problems), "-o", str(master)]
    subprocess.run([*init, "--force", "-q"], cwd=folder, env=here, check=True)
    copies = folder / "分发"
    split = [*mytool, "split", str(master), "-d", str(copies), "--force", "-q"]
    subprocess.run(split, cwd=folder, env=here, check=True)
    returned = edit_returns(copies)
    pristine = folder / "台账-原样.xlsx"
    shutil.copyfile(master, pristine)

    def restore() -> None:
        shutil.copyfile(pristine, master)
        for backup in folder.glob("台账.备份-*.xlsx"):
            backup.unlink()

    out = folder / "新台账.xlsx"
    status = [*mytool, "status", str(master), "-f", "json", "--as-of", "2024-04-15"]
    return {
        "init": ([*init[:-1], str(out), "--force", "-q"], restore),
        "split": ([*split[:-3], str(folder / "再分发"), "--force", "-q"], restore),
        "status": (status, restore),
        f"merge（{len(returned)} 份）": (
            [*mytool, "merge", str(master), *map(str, returned), "-q"],
            restore,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the other checkout (its folder holding mytool/)")
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--steps", nargs="+", choices=["init", "split", "status", "merge"], help="only these"
    )
    args = parser.parse_args()
    print(
        "| 行数 | 步骤 | 之前 (s) | 之后 (s) | 之后/之前（墙钟） | 之前 CPU (s) | 之后 CPU (s) "
        "| 之后/之前（CPU） |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as temporary:
        for rows in args.rows:
            folder = Path(temporary) / str(rows)
            folder.mkdir()
            for name, (command, restore) in steps(folder, rows).items():
                if args.steps and name.split("（")[0] not in args.steps:
                    continue
                times: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
                for source in (args.old.resolve(), ROOT):  # unmeasured: compiles each side
                    restore()  # type: ignore[operator]
                    timed(command, folder, source)
                for n in range(args.repeat):
                    order = [("old", args.old.resolve()), ("new", ROOT)]
                    for side, source in order if n % 2 == 0 else order[::-1]:
                        restore()  # type: ignore[operator]
                        times[side].append(timed(command, folder, source))
                pairs = list(zip(*times.values(), strict=True))
                ratio = statistics.median(b[0] / a[0] for a, b in pairs)
                cpu_ratio = statistics.median(b[1] / a[1] for a, b in pairs)
                old_wall, new_wall = (statistics.median(t[0] for t in times[s]) for s in times)
                old_cpu, new_cpu = (statistics.median(t[1] for t in times[s]) for s in times)
                print(
                    f"| {rows:,} | {name} | {old_wall:.2f} | {new_wall:.2f} | {ratio:.2f}× "
                    f"| {old_cpu:.2f} | {new_cpu:.2f} | {cpu_ratio:.2f}× |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
