"""The golden cases: what `rank`, `compare` and `trend` print for the bundled samples.

Each case is a file name under tests/golden/ and the command line that produces it, run in the
samples folder with bare file names, so no path or date can vary between machines. A case whose
command line holds "{out}" writes a file (the rich table, the trend Markdown) instead of stdout.
An SVG chart inlined in Markdown is replaced by "<svg>(chart)</svg>" before comparing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

from mytool.cli import app
from mytool.resources import data_dir

GOLDEN = Path(__file__).resolve().parent
SAMPLES = data_dir() / "samples"
OLD = "songjiang-2023H2.xlsx"
NEW = "songjiang-2024H1.xlsx"

CASES: dict[str, list[str]] = {}
for _sample, _period in ((OLD, "2023H2"), (NEW, "2024H1")):
    for _format in ("json", "csv", "md"):
        CASES[f"rank-{_period}.{_format}"] = ["rank", _sample, "-f", _format]
    CASES[f"rank-{_period}.txt"] = ["rank", _sample, "-o", "{out}"]
for _format in ("json", "csv", "md"):
    CASES[f"compare.{_format}"] = ["compare", OLD, NEW, "-f", _format]
CASES["compare.txt"] = ["compare", OLD, NEW, "-o", "{out}"]
for _format in ("json", "md"):
    CASES[f"trend.{_format}"] = ["trend", OLD, NEW, "-f", _format]
CASES["trend.txt"] = ["trend", OLD, NEW, "-o", "{out}"]
# -o writes the chart beside the Markdown as trend-file.svg and links it; the chart itself is
# matplotlib's drawing, checked by its structure in tests/test_trend.py, not byte for byte
CASES["trend-file.md"] = ["trend", OLD, NEW, "-f", "md", "-o", "{out}"]
INLINE_SVG = re.compile(rb"<svg .*?</svg>", re.S)


def produce(name: str, scratch: Path) -> bytes:
    """The bytes case `name` produces today (run inside the samples folder)."""
    out = scratch / name
    argv = [a.replace("{out}", str(out)) for a in CASES[name]]
    writes = argv != CASES[name]
    cwd = Path.cwd()
    try:
        os.chdir(SAMPLES)
        result = CliRunner().invoke(app, argv)
    finally:
        os.chdir(cwd)
    if result.exit_code != 0:
        raise AssertionError(f"{' '.join(argv)} exited {result.exit_code}: {result.output}")
    produced = out.read_bytes() if writes else result.stdout_bytes
    return INLINE_SVG.sub(b"<svg>(chart)</svg>", produced)  # the inlined chart of trend.md
