"""Benchmark `mytool aggregate` against the fastest bare read of the same export (the floor).

Run on demand, not in CI:  python benchmarks/aggregate.py [--rows 100000 500000] [--repeat 5]
                           [--formats xlsx csv] [--keep DIR] [--plain]

For each size it writes a questionnaire export like a 问卷星 one (序号, 提交答卷时间, 所用时间,
来源, 来源详情, 来自IP, the unit, sex, age, 35 label questions, a suggestion; shared strings as
Excel writes them), as .xlsx and as CSV (UTF-8 with BOM, as 问卷星 downloads it). Each variant
runs in its own process, Python start-up included; a wrapper process reports its wall time, CPU
time (user + system of it and every process it waited for: the isolated reader included) and
peak memory (the largest ru_maxrss among them). One unmeasured run of each comes first, so the file
is in the page cache and Python's compiled modules are cached (PYTHONDONTWRITEBYTECODE is unset
for the runs, as a pip-installed copy has its .pyc files).

mytool (the CLI, JSON written to a file) runs paired with its floor, interleaved (floor, mytool,
mytool, floor, … the order alternating), so another job on the machine slows both sides of a pair
alike; the script prints medians and the median of the per-pair ratios, with their spread:

- .xlsx floor: fastexcel reading the sheet into a pandas DataFrame (`load_sheet(0).to_pandas()`);
- CSV floor:   pandas.read_csv(engine="pyarrow") on the same file.

With --plain it also times, once, what an analyst would write (pandas.read_excel with openpyxl,
labels mapped per column, groupby) and pandas.read_excel(engine="calamine").
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

ITEM_COLUMNS = 35
LABELS = ["非常满意", "满意", "一般", "不满意", "非常不满意", "不了解", "(跳过)"]
LABEL_WEIGHTS = [30, 35, 18, 8, 4, 4, 1]
SUGGESTIONS = ["小区垃圾清运不及时", "希望增加公厕", "非机动车乱停放", "道路保洁很好", None, None]
# issue 16: mytool / floor, medians of paired runs
GOALS = {
    "xlsx": {"wall": 1.2, "cpu": 1.4, "memory": 1.25},
    "csv": {"wall": 1.5},
}

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
OOXML = "http://schemas.openxmlformats.org"
MAIN = f"{OOXML}/spreadsheetml/2006/main"
RELS = f"{OOXML}/package/2006/relationships"
DOC_RELS = f"{OOXML}/officeDocument/2006/relationships"
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml"
STATIC_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{OOXML}/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{MIME}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{MIME}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{MIME}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


# -- generating an export -----------------------------------------------------------------


def column_letter(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def export_header() -> tuple[list[str], list[str]]:
    """The header row and the unit spellings respondents pick from."""
    from mytool.profile import load_profile

    profile = load_profile()
    items = [item for category in profile.categories for item in category.items][:ITEM_COLUMNS]
    questions = [f"{n + 4}、您对{item}的满意程度：" for n, item in enumerate(items)]
    header = [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、您所在的街镇：",
        "2、您的性别：",
        "3、您的年龄段：",
        *questions,
        f"{len(questions) + 4}、您对市容环境还有什么意见和建议？",
    ]
    units = [u.name for u in profile.units] + [u.short for u in profile.units]
    return header, units


def export_rows(rows: int, seed: int = 2023) -> Iterator[list[object]]:
    """The header, then `rows` respondents (deterministic for a seed)."""
    rnd = random.Random(seed)
    header, units = export_header()
    yield list(header)
    for r in range(1, rows + 1):
        yield [
            r,
            f"2023/11/{rnd.randint(1, 30)} {rnd.randint(8, 22)}:{rnd.randint(10, 59)}",
            f"{rnd.randint(60, 900)}秒",
            "手机提交",
            "直接访问",
            f"101.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.1(上海-上海)",
            rnd.choice(units),
            rnd.choice(["男", "女"]),
            rnd.choice(["18-30岁", "31-45岁", "46-60岁", "60岁以上"]),
            *rnd.choices(LABELS, LABEL_WEIGHTS, k=ITEM_COLUMNS),
            rnd.choice(SUGGESTIONS),
        ]


def write_export(path: Path, rows: int, seed: int = 2023) -> None:
    """A minimal but real .xlsx (shared strings, one sheet), streamed to keep memory flat."""
    strings: dict[str, int] = {}

    def cell(ref: str, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, int):
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    letters = [column_letter(c) for c in range(len(export_header()[0]))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{XML}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for r, values in enumerate(export_rows(rows, seed)):
                cells = "".join(cell(f"{letters[c]}{r + 1}", v) for c, v in enumerate(values))
                sheet.write(f'<row r="{r + 1}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'{XML}<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            f"{shared}</sst>",
        )
        for name, text in STATIC_PARTS.items():
            archive.writestr(name, XML + text)


def write_csv_export(path: Path, rows: int, seed: int = 2023) -> None:
    """The same export as a CSV file, UTF-8 with a BOM as 问卷星 downloads it."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        for values in export_rows(rows, seed):
            writer.writerow(["" if v is None else v for v in values])


