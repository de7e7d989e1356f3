"""`mytool trend`: many half-years in order — scores, ranks, sparklines, 连续 N 期排名靠后."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mytool.commands.chinese import examples
from mytool.commands.common import (
    DebugOption,
    OutputOption,
    ProfileOption,
    QuietOption,
    chosen_format,
    emit,
    expand_inputs,
    needs_output,
    print_warnings,
    runs,
)


class TrendFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    xlsx = "xlsx"


@runs(reads=("paths",))
def trend(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="各期测评结果文件，或存放它们的文件夹（期次从文件名或标题识别）。",
            metavar="文件或文件夹",
            show_default=False,
        ),
    ],
    profile: ProfileOption = None,
    format: Annotated[
        TrendFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="输出格式：table 表格、json、md（含 SVG 折线图）、xlsx（含图表）。",
        ),
    ] = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """多期走势：各街镇每期得分和排名、连续几期排名靠后、大类全区得分走势。"""
    chosen = chosen_format(format, output, TrendFormat)
    needs_output(chosen, output, "xlsx 格式需要用 --output 指定输出文件，如 -o 走势.xlsx")
    # Loaded when the command runs: --help imports every command's module.
    from mytool.api import trend_paths
    from mytool.profile import load_profile

    loaded = load_profile(profile)
    result = trend_paths(expand_inputs(paths, folders=False), loaded)
    print_warnings(result.issues, quiet)
    emit(result, chosen, output, profile=loaded)  # the profile names the chart's font


def register(app: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "mytool trend 历次测评/",
            'mytool trend "历次测评/*.xlsx" -o 走势.xlsx',
            "mytool trend 2023H2.xlsx 2024H1.xlsx -f md -o 走势.md",
        )
    )(trend)
