"""The command line: each command parses options, calls the library, and renders.

Commands live in `mytool.commands`, one module each, imported only when that command runs (or
when the help lists them all): `mytool rank` loads neither aggregate's nor the ledger's
module. Heavy modules (pandas, openpyxl, the reader) are imported inside the commands.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main

from mytool import __version__
from mytool.__main__ import EXIT_INTERRUPTED, INTERRUPTED
from mytool.commands.chinese import ChineseGroup, usage_error_text
from mytool.commands.common import CURRENT_RUN, DEBUG, Run, exit_code_of, silence_stdout
from mytool.commands.console import prepare_streams
from mytool.errors import EXIT_INPUT

HELP = """松江区市容环境质量社会公众满意度测评分析工具。

读取各单位的半年度测评结果表，给街镇和大类排名，标记排名靠后的街镇。

\b
退出码：
  0    成功（validate：文件可以直接使用，可能有提示）
  1    完成但发现问题（validate：会改变得分或排名的问题；ledger merge 有冲突；--strict）
  2    用法错误，或输入文件无法使用
  3    输出文件或标准输出无法写入（磁盘满、没有权限、文件正被打开、管道已关闭）
  4    另一个 mytool 正在写同一个文件夹；ledger merge 时总台账正被打开（结果另存）
  5    程序内部错误（请报告维护人员）
  6    缺少依赖包（提示中写出包名和安装办法）
  130  按了 Ctrl-C
"""


# Typer's own ways out (help, usage errors, Exit) are left to Typer; everything else is ours.
_COMMAND_LINE_EXITS = (typer.Exit, typer.Abort, typer.TyperException)

# The commands in the order the help lists them; each is `mytool.commands.<name>.register`.
COMMANDS = (
    "rank",
    "validate",
    "brief",
    "plan",
    "compare",
    "trend",
    "aggregate",
    "profile",
    "ledger",
)


class _LazyCommands(MutableMapping[str, Any]):
    """The command group's commands by name, each built on first use: its module imported,
    its Typer command turned into a click command. Lookups, the help's list and click's
    "did you mean" all go through this mapping."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._built]))


def _command(name: str) -> Any:
    """The click command `name`, from its module's `register` on an app of its own."""
    module = importlib.import_module(f"mytool.commands.{name}")  # deliberately lazy
    own = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False)
    module.register(own)
    return typer.main.get_group(own).commands[name]


class _Commands(ChineseGroup):
    """The command group: every command's failure becomes its exit code here, in one place;
    usage errors are written in Chinese here too. Commands are built when first asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands()

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = functools.partial(
            super().main,
            args=args,
            prog_name=prog_name,
            complete_var=complete_var,
            windows_expand_args=windows_expand_args,
            **extra,
        )
        if not standalone_mode:
            return run(standalone_mode=False)
        try:
            code = run(standalone_mode=False)
        except typer.TyperException as exc:  # click's usage errors are TyperExceptions
            code = _usage_error(exc)
        except typer.Abort:
            code = _interrupted()
        if code == EXIT_INTERRUPTED:
            code = _interrupted()
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _COMMAND_LINE_EXITS:
            raise
        except Exception as exc:
            raise typer.Exit(exit_code_of(exc)) from None


def _usage_error(exc: Exception) -> int:
    if type(exc).__name__ == "NoArgsIsHelpError":  # `mytool` alone: the help, as a usage error
        typer.echo(exc.ctx.get_help(), err=True)  # type: ignore[attr-defined]
        return EXIT_INPUT
    typer.echo(usage_error_text(exc), err=True)
    return int(getattr(exc, "exit_code", EXIT_INPUT) or EXIT_INPUT)


def _interrupted() -> int:
    with contextlib.suppress(OSError, ValueError):
        print(INTERRUPTED, file=sys.stderr)
    return EXIT_INTERRUPTED


app = typer.Typer(
    cls=_Commands,
    help=HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mytool {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    context: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="显示版本号。")
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            metavar="<文件>",
            envvar="MYTOOL_LOG_FILE",
            help="每次运行追加一行记录（时间、命令、输入文件及其 SHA-256、输出文件、退出码）。",
            show_default=False,
        ),
    ] = None,
) -> None:
    """松江区市容环境质量社会公众满意度测评分析工具。"""
    CURRENT_RUN.set(Run(context.invoked_subcommand or "", log_file))
    DEBUG.set(False)  # until the command itself says --debug


def main() -> None:
    """Console-script entry point.

    Output still buffered at exit is flushed here, where a full disk or a closed pipe can be
    caught: left to the interpreter it prints "Exception ignored … BrokenPipeError".
    """
    prepare_streams()
    try:
        app()
    finally:
        try:
            sys.stdout.flush()
        except OSError:
            silence_stdout()
