"""`mytool rank`: rank units and categories, flag the bottom."""

from __future__ import annotations

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
    TableFormat,
    TableFormatOption,
    check_bottom,
    chosen_format,
    emit,
    needs_output,
    option_period,
    print_warnings,
    runs,
)


@runs(reads=("file",))
def rank(
    file: InputArgument,
    profile: ProfileOption = None,
    bottom: BottomOption = None,
    format: TableFormatOption = None,
    output: OutputOption = None,
    period: PeriodOption = None,
    sheet: SheetOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """给街镇和大类排名，标记排名靠后的街镇。"""
    chosen = chosen_format(format, output, TableFormat)
    needs_output(chosen, output, "xlsx 格式需要用 --output 指定输出文件，如 -o 排名.xlsx")
    # Loaded when the command runs: --help imports every command's module.
    from mytool.api import rank_file
    from mytool.profile import load_profile

    loaded = load_profile(profile)
    ranking = rank_file(file, loaded, bottom, period=option_period(period), sheet=sheet)
    print_warnings(ranking.all_issues, quiet)
    check_bottom(bottom, len(ranking.units), quiet)
    emit(ranking, chosen, output, profile=loaded)


def register(app: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "mytool rank 测评结果.xlsx",
            "mytool rank 测评结果.xlsx --bottom 5 -o 排名.xlsx",
            "mytool rank 测评结果.xlsx -f json -o 排名.json",
        )
    )(rank)
