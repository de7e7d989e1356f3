"""Build the bundled Word templates (templates/*.docx) with python-docx.

    python tools/make_docx_templates.py

The templates are ordinary Word files holding Jinja2 tags (docxtpl): an office opens one in Word
or WPS, changes the letterhead, a heading or a font, and passes the folder with `--template-dir`.
Layout after GB/T 9704-2012: A4; margins top 37 mm, left 28 mm, text block 156 × 225 mm; title
in 2号 小标宋 (方正小标宋简体, with 黑体 as the font table's substitute), body in 3号 仿宋_GB2312
(FangSong substitute), 22 lines a page; headings 一、 in 黑体, （一） in 楷体; page numbers
"— 1 —" in 4号 宋体, odd pages right, even pages left; tables with a repeated header row and rows
that never split across pages; the issuing office and date at the end, right-aligned.

Every run names its East Asian font (w:eastAsia) so Word and WPS pick the right face.
Deterministic: the same script writes the same files (fixed core properties).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI = "黑体"
KAI = "楷体_GB2312"
SONG = "宋体"
LATIN = "Times New Roman"
# Word uses w:altName when a font is missing; LibreOffice maps by its own table.
ALT_NAMES = {TITLE_FONT: "黑体", BODY_FONT: "仿宋", KAI: "楷体", HEI: "SimHei", SONG: "SimSun"}
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(10)  # tables a little under 五号, so rows stay on one line
LINE = Pt(28.9)  # 225 mm / 22 lines


def fonts(element_rpr: object, east: str, size: Pt | None = None, bold: bool = False) -> None:
    """Name the fonts (East Asian included) and size in an rPr element."""
    rpr = element_rpr
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(key), LATIN)
    rfonts.set(qn("w:eastAsia"), east)
    if bold:
        rpr.append(OxmlElement("w:b"))
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            node = OxmlElement(tag)
            node.set(qn("w:val"), str(int(size.pt * 2)))
            rpr.append(node)


def run(paragraph, text: str, east: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False):
    r = paragraph.add_run(text)
    fonts(r._r.get_or_add_rPr(), east, size, bold)
    return r


ZERO = Pt(0)


def para(
    doc_or_cell,
    text: str = "",
    *,
    east: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    align=None,
    indent: bool = True,
    bold: bool = False,
    exact: Pt | None = LINE,
    before: Pt = ZERO,
    after: Pt = ZERO,
    keep: bool = False,
):
    p = doc_or_cell.add_paragraph()
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = exact
    else:
        fmt.line_spacing = 1.0
    fmt.space_before, fmt.space_after = before, after
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if keep:
        fmt.keep_with_next = True
    if text:
        run(p, text, east, size, bold)
    return p


def tag(doc, text: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}); it disappears when rendered."""
    return para(doc, text, indent=False)


def title(doc, text: str = "{{ line }}"):
    """The title, one paragraph per line of `doc.title_lines` (offices break titles by sense)."""
    tag(doc, "{%p for line in doc.title_lines %}")
    para(
        doc,
        text,
        east=TITLE_FONT,
        size=TITLE_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        exact=Pt(34),
    )
    tag(doc, "{%p endfor %}")
    para(doc, "", exact=Pt(8), indent=False)


def heading1(doc, text: str):
    return para(doc, text, east=HEI, keep=True)


def heading2(doc, text: str):
    return para(doc, text, east=KAI, keep=True)


