"""`mytool ledger init|split|merge|status`: the rectification ledger (整改台账)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mytool.commands.chinese import ChineseGroup, examples
from mytool.commands.common import (
    DebugOption,
    InputArgument,
    OutputOption,
    ProfileOption,
    QuietOption,
    check_deadline,
    chosen_format,
    emit,
    emit_text,
    expand_inputs,
    needs_output,
    option_date,
    print_warnings,
    runs,
    stderr_console,
    stdout_console,
    working,
)
from mytool.errors import EXIT_LOCKED, EXIT_PROBLEMS
from mytool.text import displayable

if TYPE_CHECKING:
    pass

ledger_app = typer.Typer(
    cls=ChineseGroup,
    help="整改台账：按点位问题建台账，分发给牵头部门或街镇，合并回收表，通报整改进展。",
    no_args_is_help=True,
)

LedgerArgument = Annotated[
    Path, typer.Argument(help="整改台账（.xlsx）。", metavar="台账", show_default=False)
]
ForceOption = Annotated[bool, typer.Option("--force", help="已有同名文件时覆盖（先备份）。")]


class Grouping(StrEnum):
    department = "department"
    unit = "unit"


class StatusFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    xlsx = "xlsx"


def _ledger_title(period: str) -> str:
    from mytool.render.wording import period_text  # brings the analysis: not for --help

    return f"{period_text(period) or period} 点位问题整改台账"


@ledger_app.command(
    "init",
    epilog=examples(
        "mytool ledger init 测评结果.xlsx -o 整改台账.xlsx",
        "mytool ledger init 测评结果.xlsx --problems 点位问题.xlsx --deadline 2024-04-10",
    ),
)
@runs(reads=("report", "problems"))
def init(
    report: InputArgument,
    problems: Annotated[
        Path | None,
        typer.Option(
            "--problems",
            metavar="<文件>",
            help="点位问题清单文件（默认读测评结果文件中的点位问题工作表）。",
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            "--deadline",
            metavar="<日期 2024-04-10>",
            help="完成时限（默认按口径：下半年测评为次年4月10日）。",
        ),
    ] = None,
    output: OutputOption = None,
    force: ForceOption = False,
    profile: ProfileOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """按点位问题建整改台账：每个点位一行，编号为期次加序号（如 2023H2-0007）。"""
    # Loaded when the command runs: --help imports every command's module.
    from mytool.ledger.build import ledger_entries, load_problem_points
    from mytool.ledger.files import write_new_ledger
    from mytool.ledger.workbook_writer import ledger_workbook
    from mytool.profile import load_profile

    loaded = load_profile(profile)
    period, points, issues = load_problem_points(report, problems, loaded)
    print_warnings(issues, quiet)
    due = option_date(deadline, "--deadline") if deadline else loaded.deadline_after(period)
    check_deadline(due, period, quiet)
    entries = ledger_entries(period, points, loaded, due)
    target = output or Path(f"{period}-整改台账.xlsx")
    data = ledger_workbook(
        entries,
        title=_ledger_title(period),
        paper=loaded.ledger_paper,
    )
    backup = write_new_ledger(target, data, force=force, when=dt.datetime.now())
    if not quiet:
        console = stdout_console()
        console.print(
            f"已建整改台账 {target}：{len(entries)} 个点位问题", markup=False, soft_wrap=True
        )
        if backup:
            console.print(f"原台账已备份为 {backup}", markup=False, soft_wrap=True)


@ledger_app.command(
    "split",
    epilog=examples(
        "mytool ledger split 整改台账.xlsx", "mytool ledger split 整改台账.xlsx --by unit -d 分发/"
    ),
)
@runs(reads=("ledger",))
def split(
    ledger: LedgerArgument,
    by: Annotated[
        Grouping, typer.Option("--by", help="按牵头部门（department）或街镇（unit）分发。")
    ] = Grouping.department,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir", "-d", metavar="<文件夹>", help="输出文件夹（默认：<台账名>-分发）。"
        ),
    ] = None,
    force: ForceOption = False,
    profile: ProfileOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """把台账拆成每个牵头部门（或街镇）一份，只含其点位，格式和下拉选项不变。"""
    # Loaded when the command runs: --help imports every command's module.
    from mytool.ledger.files import write_copies
    from mytool.ledger.split import split_ledger
    from mytool.ledger.workbook import load_ledger
    from mytool.profile import load_profile

    paper = load_profile(profile).ledger_paper
    loaded = load_ledger(ledger)
    print_warnings(loaded.issues, quiet)
    # Names written into the copies and given to them are shown forms: encodable as UTF-8
    # even when the master's own name is not (GBK bytes from another system).
    stem = displayable(ledger.stem)
    made = dt.datetime.now()
    files = split_ledger(
        loaded, by=by.value, master_name=displayable(ledger.name), stem=stem, made=made, paper=paper
    )
    folder = output_dir or ledger.with_name(f"{stem}-分发")
    written = write_copies(folder, files, force=force)
    if not quiet:
        console = stdout_console()
        console.print(f"已写 {len(written)} 份分发表（{folder}）：", markup=False, soft_wrap=True)
        for path in written:
            console.print(f"  {path.name}", markup=False, soft_wrap=True)


@ledger_app.command(
    "merge",
    epilog=examples(
        "mytool ledger merge 整改台账.xlsx 收回/", 'mytool ledger merge 整改台账.xlsx "收回/*.xlsx"'
    ),
)
@runs(reads=("returned",))
def merge(
    # The master is rewritten here, so it is not among the protected inputs (`reads`).
    master: LedgerArgument,
    returned: Annotated[
        list[Path],
        typer.Argument(
            help="收回的分发表（可多个；也可以是文件夹或 收回/*.xlsx）。",
            metavar="收回的表",
            show_default=False,
        ),
    ],
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """把收回的分发表按编号合并进总台账（只合并填报列；冲突不覆盖，先备份再原子改写）。

    有冲突或未导入的内容时退出码为 1；总台账正在 Excel/WPS 中打开、结果另存时退出码为 4。
    """
    # Loaded when the command runs: --help imports every command's module.
    from mytool.ledger.merge_files import merge_into_master
    from mytool.ledger.merge_view import merge_report

    returned = [p for p in expand_inputs(returned) if p.resolve() != master.resolve()]
    with working("正在合并回收表", quiet):
        outcome = merge_into_master(master, returned, when=dt.datetime.now())
    master_left_alone = outcome.owner_file is not None and outcome.written is not None
    if not quiet or outcome.result.has_problems or master_left_alone:
        emit_text(merge_report(outcome), None)
    if master_left_alone:  # cron must see that the master was not updated
        stderr_console().print(
            f"错误：总台账正在被打开，未更新；合并结果在 {outcome.written}", markup=False
        )
        raise typer.Exit(EXIT_LOCKED)
    if outcome.result.has_problems:
        raise typer.Exit(EXIT_PROBLEMS)


@ledger_app.command(
    "status",
    epilog=examples(
        "mytool ledger status 整改台账.xlsx",
        "mytool ledger status 整改台账.xlsx --as-of 2024-04-15 -f md -o 通报.md",
        "mytool ledger status 整改台账.xlsx --strict --quiet",
    ),
)
@runs(reads=("ledger",))
def status(
    ledger: LedgerArgument,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="<日期 2024-04-10>", help="统计截至日期（默认今天）。"),
    ] = None,
    due_within: Annotated[
        int, typer.Option("--due-within", metavar="<天数>", min=0, help="列出多少天内到期的点位。")
    ] = 14,
    format: Annotated[
        StatusFormat | None,
        typer.Option("--format", "-f", help="table、json、md（通报）或 xlsx（须给 -o）。"),
    ] = None,
    output: OutputOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="有逾期点位时退出码为 1。")] = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """整改进展：按状态、街镇、牵头部门统计，列出逾期、即将到期和未复查的点位。"""
    # Loaded when the command runs: --help imports every command's module. The ledger's reader
    # and status logic only, as split does: mytool.api brings the score-workbook reader.
    from mytool.analysis.ledger.status import ledger_status
    from mytool.ledger.workbook import load_ledger

    chosen = chosen_format(format, output, StatusFormat)

    needs_output(chosen, output, "--format xlsx 须用 -o 指定输出文件")
    day = option_date(as_of, "--as-of") if as_of else dt.date.today()
    result = ledger_status(load_ledger(ledger), day, due_within)
    print_warnings(result.issues, quiet)
    emit(result, chosen, output)
    if strict and result.overdue:
        raise typer.Exit(EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")