# -- the variants, each run in a child process ------------------------------------------------


def plain_way(path: str) -> None:
    """What an analyst would write: read_excel, map labels, groupby."""
    import pandas as pd

    from mytool.profile import load_profile
    from mytool.reading.names import names_of

    profile = load_profile()
    names = names_of(profile)
    frame = pd.read_excel(path)
    units = frame["1、您所在的街镇："].map(names.canonical_unit)
    questions = [c for c in frame.columns if names.match_item(c)]
    scores = pd.DataFrame({c: frame[c].map(profile.labels) for c in questions})
    grouped = scores.groupby(units)
    result = pd.concat({"mean": grouped.mean(), "n": grouped.count(), "sd": grouped.std()}, axis=1)
    assert len(result) == len(profile.units)


def floor_fastexcel(path: str) -> None:
    import fastexcel

    frame = fastexcel.read_excel(path).load_sheet(0, eager=True).to_pandas()
    assert len(frame)


def floor_pyarrow_csv(path: str) -> None:
    import pandas as pd

    frame = pd.read_csv(path, engine="pyarrow")
    assert len(frame)


def floor_calamine(path: str) -> None:
    import pandas as pd

    frame = pd.read_excel(path, engine="calamine")
    assert len(frame)


CHILDREN = {
    "plain": plain_way,
    "fastexcel": floor_fastexcel,
    "calamine": floor_calamine,
    "pyarrow-csv": floor_pyarrow_csv,
}
FLOORS = {"xlsx": "fastexcel", "csv": "pyarrow-csv"}
FLOOR_NAMES = {
    "xlsx": "fastexcel → DataFrame",
    "csv": 'pandas.read_csv(engine="pyarrow")',
}


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and all it waited for
    memory: float  # MB, the largest peak resident set among them


_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "wall = time.perf_counter() - start\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)\n"
)


