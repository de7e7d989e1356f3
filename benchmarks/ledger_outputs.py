"""Fingerprints of every `mytool ledger` output, to prove a speed change alters no output.

    python benchmarks/ledger_outputs.py --rows 300 > before.txt   # on the old code
    python benchmarks/ledger_outputs.py --rows 300 > after.txt    # on the new code
    diff before.txt after.txt

It runs init (the sample's own problem points, and a generated list of `--rows` points with
"=…" text, spaces and odd characters), split by department and by unit, merge (edited copies,
a conflicting master edit, an invalid value, a row without ID), and status in json, md, xlsx
and table.
Each .xlsx is unzipped and every member hashed after normalising the run's clock: the
docProps times and any "2024-04-15 08:30:00"-like timestamp (the snapshot's 分发时间, the
merge time). `--canonical` hashes the XML in canonical form (C14N 2.0: character references
resolved, attribute order fixed) for writers that spell the same XML differently.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "songjiang-2023H2.xlsx"
CLOCK = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?")
ODD = ["=SUM(A1)", " 前后空格 ", "a&b<c>", "_x0041_", "多行\n文本", "引号\"'", "emoji😀"]


def write_problems(path: Path, rows: int) -> None:
    sys.path.insert(0, str(ROOT))
    from mytool.profile import load_profile

    rnd = random.Random(7)
    profile = load_profile()
    pairs = [(c.name, item) for c in profile.categories for item in c.items]
    lines = ["街镇,大类,小项,点位地址,问题描述,发现日期"]
    for n in range(rows):
        category, item = rnd.choice(pairs)
        unit = rnd.choice(profile.units).name
        text = rnd.choice(ODD).replace("\n", " ").replace('"', "'")
        lines.append(f'{unit},{category},{item},{unit}某路{n}号,"{text}{n}",2023-11-0{n % 9 + 1}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def mytool(*args: object, cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mytool", *map(str, args)], cwd=cwd, capture_output=True
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args} → {done.returncode}: {done.stderr.decode()}")


def edit_copy(path: Path, seed: int, *, extra: bool) -> None:
    import openpyxl

    rnd = random.Random(seed)
    book = openpyxl.load_workbook(path)
    sheet = book["整改台账"]
    for row in range(3, sheet.max_row + 1):
        pick = rnd.random()
        if pick < 0.2:
            sheet.cell(row=row, column=9).value = rnd.choice(["已安排清运", "=已整改", " 空格 "])
            sheet.cell(row=row, column=13).value = rnd.choice(["整改中", "待核验", "已销号"])
        elif pick < 0.25:
            sheet.cell(row=row, column=14).value = rnd.choice(["2024-03-15", "下周", None])
        elif pick < 0.28:
            sheet.cell(row=row, column=13).value = "做完了"  # invalid: held
    if extra:
        last = sheet.max_row + 1
        sheet.cell(row=last, column=3).value = "新加的行"  # no ID: held whole
    book.save(path)


def edit_master(path: Path) -> None:
    """Someone fills a cell in the master after split: a conflict where a copy edits it too."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet = book["整改台账"]
    for row in range(3, sheet.max_row + 1, 7):
        sheet.cell(row=row, column=9).value = "总台账里填的"
    book.save(path)


def run_all(folder: Path, rows: int) -> list[Path]:
    outputs: list[Path] = []
    shutil.copyfile(SAMPLE, folder / SAMPLE.name)
    mytool("ledger", "init", SAMPLE.name, "-o", "样例台账.xlsx", cwd=folder)
    outputs.append(folder / "样例台账.xlsx")
    write_problems(folder / "点位.csv", rows)
    mytool("ledger", "init", SAMPLE.name, "--problems", "点位.csv", "-o", "台账.xlsx", cwd=folder)
    outputs.append(folder / "台账.xlsx")
    for by in ("department", "unit"):
        mytool("ledger", "split", "台账.xlsx", "--by", by, "-d", f"分发-{by}", cwd=folder)
        outputs += sorted((folder / f"分发-{by}").glob("*.xlsx"))
    for master in ("样例台账.xlsx",):
        mytool("ledger", "split", master, "-d", "样例分发", cwd=folder)
        outputs += sorted((folder / "样例分发").glob("*.xlsx"))
    copies = sorted((folder / "分发-department").glob("*.xlsx"))
    for seed, copy in enumerate(copies):
        edit_copy(copy, seed, extra=seed == 0)
    edit_master(folder / "台账.xlsx")
    mytool("ledger", "merge", "台账.xlsx", *[c.relative_to(folder) for c in copies], cwd=folder)
    shutil.copyfile(folder / "台账.xlsx", folder / "合并1.xlsx")
    outputs.append(folder / "合并1.xlsx")
    for seed, copy in enumerate(copies[:2]):  # a second round on top of the first merge
        edit_copy(copy, seed + 100, extra=False)
    mytool("ledger", "merge", "台账.xlsx", *[c.relative_to(folder) for c in copies[:2]], cwd=folder)
    outputs.append(folder / "台账.xlsx")
    status = ["ledger", "status", "台账.xlsx", "--as-of", "2024-04-15"]
    mytool(*status, "-f", "json", "-o", "状态.json", cwd=folder)
    mytool(*status, "-f", "md", "-o", "状态.md", cwd=folder)
    mytool(*status, "-f", "xlsx", "-o", "状态.xlsx", cwd=folder)
    mytool(*status, "-f", "table", "-o", "状态.txt", cwd=folder)
    outputs += [folder / "状态.json", folder / "状态.md", folder / "状态.xlsx", folder / "状态.txt"]
    return outputs


def canonical(data: bytes) -> bytes:
    from lxml import etree

    return etree.tostring(etree.fromstring(data), method="c14n2")


def fingerprints(path: Path, folder: Path, canon: bool) -> list[str]:
    name = str(path.relative_to(folder))
    data = path.read_bytes()
    if path.suffix != ".xlsx":
        return [f"{hashlib.sha256(CLOCK.sub(b'TIME', data)).hexdigest()}  {name}"]
    lines = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            body = archive.read(member)
            if canon and member.endswith((".xml", ".rels", ".vml")):
                body = canonical(body)
            digest = hashlib.sha256(CLOCK.sub(b"TIME", body)).hexdigest()
            lines.append(f"{digest}  {name}!{member}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--canonical", action="store_true", help="hash XML in C14N form")
    parser.add_argument("--keep", type=Path, help="keep the outputs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for path in run_all(folder, args.rows):
            print("\n".join(fingerprints(path, folder, args.canonical)))


if __name__ == "__main__":
    main()
