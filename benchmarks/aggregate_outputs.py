"""Fingerprint every output of `mytool aggregate` on a fixed set of exports, to prove a speed-up
changed no byte of what users get.

Run on demand:  python benchmarks/aggregate_outputs.py FOLDER [--large] > hashes.txt
                (then the same on the changed code, and `diff` the two lists)

FOLDER keeps the generated exports between runs (they are made once, deterministically). Each
export goes through `aggregate` as table (stdout), json, csv, xlsx and `--drivers -f json`, and
through `rank -f json`; each line is `input format sha256` of stdout, stderr and the written file.
A workbook is hashed member by member with the creation and modification times in
docProps/core.xml left out; nothing else is. The bundled score-table samples go through `rank`
too (same door: mytool.reading.sources).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aggregate import export_rows, write_csv_export, write_export

from mytool.resources import data_dir

_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def _rows(count: int) -> list[list[object]]:
    return [list(row) for row in export_rows(count, seed=7)]


def _write_csv(path: Path, rows: list[list[object]], encoding: str, title: str = "") -> None:
    with path.open("w", encoding=encoding, newline="") as file:
        if title:
            file.write(title + "\r\n")
        csv.writer(file).writerows([["" if v is None else v for v in row] for row in rows])


def _write_odd_xlsx(path: Path, rows: list[list[object]]) -> None:
    """openpyxl's spelling: a merged title row, a hidden row, a formula, an odd answer."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年下半年市容环境满意度调查"])
    for row in rows:
        sheet.append(row)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    sheet.row_dimensions[5].hidden = True
    sheet["A7"] = "=1+1"
    sheet["K9"] = "很好"
    book.save(path)


def make_inputs(folder: Path, large: bool) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = _rows(3000)
    ragged = [row[:-3] if n % 97 == 5 else row for n, row in enumerate(rows)]
    quoted = [[*row[:-1], f'说"好",\n{n}'] if n % 11 == 3 else row for n, row in enumerate(rows)]
    makers = {
        "export.xlsx": lambda p: write_export(p, 3000, seed=11),
        "export.csv": lambda p: write_csv_export(p, 3000, seed=11),
        "gbk.csv": lambda p: _write_csv(p, rows, "gb18030"),
        "utf16.csv": lambda p: _write_csv(p, rows, "utf-16"),
        "plain-utf8.csv": lambda p: _write_csv(p, rows, "utf-8"),
        "title.csv": lambda p: _write_csv(p, rows, "utf-8-sig", title="2023年下半年满意度调查"),
        "ragged.csv": lambda p: _write_csv(p, ragged, "utf-8-sig"),
        "quoted.csv": lambda p: _write_csv(p, quoted, "utf-8-sig"),
        "odd.xlsx": lambda p: _write_odd_xlsx(p, rows),
    }
    if large:
        makers["export-100000.xlsx"] = lambda p: write_export(p, 100_000)
        makers["export-100000.csv"] = lambda p: write_csv_export(p, 100_000)
    paths = []
    for name, make in makers.items():
        path = folder / name
        if not path.exists():
            make(path)
        paths.append(path)
    return paths


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def workbook_digest(path: Path) -> str:
    whole = hashlib.sha256()
    with zipfile.ZipFile(path) as archive:
        for member in sorted(archive.namelist()):
            data = archive.read(member)
            if member == "docProps/core.xml":
                data = _TIMES.sub(b"", data)
            whole.update(member.encode() + b"\0" + data)
    return whole.hexdigest()[:16]


def run(arguments: list[str], output: Path | None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mytool", *arguments], capture_output=True, env=None, check=False
    )
    parts = [f"rc={done.returncode}", digest(done.stdout), digest(done.stderr)]
    if output is not None and output.exists():
        xlsx = output.suffix == ".xlsx"
        parts.append(workbook_digest(output) if xlsx else digest(output.read_bytes()))
        output.unlink()
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--large", action="store_true", help="also 100k-row xlsx and csv exports")
    args = parser.parse_args()
    out = args.folder / "out"
    out.mkdir(parents=True, exist_ok=True)
    for path in make_inputs(args.folder, args.large):
        print(path.name, "table", run(["aggregate", str(path)], None), flush=True)
        for kind in ("json", "csv", "xlsx"):
            target = out / f"result.{kind}"
            command = ["aggregate", str(path), "-f", kind, "-o", str(target)]
            print(path.name, kind, run(command, target), flush=True)
        drivers = ["aggregate", str(path), "--drivers", "-f", "json"]
        print(path.name, "drivers-json", run(drivers, None), flush=True)
        print(path.name, "rank-json", run(["rank", str(path), "-f", "json"], None), flush=True)
    for sample in sorted((data_dir() / "samples").glob("*.xlsx")):
        print(sample.name, "rank-json", run(["rank", str(sample), "-f", "json"], None), flush=True)


if __name__ == "__main__":
    main()
