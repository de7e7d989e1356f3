"""`mytool trend`: many half-years in order — scores, ranks, sparklines, 连续 N 期排名靠后."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mytool.commands.common import (
    DebugOption,
    OutputOption,
    ProfileOption,
    QuietOption,
    emit,
    emit_view,
    print_warnings,
    runs,
)
from mytool.errors import UsageError


class TrendFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    xlsx = "xlsx"


@runs(reads=("paths",))
def trend(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="各期测评结果文件，或存放它们的文件夹（期次从文件名或标题识别）。",
            metavar="文件或文件夹",
            show_default=False,
        ),
    ],
    profile: ProfileOption = None,
    format: Annotated[
        TrendFormat,
        typer.Option(
            "--format",
            "-f",
            help="输出格式：table 表格、json、md（含 SVG 折线图）、xlsx（含图表）。",
        ),
    ] = TrendFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """多期走势：各街镇每期得分和排名、连续几期排名靠后、大类全区得分走势。"""
    if format is TrendFormat.xlsx and output is None:
        raise UsageError("xlsx 格式需要用 --output 指定输出文件，如 -o 走势.xlsx")
    from mytool.api import load_trend

    _, result = load_trend(paths, profile)
    print_warnings(result.issues, quiet)
    if format is TrendFormat.xlsx:
        from mytool.render.trend_xlsx import trend_workbook
        from mytool.writing.output import write_bytes_atomic

        write_bytes_atomic(output, trend_workbook(result))
        return
    from mytool.render import trend as render

    if format is TrendFormat.json:
        from mytool.render.machine import to_json

        emit(to_json(render.trend_to_dict(result)), output)
    elif format is TrendFormat.md:
        svg = render.trend_svg(result)
        if output is None:  # one stream: the chart is inlined
            emit(render.trend_markdown(result, svg), None)
        else:  # the chart goes beside the file as NAME.svg, linked as an image; both or neither
            from mytool.writing.output import write_files_atomic

            chart = output.with_suffix(".svg")
            link = f"![{render.chart_title(result)}](<{chart.name}>)"
            markdown = render.trend_markdown(result, link)
            write_files_atomic({chart: svg.encode("utf-8"), output: markdown.encode("utf-8")})
    else:
        emit_view(lambda console: render.print_trend(result, console), output)


def register(app: typer.Typer) -> None:
    app.command()(trend)
