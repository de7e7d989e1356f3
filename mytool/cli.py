"""The command line: each command parses options, calls the library, and renders.

Commands live in `mytool.commands`, one module each; heavy modules (pandas, openpyxl, the
reader) are imported inside the commands, so `mytool --help` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from mytool import __version__
from mytool.commands import aggregate, brief, compare, profile, rank, trend, validate

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


for command in (rank, validate, brief, profile, compare, trend, aggregate):
    command.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
