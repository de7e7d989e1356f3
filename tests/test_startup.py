"""`mytool --help` and `rank` on a score workbook load only what they need (issue 14, item 7);
`aggregate` and `compare` load rich only for the terminal view (issue 16)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import CHARTS, needs
from planted import answers, with_overall, write_export

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
SAMPLE = SAMPLES / "songjiang-2023H2.xlsx"
NEXT_SAMPLE = SAMPLES / "songjiang-2024H1.xlsx"

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


def _run(*args: str) -> tuple[set[str], str]:
    """The modules the command line loaded, and what it printed on stdout."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args], capture_output=True, text=True, check=False
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES "))), done.stdout


def _loaded(*args: str) -> set[str]:
    return _run(*args)[0]


def _rich(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] == "rich")


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
    assert _rich(loaded) == []


def test_help_imports_no_heavy_library_and_no_reader():
    loaded = _loaded("--help")
    assert "mytool.commands.ledger" in loaded  # the help lists every command
    assert _heavy(loaded) == []
    assert sorted(m for m in loaded if m.startswith(("mytool.reading", "mytool.api"))) == []


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small questionnaire export: 九亭镇 and 岳阳街道, 40 answers each (overall question too)."""
    rng = random.Random(16)
    units = {name: with_overall(rng, answers(rng, 40)) for name in ("九亭镇", "岳阳街道")}
    return write_export(tmp_path_factory.mktemp("export") / "问卷导出.xlsx", units, "2023/11")


@pytest.mark.parametrize(
    ("format", "options"),
    [
        ("json", ()),
        ("csv", ()),
        pytest.param("json", ("--drivers",), marks=needs(*CHARTS)),  # its chart beside -o
    ],
)
def test_aggregate_into_a_file_as_json_or_csv_does_not_import_rich(
    export, tmp_path, format, options
):
    """Scripts and scheduled runs write machine output quietly: nothing is drawn, so no rich."""
    output = tmp_path / f"out.{format}"
    loaded = _loaded("aggregate", str(export), *options, "-f", format, "-q", "-o", str(output))
    assert "mytool.analysis.aggregation" in loaded  # the script did aggregate
    assert _rich(loaded) == []
    text = output.read_text(encoding="utf-8-sig")
    if format == "json":
        assert json.loads(text)["respondents"] == 80
        assert {u["unit"] for u in json.loads(text)["units"]} == {"九亭镇", "岳阳街道"}
    else:
        assert {row.split(",")[0] for row in text.splitlines()[1:]} == {"九亭镇", "岳阳街道"}


def test_the_aggregate_table_is_still_drawn_by_rich_with_the_drivers(export):
    loaded, printed = _run("aggregate", str(export), "--drivers", "-q")
    assert "rich.table" in loaded
    assert "问卷汇总（问卷导出.xlsx，80 份答卷）" in printed
    assert "九亭镇" in printed and "岳阳街道" in printed
    assert "驱动因素：全区（80 份答卷）" in printed


@pytest.mark.parametrize("format", ["json", "csv"])
def test_compare_as_json_or_csv_does_not_import_rich(format):
    loaded, printed = _run("compare", str(SAMPLE), str(NEXT_SAMPLE), "-f", format, "-q")
    assert "mytool.analysis.comparison" in loaded
    assert _rich(loaded) == []
    if format == "json":
        assert json.loads(printed)["current"]["source"] == "songjiang-2024H1.xlsx"
        assert len(json.loads(printed)["units"]) == 17  # the district's units
    else:
        assert printed.startswith("unit,score,previous_score,")
        assert len(printed.splitlines()) == 1 + 17


def test_the_compare_table_is_still_drawn_by_rich():
    loaded, printed = _run("compare", str(SAMPLE), str(NEXT_SAMPLE), "-q")
    assert "rich.table" in loaded
    assert printed.startswith("2023年下半年 → 2024年上半年 街镇变化")
    assert "大类变化（全区平均）" in printed
