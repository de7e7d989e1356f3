"""Workbooks that print: town sheets one A4 page at full size, numeric ranks, titles, CJK fonts.

The page checks convert with LibreOffice (skipped where it is not installed); the rest reads
the saved files back with openpyxl and the zip's own XML.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import resave_with_libreoffice
from conftest import NOTICE_UNITS, SAMPLE_2023H2, SAMPLE_2024H1
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()
HAS_OFFICE = all(shutil.which(tool) for tool in ("soffice", "pdfinfo", "pdftotext"))
BRIEF = "2023H2-满意度提升简报.xlsx"
PERIOD = "2023年下半年"
BODY_POINTS = 11
MIN_PRINTED_POINTS = 10
# Excel's column width unit is the widest digit of the Normal font: 8 px for 等线 11 pt, at 96
# px an inch. A4 is 210 × 297 mm.
DIGIT_PX = 8
A4_INCHES = (210 / 25.4, 297 / 25.4)


def run(*args: object) -> None:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def brief_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print") / "out"
    run("brief", SAMPLE_2023H2, "-d", out, "-f", "xlsx", "--as-of", "2024-03-01")
    return out / BRIEF


def font_names(path: Path) -> set[str]:
    """Every font the workbook's style sheet declares (cells, titles, the Normal style)."""
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode("utf-8")
    fonts = re.search(r"<fonts[^>]*>(.*?)</fonts>", styles, re.S)
    assert fonts is not None
    return set(re.findall(r'<name val="([^"]+)"', fonts.group(1)))


def test_every_brief_sheet_has_the_period_in_its_title_row(brief_book):
    book = openpyxl.load_workbook(brief_book)
    assert len(book.sheetnames) == 4 + len(NOTICE_UNITS)
    for sheet in book:
        assert PERIOD in str(sheet["A1"].value), sheet.title
        assert "2023H2" not in str(sheet["A1"].value), sheet.title
    assert book["九亭镇"]["A1"].value == f"九亭镇 {PERIOD} 整改提升简报"


def test_ranks_are_numbers_everywhere_in_the_brief_workbook(brief_book):
    ranking = json.loads(runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "json"]).stdout)
    book = openpyxl.load_workbook(brief_book)
    overview = book["总览"]
    assert overview["A4"].value == "排名"
    column = [overview.cell(row=r, column=1) for r in range(5, 5 + len(ranking["units"]))]
    assert [c.value for c in column] == [u["rank"] for u in ranking["units"]]
    assert {c.data_type for c in column} == {"n"}
    categories = book["大类"]
    ranks = [r for r in categories.iter_rows(values_only=True) if r[0] is not None]
    header = next(i for i, r in enumerate(ranks) if r[0] == "大类排名")
    listed = ranks[header + 1 : header + 12]
    assert [r[0] for r in listed] == [c["rank"] for c in ranking["categories"]]
    for name in NOTICE_UNITS:
        rows = list(book[name].iter_rows(values_only=True))
        heading = next(i for i, r in enumerate(rows) if r[0] == "大类" and "本街镇" in r)
        at, of_at = rows[heading].index("排名"), rows[heading].index("共")
        for row in rows[heading + 1 : heading + 12]:
            rank, of = row[at], row[of_at]
            assert isinstance(rank, int) and isinstance(of, int) and 1 <= rank <= of <= 17
    texts = [v for s in book for r in s.iter_rows(values_only=True) for v in r if v]
    assert not [t for t in texts if isinstance(t, str) and re.fullmatch(r"\d+/\d+", t)]


def test_a_tied_rank_stays_a_number_and_reads_tied(brief_book):
    sheet = openpyxl.load_workbook(brief_book)["大类"]
    tied = [c for row in sheet.iter_rows(min_col=1, max_col=1) for c in row if c.number_format]
    tied = [c for c in tied if "并列" in c.number_format]
    assert tied and all(isinstance(c.value, int) for c in tied)


def test_the_chart_is_under_the_category_table_and_names_every_category(brief_book):
    sheet = openpyxl.load_workbook(brief_book)["九亭镇"]
    (chart,) = sheet._charts
    assert chart.anchor._from.col == 0  # at the left edge, not beside the tables
    table_end = max(
        r[0].row for r in sheet.iter_rows(max_col=1) if r[0].value in ("服务规范", "车容车貌")
    )
    assert chart.anchor._from.row + 1 > table_end  # 0-based anchor row, under the table
    labels = chart.series[0].cat.numRef or chart.series[0].cat.strRef
    first, last = re.findall(r"\$(\d+)", labels.f)
    assert int(last) - int(first) + 1 == 11
    assert chart.x_axis.tickLblSkip == 1


