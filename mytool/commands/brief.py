"""`mytool brief`: improvement briefs per unit and a district overview, in Markdown and Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mytool.commands.chinese import examples
from mytool.commands.common import (
    BottomOption,
    DebugOption,
    InputArgument,
    PeriodOption,
    ProfileOption,
    QuietOption,
    SheetOption,
    check_bottom,
    check_deadline,
    option_date,
    option_period,
    print_warnings,
    runs,
    stdout_console,
    working,
)
from mytool.errors import UsageError

if TYPE_CHECKING:
    # Loaded when the command runs: --help imports every command's module.
    from mytool.analysis.brief import BriefSet
    from mytool.profile import Profile


BRIEF_FORMATS = ("docx", "md", "xlsx")


def brief_formats(text: str) -> set[str]:
    """`--format docx,xlsx` → {"docx", "xlsx"}; `both` is md + xlsx, as before docx existed."""
    chosen: set[str] = set()
    for part in text.replace("，", ",").split(","):
        name = part.strip().lower()
        if name == "both":
            chosen |= {"md", "xlsx"}
        elif name in BRIEF_FORMATS:
            chosen.add(name)
        elif name:
            raise UsageError(
                f"--format 不认识「{part.strip()}」：可选 docx、md、xlsx（可用逗号写几个，"
                "如 docx,xlsx），both 即 md,xlsx"
            )
    if not chosen:
        raise UsageError("--format 至少要写一种：docx、md、xlsx")
    return chosen


@runs(reads=("file", "problems", "feedback", "previous", "ledger"))
def brief(
    file: InputArgument,
    unit: Annotated[
        list[str] | None,
        typer.Option(
            "--unit",
            "-u",
            metavar="<街镇>",
            help="只写这些街镇（可重复；简称、全称均可）。",
            show_default=False,
        ),
    ] = None,
    all_units: Annotated[
        bool, typer.Option("--all/--flagged", help="写全部街镇，或只写重点提升街镇（默认）。")
    ] = False,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="docx：Word 简报（每个街镇、每个牵头部门一份，全区一页简报，附图）；"
            "md：Markdown 简报和全区总览；xlsx：一个工作簿。可用逗号写几个；both 即 md,xlsx。",
        ),
    ] = "docx,xlsx",
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-d",
            metavar="<文件夹>",
            help="输出文件夹（默认：<期次>-简报）。",
            show_default=False,
        ),
    ] = None,
    template_dir: Annotated[
        Path | None,
        typer.Option(
            "--template-dir",
            metavar="<文件夹>",
            help="自定义模板文件夹（同名模板覆盖内置模板）。",
            show_default=False,
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            "--deadline",
            metavar="<日期 2024-04-10>",
            help="点位问题整改完成时限（默认按口径：下半年测评为次年4月10日）。",
            show_default=False,
        ),
    ] = None,
    problems: Annotated[
        Path | None,
        typer.Option(
            "--problems",
            metavar="<文件>",
            help="点位问题清单文件（也可以是测评结果文件中的工作表）。",
            show_default=False,
        ),
    ] = None,
    feedback: Annotated[
        Path | None,
        typer.Option(
            "--feedback", metavar="<文件>", help="市民反映建议案例文件。", show_default=False
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            metavar="<文件>",
            help="上一期测评结果文件，用于对比变化。",
            show_default=False,
        ),
    ] = None,
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger",
            metavar="<台账>",
            help="整改台账（mytool ledger init 生成），简报中列出未销号点位及状态。",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="<日期 2024-04-10>",
            help="落款日期和整改台账逾期天数的统计日期（默认今天；给定日期可使结果逐字节重现）。",
            show_default=False,
        ),
    ] = None,
    bottom: BottomOption = None,
    period: PeriodOption = None,
    sheet: SheetOption = None,
    profile: ProfileOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """为重点提升街镇写整改提升简报（每个街镇一份），并写全区总览和牵头部门任务。"""
    formats = _checked_options(unit, all_units, format)
    # Loaded when the command runs: --help imports every command's module.
    from mytool.api import brief_files
    from mytool.profile import load_profile

    day = option_date(as_of, "--as-of") if as_of else dt.date.today()
    due = option_date(deadline, "--deadline") if deadline else None
    loaded = load_profile(profile)
    briefs = brief_files(
        file,
        loaded,
        units=unit,
        everyone=all_units,
        bottom_n=bottom,
        problems=problems,
        feedback=feedback,
        previous=previous,
        deadline=due,
        period=option_period(period),
        sheet=sheet,
        ledger=ledger,
        as_of=day,
    )
    _warn(briefs, bottom, due, quiet)
    _write_folder(briefs, loaded, formats, template_dir, output_dir, day, quiet)


def _checked_options(unit: list[str] | None, all_units: bool, format: str) -> set[str]:
    """The formats asked for, once the options are known to fit together (before any reading)."""
    _refuse_unit_with_all(unit, all_units)
    return brief_formats(format)


def _refuse_unit_with_all(unit: list[str] | None, all_units: bool) -> None:
    if unit and all_units:
        raise UsageError(
            "--unit 与 --all 不能同时使用：只写某几个街镇用 --unit，写全部街镇用 --all"
        )


def _warn(briefs: BriefSet, bottom: int | None, deadline: dt.date | None, quiet: bool) -> None:
    """The issues of every file read, then doubts about --bottom and --deadline."""
    print_warnings(briefs.issues, quiet)
    check_bottom(bottom, len(briefs.ranking.units), quiet)
    check_deadline(deadline, briefs.ranking.period, quiet)


def _write_folder(
    briefs: BriefSet,
    profile: Profile,
    formats: set[str],
    template_dir: Path | None,
    output_dir: Path | None,
    day: dt.date,
    quiet: bool,
) -> None:
    """Render the briefs, write them into one folder (default <期次>-简报) and list them."""
    # Briefs only: the document renderers bring docx and openpyxl.
    from mytool.render.brief_files import brief_files as brief_documents
    from mytool.writing.brief_folder import write_brief_folder

    with working("正在生成简报文件", quiet):
        files = brief_documents(
            briefs, profile, formats=formats, template_dir=template_dir, as_of=day
        )
        folder = output_dir or Path(f"{briefs.ranking.period or '期次未知'}-简报")
        written = write_brief_folder(folder, files)
    if not quiet:
        console = stdout_console()
        console.print(f"已为 {len(briefs.units)} 个街镇写好简报（{folder}）：", markup=False)
        for path in written:
            console.print(f"  {path.name}", markup=False)


def register(app: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "mytool brief 测评结果.xlsx",
            "mytool brief 测评结果.xlsx --all -d 简报/",
            "mytool brief 本期.xlsx --previous 上期.xlsx -u 九亭 --deadline 2024-04-10",
        )
    )(brief)
