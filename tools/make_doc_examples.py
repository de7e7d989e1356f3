"""Render example pages of the Word documents to PNG for the README (docs/).

    python tools/make_doc_examples.py

Needs LibreOffice (soffice) and poppler (pdftoppm): the district summary and 九亭镇's brief of
the 2023 H2 sample are written, converted to PDF, and each page saved at 80 dpi.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SAMPLE = ROOT / "data" / "samples" / "songjiang-2023H2.xlsx"
PICKS = {
    "2023H2-全区情况简报.docx": "example-summary",
    "2023H2-九亭镇-整改提升简报.docx": "example-unit-brief",
}


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "mytool",
                "brief",
                str(SAMPLE),
                "-d",
                str(out / "b"),
                "-f",
                "docx",
                "--as-of",
                "2024-03-01",
                "-q",
            ],
            check=True,
        )
        for name, stem in PICKS.items():
            subprocess.run(
                [
                    "soffice",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(out / "pdf"),
                    str(out / "b" / name),
                ],
                check=True,
                capture_output=True,
            )
            for old in DOCS.glob(f"{stem}-*.png"):
                old.unlink()
            pdf = out / "pdf" / (Path(name).stem + ".pdf")
            subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(DOCS / stem)], check=True)
    for path in sorted(DOCS.glob("example-*.png")):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
