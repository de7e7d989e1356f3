"""Rewriting a master ledger by editing its XML: the changed cells and the appended log rows only.

Loading a 5,000-row master into openpyxl and saving it again was most of `ledger merge`, and it
dropped whatever openpyxl does not model (pictures, shapes, some formatting). Here the .xlsx
stays as the user's program saved it: every part is copied byte for byte except

- the ledger sheet, where each changed cell gets its new value (an inline string, or a date
  serial with a yyyy-mm-dd style derived from the cell's own), everything else in it kept;
- xl/styles.xml, which gains those date styles and the log sheets' looks when needed;
- the 冲突 and 未导入 sheets: rows appended below earlier merges' rows, or a new sheet (then
  the workbook, its relationships and the content types list it too).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from mytool.diagnostics import column_letter
from mytool.errors import InputError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = f"{REL}/worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")
LOG_LINE = "BFBFBF"
LOG_FILL = "DDEBF7"


def _parse(data: bytes) -> Any:
    # The pre-scan (`mytool.reading.guard`) has refused DTDs and entity declarations already.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def _bytes(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _q(element: Any, local: str) -> str:
    """`local` in the namespace `element` uses (the main one, whatever its prefix)."""
    namespace = element.tag[1:].split("}")[0] if element.tag.startswith("{") else ""
    return f"{{{namespace}}}{local}" if namespace else local


@dataclass
class Package:
    """An .xlsx being edited: parts by name in their order, parsed ones written back at the end."""

    parts: dict[str, bytes]
    infos: dict[str, zipfile.ZipInfo]
    parsed: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, data: bytes) -> Package:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            return cls({name: archive.read(name) for name in infos}, infos)

    def xml(self, name: str) -> Any:
        if name not in self.parsed:
            self.parsed[name] = _parse(self.parts[name])
        return self.parsed[name]

    def add(self, name: str, root: Any) -> None:
        self.parsed[name] = root
        self.parts[name] = b""
        self.infos[name] = zipfile.ZipInfo(
            name, date_time=next(iter(self.infos.values())).date_time
        )
        self.infos[name].compress_type = zipfile.ZIP_DEFLATED

    def sheets(self) -> dict[str, str]:
        """Sheet name → part name, in workbook order."""
        rels = {
            rel.get("Id"): _target(rel.get("Target", ""))
            for rel in self.xml("xl/_rels/workbook.xml.rels")
        }
        book = self.xml("xl/workbook.xml")
        return {
            sheet.get("name"): rels.get(sheet.get(f"{{{REL}}}id"), "")
            for sheet in book.iter(_q(book, "sheet"))
        }

    def styles_part(self) -> str:
        rels = self.xml("xl/_rels/workbook.xml.rels")
        found = [r.get("Target", "") for r in rels if r.get("Type", "").endswith("/styles")]
        if not found:
            raise InputError("工作簿没有样式部件（xl/styles.xml），不是 Excel/WPS 保存的台账")
        return _target(found[0])

    def save(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
            for name, info in self.infos.items():
                body = _bytes(self.parsed[name]) if name in self.parsed else self.parts[name]
                target.writestr(info, body)
        return out.getvalue()


def _target(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _position(ref: str) -> tuple[int, int]:
    """(row, 1-based column) of a reference like "AB12"."""
    match = _REF.match(ref)
    if not match:
        raise InputError(f"单元格地址「{ref}」无效")
    number = 0
    for letter in match.group(1).upper():
        number = number * 26 + ord(letter) - 64
    return int(match.group(2)), number


class SheetCells:
    """The rows and cells of one worksheet's XML, found by number; missing ones are made."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.data = root.find(_q(root, "sheetData"))
        self.rows: dict[int, Any] = {}
        number = 0
        for row in self.data.iterchildren(_q(root, "row")):
            number = int(row.get("r")) if row.get("r") else number + 1
            self.rows[number] = row

    @property
    def last_row(self) -> int:
        return max(self.rows, default=0)

    def cell(self, row: int, column: int) -> Any:
        """The cell element at (row, column), created in column order when missing."""
        element = self.rows.get(row)
        if element is None:
            element = etree.SubElement(self.data, _q(self.root, "row"), r=str(row))
            self.rows[row] = element
        place = 0
        after = None
        for cell in element.iterchildren(_q(self.root, "c")):
            place = _position(cell.get("r"))[1] if cell.get("r") else place + 1
            if place == column:
                return cell
            if place < column:
                after = cell
        cell = etree.Element(_q(self.root, "c"), r=f"{column_letter(column - 1)}{row}")
        if after is None:
            element.insert(0, cell)
        else:
            after.addnext(cell)
        return cell

    def set_text(self, cell: Any, text: str) -> None:
        _clear(cell)
        if not text:  # an empty cell, as openpyxl wrote "" before
            return
        cell.set("t", "inlineStr")
        inline = etree.SubElement(cell, _q(self.root, "is"))
        node = etree.SubElement(inline, _q(self.root, "t"))
        node.text = text
        if text != text.strip():
            node.set(XML_SPACE, "preserve")

    def clear(self, cell: Any) -> None:
        _clear(cell)

    def set_number(self, cell: Any, value: int) -> None:
        _clear(cell)
        etree.SubElement(cell, _q(self.root, "v")).text = str(value)


