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
from typing import Any, cast

from mytool.render.machine import to_json
from mytool.text import displayable


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
    # The same view as uncoloured text (width, ascii_only) → str, laid out without rich: for
    # views printed often into pipes and files (rank), where importing rich costs the most.
    text: Callable[[int, bool], str] | None = None


@dataclass(frozen=True)
class Files:
    files: dict[Path, bytes]


Rendering = Text | Binary | View | Files

# Views that can also be laid out as plain text without rich: result type → "module:function"
# taking (result, width, ascii_only=…).
PLAIN_VIEWS: dict[str, str] = {"Ranking": "mytool.render.ranking_text:ranking_text"}

# A view drawn by rich as text (draw, width, plain) → str, for a view without a plain layout
# written to a file: named, as the renderers are, so a plain ranking never loads rich.
RICH_TEXT = "mytool.render.terminal:render_to_text"

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
    ("Comparison", "table"): ("view", "mytool.render.compare_terminal:print_comparison"),
    ("Comparison", "xlsx"): ("xlsx", "mytool.render.table_xlsx:comparison_to_xlsx"),
    ("Trend", "json"): ("json", "mytool.render.trend:trend_to_dict"),
    ("Trend", "md"): ("files", "mytool.render.trend_md:trend_markdown_files"),
    ("Trend", "xlsx"): ("xlsx", "mytool.render.trend_xlsx:trend_workbook"),
    ("Trend", "table"): ("view", "mytool.render.trend:print_trend"),
    ("Aggregation", "json"): ("json", "mytool.render.aggregate:aggregation_to_dict"),
    ("Aggregation", "csv"): ("csv", "mytool.render.aggregate:aggregation_to_csv"),
    ("Aggregation", "xlsx"): ("xlsx", "mytool.render.aggregate_xlsx:aggregation_to_xlsx"),
    ("Aggregation", "md"): ("files", "mytool.render.aggregate_md:aggregation_markdown_files"),
    ("Aggregation", "table"): ("view", "mytool.render.aggregate_terminal:print_aggregation"),
    ("Plan", "json"): ("json", "mytool.render.plan:plan_to_dict"),
    ("Plan", "md"): ("text", "mytool.render.plan:plan_markdown"),
    ("Plan", "xlsx"): ("xlsx", "mytool.render.plan_xlsx:plan_to_xlsx"),
    ("Plan", "table"): ("view", "mytool.render.plan_terminal:print_plan"),
    ("LedgerStatus", "json"): ("json", "mytool.render.ledger_status:status_dict"),
    ("LedgerStatus", "md"): ("text", "mytool.render.ledger_status_md:notice_markdown"),
    ("LedgerStatus", "xlsx"): ("xlsx", "mytool.render.ledger_status_xlsx:status_workbook"),
    ("LedgerStatus", "table"): ("wide-view", "mytool.render.ledger_status_terminal:print_status"),
}


def formats_of(result_type: str) -> tuple[str, ...]:
    """The formats a result type can be rendered in, in the table's order."""
    return tuple(format for kind, format in RENDERERS if kind == result_type)


def render(result: object, format: str, output: Path | None, **context: Any) -> Rendering:
    """What `result` looks like in `format`; `context` (a profile) is passed on to the views,
    workbooks and files whose function takes it. A view's module is imported only when the
    view is drawn, so a ranking printed as plain text never loads rich."""
    kind, target = RENDERERS[(type(result).__name__, format)]
    if kind in ("view", "wide-view"):
        width, plain = (160, False) if kind == "wide-view" else (120, True)
        draw = _deferred(target, result, context, "console")
        text = PLAIN_VIEWS.get(type(result).__name__)
        plain_text = None if text is None else _deferred(text, result, {}, "width", "ascii_only")
        return View(draw, width, plain, plain_text)
    function, context = _function(target, context)
    if kind == "json":
        return Text(to_json(function(result)))
    if kind == "csv":
        return Text(function(result), bom_in_file=True)
    if kind == "text":
        return Text(function(result))
    if kind == "xlsx":
        return Binary(function(result, **context))
    found = function(result, output, **context)  # "files"
    return Text(found) if isinstance(found, str) else Files(found)


def load(target: str) -> Callable[..., Any]:
    """The function "module:function" names, its module imported now (renderers load only
    when their format is asked for: Word brings python-docx and matplotlib, Excel openpyxl)."""
    module, _, name = target.partition(":")
    return cast("Callable[..., Any]", getattr(importlib.import_module(module), name))


def _function(target: str, context: dict[str, Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The function "module:function" names, and the part of `context` it takes."""
    function = load(target)
    taken = inspect.signature(function).parameters
    return function, {key: value for key, value in context.items() if key in taken}


def _deferred(
    target: str, result: object, context: dict[str, Any], *names: str
) -> Callable[..., Any]:
    """A call of `target` on `result` whose module is imported when it is called; its
    positional arguments are passed by `names`."""

    def call(*args: Any) -> Any:
        function, taken = _function(target, context)
        return function(result, **dict(zip(names, args, strict=True)), **taken)

    return call


def file_bytes(rendering: Text | Binary | View) -> bytes:
    """What a single-file rendering holds as the bytes of a file (for writing it together with
    other files, all or none)."""
    if isinstance(rendering, Binary):
        return rendering.content
    if isinstance(rendering, Text):
        return displayable(rendering.content).encode(
            "utf-8-sig" if rendering.bom_in_file else "utf-8"
        )
    return displayable(view_text(rendering)).encode("utf-8")


def view_text(view: View) -> str:
    """What a view prints, as text for a file (`view.width` wide; plain: no colour)."""
    if view.plain and view.text is not None:
        return view.text(view.width, False)
    draw_text, _ = _function(RICH_TEXT, {})
    return draw_text(view.draw, view.width, view.plain)
