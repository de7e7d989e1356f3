"""`mytool compare`: two half-years side by side — who rose, who fell, who left the bottom."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mytool.commands.chinese import examples
from mytool.commands.common import (
    _PATTERN,
    DebugOption,
    OutputOption,
    ProfileOption,
    QuietOption,
    TableFormat,
    TableFormatOption,
    chosen_format,
    emit,
    expand_inputs,
    needs_output,
    print_warnings,
    runs,
)
from mytool.errors import UsageError


@runs(reads=("previous", "current"))
def compare(
    previous: Annotated[
        Path,
        typer.Argument(
            help="上期测评结果文件；只给这一个文件时，它应每期一个工作表，比较其中最近两期。",
            metavar="上期文件",
            show_default=False,
        ),
    ],
    current: Annotated[
        Path | None,
        typer.Argument(help="本期测评结果文件。", metavar="本期文件", show_default=False),
    ] = None,
    profile: ProfileOption = None,
    format: TableFormatOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """比较两期测评结果：得分和名次变化、等级变化、进出排名靠后名单、大类变化；
    两期都是逐份答卷导出时，标出变化是否超出抽样误差（95% 置信水平）。"""
    chosen = chosen_format(format, output, TableFormat)
    needs_output(chosen, output, "xlsx 格式需要用 --output 指定输出文件，如 -o 对比.xlsx")
    # Loaded when the command runs: --help imports every command's module.
    from mytool.api import compare_files
    from mytool.profile import load_profile

    if any(_PATTERN.search(str(p)) for p in (previous, current) if p is not None):
        previous, current = _two_files(previous, current)
    loaded = load_profile(profile)
    comparison = compare_files(previous, current, loaded)
    print_warnings(comparison.issues, quiet)
    emit(comparison, chosen, output, profile=loaded)


def _two_files(previous: Path, current: Path | None) -> tuple[Path, Path | None]:
    """`compare "测评/*.xlsx"`: a pattern must name one workbook or two, taken in order."""
    found = expand_inputs([previous] if current is None else [previous, current], folders=False)
    if len(found) > 2:
        names = "、".join(path.name for path in found)
        raise UsageError(f"compare 比较两个文件，但匹配到 {len(found)} 个：{names}")
    return found[0], found[1] if len(found) == 2 else None


def register(app: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "mytool compare 2023下半年.xlsx 2024上半年.xlsx",
            "mytool compare 两期.xlsx",
            "mytool compare 上期.xlsx 本期.xlsx -o 对比.xlsx",
        )
    )(compare)
