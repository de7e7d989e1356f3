"""The plain-text ranking view (no rich) reads exactly as rich prints it uncoloured.

rich itself is the expectation: the same tables drawn by `rich.table.Table` on a console
without colour, at every width from 20 to 199 cells, on both samples, and on generated tables
of Chinese, ASCII, spaces and marks.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table as RichTable

from mytool.api import rank_file
from mytool.profile import load_profile
from mytool.render.ranking_text import ranking_text
from mytool.render.terminal import print_ranking
from mytool.render.text_table import Table, table_lines, wrap

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "data" / "samples").glob("*.xlsx"))
PROFILE = load_profile(None)


def _rich(draw, width: int, encoding: str = "utf-8") -> str:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    draw(Console(file=stream, width=width, color_system=None, highlight=False, markup=False))
    stream.flush()
    return raw.getvalue().decode(encoding)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_the_ranking_reads_as_rich_prints_it_at_every_width(sample):
    ranking = rank_file(sample, PROFILE)
    for width in range(20, 200):
        expected = _rich(lambda console: print_ranking(ranking, PROFILE, console), width)
        assert ranking_text(ranking, width) == expected, f"width {width}"


def test_a_console_that_cannot_show_box_characters_gets_rich_s_ascii_box():
    ranking = rank_file(SAMPLES[0], PROFILE)
    for width in (60, 80, 120):
        expected = _rich(lambda c: print_ranking(ranking, PROFILE, c), width, encoding="gbk")
        plain = ranking_text(ranking, width, ascii_only=True)
        assert plain.encode("gbk", "replace").decode("gbk") == expected
        assert "+------+" in plain and "┏" not in plain


_TEXT = st.text(alphabet="ab XZ12 .-九亭镇街道（）、，。⚑—\u3000", max_size=30)
_TABLES = st.integers(1, 6).flatmap(
    lambda n: st.builds(
        Table,
        _TEXT,
        st.tuples(*[st.tuples(_TEXT, st.sampled_from(["left", "right", "center"]))] * n),
        st.lists(st.tuples(*[_TEXT] * n), max_size=4).map(tuple),
    )
)


def _rich_table(model: Table, console: Console) -> None:
    table = RichTable(title=model.title, title_justify="left", header_style="bold")
    for heading, justify in model.columns:
        table.add_column(heading, justify=justify, overflow="fold")
    for row in model.rows:
        table.add_row(*row)
    console.print(table)


@settings(max_examples=300, deadline=None)
@given(model=_TABLES, width=st.integers(10, 120))
def test_generated_tables_read_as_rich_lays_them_out(model, width):
    expected = _rich(lambda console: _rich_table(model, console), width)
    assert "".join(f"{line}\n" for line in table_lines(model, width)) == expected


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="ab XZ12 .-九亭镇街道（）、，。⚑—\u3000", max_size=200),
    width=st.integers(1, 120),
)
def test_a_long_line_wraps_as_rich_wraps_it(text, width):
    expected = _rich(lambda console: console.print(text), width)
    assert "".join(f"{line}\n" for line in wrap(text, width)) == expected


def test_rank_into_a_pipe_prints_the_plain_view_at_the_width_of_columns():
    """The command line, as cron or a script runs it: stdout a pipe, $COLUMNS set."""
    environment = {**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"}
    environment.pop("FORCE_COLOR", None)
    environment.pop("TTY_COMPATIBLE", None)
    done = subprocess.run(
        [sys.executable, "-m", "mytool", "rank", str(SAMPLES[0])],
        capture_output=True, text=True, encoding="utf-8", env=environment, check=True,
    )  # fmt: skip
    ranking = rank_file(SAMPLES[0], PROFILE)
    assert done.stdout == _rich(lambda console: print_ranking(ranking, PROFILE, console), 80)
    assert "│   16 │ 石湖荡镇   │    72.71 │ 一般 │ ⚑            │ 城市水域、城 │      114 │\n" in (
        done.stdout
    )
