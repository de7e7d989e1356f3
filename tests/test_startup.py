"""`mytool --help` and `rank` on a score workbook load only what they need (issue 14, item 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "songjiang-2023H2.xlsx"

# Run the real command line in a fresh interpreter and list, at exit, the modules it loaded.
_SCRIPT = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["mytool", *sys.argv[1:]]
from mytool.cli import main
main()
"""

# Typer 0.29 and later import pydantic themselves, to check every parameter; pyproject pins Typer
# below 0.29 for that reason, so pydantic is forbidden wherever the pinned Typer is installed.
TYPER_PINNED = tuple(int(part) for part in version("typer").split(".")[:2]) < (0, 29)

# Heavy libraries no start-up path needs: documents, charts, data frames (and pydantic, above).
HEAVY = (
    "pandas",
    "numpy",
    "openpyxl",
    "matplotlib",
    "docx",
    "docxtpl",
    "jinja2",
    *(("pydantic",) if TYPER_PINNED else ()),
)

NOT_FOR_A_SCORE_WORKBOOK = (
    "mytool.analysis.aggregation",
    "mytool.analysis.brief",
    "mytool.analysis.planning",
    "mytool.analysis.trend",
    "mytool.reading.respondents",
    "mytool.reading.casework",
    # the other commands' modules: only the invoked command is imported
    "mytool.commands.aggregate",
    "mytool.commands.brief",
    "mytool.commands.compare",
    "mytool.commands.ledger",
    "mytool.commands.plan",
    "mytool.commands.trend",
    "mytool.commands.validate",
)


def _loaded(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args], capture_output=True, text=True, check=False
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in HEAVY)


def test_rank_on_a_score_workbook_never_imports_the_export_and_brief_paths():
    loaded = _loaded("rank", str(SAMPLE))
    assert "mytool.analysis.ranking" in loaded  # the script did rank
    assert "mytool.commands.rank" in loaded
    assert sorted(loaded.intersection(NOT_FOR_A_SCORE_WORKBOOK)) == []
    assert _heavy(loaded) == []


@pytest.mark.parametrize("output", [("-f", "json"), ("-f", "csv"), ()])
def test_rank_into_a_pipe_does_not_import_rich(output):
    """JSON, CSV, and the table printed into a pipe (cron, a script): no colour, so no rich."""
    loaded = _loaded("rank", str(SAMPLE), *output)
    assert "mytool.analysis.ranking" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] == "rich") == []


def test_help_imports_no_heavy_library_and_no_reader():
    loaded = _loaded("--help")
    assert "mytool.commands.ledger" in loaded  # the help lists every command
    assert _heavy(loaded) == []
    assert sorted(m for m in loaded if m.startswith(("mytool.reading", "mytool.api"))) == []
