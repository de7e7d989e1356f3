"""Benchmark `mytool aggregate` against the plain pandas way and the fastest bare read.

Run on demand, not in CI:  python benchmarks/aggregate.py [--rows 100000 500000] [--keep DIR]
                           [--formats xlsx csv]

For each size it writes a questionnaire export like a 问卷星 one (序号, 提交答卷时间, 所用时间,
来源, 来源详情, 来自IP, the unit, sex, age, 35 label questions, a suggestion; shared strings as
Excel writes them), then runs each variant in its own process and reports wall time and peak
memory (ru_maxrss of that process), with ratios to the floor:

- mytool aggregate:  the CLI, JSON written to a file;
- plain way:         pandas.read_excel (default engine, openpyxl), labels mapped per column with
                     Series.map, then groupby unit: mean, count and standard deviation per item;
- floor candidates:  the fastest bare reads of the same sheet into a DataFrame (fastexcel, and
                     pandas.read_excel with engine="calamine"); the faster one is the floor.

The same answers written as a CSV export (UTF-8 with BOM) are timed against
pandas.read_csv(engine="pyarrow"), in pairs run one after the other (order alternating), with
the median of the per-pair ratios, so another job on the machine slows both sides alike.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

ITEM_COLUMNS = 35
LABELS = ["非常满意", "满意", "一般", "不满意", "非常不满意", "不了解", "(跳过)"]
LABEL_WEIGHTS = [30, 35, 18, 8, 4, 4, 1]
SUGGESTIONS = ["小区垃圾清运不及时", "希望增加公厕", "非机动车乱停放", "道路保洁很好", None, None]
GOALS = {"floor": 1.25, "plain": 7.0, "memory": 1.5, "csv": 1.5}

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


def measure(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak MB) of `command`, measured by a wrapper process around it."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "wall = time.perf_counter() - start\n"
        "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True
    ).stdout.split()
    kilobytes = float(out[1]) if sys.platform != "darwin" else float(out[1]) / 1024
    return float(out[0]), kilobytes / 1024


def best_of(command: list[str], repeat: int) -> tuple[float, float]:
    runs = [measure(command) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def run(rows_list: list[int], folder: Path, repeat: int, plain: bool) -> list[dict]:
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    results = []
    for rows in rows_list:
        path = folder / f"export-{rows}.xlsx"
        if not path.exists():
            started = time.perf_counter()
            write_export(path, rows)
            size = path.stat().st_size / 1e6
            spent = time.perf_counter() - started
            print(f"生成 {path.name}（{size:.1f} MB）用时 {spent:.1f} s", file=sys.stderr)
        timings = {
            "fastexcel": best_of([*me, "fastexcel", str(path)], repeat),
            "calamine": best_of([*me, "calamine", str(path)], repeat),
            "mytool": best_of(
                [
                    sys.executable,
                    "-m",
                    "mytool",
                    "aggregate",
                    str(path),
                    "-f",
                    "json",
                    "-q",
                    "-o",
                    str(folder / "out.json"),
                ],
                repeat,
            ),
        }
        if plain:
            timings["plain"] = measure([*me, "plain", str(path)])
        results.append({"rows": rows, **timings})
    return results


def run_csv(rows_list: list[int], folder: Path, repeat: int) -> list[dict]:
    """The same exports as CSV: mytool and the floor in pairs, interleaved, order alternating."""
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    results = []
    for rows in rows_list:
        path = folder / f"export-{rows}.csv"
        if not path.exists():
            write_csv_export(path, rows)
        mytool = [sys.executable, "-m", "mytool", "aggregate", str(path), "-f", "json", "-q"]
        pair = [("mytool", [*mytool, "-o", str(folder / "out.json")])]
        pair.append(("floor", [*me, "pyarrow-csv", str(path)]))
        runs: dict[str, list[tuple[float, float]]] = {"mytool": [], "floor": []}
        ratios = []
        for n in range(repeat):
            for name, command in pair if n % 2 == 0 else pair[::-1]:
                runs[name].append(measure(command))
            ratios.append(runs["mytool"][-1][0] / runs["floor"][-1][0])
        median = {
            name: (statistics.median(r[0] for r in got), statistics.median(r[1] for r in got))
            for name, got in runs.items()
        }
        results.append({"rows": rows, **median, "ratio": statistics.median(ratios)})
    return results


def csv_table(results: list[dict]) -> str:
    lines = [
        "| 行数 | 方式 | 用时 (s) | 相对下限（成对中位数） | 峰值内存 (MB) | 内存相对下限 |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in results:
        (wall, memory), (floor_wall, floor_memory) = result["mytool"], result["floor"]
        lines.append(
            f"| {result['rows']:,} | mytool aggregate（CSV） | {wall:.2f} | {result['ratio']:.2f}× "
            f"| {memory:.0f} | {memory / floor_memory:.2f}× |"
        )
        lines.append(
            f'| {result["rows"]:,} | 直读：pandas.read_csv(engine="pyarrow")（下限） '
            f"| {floor_wall:.2f} | 1.00× | {floor_memory:.0f} | 1.00× |"
        )
        verdicts.append(
            f"{result['rows']:,} 行 CSV：mytool/下限 {result['ratio']:.2f}×"
            f"（目标 ≤ {GOALS['csv']}）"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(verdicts)


NAMES = {
    "mytool": "mytool aggregate",
    "plain": "常规做法：pandas.read_excel（openpyxl）+ groupby",
    "fastexcel": "直读：fastexcel → DataFrame",
    "calamine": '直读：pandas.read_excel(engine="calamine")',
}


def table(results: list[dict]) -> str:
    lines = [
        "| 行数 | 方式 | 用时 (s) | 相对下限 | 峰值内存 (MB) | 内存相对下限 |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in results:
        floor_name = min(("fastexcel", "calamine"), key=lambda name: result[name][0])
        floor_time, floor_memory = result[floor_name]
        for name in ("mytool", "plain", "fastexcel", "calamine"):
            if name not in result:
                continue
            wall, memory = result[name]
            label = NAMES[name] + ("（下限）" if name == floor_name else "")
            lines.append(
                f"| {result['rows']:,} | {label} | {wall:.2f} | {wall / floor_time:.2f}× "
                f"| {memory:.0f} | {memory / floor_memory:.2f}× |"
            )
        wall, memory = result["mytool"]
        verdict = (
            f"{result['rows']:,} 行：mytool/下限 {wall / floor_time:.2f}×"
            f"（目标 ≤ {GOALS['floor']}），"
            f"内存 {memory / floor_memory:.2f}×（目标 ≤ {GOALS['memory']}）"
        )
        if "plain" in result:
            verdict += (
                f"，常规做法/mytool {result['plain'][0] / wall:.1f}×（目标 ≥ {GOALS['plain']}）"
            )
        verdicts.append(verdict)
    return "\n".join(lines) + "\n\n" + "\n".join(verdicts)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        CHILDREN[sys.argv[2]](sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast variants (best)")
    parser.add_argument("--keep", type=Path, help="keep the generated exports in this folder")
    parser.add_argument("--skip-plain", action="store_true", help="skip the slow plain way")
    parser.add_argument(
        "--formats", nargs="+", choices=["xlsx", "csv"], default=["xlsx", "csv"], help="exports"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"{sys.platform}，{os.cpu_count()} 核；每种方式在单独进程中运行，"
            f"快的取 {args.repeat} 次最好成绩"
        )
        if "xlsx" in args.formats:
            print(table(run(args.rows, folder, args.repeat, not args.skip_plain)))
        if "csv" in args.formats:
            print(f"\nCSV（同样的答卷，带 BOM 的 UTF-8）：成对交替运行 {args.repeat} 次，取中位数")
            print(csv_table(run_csv(args.rows, folder, args.repeat)))


if __name__ == "__main__":
    main()
