"""The rich terminal view of a ranking: units (grades coloured, flags marked), then categories."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mytool.analysis.ranking import Ranking
from mytool.profile import Profile
from mytool.render.grades import grade_color
from mytool.render.ranking_text import category_table, ranking_note, unit_table
from mytool.render.text_table import Table as TableModel


def print_ranking(ranking: Ranking, profile: Profile, console: Console) -> None:
    """The view on a rich console: grades coloured, flagged rows bold red (the same tables
    as `mytool.render.ranking_text`, which lays them out without rich)."""
    units = rich_table(unit_table(ranking))
    for unit, cells in zip(ranking.units, unit_table(ranking).rows, strict=True):
        styled: list[str | Text] = list(cells)
        styled[3] = Text(unit.grade, style=f"on #{grade_color(profile, unit.grade)} black")
        units.add_row(*styled, style="bold red" if unit.flagged else None)
    console.print(units)
    console.print(ranking_note(ranking))
    categories = category_table(ranking)
    if categories is not None:
        table = rich_table(categories)
        for row in categories.rows:
            table.add_row(*row)
        console.print(table)


def rich_table(model: TableModel) -> Table:
    """An empty rich table with the model's title and columns (rows are added by the caller,
    with their styles)."""
    table = Table(title=model.title, title_justify="left", header_style="bold")
    for heading, justify in model.columns:
        table.add_column(heading, justify=justify, overflow="fold")
    return table


def render_to_text(draw: Callable[[Console], None], width: int = 120, plain: bool = True) -> str:
    """What `draw` prints, as text for an --output file `width` wide: plain (no colour, no
    highlighting), or else as a Console prints by default, with markup and emoji off."""
    buffer = io.StringIO()
    if plain:
        console = Console(file=buffer, width=width, color_system=None, highlight=False)
    else:
        console = Console(file=buffer, width=width, markup=False, emoji=False)
    draw(console)
    return buffer.getvalue()
