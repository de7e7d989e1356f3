"""Render example pages of the Word documents to PNG for the README (docs/).

    python tools/make_doc_examples.py

Needs LibreOffice (soffice) and poppler (pdftoppm, pdftotext): the district summary and 九亭镇's
brief of the 2023 H2 sample are written, converted to PDF, and each page saved at 80 dpi; so is
九亭镇's sheet of the Excel workbook, as it prints (docs/example-town-sheet.png).
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
WORKBOOK = "2023H2-满意度提升简报.xlsx"
TOWN_SHEET_TITLE = "九亭镇 2023年下半年 整改提升简报"


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
                "docx,xlsx",
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
        town_sheet(out / "b" / WORKBOOK, out / "pdf")
    for path in sorted(DOCS.glob("example-*.png")):
        print(path.relative_to(ROOT))
    return 0


def town_sheet(workbook: Path, folder: Path) -> None:
    """The page of the workbook that is 九亭镇's sheet, as docs/example-town-sheet.png."""
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(workbook)],
        check=True,
        capture_output=True,
    )
    pdf = folder / (workbook.stem + ".pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    page = 1 + next(i for i, t in enumerate(text.split("\f")) if TOWN_SHEET_TITLE in t)
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    target = DOCS / "example-town-sheet"
    subprocess.run(["pdftoppm", "-png", "-r", "80", *pages, str(pdf), str(target)], check=True)


if __name__ == "__main__":
    sys.exit(main())
