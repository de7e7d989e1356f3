"""The command line: each command parses options, calls the library, and renders.

Heavy modules (pandas, openpyxl, the reader) are imported inside the commands, so
`mytool --help` stays fast.
"""

from __future__ import annotations

import functools
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mytool import __version__
from mytool.errors import EXIT_PROBLEMS, MytoolError

HELP = """松江区市容环境质量社会公众满意度测评分析工具。

读取各单位的半年度测评结果表，给街镇和大类排名，标记排名靠后的街镇。

退出码：0 成功；1 完成但发现问题（validate）；2 用法错误或输入文件无法使用；3 输出文件无法写入。
"""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
profile_app = typer.Typer(
    help="查看测评口径（街镇、大类、小项、权重、等级）。", no_args_is_help=True
)
app.add_typer(profile_app, name="profile")


class RankFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


ProfileOption = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        "-p",
        help="测评口径文件（TOML）；默认读环境变量 MYTOOL_PROFILE，再默认内置松江区口径。",
        envvar="MYTOOL_PROFILE",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="写入文件（原子写入）；不给则输出到屏幕。", show_default=False
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误，不输出提示。")]
DebugOption = Annotated[bool, typer.Option("--debug", help="出错时显示完整的 Python 调用栈。")]
InputArgument = Annotated[
    Path, typer.Argument(help="测评结果文件（.xlsx .xlsm .xls .ods .csv）。", show_default=False)
]


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def handles_errors(command):
    """Turn `MytoolError` into one Chinese line on stderr and its exit code; no traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except MytoolError as exc:
            if kwargs.get("debug"):
                raise
            _stderr().print(f"错误：{exc.message}", markup=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mytool {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="显示版本号。")
    ] = False,
) -> None:
    """松江区市容环境质量社会公众满意度测评分析工具。"""


def _print_warnings(issues, quiet: bool) -> None:
    if quiet:
        return
    console = _stderr()
    for issue in issues:
        if issue.severity in ("warning", "error"):
            console.print(f"提示：{issue.located()}", markup=False)


def _emit(text: str, output: Path | None, *, bom: bool = False) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from mytool.output import write_text_atomic

        write_text_atomic(output, text, bom=bom)


@app.command()
@handles_errors
def rank(
    file: InputArgument,
    profile: ProfileOption = None,
    bottom: Annotated[
        int | None,
        typer.Option(
            "--bottom",
            "-n",
            min=1,
            help="标记倒数几名（默认按口径，松江为 6）。",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        RankFormat, typer.Option("--format", "-f", help="输出格式：table 表格、json、csv、md。")
    ] = RankFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """给街镇和大类排名，标记排名靠后的街镇。"""
    from mytool.analysis import load_ranking

    loaded_profile, ranking, report = load_ranking(file, profile, bottom)
    _print_warnings([*report.issues, *ranking.issues], quiet)
    if format is RankFormat.json:
        from mytool.render.machine import ranking_to_dict, to_json

        _emit(to_json(ranking_to_dict(ranking)), output)
    elif format is RankFormat.csv:
        from mytool.render.machine import ranking_to_csv

        _emit(ranking_to_csv(ranking), output, bom=output is not None)
    elif format is RankFormat.md:
        from mytool.render.markdown import ranking_markdown

        _emit(ranking_markdown(ranking), output)
    else:
        from mytool.render.terminal import print_ranking, render_to_text

        if output is None:
            from rich.console import Console

            print_ranking(ranking, loaded_profile, Console(highlight=False))
        else:
            _emit(render_to_text(lambda c: print_ranking(ranking, loaded_profile, c)), output)


@app.command()
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

        _emit(to_json(validation_dict(report)), None)
    else:
        _emit(validation_text(report), None)
    if report.errors or report.warnings:
        raise typer.Exit(EXIT_PROBLEMS)


@profile_app.command("show")
@handles_errors
def profile_show(profile: ProfileOption = None, debug: DebugOption = False) -> None:
    """显示正在使用的测评口径文件（TOML 原文）。"""
    from mytool.profile import load_profile

    loaded = load_profile(profile)
    _stderr().print(f"测评口径文件：{loaded.source}", markup=False)
    _emit(loaded.text if loaded.text.endswith("\n") else loaded.text + "\n", None)


def main() -> None:
    """Console-script entry point."""
    app()
