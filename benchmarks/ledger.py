"""Benchmark `mytool ledger` init, split, status and merge against the plain library way.

Run on demand, not in CI:  python benchmarks/ledger.py [--rows 5000 20000] [--repeat 5]

For each size it writes a problem list (CSV, like one exported from another system), then runs
every step in its own process (Python start-up included), paired with its floor and interleaved
(floor, step, floor, step …, the order alternating), and prints medians and the median of the
per-pair ratios, so another job on the machine slows both sides of a pair alike. Python may cache
compiled modules (PYTHONDONTWRITEBYTECODE is unset for the runs, as a pip-installed copy has its
.pyc files), and one unmeasured run of each step and floor comes first:

- init:   `ledger init` vs openpyxl writing the same 17 columns unstyled (Workbook, append, save);
- split:  `ledger split --by department` vs the same plain write of the whole ledger;
- status: `ledger status -f json` vs python-calamine reading the ledger sheet (bare read);
- merge:  `ledger merge` of every returned copy (one per department, a few cells edited in each)
          vs python-calamine reading the master and the copies (bare read of the same files).

Goals (issue 16): init and split ≤ 0.5 ms per row, status ≤ 0.1 ms per row, merge of the
returned copies of a 5k-row ledger ≤ 3 s; ms per row is the step's whole wall time / rows.
Each step's median CPU time (user + system) per row is printed too: on a shared machine the
wall time swings with the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "songjiang-2023H2.xlsx"
GOALS_MS_PER_ROW = {"init": 0.5, "split": 0.5, "status": 0.1}
MERGE_GOAL_S = 3.0  # for the copies of a 5k-row ledger
DESCRIPTIONS = ["楼道口垃圾堆积", "工地围挡破损", "出入口路面泥浆", "路面坑洼积水", "湿垃圾混投"]


def write_problems(path: Path, rows: int, seed: int = 16) -> None:
    from mytool.profile import load_profile

    rnd = random.Random(seed)
    profile = load_profile()
    pairs = [(c.name, item) for c in profile.categories for item in c.items]
    lines = ["街镇,大类,小项,点位地址,问题描述,发现日期"]
    for n in range(rows):
        category, item = rnd.choice(pairs)
        unit = rnd.choice(profile.units).name
        day = f"2023-{rnd.randint(7, 12)}-{rnd.randint(1, 28):02d}"
        lines.append(f"{unit},{category},{item},{unit}某路{n}号,{rnd.choice(DESCRIPTIONS)},{day}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_returns(folder: Path, seed: int = 16) -> list[Path]:
    """Fill in 整改措施 and 状态 on a tenth of each copy's rows, as departments do."""
    import openpyxl

    rnd = random.Random(seed)
    copies = sorted(folder.glob("*.xlsx"))
    for path in copies:
        book = openpyxl.load_workbook(path)
        sheet = book["整改台账"]
        for row in range(3, sheet.max_row + 1):
            if rnd.random() < 0.1:
                sheet.cell(row=row, column=9).value = "已安排清运"
                sheet.cell(row=row, column=13).value = "整改中"
        book.save(path)
    return copies


# -- floors, each run in a child process -----------------------------------------------------


def dump_values(ledger: Path, target: Path) -> None:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(ledger)).get_sheet_by_name("整改台账").to_python()
    target.write_bytes(pickle.dumps(rows))