def _row_props(row, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _cell_text(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(13)
    p.paragraph_format.space_before = Pt(1)
    p.paragraph_format.space_after = Pt(1)
    p.paragraph_format.first_line_indent = Pt(0)
    east = HEI if bold else BODY_FONT
    run(p, text, east, TABLE_SIZE)


def table(
    doc,
    headers: list[str],
    cells: list[str],
    widths_mm: list[float],
    loop: str,
    aligns: list | None = None,
) -> None:
    """A table: a header row repeated on every page, and one row per item of `loop`."""
    grid = doc.add_table(rows=4, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for index, width in enumerate(widths_mm):
        grid.columns[index].width = Mm(width)
        for row in grid.rows:
            row.cells[index].width = Mm(width)
    _grid_widths(grid, widths_mm)
    for index, header in enumerate(headers):
        _cell_text(grid.rows[0].cells[index], header, bold=True)
    _cell_text(grid.rows[1].cells[0], f"{{%tr for r in {loop} %}}")
    for index, cell in enumerate(cells):
        align = (aligns or [WD_ALIGN_PARAGRAPH.CENTER] * len(cells))[index]
        _cell_text(grid.rows[2].cells[index], cell, align=align)
    _cell_text(grid.rows[3].cells[0], "{%tr endfor %}")
    for index, row in enumerate(grid.rows):
        _row_props(row, header=index == 0)
    # a small gap after the table
    para(doc, "", exact=Pt(4), indent=False)


def _grid_widths(grid, widths_mm: list[float]) -> None:
    """Word and LibreOffice lay a table out by its grid and its stated width, not cell widths."""
    tbl = grid._tbl
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    tblpr = tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tblpr.append(width)
    width.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    width.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        node = OxmlElement(f"w:{side}")
        node.set(qn("w:w"), str(int(Mm(1).twips)))
        node.set(qn("w:type"), "dxa")
        margins.append(node)
    tblpr.append(margins)


def closing(doc) -> None:
    para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, before=Pt(6), keep=True)
    p = para(doc, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    p.paragraph_format.right_indent = Pt(32)


def _page_number(footer, align, side_indent: str) -> None:
    p = footer.paragraphs[0]
    p.alignment = align
    fmt = p.paragraph_format
    if side_indent == "right":
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    run(p, "— ", SONG, PAGE_NUMBER_SIZE)
    r = run(p, "", SONG, PAGE_NUMBER_SIZE)
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
            r._r.append(node)
        elif text == " PAGE ":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
            r._r.append(node)
        else:
            node = OxmlElement("w:t")
            node.text = text
            r._r.append(node)
    run(p, " —", SONG, PAGE_NUMBER_SIZE)


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right")
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = BODY_SIZE
    fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE
    # document defaults too, so text an office adds names the same faces
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            fonts(rpr, BODY_FONT)
    _alt_names(doc)
    props = doc.core_properties
    props.author = "mytool"
    props.last_modified_by = "mytool"
    props.title = ""
    props.created = props.modified = dt.datetime(2024, 1, 1)
    props.revision = 1
    # python-docx's default document starts with one empty paragraph
    for paragraph in list(doc.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    return doc


def _alt_names(doc) -> None:
    """Declare the Chinese fonts in the font table with a substitute for machines without them."""
    from lxml import etree

    part = next(
        (p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"),
        None,
    )
    if part is None:
        return
    root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    for name, alt in ALT_NAMES.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        alt_node = OxmlElement("w:altName")
        alt_node.set(qn("w:val"), alt)
        font.append(alt_node)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")
        font.append(charset)
        root.append(font)
    if not hasattr(part, "element"):
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


C = WD_ALIGN_PARAGRAPH.CENTER
L = WD_ALIGN_PARAGRAPH.LEFT


def categories_table(doc) -> None:
    table(
        doc,
        ["大类", "本街镇", "全区平均", "差距", "大类内排名", "牵头部门"],
        [
            "{{ r.category }}",
            "{{ r.score }}",
            "{{ r.district }}",
            "{{ r.gap }}",
            "{{ r.rank }}",
            "{{ r.department }}",
        ],
        [34, 16, 18, 16, 42, 30],
        "doc.categories",
        [L, C, C, C, C, C],
    )


def focus_table(doc) -> None:
    table(
        doc,
        ["发力点", "牵头部门", "低于全区平均（分）", "补齐后约可提高（分）"],
        ["{{ r.category }}", "{{ r.department }}", "{{ r.gap }}", "{{ r.gain }}"],
        [44, 30, 36, 46],
        "doc.focus",
        [L, C, C, C],
    )


def problems_table(doc, with_unit: bool = False) -> None:
    if with_unit:
        table(
            doc,
            ["序号", "街镇", "大类", "小项", "点位地址", "问题描述"],
            [
                "{{ r.index }}",
                "{{ r.unit }}",
                "{{ r.category }}",
                "{{ r.item }}",
                "{{ r.location }}",
                "{{ r.description }}",
            ],
            [11, 20, 24, 28, 33, 38],
            "doc.problems",
            [C, C, L, L, L, L],
        )
    else:
        table(
            doc,
            ["序号", "大类", "小项", "点位地址", "问题描述", "牵头部门"],
            [
                "{{ r.index }}",
                "{{ r.category }}",
                "{{ r.item }}",
                "{{ r.location }}",
                "{{ r.description }}",
                "{{ r.department }}",
            ],
            [9, 22, 25, 32, 43, 25],
            "doc.problems",
            [C, L, L, L, L, C],
        )


def ledger_table(doc, with_unit: bool = False) -> None:
    headers = ["编号", *(["街镇"] if with_unit else []), "点位地址", "完成时限", "状态", "整改进展"]
    cells = [
        "{{ r.id }}",
        *(["{{ r.unit }}"] if with_unit else []),
        "{{ r.location }}",
        "{{ r.deadline }}",
        "{{ r.status }}",
        "{{ r.progress }}",
    ]
    widths = [26, *([20] if with_unit else []), 36, 28, 24, 20 if with_unit else 40]
    table(doc, headers, cells, widths, "doc.ledger", [C] * len(headers))


def checklist(doc) -> None:
    table(doc, ["", "事项"], ["☐", "{{ r }}"], [10, 146], "doc.checklist", [C, L])


def unit_brief(status: bool) -> Document:
    doc = new_document()
    title(doc)
    heading1(doc, "一、总体情况")
    para(doc, "{{ doc.overall }}")
    if status:
        heading1(doc, "二、保持与提升")
        para(doc, "{{ doc.strengths }}")
        para(doc, "{{ doc.focus_sentence }}")
        tag(doc, "{%p if doc.focus %}")
        focus_table(doc)
        tag(doc, "{%p endif %}")
    else:
        heading1(doc, "二、发力点：先抓这几个大类")
        tag(doc, "{%p if not doc.focus %}")
        para(doc, "{{ doc.focus_sentence }}")
        tag(doc, "{%p endif %}")
        tag(doc, "{%p if doc.focus %}")
        focus_table(doc)
        tag(doc, "{%p endif %}")
    tag(doc, "{%p for line in doc.targets %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ doc.focus_note }}", size=TABLE_SIZE, exact=Pt(15))
    heading1(doc, "三、各大类得分")
    para(doc, "{{ chart }}", align=C, indent=False, exact=None)
    para(doc, "{{ doc.gap_largest }}{{ doc.gap_note }}", size=TABLE_SIZE, exact=Pt(15))
    if status:
        tag(doc, "{%p if doc.has_problems %}")
        heading1(doc, "四、点位问题（完成时限：{{ doc.deadline }}前）")
        para(doc, "{{ doc.deadline_sentence }}")
        problems_table(doc)
        tag(doc, "{%p if doc.problems_note %}")
        para(doc, "{{ doc.problems_note }}", size=TABLE_SIZE, exact=Pt(15))
        tag(doc, "{%p endif %}")
        tag(doc, "{%p endif %}")
    else:
        heading1(doc, "四、点位问题整改（{{ doc.deadline }}前完成）")
        para(doc, "{{ doc.deadline_sentence }}")
        tag(doc, "{%p if doc.has_problems %}")
        problems_table(doc)
        tag(doc, "{%p endif %}")
        tag(doc, "{%p if doc.problems_note %}")
        para(doc, "{{ doc.problems_note }}", size=TABLE_SIZE, exact=Pt(15))
        tag(doc, "{%p endif %}")
        tag(doc, "{%p if doc.has_ledger %}")
        heading2(doc, "（一）整改台账未销号点位（截至{{ doc.ledger_as_of }}）")
        ledger_table(doc)
        tag(doc, "{%p endif %}")
        heading1(doc, "五、工作清单")
        checklist(doc)
    closing(doc)
    return doc


def department() -> Document:
    doc = new_document()
    title(doc)
    heading1(doc, "一、牵头大类情况")
    para(doc, "{{ doc.intro }}")
    categories = table
    categories(
        doc,
        ["牵头大类", "全区得分", "大类排名", "较上期", "得分最低的街镇"],
        ["{{ r.category }}", "{{ r.score }}", "{{ r.rank }}", "{{ r.change }}", "{{ r.weakest }}"],
        [34, 18, 36, 24, 42],
        "doc.categories",
        [L, C, C, C, L],
    )
    para(doc, "{{ doc.weak_sentence }}")
    para(doc, "{{ doc.lowest_note }}", size=Pt(12), exact=Pt(20))
    tag(doc, "{%p if doc.moved %}")
    para(doc, "{{ doc.moved }}")
    tag(doc, "{%p endif %}")
    heading1(doc, "二、认领点位问题（{{ doc.deadline }}前完成）")
    para(doc, "{{ doc.deadline_sentence }}")
    tag(doc, "{%p if doc.has_problems %}")
    problems_table(doc, with_unit=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if doc.has_ledger %}")
    heading1(doc, "三、整改台账未销号点位")
    para(doc, "{{ doc.ledger_sentence }}")
    tag(doc, "{%p if doc.ledger %}")
    ledger_table(doc, with_unit=True)
    tag(doc, "{%p endif %}")
    heading1(doc, "四、工作清单")
    tag(doc, "{%p else %}")
    heading1(doc, "三、工作清单")
    tag(doc, "{%p endif %}")
    checklist(doc)
    closing(doc)
    return doc


def summary() -> Document:
    doc = new_document()
    title(doc)
    para(doc, "{% for s in doc.sentences %}{{ s }}{% endfor %}")
    para(doc, "{{ chart }}", align=C, indent=False, exact=None)
    table(
        doc,
        ["牵头部门", "牵头大类", "最需提升的大类（全区排名）"],
        ["{{ r.department }}", "{{ r.categories }}", "{{ r.weakest }}"],
        [25, 59, 72],
        "doc.departments",
        [C, L, L],
    )
    closing(doc)
    return doc


def main() -> int:
    TEMPLATES.mkdir(exist_ok=True)
    for name, build in (
        ("unit_brief.docx", lambda: unit_brief(False)),
        ("unit_status.docx", lambda: unit_brief(True)),
        ("department.docx", department),
        ("summary.docx", summary),
    ):
        path = TEMPLATES / name
        build().save(path)
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
