"""What every command shares: option declarations, error handling, warnings and output.

Only the command modules import typer; the library never does.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from mytool.diagnostics import ERROR, WARNING, Issue
from mytool.errors import MytoolError

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


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def stdout_console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn `MytoolError` into one Chinese line on stderr and its exit code; no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MytoolError as exc:
            if kwargs.get("debug"):
                raise
            stderr_console().print(f"错误：{exc.message}", markup=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def print_warnings(issues: Iterable[Issue], quiet: bool) -> None:
    """Warnings and errors found in the data, on stderr (stdout stays parseable)."""
    if quiet:
        return
    console = stderr_console()
    for issue in issues:
        if issue.severity in (WARNING, ERROR):
            console.print(f"提示：{issue.located()}", markup=False)


def emit(text: str, output: Path | None, *, bom: bool = False) -> None:
    """Text to stdout, or atomically to `output` (UTF-8, with a BOM when asked)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from mytool.output import write_text_atomic

    write_text_atomic(output, text, bom=bom)
