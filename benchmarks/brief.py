"""Benchmark the brief workbook (`mytool brief` -f xlsx) against openpyxl writing the same cells.

Run on demand, not in CI:  python benchmarks/brief.py [--repeat 9] [--all]

Reads the bundled 2023H2 sample once, then times `briefs_workbook` (the .xlsx bytes of the
briefs: 总览, 大类, 牵头部门, 点位问题 and a sheet per unit, styled, with charts) in this
process, paired with the plain way of writing the same cell values (openpyxl Workbook, append,
save; no styles, no charts), interleaved with the order alternating. It prints the medians and
the median of the per-pair ratios. Goal (issue 16): the workbook in ≤ 0.3 s on the sample.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "songjiang-2023H2.xlsx"
GOAL_SECONDS = 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="pairs (medians)")
    parser.add_argument("--all", action="store_true", help="a sheet for all 17 units")
    args = parser.parse_args()

    import openpyxl
    from python_calamine import CalamineWorkbook

    from mytool.api import brief_files
    from mytool.profile import load_profile
    from mytool.render.brief_xlsx import briefs_workbook

    profile = load_profile()
    briefs = brief_files(SAMPLE, profile, everyone=args.all)
    made = briefs_workbook(briefs, profile)  # also warms imports and caches
    book = CalamineWorkbook.from_filelike(io.BytesIO(made))
    sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}

    def plain() -> bytes:
        plain_book = openpyxl.Workbook()
        plain_book.remove(plain_book.active)
        for name, rows in sheets.items():
            sheet = plain_book.create_sheet(name)
            for row in rows:
                sheet.append([None if v == "" else v for v in row])
        buffer = io.BytesIO()
        plain_book.save(buffer)
        return buffer.getvalue()

    def timed(make) -> float:
        started = time.perf_counter()
        make()
        return time.perf_counter() - started

    mine, floor, ratios = [], [], []
    for n in range(args.repeat):
        pair = [(mine, lambda: briefs_workbook(briefs, profile)), (floor, plain)]
        for times, make in pair if n % 2 == 0 else pair[::-1]:
            times.append(timed(make))
        ratios.append(mine[-1] / floor[-1])
    units, median = len(briefs.units), statistics.median
    print(
        f"{sys.platform}，{os.cpu_count()} 核；简报工作簿（{len(sheets)} 张工作表，"
        f"{units} 个街镇），与对照成对交替运行 {args.repeat} 次，取中位数"
    )
    print("| 方式 | 用时 (s) | 倍数（成对中位数） |")
    print("|---|---:|---:|")
    print(f"| mytool 简报工作簿 | {median(mine):.3f} | {median(ratios):.2f}× |")
    print(f"| openpyxl 写同样的值（不设格式、无图表） | {median(floor):.3f} | 1.00× |")
    print(f"\n简报工作簿：{median(mine):.3f} s（目标 ≤ {GOAL_SECONDS}）")


if __name__ == "__main__":
    main()
