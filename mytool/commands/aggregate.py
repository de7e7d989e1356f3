"""`mytool aggregate`: unit scores from respondent-level questionnaire exports."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    stderr_console,
)
from mytool.errors import UsageError

if TYPE_CHECKING:
    # rich only where progress is shown (a terminal's stderr).
    from rich.progress import Progress

    # Loaded when the command runs: --help imports every command's module.
    from mytool.analysis.aggregation import Aggregation
    from mytool.profile import Profile

PROGRESS_FROM_BYTES = 2_000_000  # smaller files read in well under a second: no bar


class AggregateFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    xlsx = "xlsx"


FilesArgument = Annotated[
    list[Path],
    typer.Argument(
        help=(
            "问卷平台导出的逐份答卷（.xlsx .xls .csv），可给多个（同一份问卷），"
            "或文件夹、问卷/*.xlsx。"
        ),
        metavar="文件",
        show_default=False,
    ),
]


@runs(reads=("files",))
def aggregate(
    files: FilesArgument,
    profile: ProfileOption = None,
    format: Annotated[
        AggregateFormat | None,
        typer.Option("--format", "-f", help="输出格式：table 表格、json、csv、md、xlsx（需 -o）。"),
    ] = None,
    output: OutputOption = None,
    drivers: Annotated[
        bool,
        typer.Option(
            "--drivers",
            help="驱动因素：各小项对满意度的重要性（相关系数及 95% 区间）和重要性–满意度"
            "四象限；给出 -o 时象限图另存为 <文件名>-驱动因素.png/.svg。",
        ),
    ] = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """汇总逐份答卷：各街镇各小项的平均分、回答数和 95% 置信区间，大类、综合得分和排名。"""
    # Loaded when the command runs: --help imports every command's module.
    from mytool.api import aggregate_files
    from mytool.profile import load_profile

    chosen = chosen_format(format, output, AggregateFormat)
    needs_output(chosen, output, "xlsx 格式需要用 --output 指定输出文件，例如 -o 汇总.xlsx")
    if drivers and chosen == "csv":
        raise UsageError("CSV 是得分长表，不含驱动因素；--drivers 请用 -f table、json、md 或 xlsx")
    files = expand_inputs(files)
    loaded = load_profile(profile)
    with _progress(files, quiet) as progress:
        result = aggregate_files(files, loaded, progress, drivers=drivers)
    print_warnings(result.issues, quiet)
    if drivers and output is not None:
        _emit_with_chart(result, chosen, output, loaded)
    else:
        emit(result, chosen, output, profile=loaded)


def _emit_with_chart(result: Aggregation, format: str, output: Path, profile: Profile) -> None:
    """The output and the quadrant chart beside it, written together (all or none)."""
    # Only with --drivers: the chart (matplotlib) and the files written with it.
    from mytool.render.drivers_chart import chart_files, drivers_chart
    from mytool.render.registry import Files, file_bytes, render
    from mytool.writing.output import write_files_atomic

    chart = drivers_chart(result, profile)  # drawn once: the workbook embeds the same chart
    rendering = render(result, format, output, profile=profile, chart=chart)
    main = rendering.files if isinstance(rendering, Files) else {output: file_bytes(rendering)}
    write_files_atomic({**chart_files(chart, output), **main})


@contextlib.contextmanager
def _progress(files: list[Path], quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A progress bar on a terminal for inputs big enough to take a while; else nothing."""
    size = sum(path.stat().st_size for path in files if path.is_file())
    if quiet or size < PROGRESS_FROM_BYTES or not sys.stderr.isatty():
        yield None
        return
    bar = _progress_bar()
    task = bar.add_task("读取答卷", total=len(files))
    done = 0

    def advance(name: str) -> None:
        """Say which file is being read (and which of how many): never a bar stuck at 0/1."""
        nonlocal done
        done += 1
        count = f"（第 {done}/{len(files)} 个文件）" if len(files) > 1 else ""
        bar.update(task, description=f"正在读取 {name}{count}")

    with bar:
        yield advance
        bar.update(task, completed=len(files))


def _progress_bar() -> Progress:
    """A transient spinner with the file being read and the time so far, on stderr."""
    # rich only where progress is shown (a terminal's stderr).
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn("line"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    )


def register(app: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "mytool aggregate 问卷导出.xlsx",
            'mytool aggregate 导出1.xlsx "问卷/*.csv" -o 汇总.xlsx',
            "mytool aggregate 问卷导出.xlsx --drivers -o 驱动因素.md",
        )
    )(aggregate)