def test_a_town_sheet_fits_a4_portrait_at_full_size(brief_book):
    """The page setup shrinks only to fit the width, and the content is narrower than the
    printable width and shorter than the printable height: the scale stays 100 %."""
    book = openpyxl.load_workbook(brief_book)
    for name in NOTICE_UNITS:
        sheet = book[name]
        setup, margins = sheet.page_setup, sheet.page_margins
        assert (setup.paperSize, setup.orientation) == (9, "portrait")
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # never shrunk to fit the height
        assert setup.scale in (None, 100)
        width_px = sum(d.width * DIGIT_PX for d in sheet.column_dimensions.values() if d.width)
        printable_px = (A4_INCHES[0] - margins.left - margins.right) * 96
        assert width_px <= printable_px, name  # fit-to-width has nothing to shrink
        height = sum(sheet.row_dimensions[r].height or 15 for r in range(1, sheet.max_row + 1))
        assert height <= (A4_INCHES[1] - margins.top - margins.bottom) * 72, name
        scale = min(1.0, printable_px / width_px)
        assert BODY_POINTS * scale >= MIN_PRINTED_POINTS


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (("rank", SAMPLE_2023H2), "rank.xlsx"),
        (("compare", SAMPLE_2023H2, SAMPLE_2024H1), "compare.xlsx"),
        (("trend", SAMPLE_2023H2, SAMPLE_2024H1), "trend.xlsx"),
        (("plan", SAMPLE_2023H2, "-u", "九亭", "--target-rank", "11"), "plan.xlsx"),
    ],
)
def test_every_workbook_names_a_chinese_font(tmp_path, command, name):
    out = tmp_path / name
    run(*command, "-f", "xlsx", "-o", out, "-q")
    assert font_names(out) == {"等线"}
    book = openpyxl.load_workbook(out)
    assert book._named_styles["Normal"].font.name == "等线"
    for sheet in book:
        assert sheet["A1"].value and sheet["A1"].font.b, (name, sheet.title)


def test_the_brief_ledger_and_status_workbooks_name_a_chinese_font(brief_book, tmp_path):
    assert font_names(brief_book) == {"等线"}
    problems = tmp_path / "点位问题.csv"
    problems.write_text(
        "街镇,大类,小项,点位地址,问题描述,发现日期\n"
        "九亭镇,居住区,小区环境卫生,九亭一村12号楼,楼道口垃圾堆积,2023-11-19\n",
        encoding="utf-8",
    )
    ledger = tmp_path / "台账.xlsx"
    run("ledger", "init", SAMPLE_2023H2, "--problems", problems, "-o", ledger, "-q")
    assert font_names(ledger) == {"等线"}
    status = tmp_path / "进展.xlsx"
    run("ledger", "status", ledger, "--as-of", "2024-03-01", "-f", "xlsx", "-o", status, "-q")
    assert font_names(status) == {"等线"}


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def printed_sizes(pdf: Path, page: int) -> list[float]:
    """The size in points of the text on a PDF page, from its words made only of CJK
    characters (each as wide as the font size)."""
    boxes = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = []
    for left, right, word in re.findall(
        r'xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]+)<', boxes
    ):
        if re.fullmatch(r"[\u4e00-\u9fff]{3,}", word):
            sizes.append((float(right) - float(left)) / len(word))
    return sizes