def plain_write(values: str, target: str) -> None:
    """openpyxl writing the ledger's values unstyled: the plain way to produce the same cells."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in pickle.loads(Path(values).read_bytes()):
        sheet.append(row)
    book.save(target)


def bare_read(*paths: str) -> None:
    from python_calamine import CalamineWorkbook

    for path in paths:
        book = CalamineWorkbook.from_path(path)
        assert book.get_sheet_by_name("整改台账").to_python()


# -- measuring -------------------------------------------------------------------------------


# As installed (pip compiles every module to byte code): with PYTHONDONTWRITEBYTECODE set, an
# editable checkout would recompile mytool's sources on every run.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENVIRONMENT, capture_output=True, text=True)
    spent = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} 失败（{done.returncode}）：{done.stderr}")
    return spent, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired(step: list[str], floor: list[str], cwd: Path, repeat: int):
    """Median wall times of `step` and `floor`, the median of the per-pair ratios, and the
    step's median CPU time.

    One unmeasured run of each comes first: the files are in the page cache and Python's
    compiled modules are written."""
    wall(step, cwd)
    wall(floor, cwd)
    steps: list[float] = []
    floors: list[float] = []
    ratios: list[float] = []
    cpus: list[float] = []
    for n in range(repeat):
        order = [("step", step), ("floor", floor)]
        for kind, command in order if n % 2 == 0 else order[::-1]:
            spent, cpu = wall(command, cwd)
            (steps if kind == "step" else floors).append(spent)
            if kind == "step":
                cpus.append(cpu)
        ratios.append(steps[-1] / floors[-1])
    medians = (statistics.median(values) for values in (steps, floors, ratios, cpus))
    return tuple(medians)


def run(rows: int, folder: Path, repeat: int) -> list[tuple[str, int, float, float, float, float]]:
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    mytool = [sys.executable, "-m", "mytool"]
    problems = folder / "点位问题.csv"
    write_problems(problems, rows)
    master = folder / "台账.xlsx"
    results = []

    init = [*mytool, "ledger", "init", str(SAMPLE), "--problems", str(problems)]
    init += ["-o", str(master), "--force", "-q"]
    wall(init, folder)  # the master every other step reads
    dump_values(master, folder / "values.pickle")
    write_floor = [*me, "write", str(folder / "values.pickle"), str(folder / "plain.xlsx")]
    results.append(("init", rows, *paired(init, write_floor, folder, repeat)))

    copies = folder / "分发"
    split = [*mytool, "ledger", "split", str(master), "-d", str(copies), "--force", "-q"]
    results.append(("split", rows, *paired(split, write_floor, folder, repeat)))

    status = [*mytool, "ledger", "status", str(master), "-f", "json", "--as-of", "2024-04-15"]
    read_floor = [*me, "read", str(master)]
    results.append(("status", rows, *paired(status, read_floor, folder, repeat)))

    returned = edit_returns(copies)
    pristine = folder / "台账-原样.xlsx"
    shutil.copyfile(master, pristine)
    merge_times: list[float] = []
    floor_times: list[float] = []
    ratios, cpus = [], []
    for n in range(repeat):
        shutil.copyfile(pristine, master)
        for backup in folder.glob("台账.备份-*.xlsx"):
            backup.unlink()
        pair = [
            ("merge", [*mytool, "ledger", "merge", str(master), *map(str, returned), "-q"]),
            ("floor", [*me, "read", str(master), *map(str, returned)]),
        ]
        for kind, command in pair if n % 2 == 0 else pair[::-1]:
            spent, cpu = wall(command, folder)
            (merge_times if kind == "merge" else floor_times).append(spent)
            if kind == "merge":
                cpus.append(cpu)
        ratios.append(merge_times[-1] / floor_times[-1])
    results.append(
        (
            f"merge（{len(returned)} 份）",
            rows,
            statistics.median(merge_times),
            statistics.median(floor_times),
            statistics.median(ratios),
            statistics.median(cpus),
        )
    )
    return results


FLOORS = {
    "init": "openpyxl 写同样的值（不设格式）",
    "split": "openpyxl 写同样的值（不设格式）",
    "status": "python-calamine 读台账工作表",
}


def table(results: list[tuple[str, int, float, float, float, float]]) -> str:
    lines = [
        "| 行数 | 步骤 | mytool (s) | 每行 (ms) | 每行 CPU (ms) | 对照 | 对照 (s) "
        "| 倍数（成对中位数） |",
        "|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    for step, rows, mine, floor, ratio, cpu in results:
        floor_name = FLOORS.get(step, "python-calamine 读总台账和各回收表")
        lines.append(
            f"| {rows:,} | {step} | {mine:.2f} | {mine * 1000 / rows:.3f} "
            f"| {cpu * 1000 / rows:.3f} | {floor_name} | {floor:.2f} | {ratio:.2f}× |"
        )
    verdicts = []
    for step, rows, mine, _, _, cpu in results:
        goal = GOALS_MS_PER_ROW.get(step)
        spent = f"{mine * 1000 / rows:.3f} ms/行（CPU {cpu * 1000 / rows:.3f}）"
        if goal:
            verdicts.append(f"{rows:,} 行 {step}：{spent}（目标 ≤ {goal}）")
        elif rows == 5000:
            verdicts.append(
                f"{rows:,} 行 {step}：{mine:.2f} s，CPU {cpu:.2f} s（目标 ≤ {MERGE_GOAL_S}）"
            )
    return "\n".join(lines) + "\n\n" + "\n".join(verdicts)


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        if sys.argv[2] == "write":
            plain_write(sys.argv[3], sys.argv[4])
        else:
            bare_read(*sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=5, help="pairs per step (medians)")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    args = parser.parse_args()
    print(
        f"{sys.platform}，{os.cpu_count()} 核；每步在单独进程中运行（含 Python 启动），"
        f"与对照成对交替运行 {args.repeat} 次，取中位数"
    )
    results = []
    with tempfile.TemporaryDirectory() as temporary:
        for rows in args.rows:
            folder = (args.keep or Path(temporary)) / f"{rows}"
            folder.mkdir(parents=True, exist_ok=True)
            results.extend(run(rows, folder, args.repeat))
    print(table(results))


if __name__ == "__main__":
    main()
