"""`mytool validate`: what was read from a file, and every problem with its place."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from mytool.commands.common import DebugOption, InputArgument, ProfileOption, emit, handles_errors
from mytool.errors import EXIT_PROBLEMS


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


@handles_errors
def validate(
    file: InputArgument,
    profile: ProfileOption = None,
    format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ValidateFormat.text,
    debug: DebugOption = False,
) -> None:
    """检查测评结果文件：读到了什么，哪里有问题（工作表和单元格）。有问题时退出码为 1。"""
    from mytool.profile import load_profile
    from mytool.reading.scores import read_report
    from mytool.render.validation import validation_dict, validation_text

    report = read_report(file, load_profile(profile))
    if format is ValidateFormat.json:
        from mytool.render.machine import to_json

        emit(to_json(validation_dict(report)), None)
    else:
        emit(validation_text(report), None)
    if report.errors or report.warnings:
        raise typer.Exit(EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    app.command()(validate)