@pytest.mark.skipif(not HAS_OFFICE, reason="LibreOffice or poppler is not installed")
def test_libreoffice_prints_each_town_sheet_on_one_page_at_10_pt_or_more(brief_book, tmp_path):
    (pdf,) = resave_with_libreoffice([brief_book], ["pdf"], tmp_path / "lo")["pdf"]
    pages = page_texts(pdf)
    titles = [f"{unit} {PERIOD} 整改提升简报" for unit in NOTICE_UNITS]
    first = next(i for i, page in enumerate(pages) if any(t in page for t in titles))
    town_pages = pages[first:]
    assert len(town_pages) == len(NOTICE_UNITS)  # no town sheet runs onto a second page
    for number, page in enumerate(town_pages, start=first + 1):
        assert sum(title in page for title in titles) == 1
        assert "点位问题（完成时限" in page and "最弱小项" in page
        sizes = printed_sizes(pdf, number)
        assert len(sizes) > 20
        body = sorted(sizes)[len(sizes) // 2]  # the median word: body text, not the title
        assert MIN_PRINTED_POINTS <= body <= BODY_POINTS + 0.1, (number, body)


@pytest.mark.skipif(not HAS_OFFICE, reason="LibreOffice or poppler is not installed")
def test_libreoffice_prints_the_trend_workbook_one_page_a_sheet(tmp_path):
    out = tmp_path / "trend.xlsx"
    run("trend", SAMPLE_2023H2, SAMPLE_2024H1, "-f", "xlsx", "-o", out, "-q")
    (pdf,) = resave_with_libreoffice([out], ["pdf"], tmp_path / "lo")["pdf"]
    pages = page_texts(pdf)
    assert len(pages) == 3
    assert "各街镇综合得分走势" in pages[0] and "全区平均" in pages[0]
    assert "大类全区得分走势" in pages[2]


def test_the_aggregate_workbook_is_ranked_graded_titled_and_reads_back(tmp_path):
    long_text = "小区门口的垃圾桶经常满溢，周末尤其严重，希望增加清运次数并加强巡查" * 2
    answers = [
        ("九亭镇", "满意", "一般", long_text),
        ("九亭镇", "一般", "不满意", ""),
        ("岳阳街道", "非常满意", "满意", "楼道堆物多"),
        ("岳阳街道", "满意", "非常满意", ""),
    ]
    rows = ["序号,所在街镇,1、您对小区环境卫生的满意程度,2、您对道路保洁的满意程度,3、您有什么建议"]
    rows += [f"{i},{u},{a},{b},{s}" for i, (u, a, b, s) in enumerate(answers, start=1)]
    export = tmp_path / "问卷导出-2023H2.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    run("aggregate", export, "-f", "xlsx", "-o", out, "-q")
    book = openpyxl.load_workbook(out)
    scores = book["街镇得分"]
    assert scores["A1"].value.startswith(f"{PERIOD} 问卷汇总") and scores["A1"].font.b
    assert [c.value for c in scores[3]][:4] == ["排名", "街镇", "等级", "综合满意度"]
    table = [[c for c in row] for row in scores.iter_rows(min_row=4)]
    assert [(r[0].value, r[1].value) for r in table] == [(1, "岳阳街道"), (2, "九亭镇")]
    assert {r[0].data_type for r in table} == {"n"}
    assert all(r[2].value in ("优秀", "良好", "尚可", "一般", "较差") for r in table)
    assert {r[3].number_format for r in table} == {"0.00"}
    assert scores.print_title_rows == "$3:$3" and scores.print_title_cols == "$A:$B"
    suggestions = book["市民反映建议"]
    cell = next(c for row in suggestions.iter_rows(min_row=4) for c in row if c.value == long_text)
    assert cell.alignment.wrap_text and suggestions.column_dimensions["C"].width >= 40
    for sheet in book:
        assert PERIOD in str(sheet["A1"].value) and sheet.page_setup.paperSize == 9, sheet.title
    assert font_names(out) == {"等线"}
    again = json.loads(runner.invoke(app, ["rank", str(out), "-f", "json"]).stdout)
    direct = json.loads(runner.invoke(app, ["rank", str(export), "-f", "json"]).stdout)
    assert [(u["unit"], u["score"]) for u in again["units"]] == [
        (u["unit"], u["score"]) for u in direct["units"]
    ]


def test_a_town_sheet_too_long_for_a_page_starts_the_ledger_on_the_next_page(brief_book, tmp_path):
    assert not openpyxl.load_workbook(brief_book)["九亭镇"].row_breaks.brk  # one page: no break
    ledger = tmp_path / "台账.xlsx"
    run("ledger", "init", SAMPLE_2023H2, "-o", ledger, "-q")
    out = tmp_path / "out"
    run(
        "brief", SAMPLE_2023H2, "-d", out, "-f", "xlsx", "--ledger", ledger, "--as-of", "2024-03-01"
    )
    sheet = openpyxl.load_workbook(out / BRIEF)["九亭镇"]
    heading = next(
        row[0].row for row in sheet.iter_rows(max_col=1) if str(row[0].value).startswith("整改台账")
    )
    assert [b.id for b in sheet.row_breaks.brk] == [heading - 1]
    above = sum(sheet.row_dimensions[r].height for r in range(1, heading))
    assert above <= (A4_INCHES[1] - sheet.page_margins.top - sheet.page_margins.bottom) * 72
