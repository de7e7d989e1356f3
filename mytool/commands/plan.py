"""`mytool plan`: what-if for one unit, and the least gain that reaches a rank, grade or score."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mytool.commands.chinese import examples
from mytool.commands.common import (
    BottomOption,
    DebugOption,
    InputArgument,
    OutputOption,
    PeriodOption,
    ProfileOption,
    QuietOption,
    SheetOption,
    chosen_format,
    emit,
    needs_output,
    option_period,
    print_warnings,
    runs,
)


class PlanFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    xlsx = "xlsx"


@runs(reads=("file", "previous"))
def plan(
    file: InputArgument,
    unit: Annotated[
        str, typer.Option("--unit", "-u", metavar="<街镇>", help="街镇（简称、全称都行）。")
    ],
    target_rank: Annotated[
        int | None,
        typer.Option(
            "--target-rank",
            metavar="<名次>",
            min=1,
            help="目标名次（含并列），如 11。",
            show_default=False,
        ),
    ] = None,
    target_grade: Annotated[
        str | None,
        typer.Option(
            "--target-grade", metavar="<等级>", help="目标等级，如 尚可。", show_default=False
        ),
    ] = None,
    target_score: Annotated[
        float | None,
        typer.Option(
            "--target-score", metavar="<得分>", help="目标综合得分，如 76。", show_default=False
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="<大类=分数>",
            help="测算改变某个大类：居住区=+4（提高 4 分）或 工地=72（改为 72 分）；可重复。",
            show_default=False,
        ),
    ] = None,
    previous: Annotated[
        list[Path] | None,
        typer.Option(
            "--previous",
            metavar="<文件>",
            help="往期测评结果；本街镇往期的最好大类得分也算作现实上限。可重复。",
            show_default=False,
        ),
    ] = None,
    profile: ProfileOption = None,
    bottom: BottomOption = None,
    format: Annotated[
        PlanFormat | None, typer.Option("--format", "-f", help="输出格式：table、json、md、xlsx。")
    ] = None,
    output: OutputOption = None,
    period: PeriodOption = None,
    sheet: SheetOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """提升计划：改变某些大类后排名、等级如何；达到目标名次、等级或得分最少要提高多少。"""
    # Loaded when the command runs: --help imports every command's module.
    from mytool.analysis.planning import target_from_options
    from mytool.api import plan_file
    from mytool.profile import load_profile

    chosen = chosen_format(format, output, PlanFormat)

    needs_output(chosen, output, "xlsx 格式需要用 --output 指定输出文件，例如 -o 提升计划.xlsx")
    loaded = load_profile(profile)
    target = target_from_options(target_rank, target_grade, target_score, loaded)
    result = plan_file(
        file,
        unit,
        loaded,
        target=target,
        settings=set_ or (),
        previous=previous or (),
        bottom_n=bottom,
        period=option_period(period),
        sheet=sheet,
    )
    print_warnings(result.issues, quiet)
    emit(result, chosen, output)


def register(app: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "mytool plan 测评结果.xlsx -u 九亭 --target-rank 11",
            "mytool plan 测评结果.xlsx -u 九亭 --set 居住区=+4 --set 工地=72",
            "mytool plan 测评结果.xlsx -u 九亭 --target-grade 尚可 -o 计划.xlsx",
        )
    )(plan)
