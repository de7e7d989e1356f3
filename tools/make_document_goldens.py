"""Regenerate the golden documents of the 2023 H2 sample (tests/golden/documents/).

    python tools/make_document_goldens.py

Writes the Markdown briefs as they are and the plain text of every Word document
(`mytool.render.docx_render.document_text`). Run it only on purpose, and review the diff:
tests/test_documents.py compares these files byte for byte.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "documents"
SAMPLE = ROOT / "data" / "samples" / "songjiang-2023H2.xlsx"
AS_OF = "2024-03-01"
ARGS = ["-f", "docx,md", "--as-of", AS_OF]


def render(out: Path) -> dict[str, bytes]:
    """The golden files' names and content, from a fresh `mytool brief` run into `out`."""
    from typer.testing import CliRunner

    from mytool.cli import app
    from mytool.render.docx_render import document_text

    result = CliRunner().invoke(app, ["brief", str(SAMPLE), "-d", str(out), "-q", *ARGS])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    files = {}
    for path in sorted(out.iterdir()):
        if path.suffix == ".md":
            files[path.name] = path.read_bytes()
        elif path.suffix == ".docx":
            files[path.stem + ".txt"] = document_text(path.read_bytes()).encode("utf-8")
    return files


def main() -> int:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as scratch:
        files = render(Path(scratch) / "out")
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    GOLDEN.mkdir(parents=True)
    for name, data in files.items():
        (GOLDEN / name).write_bytes(data)
        print(GOLDEN.relative_to(ROOT) / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
