"""One table of renderers: (result type, format) → the function that turns the result into output.

Each entry names its function as "module:function", imported only when used, so a command loads
the one renderer it needs. `render` returns what to write, never writes it: `Text` (a BOM goes
in front when it is written to a file), `Binary` (needs a file), `View` (a rich view: the
terminal, or plain text in a file) or `Files` (several files written together, all or none).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mytool.render.machine import to_json


@dataclass(frozen=True)
class Text:
    content: str
    bom_in_file: bool = False


@dataclass(frozen=True)
class Binary:
    content: bytes


@dataclass(frozen=True)
class View:
    draw: Callable[[Any], None]  # draws on a rich Console
    width: int = 120  # of the plain text written to a file
    plain: bool = True  # file text without colour or highlighting (False: the Console's default)


@dataclass(frozen=True)
class Files:
    files: dict[Path, bytes]


Rendering = Text | Binary | View | Files

# (result type, format) → (kind, "module:function"); kinds are listed in `render`.
RENDERERS: dict[tuple[str, str], tuple[str, str]] = {
    ("Ranking", "json"): ("json", "mytool.render.machine:ranking_to_dict"),
    ("Ranking", "csv"): ("csv", "mytool.render.machine:ranking_to_csv"),
    ("Ranking", "md"): ("text", "mytool.render.markdown:ranking_markdown"),
    ("Ranking", "table"): ("view", "mytool.render.terminal:print_ranking"),
    ("Ranking", "xlsx"): ("xlsx", "mytool.render.table_xlsx:ranking_to_xlsx"),
    ("Comparison", "json"): ("json", "mytool.render.compare:comparison_to_dict"),
    ("Comparison", "csv"): ("csv", "mytool.render.compare:comparison_to_csv"),
    ("Comparison", "md"): ("text", "mytool.render.compare:comparison_markdown"),
    ("Comparison", "table"): ("view", "mytool.render.compare:print_comparison"),
    ("Comparison", "xlsx"): ("xlsx", "mytool.render.table_xlsx:comparison_to_xlsx"),
    ("Trend", "json"): ("json", "mytool.render.trend:trend_to_dict"),
    ("Trend", "md"): ("files", "mytool.render.trend:trend_markdown_files"),
    ("Trend", "xlsx"): ("xlsx", "mytool.render.trend_xlsx:trend_workbook"),
    ("Trend", "table"): ("view", "mytool.render.trend:print_trend"),
    ("Aggregation", "json"): ("json", "mytool.render.aggregate:aggregation_to_dict"),
    ("Aggregation", "csv"): ("csv", "mytool.render.aggregate:aggregation_to_csv"),
    ("Aggregation", "xlsx"): ("xlsx", "mytool.render.aggregate:aggregation_to_xlsx"),
    ("Aggregation", "md"): ("files", "mytool.render.aggregate_md:aggregation_markdown_files"),
    ("Aggregation", "table"): ("view", "mytool.render.aggregate:print_aggregation"),
    ("Plan", "json"): ("json", "mytool.render.plan:plan_to_dict"),
    ("Plan", "md"): ("text", "mytool.render.plan:plan_markdown"),
    ("Plan", "xlsx"): ("xlsx", "mytool.render.plan:plan_to_xlsx"),
    ("Plan", "table"): ("view", "mytool.render.plan:print_plan"),
    ("LedgerStatus", "json"): ("json", "mytool.render.ledger_status:status_dict"),
    ("LedgerStatus", "md"): ("text", "mytool.render.ledger_status:notice_markdown"),
    ("LedgerStatus", "xlsx"): ("xlsx", "mytool.render.ledger_status:status_workbook"),
    ("LedgerStatus", "table"): ("wide-view", "mytool.render.ledger_status:print_status"),
}


def formats_of(result_type: str) -> tuple[str, ...]:
    """The formats a result type can be rendered in, in the table's order."""
    return tuple(format for kind, format in RENDERERS if kind == result_type)


def render(result: object, format: str, output: Path | None, **context: Any) -> Rendering:
    """What `result` looks like in `format`; `context` (a profile) is passed on to the views,
    workbooks and files whose function takes it."""
    kind, target = RENDERERS[(type(result).__name__, format)]
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    taken = inspect.signature(function).parameters
    context = {key: value for key, value in context.items() if key in taken}
    if kind == "json":
        return Text(to_json(function(result)))
    if kind == "csv":
        return Text(function(result), bom_in_file=True)
    if kind == "text":
        return Text(function(result))
    if kind == "xlsx":
        return Binary(function(result, **context))
    if kind == "files":
        found = function(result, output, **context)
        return Text(found) if isinstance(found, str) else Files(found)
    width, plain = (160, False) if kind == "wide-view" else (120, True)
    return View(lambda console: function(result, console=console, **context), width, plain)


def file_bytes(rendering: Text | Binary | View) -> bytes:
    """What a single-file rendering holds as the bytes of a file (for writing it together with
    other files, all or none)."""
    # Only this path needs them: writing a view or text as part of a set of files.
    from mytool.render.terminal import render_to_text
    from mytool.text import displayable

    if isinstance(rendering, Binary):
        return rendering.content
    if isinstance(rendering, Text):
        return displayable(rendering.content).encode(
            "utf-8-sig" if rendering.bom_in_file else "utf-8"
        )
    return displayable(render_to_text(rendering.draw, rendering.width)).encode("utf-8")