def _clear(cell: Any) -> None:
    for child in list(cell):
        cell.remove(child)
    cell.attrib.pop("t", None)


class Styles:
    """xl/styles.xml: date looks derived from a cell's own, and the log sheets' two looks."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.xfs = root.find(_q(root, "cellXfs"))
        self._dates: dict[str, str] = {}

    def _list(self, local: str, before: Sequence[str] = ()) -> Any:
        """The styleSheet's `local` list (numFmts, fonts …), made where it belongs if missing."""
        found = self.root.find(_q(self.root, local))
        if found is None:
            found = etree.Element(_q(self.root, local))
            follower = next(
                (e for name in before if (e := self.root.find(_q(self.root, name))) is not None),
                None,
            )
            if follower is None:
                self.root.append(found)
            else:
                follower.addprevious(found)
        return found

    def _append(self, local: str, element: Any, before: Sequence[str] = ()) -> int:
        container = self._list(local, before)
        container.append(element)
        container.set("count", str(len(container)))
        return len(container) - 1

    def _number_format(self, code: str) -> str:
        formats = self._list("numFmts", ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs"))
        for number_format in formats:
            if number_format.get("formatCode") == code:
                return str(number_format.get("numFmtId"))
        taken = [int(f.get("numFmtId", "0")) for f in formats]
        identifier = str(max([163, *taken]) + 1)
        element = _element(self.root, "numFmt", numFmtId=identifier, formatCode=code)
        self._append("numFmts", element)
        return identifier

    def date_style(self, style: str | None, code: str) -> str:
        """The index of a look like cell style `style`, showing numbers as dates in `code`."""
        key = style or "0"
        if key not in self._dates:
            identifier = self._number_format(code)
            xf = deepcopy(self.xfs[int(key)])
            xf.set("numFmtId", identifier)
            xf.set("applyNumberFormat", "1")
            self._dates[key] = str(self._append("cellXfs", xf))
        return self._dates[key]

    def log_looks(self) -> tuple[str, str]:
        """(heading, cell) looks of the 冲突/未导入 tables, as `write_table` styles them."""
        line = self._line_border()
        font = etree.Element(_q(self.root, "font"))
        etree.SubElement(font, _q(self.root, "b"), val="1")
        font_id = self._append("fonts", font)
        fill = etree.Element(_q(self.root, "fill"))
        pattern = etree.SubElement(fill, _q(self.root, "patternFill"), patternType="solid")
        etree.SubElement(pattern, _q(self.root, "fgColor"), rgb=f"00{LOG_FILL}")
        fill_id = self._append("fills", fill)
        heading = _xf(self.root, font_id, fill_id, line, horizontal="center", vertical="center")
        cell = _xf(self.root, 0, 0, line, vertical="top")
        return str(self._append("cellXfs", heading)), str(self._append("cellXfs", cell))

    def _line_border(self) -> int:
        border = etree.Element(_q(self.root, "border"))
        for side in ("left", "right", "top", "bottom"):
            edge = etree.SubElement(border, _q(self.root, side), style="thin")
            etree.SubElement(edge, _q(self.root, "color"), rgb=f"00{LOG_LINE}")
        etree.SubElement(border, _q(self.root, "diagonal"))
        return self._append("borders", border)


def _element(root: Any, local: str, **attributes: str) -> Any:
    return etree.Element(_q(root, local), attributes)


def _xf(root: Any, font: int, fill: int, border: int, **alignment: str) -> Any:
    xf = _element(
        root,
        "xf",
        numFmtId="0",
        fontId=str(font),
        fillId=str(fill),
        borderId=str(border),
        applyFont="1" if font else "0",
        applyFill="1" if fill else "0",
        applyBorder="1",
        applyAlignment="1",
        xfId="0",
    )
    etree.SubElement(xf, _q(root, "alignment"), wrapText="1", **alignment)
    return xf


def set_widths(sheet: Any, widths: Mapping[int, float]) -> None:
    """Widen single columns to at least `widths` (1-based column → characters)."""
    cols = sheet.find(_q(sheet, "cols"))
    if cols is None:
        cols = etree.Element(_q(sheet, "cols"))
        sheet.find(_q(sheet, "sheetData")).addprevious(cols)
    for column, width in sorted(widths.items()):
        found = next(
            (c for c in cols if int(c.get("min", 0)) <= column <= int(c.get("max", 0))), None
        )
        if found is None:
            element = _element(sheet, "col", min=str(column), max=str(column))
            element.set("width", str(width))
            element.set("customWidth", "1")
            later = [c for c in cols if int(c.get("min", 0)) > column]
            (later[0].addprevious(element) if later else cols.append(element))
        elif found.get("min") == found.get("max"):
            found.set("width", str(max(float(found.get("width", 0)), width)))
            found.set("customWidth", "1")


def new_sheet(package: Package, title: str) -> Any:
    """An empty worksheet `title` added at the end of the workbook; returns its XML root."""
    names = set(package.parts)
    number = 1
    while f"xl/worksheets/sheet{number}.xml" in names:
        number += 1
    part = f"xl/worksheets/sheet{number}.xml"
    root = etree.Element(f"{{{MAIN}}}worksheet", nsmap={None: MAIN})
    etree.SubElement(root, f"{{{MAIN}}}sheetFormatPr", defaultRowHeight="15")
    etree.SubElement(root, f"{{{MAIN}}}sheetData")
    etree.SubElement(
        root, f"{{{MAIN}}}pageMargins", left="0.75", right="0.75", top="1", bottom="1",
        header="0.5", footer="0.5",
    )  # fmt: skip
    package.add(part, root)
    rels = package.xml("xl/_rels/workbook.xml.rels")
    taken = {rel.get("Id") for rel in rels}
    rel_id = next(
        f"rId{n}" for n in range(len(taken) + 1, len(taken) + 1000) if f"rId{n}" not in taken
    )
    etree.SubElement(
        rels, f"{{{PACKAGE_REL}}}Relationship", Id=rel_id, Type=WORKSHEET_TYPE,
        Target=f"/{part}",
    )  # fmt: skip
    book = package.xml("xl/workbook.xml")
    sheets = book.find(_q(book, "sheets"))
    sheet_id = max((int(s.get("sheetId", 0)) for s in sheets), default=0) + 1
    entry = etree.SubElement(sheets, _q(book, "sheet"), name=title, sheetId=str(sheet_id))
    entry.set(f"{{{REL}}}id", rel_id)
    types = package.xml("[Content_Types].xml")
    etree.SubElement(
        types, f"{{{TYPES}}}Override", PartName=f"/{part}", ContentType=WORKSHEET_CONTENT
    )
    return root


def serial(package: Package, day: dt.date) -> int:
    """Excel's day number of `day`, in the workbook's date system (1900, or 1904 on old Macs)."""
    pr = next(iter(package.xml("xl/workbook.xml").iter(f"{{{MAIN}}}workbookPr")), None)
    if pr is not None and pr.get("date1904") in ("1", "true"):
        return (day - dt.date(1904, 1, 1)).days
    return (day - dt.date(1899, 12, 30)).days


def set_dimension(sheet: SheetCells, columns: int) -> None:
    """The sheet's declared range, when it has one, grown to its last row and `columns`."""
    dimension = sheet.root.find(_q(sheet.root, "dimension"))
    if dimension is None:
        dimension = _element(sheet.root, "dimension")
        sheet.root.insert(0, dimension)
    old = dimension.get("ref", "A1").split(":")[-1]
    row, column = _position(old) if _REF.match(old) else (1, 1)
    last = f"{column_letter(max(column, columns) - 1)}{max(row, sheet.last_row)}"
    dimension.set("ref", f"A1:{last}")


def drop_calc_chain(package: Package) -> None:
    """Remove the formula calculation order: it may name cells whose formula was replaced."""
    name = "xl/calcChain.xml"
    if name not in package.parts:
        return
    for table in (package.parts, package.infos, package.parsed):
        table.pop(name, None)
    rels = package.xml("xl/_rels/workbook.xml.rels")
    for rel in list(rels):
        if _target(rel.get("Target", "")) == name:
            rels.remove(rel)
    types = package.xml("[Content_Types].xml")
    for override in list(types):
        if override.get("PartName") == f"/{name}":
            types.remove(override)


def text_rows(
    sheet: SheetCells, first: int, rows: Iterable[Sequence[str]], style: str | None
) -> None:
    """Write `rows` of text from row `first` on."""
    for number, row in enumerate(rows, start=first):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(number, column)
            if style is not None:
                cell.set("s", style)
            sheet.set_text(cell, value)
