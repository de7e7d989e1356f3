"""`mytool validate`: what was read from a file, and every problem with its place."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from mytool.commands.chinese import examples
from mytool.commands.common import (
    DebugOption,
    InputArgument,
    PeriodOption,
    ProfileOption,
    SheetOption,
    emit_text,
    option_period,
    runs,
)
from mytool.errors import EXIT_PROBLEMS
from mytool.report import Report


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


@runs(reads=("file",))
def validate(
    file: InputArgument,
    profile: ProfileOption = None,
    format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ValidateFormat.text,
    period: PeriodOption = None,
    sheet: SheetOption = None,
    debug: DebugOption = False,
) -> None:
    """检查测评结果文件：读到了什么，哪里有问题（工作表和单元格）。

    退出码：0 可以直接使用（可能有统计说明，如样本不足）；1 发现了会改变得分或排名的问题；
    2 文件无法读取。

    每期一个工作表的文件：列出各期，逐期检查；--period 或 --sheet 只检查其中一期。
    """
    # Loaded when the command runs: --help imports every command's module.
    from mytool.api import read_report, read_reports
    from mytool.profile import load_profile
    from mytool.render.validation import validation_dict, validation_text

    loaded = load_profile(profile)
    if period or sheet:
        reports = [read_report(file, loaded, period=option_period(period), sheet=sheet)]
    else:
        reports = read_reports(file, loaded)
    if format is ValidateFormat.json:
        # Loaded when the command runs: --help imports every command's module.
        from mytool.render.machine import to_json

        emit_text(to_json(validation_dict(*reports)), None)
    else:
        emit_text(validation_text(*reports), None)
    if any(_changes_the_numbers(report) for report in reports):
        raise typer.Exit(EXIT_PROBLEMS)


# Statistical notes on a questionnaire export (few answers, ranks within each other's
# interval): true of the data, not a problem with the file; they leave it usable as it is.
STATISTICAL_NOTES = frozenset({"low-sample", "indistinct-ranks"})


def _changes_the_numbers(report: Report) -> bool:
    """Errors, and warnings that change scores or ranks (a unit missing, a column unused …)."""
    return bool(report.errors) or any(
        issue.code not in STATISTICAL_NOTES for issue in report.warnings
    )


def register(app: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "mytool validate 测评结果.xlsx",
            "mytool validate 两期.xlsx --period 2024H1",
            "mytool validate 测评结果.xlsx -f json",
        )
    )(validate)