# Python may cache compiled modules, as it does for an installed copy (pip compiles on install):
# with PYTHONDONTWRITEBYTECODE set, an editable checkout recompiles mytool on every start.
_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str]) -> Run:
    """One run of `command`, measured by a wrapper process around it."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        capture_output=True,
        text=True,
        check=True,
        env=_ENVIRONMENT,
    ).stdout.split()
    kilobytes = float(out[2]) if sys.platform != "darwin" else float(out[2]) / 1024
    return Run(float(out[0]), float(out[1]), kilobytes / 1024)


def ensure_export(folder: Path, rows: int, kind: str) -> Path:
    path = folder / f"export-{rows}.{kind}"
    if not path.exists():
        started = time.perf_counter()
        (write_export if kind == "xlsx" else write_csv_export)(path, rows)
        size, spent = path.stat().st_size / 1e6, time.perf_counter() - started
        print(f"生成 {path.name}（{size:.1f} MB）用时 {spent:.1f} s", file=sys.stderr)
    return path


def paired(rows: int, kind: str, folder: Path, repeat: int) -> dict:
    """mytool and its floor, `repeat` pairs, interleaved with the order alternating."""
    path = ensure_export(folder, rows, kind)
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    mytool = [sys.executable, "-m", "mytool", "aggregate", str(path), "-f", "json", "-q"]
    pair = [
        ("floor", [*me, FLOORS[kind], str(path)]),
        ("mytool", [*mytool, "-o", str(folder / "out.json")]),
    ]
    runs: dict[str, list[Run]] = {"mytool": [], "floor": []}
    for _, command in pair:  # warm-up: the file in the page cache, compiled modules cached
        measure(command)
    for n in range(repeat):
        for name, command in pair if n % 2 == 0 else pair[::-1]:
            runs[name].append(measure(command))
    ratios = {
        what: [getattr(m, what) / getattr(f, what) for m, f in zip(*runs.values(), strict=True)]
        for what in ("wall", "cpu", "memory")
    }
    done = "，".join(f"{what} {ratio_text(found)}" for what, found in ratios.items())
    print(f"{rows:,} 行 {kind}：{done}", file=sys.stderr, flush=True)
    return {"rows": rows, "format": kind, "runs": runs, "ratios": ratios}


def median_run(runs: list[Run]) -> Run:
    return Run(*(statistics.median(getattr(r, what) for r in runs) for what in Run.__annotations__))


def ratio_text(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):.2f}×（{min(ratios):.2f}–{max(ratios):.2f}）"


def table(results: list[dict]) -> str:
    lines = [
        "| 行数 | 格式 | mytool 用时 (s) | 下限用时 (s) | 用时/下限 | CPU/下限 | 峰值内存/下限 |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in results:
        mine, floor = median_run(result["runs"]["mytool"]), median_run(result["runs"]["floor"])
        ratios, kind = result["ratios"], result["format"]
        lines.append(
            f"| {result['rows']:,} | {kind} | {mine.wall:.2f} | {floor.wall:.2f} "
            f"| {ratio_text(ratios['wall'])} | {ratio_text(ratios['cpu'])} "
            f"| {ratio_text(ratios['memory'])}（{mine.memory:.0f} / {floor.memory:.0f} MB） |"
        )
        verdicts.extend(
            f"{result['rows']:,} 行 {kind}：{what} {statistics.median(ratios[what]):.2f}×"
            f"（目标 ≤ {goal}）{'达到' if statistics.median(ratios[what]) <= goal else '未达到'}"
            for what, goal in GOALS[kind].items()
        )
    return "\n".join(lines) + "\n\n" + "\n".join(verdicts)


def references(rows_list: list[int], folder: Path) -> str:
    """One run each of the plain way and pandas' calamine engine, against the .xlsx floor."""
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    lines = ["| 行数 | 方式 | 用时 (s) | 相对下限 | 峰值内存 (MB) |", "|---:|---|---:|---:|---:|"]
    for rows in rows_list:
        path = str(ensure_export(folder, rows, "xlsx"))
        floor = measure([*me, "fastexcel", path])
        for name, label in (("plain", PLAIN_NAME), ("calamine", CALAMINE_NAME)):
            got = measure([*me, name, path])
            lines.append(
                f"| {rows:,} | {label} | {got.wall:.2f} | {got.wall / floor.wall:.2f}× "
                f"| {got.memory:.0f} |"
            )
    return "\n".join(lines)


PLAIN_NAME = "常规做法：pandas.read_excel（openpyxl）+ groupby"
CALAMINE_NAME = '直读：pandas.read_excel(engine="calamine")'


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        CHILDREN[sys.argv[2]](sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--repeat", type=int, default=5, help="pairs per size and format")
    parser.add_argument("--keep", type=Path, help="keep the generated exports in this folder")
    parser.add_argument("--plain", action="store_true", help="also time the plain way once")
    parser.add_argument(
        "--formats", nargs="+", choices=["xlsx", "csv"], default=["xlsx", "csv"], help="exports"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        floors = "；".join(f"{kind} 的下限：{FLOOR_NAMES[kind]}" for kind in args.formats)
        print(
            f"{time.strftime('%Y-%m-%d')}，{platform.machine()}，{os.cpu_count()} 核；"
            f"mytool 与下限成对交替运行 {args.repeat} 次，取中位数（括号内为各对之比的范围）；"
            f"{floors}"
        )
        results = [
            paired(rows, kind, folder, args.repeat) for rows in args.rows for kind in args.formats
        ]
        print(table(results))
        if args.plain:
            print("\n对照（各运行一次）：\n" + references(args.rows, folder))


if __name__ == "__main__":
    main()
