"""Hand-built spreadsheet files for the hostile-input tests: no binary blobs in the repository.

`xlsx_bytes` writes a minimal OOXML package whose sheet XML the test controls cell by cell, so
bombs, far cells, formulas without cached values and cached errors can be built exactly.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def number_cell(ref: str, value: float) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def row(number: int, *cells: str, hidden: bool = False) -> str:
    flag = ' hidden="1"' if hidden else ""
    return f'<row r="{number}"{flag}>{"".join(cells)}</row>'


def score_table(*units: tuple[str, str]) -> str:
    """A header row 街镇 | 综合满意度 and one row per (unit, composite cell XML)."""
    rows = [row(1, text_cell("A1", "街镇"), text_cell("B1", "综合满意度"))]
    for index, (unit, composite) in enumerate(units, start=2):
        rows.append(row(index, text_cell(f"A{index}", unit), composite.format(r=index)))
    return "".join(rows)


def sheet_xml(body: str, *, before: str = "", after: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{before}<sheetData>{body}</sheetData>{after}</worksheet>"
    )


def xlsx_bytes(
    sheets: dict[str, str],
    *,
    hidden: tuple[str, ...] = (),
    extra: dict[str, bytes | str] | None = None,
    workbook_prolog: str = "",
) -> bytes:
    """A workbook with the given sheet XML documents (name → XML), stored deflated."""
    overrides, entries, rels = [], [], []
    for index, name in enumerate(sheets, start=1):
        overrides.append(
            f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
        state = ' state="hidden"' if name in hidden else ""
        entries.append(f'<sheet name="{escape(name)}" sheetId="{index}" r:id="rId{index}"{state}/>')
        rels.append(
            f'<Relationship Id="rId{index}" Type="{SHEET_TYPE}" '
            f'Target="worksheets/sheet{index}.xml"/>'
        )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?>{workbook_prolog}'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{''.join(entries)}</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{''.join(rels)}</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides="".join(overrides)))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for index, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{index}.xml", xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def good_xlsx() -> bytes:
    """A small valid report: two units with composites."""
    return xlsx_bytes(
        {
            "综合": sheet_xml(
                score_table(
                    ("九亭镇", number_cell("B{r}", 71.5)), ("新桥镇", number_cell("B{r}", 80.25))
                )
            )
        }
    )
