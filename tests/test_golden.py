"""Golden files: rank, compare and trend on the bundled samples, byte for byte.

They pin every renderer's output across refactors. When a change is meant to alter the output,
run `python tests/golden/regenerate.py` and review the diff of tests/golden/ before committing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import CHARTS, needs

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

from cases import CASES, GOLDEN, produce


@pytest.mark.parametrize(
    "name",
    [  # the trend's Markdown holds its chart (matplotlib)
        pytest.param(name, marks=needs(*CHARTS))
        if name.endswith(".md") and "trend" in name
        else name
        for name in sorted(CASES)
    ],
)
def test_output_equals_golden_file(name: str, tmp_path: Path) -> None:
    expected = (GOLDEN / name).read_bytes()
    assert produce(name, tmp_path) == expected, (
        f"{name} differs from tests/golden/{name}; if intended, run tests/golden/regenerate.py"
    )


def test_every_golden_file_is_a_case() -> None:
    on_disk = {p.name for p in GOLDEN.iterdir() if p.suffix != ".py" and p.is_file()}
    assert on_disk == set(CASES)
