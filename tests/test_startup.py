"""`rank` on a score workbook loads only what that path needs (issue 14, item 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "songjiang-2023H2.xlsx"

# Run the real command line in a fresh interpreter and list, at exit, the modules it loaded.
_SCRIPT = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["mytool", "rank", sys.argv[1]]
from mytool.cli import main
main()
"""

NOT_FOR_A_SCORE_WORKBOOK = (
    "pandas",
    "numpy",
    "mytool.analysis.aggregation",
    "mytool.analysis.brief",
    "mytool.analysis.planning",
    "mytool.analysis.trend",
    "mytool.reading.respondents",
    "mytool.reading.casework",
)


def test_rank_on_a_score_workbook_never_imports_the_export_and_brief_paths():
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(SAMPLE)], capture_output=True, text=True, check=True
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    loaded = set(json.loads(line.removeprefix("MODULES ")))
    assert "mytool.analysis.ranking" in loaded  # the script did rank
    assert sorted(loaded.intersection(NOT_FOR_A_SCORE_WORKBOOK)) == []
