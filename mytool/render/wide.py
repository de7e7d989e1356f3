"""Print a rich table whole: at its natural width even past the console's, never cut short."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table


def print_whole(table: Table, console: Console) -> None:
    """A piped console is 80 columns wide; an ellipsis there would hide scores and ranks."""
    natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
    if natural > console.width:
        table.width = natural
    console.print(table, crop=False)
