"""Rewrite the golden files from the current code — only on purpose, and review the diff.

python tests/golden/regenerate.py && git diff --stat tests/golden
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import CASES, GOLDEN, produce


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for name in CASES:
            (GOLDEN / name).write_bytes(produce(name, Path(scratch)))
            print(f"wrote tests/golden/{name}")


if __name__ == "__main__":
    main()
