"""What every command shares: option declarations, error handling, warnings and output.

Only the command modules import typer; the library never does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any, cast

import typer

from mytool.diagnostics import ERROR, WARNING, Issue
from mytool.errors import (
    EXIT_INTERNAL,
    EXIT_OK,
    MytoolError,
    OutputError,
    UsageError,
    missing_dependency,
)
from mytool.files import os_reason, shown
from mytool.text import displayable, parse_date_text
from mytool.writing.output import (
    protect_inputs,
    write_bytes_atomic,
    write_files_atomic,
    write_text_atomic,
)

ProfileOption = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        "-p",
        metavar="<口径.toml>",
        help="测评口径文件（TOML）；默认读环境变量 MYTOOL_PROFILE，再默认内置松江区口径。",
        envvar="MYTOOL_PROFILE",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="<文件>",
        help="写入文件（原子写入）；不给则输出到屏幕。",
        show_default=False,
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误，不输出提示。")]
DebugOption = Annotated[bool, typer.Option("--debug", help="出错时显示完整的 Python 调用栈。")]
BottomOption = Annotated[
    int | None,
    typer.Option(
        "--bottom",
        "-n",
        metavar="<名次>",
        min=1,
        help="标记倒数几名（默认按口径，松江为 6）。",
        show_default=False,
    ),
]

PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        metavar="<期次>",
        help="文件中每个工作表一期时，选用哪一期（如 2024H1、2024上半年）。",
        show_default=False,
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet", metavar="<工作表>", help="只读这个工作表（按名称）。", show_default=False
    ),
]


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")
_PATTERN = re.compile(r"[*?\[]")


def _listed(path: Path) -> bool:
    """Not an Excel/WPS owner file (~$台账.xlsx) nor a hidden file."""
    return path.is_file() and not path.name.startswith(("~$", "."))


def expand_inputs(paths: Iterable[Path], *, folders: bool = True) -> list[Path]:
    """Files as people type them: a pattern (收回/*.xlsx, quoted as Windows passes it) and,
    when `folders`, a folder stand for the files they hold, in a stable (sorted) order."""
    found: list[Path] = []
    for path in paths:
        text = str(path)
        if _PATTERN.search(text) and not path.exists():
            matches = sorted(p for p in map(Path, glob.glob(text)) if _listed(p))
            if not matches:
                raise UsageError(f"「{shown(text)}」没有匹配到任何文件，请检查文件夹和扩展名")
            found.extend(matches)
        elif folders and path.is_dir():
            matches = sorted(
                p for p in path.iterdir() if _listed(p) and p.suffix.lower() in SPREADSHEET_SUFFIXES
            )
            if not matches:
                raise UsageError(
                    f"文件夹 {shown(path)} 中没有电子表格文件（{' '.join(SPREADSHEET_SUFFIXES)}）"
                )
            found.extend(matches)
        else:
            found.append(path)
    return found


def option_period(text: str | None) -> str | None:
    """The period an option names, as "2024H1"; a usage error when it names none."""
    if text is None:
        return None
    # The reader's period rules only for a command given --period.
    from mytool.reading.period import find_period

    found = find_period(text)
    if found is None:
        raise UsageError(f"--period「{text}」不是期次，请写成 2024H1（2024年上半年）或 2023H2")
    return found


class TableFormat(StrEnum):
    """Formats of a command whose result is a table: rank, compare."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    xlsx = "xlsx"


BY_EXTENSION = "不给时按 -o 文件的扩展名（.xlsx .json .csv .md），都没有时为 table。"
TableFormatOption = Annotated[
    TableFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="输出格式：table 表格、json、csv、md、xlsx（可打印的工作簿，需 -o）。" + BY_EXTENSION,
        show_default=False,
    ),
]
EXTENSION_FORMATS = {".xlsx": "xlsx", ".json": "json", ".csv": "csv", ".md": "md"}


def chosen_format(
    format: str | None, output: Path | None, offered: Iterable[str], default: str = "table"
) -> str:
    """-f when given, else what the output's extension says (排名.xlsx → xlsx), else `default`.

    A -f that contradicts the extension is refused: writing JSON into 排名.xlsx helps no one.
    """
    offered = [str(f) for f in offered]
    by_extension = EXTENSION_FORMATS.get(output.suffix.lower()) if output else None
    if format is not None:
        if by_extension and by_extension != str(format):
            raise UsageError(
                f"-f {format} 与输出文件 {shown(output.name)} 的扩展名不一致："  # type: ignore[union-attr]
                f"去掉 -f 按扩展名写成 {by_extension}，或把文件名改成与 -f {format} 相符的扩展名"
            )
        return str(format)
    if by_extension:
        if by_extension not in offered:
            raise UsageError(
                f"{shown(output.name)}：这个命令不能写 {by_extension} 格式；"  # type: ignore[union-attr]
                f"可选的格式：{'、'.join(offered)}（用 -f 指定）"
            )
        return by_extension
    return default


InputArgument = Annotated[
    Path,
    typer.Argument(
        help="测评结果文件（.xlsx .xlsm .xls .ods .csv .txt）。", metavar="文件", show_default=False
    ),
]


class _Shown:
    """A text stream that prints undecodable file-name bytes as "�" instead of failing.

    On stdout, a failed write is an answer, not a bug: a full disk, a closed pipe (or any other
    OSError) is `OutputError` (exit 3) with one line. Either way the descriptor is pointed at
    the null device first, so the interpreter's final flush has nothing left to complain about.
    """

    def __init__(self, stream: Any, *, stdout: bool) -> None:
        self._stream = stream
        self._stdout = stdout

    @classmethod
    def wrapping(cls, stream: IO[str], *, stdout: bool) -> IO[str]:
        """The wrapper, typed as the stream it stands in for (the rest goes to the stream)."""
        return cast("IO[str]", cls(stream, stdout=stdout))

    def write(self, text: str) -> int:
        try:
            return self._stream.write(displayable(text))
        except OSError as exc:
            raise self._failure(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise self._failure(exc) from exc

    def _failure(self, exc: OSError) -> Exception:
        if not self._stdout:
            return exc
        silence_stdout()
        if isinstance(exc, BrokenPipeError):
            return OutputError("标准输出的管道已关闭（读取结果的程序提前退出），输出不完整")
        return OutputError(f"无法写入标准输出（{os_reason(exc)}）；请腾出空间，或用 -o 写到别处")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def silence_stdout() -> None:
    """Point stdout's descriptor at the null device (after it failed: full disk, closed pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def stderr_console() -> Any:
    # rich only when something is printed through it.
    from rich.console import Console

    return Console(
        file=_Shown.wrapping(sys.stderr, stdout=False), stderr=True, highlight=False, soft_wrap=True
    )


@contextlib.contextmanager
def working(message: str, quiet: bool) -> Iterator[None]:
    """A spinner with the elapsed time on a terminal's stderr while a slow step runs.

    Nothing when stderr is not a terminal (cron, a log file) or with --quiet, so scripted runs
    see only results and errors. The spinner is ASCII, so a GBK console can show it.
    """
    if quiet or not sys.stderr.isatty():
        yield
        return
    # rich only where progress is shown (a terminal's stderr).
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn("line"),
        TextColumn(message),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    ) as progress:
        progress.add_task(message, total=None)
        yield


def stdout_console() -> Any:
    """The console views print on. Text is printed as the files say it, never read as rich
    markup ("[x]") or emoji codes (":x:"), as every `print(..., markup=False)` here: and a
    table takes a third less work."""
    # rich only when something is printed through it.
    from rich.console import Console

    return Console(
        file=_Shown.wrapping(sys.stdout, stdout=True), highlight=False, markup=False, emoji=False
    )


@dataclass(frozen=True)
class Run:
    """What the top-level options say about this run (set by the CLI's callback)."""

    command: str
    log_file: Path | None


CURRENT_RUN: ContextVar[Run | None] = ContextVar("current_run", default=None)
# The audit log's file when --log-file is not given (also that option's envvar, mytool.cli).
AUDIT_LOG_ENV = "MYTOOL_LOG_FILE"


INTERNAL_ERROR = (
    "内部错误：{error}\n这是 mytool 的程序缺陷，不是您的文件有问题。"
    "请加 --debug 重新运行，把输出的全部内容和所用文件发给维护人员。"
)
# Whether the running command was given --debug (set by `runs`, read by `exit_code_of`).
DEBUG: ContextVar[bool] = ContextVar("debug", default=False)


def runs(*, reads: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run a command the way every command runs: protected inputs, audit log, --debug.

    `reads` names the parameters holding files the command reads (a folder stands for its
    files): those are never overwritten and are hashed into the audit log. Failures are not
    handled here but once, for every command, by `exit_code_of` (see `mytool.cli`).
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            DEBUG.set(bool(kwargs.get("debug")))
            started = dt.datetime.now().astimezone()
            inputs = _input_files(kwargs, reads)
            code, written = EXIT_OK, []
            try:
                with protect_inputs(inputs) as written:
                    return command(*args, **kwargs)
            except BaseException as exc:
                code = _audited_code(exc)
                raise
            finally:
                _audit(started, kwargs, inputs, written, code)

        return wrapper

    return decorate


def _audited_code(exc: BaseException) -> int:
    """The exit code the audit log records for a run that ended with `exc`."""
    if isinstance(exc, typer.Exit | MytoolError):
        return exc.exit_code
    missing = missing_dependency(exc)
    if missing is not None:
        return missing.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return 130  # Ctrl-C: the line and the exit code come from the console entry
    return EXIT_INTERNAL if isinstance(exc, Exception) else EXIT_OK


def exit_code_of(exc: Exception) -> int:
    """The one place a failure becomes an exit code: `MytoolError` is one Chinese line on
    stderr and its code, and so is a third-party package that is not installed (exit 6);
    anything else is a bug (exit 5) with a line saying so. With --debug the exception is
    raised again instead, to show the traceback."""
    if DEBUG.get():
        raise exc
    missing = None if isinstance(exc, MytoolError) else missing_dependency(exc)
    if missing is not None:  # printed without rich: rich may be the package missing
        print(f"错误：{missing.message}", file=_Shown.wrapping(sys.stderr, stdout=False))
        return missing.exit_code
    if isinstance(exc, MytoolError):
        stderr_console().print(f"错误：{exc.message}", markup=False)
        return exc.exit_code
    stderr_console().print(INTERNAL_ERROR.format(error=exc), markup=False)
    return EXIT_INTERNAL


def _input_files(parameters: dict[str, Any], names: tuple[str, ...]) -> list[Path]:
    """The existing files a command was given to read (a folder stands for its files)."""
    found: list[Path] = []
    for name in names:
        value = parameters.get(name)
        values = value if isinstance(value, list | tuple) else [value]
        with contextlib.suppress(MytoolError):
            values = expand_inputs([v for v in values if isinstance(v, Path)], folders=False)
        for path in values:
            if isinstance(path, Path) and path.is_dir():
                found.extend(sorted(p for p in path.iterdir() if p.is_file()))
            elif isinstance(path, Path) and path.is_file():
                found.append(path)
    return found


def _audit(
    started: dt.datetime,
    parameters: dict[str, Any],
    inputs: list[Path],
    outputs: list[Path],
    code: int,
) -> None:
    run = CURRENT_RUN.get()
    log_file = run.log_file if run and run.log_file else os.environ.get(AUDIT_LOG_ENV)
    if not log_file:
        return
    # Lazy: only a run with an audit log hashes its files (hashlib loads OpenSSL).
    from mytool.writing.audit import append_record, run_record

    record = run_record(
        command=f"mytool {run.command}" if run else "mytool",
        parameters={
            k: displayable(str(v)) for k, v in parameters.items() if v not in (None, False, [])
        },
        inputs=inputs,
        outputs=outputs,
        exit_code=code,
        started=started,
    )
    problem = append_record(Path(log_file), record)
    if problem:
        message = f"提示：无法写入运行日志 {shown(log_file)}（{problem}）"
        stderr_console().print(message, markup=False)


SAME_KIND_SHOWN = 10  # notes of one kind printed before the rest are summed up in one line


def print_warnings(issues: Iterable[Issue], quiet: bool) -> None:
    """Warnings and errors found in the data, on stderr (stdout stays parseable).

    The console (rich) is made only when there is something to say: a clean file read for
    -f json never loads rich.
    """
    if quiet:
        return
    lines = []
    shown_per_code: dict[str, int] = {}
    for issue in issues:
        if issue.severity in (WARNING, ERROR):
            shown_per_code[issue.code] = shown_per_code.get(issue.code, 0) + 1
            if shown_per_code[issue.code] <= SAME_KIND_SHOWN:
                lines.append(f"提示：{issue.located()}")
    for count in shown_per_code.values():
        if count > SAME_KIND_SHOWN:
            lines.append(
                f"提示：另有 {count - SAME_KIND_SHOWN} 条同类提示未列出"
                "（用 mytool validate 查看全部）"
            )
    if lines:
        console = stderr_console()
        for line in lines:
            console.print(line, markup=False)


def option_date(text: str, option: str) -> dt.date:
    """The date an option was given (2024-04-10, 2024/4/10, 2024年4月10日), or a usage error."""
    parsed = parse_date_text(text)
    if parsed is None:
        raise UsageError(f"{option}「{text}」不是有效日期，请写成 2024-04-10")
    return parsed


def warn(message: str, quiet: bool) -> None:
    """One "提示：" line on stderr (not with --quiet)."""
    if not quiet:
        stderr_console().print(f"提示：{message}", markup=False)


def check_bottom(bottom: int | None, units: int, quiet: bool) -> None:
    """--bottom that flags every unit is almost always a typo: say so."""
    if bottom is not None and bottom >= units:
        warn(f"--bottom {bottom} 不小于街镇数 {units}，所有街镇都会被标记为排名靠后", quiet)


def check_deadline(deadline: dt.date | None, period: str | None, quiet: bool) -> None:
    """A deadline before the surveyed half-year is over cannot be meant: say so."""
    if deadline is None or not period or len(period) != 6 or not period[:4].isdigit():
        return
    end = (
        dt.date(int(period[:4]), 6, 30)
        if period.endswith("H1")
        else dt.date(int(period[:4]), 12, 31)
    )
    if deadline <= end:
        from mytool.reading.period import period_label  # lazy, as in option_period

        warn(
            f"完成时限 {deadline.isoformat()} 早于测评期次 {period_label(period)} 结束"
            f"（{end.isoformat()}），请核对",
            quiet,
        )


def emit(result: object, format: str, output: Path | None, **context: Any) -> None:
    """Render `result` in `format` (one registry: `mytool.render.registry`) and write it to
    stdout or, atomically, to `output`. `context` goes to the terminal view (a profile)."""
    # Renderers only once there is a result to emit.
    from mytool.render.registry import Binary, Files, Text, render, view_text

    rendering = render(result, format, output, **context)
    if isinstance(rendering, Text):
        emit_text(rendering.content, output, bom=rendering.bom_in_file and output is not None)
    elif isinstance(rendering, Binary | Files):
        if output is None:  # commands refuse this before reading (`needs_output`)
            raise UsageError(f"{format} 格式需要用 --output 指定输出文件")
        if isinstance(rendering, Binary):
            write_bytes_atomic(output, rendering.content)
        else:
            write_files_atomic(rendering.files)
    elif output is not None:
        emit_text(view_text(rendering), output)
    elif rendering.text is not None and stdout_is_plain():
        emit_text(rendering.text(console_width(), not _stdout_is_utf()), None)
    else:
        rendering.draw(stdout_console())


def stdout_is_plain() -> bool:
    """True when rich would print nothing but text on stdout: not a terminal (a pipe, a file,
    cron) and no colour forced by $TTY_COMPATIBLE or $FORCE_COLOR, as rich decides."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "0"
    forced = os.environ.get("FORCE_COLOR")
    if forced is not None:
        return forced == ""
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):
        return True


def console_width() -> int:
    """The width rich gives a console on stdout: $COLUMNS (unless 0), else the terminal that
    stdin, stdout or stderr is (stdout or stderr on Windows), else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for descriptor in (1, 2) if sys.platform == "win32" else (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (OSError, ValueError):
            continue
    return 80


def _stdout_is_utf() -> bool:
    """Whether stdout can show box-drawing characters (rich draws an ASCII box otherwise)."""
    return (getattr(sys.stdout, "encoding", None) or "utf-8").lower().startswith("utf")


def needs_output(format: str, output: Path | None, message: str) -> None:
    """Refuse, before any reading, a format that only a file can hold (xlsx) without -o."""
    if format == "xlsx" and output is None:
        raise UsageError(message)


def emit_text(text: str, output: Path | None, *, bom: bool = False) -> None:
    """Text to stdout, or atomically to `output` (UTF-8, with a BOM when asked)."""
    if output is None:
        stream = _Shown(sys.stdout, stdout=True)
        stream.write(text)
        stream.flush()
        return
    write_text_atomic(output, displayable(text), bom=bom)
