"""The send-ready Word documents of `mytool brief`: files, numbers, fonts, pages, templates."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import CHARTS, NOTICE_UNITS, SAMPLE_2023H2, WORD, missing
from typer.testing import CliRunner

from mytool.cli import app

if missing(*WORD, *CHARTS):  # the chart and Word modules import them at their top
    pytest.skip(f"not installed: {', '.join(missing(*WORD, *CHARTS))}", allow_module_level=True)

from mytool.render import charts
from mytool.render.docx_render import document_text

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "documents"
DEPARTMENTS = (
    "区房管局",
    "区建管委",
    "区绿化市容局",
    "区商务委",
    "区水务局",
    "区交通委",
    "区城管执法局",
)
HAS_OFFICE = shutil.which("soffice") is not None and shutil.which("pdfinfo") is not None


def brief(out: Path, *args: str) -> Path:
    result = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-d", str(out), "--as-of", "2024-03-01", *args]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def default_out(tmp_path_factory) -> Path:
    return brief(tmp_path_factory.mktemp("docs") / "out")


def text_of(path: Path) -> str:
    return document_text(path.read_bytes())


def rank_json() -> dict:
    return json.loads(runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "json"]).stdout)


def test_default_run_writes_word_for_units_departments_summary_plus_workbook_and_charts(
    default_out,
):
    names = {p.name for p in default_out.iterdir() if not p.name.startswith(".")}
    expected = {f"2023H2-{u}-整改提升简报.docx" for u in NOTICE_UNITS}
    expected |= {f"2023H2-{d}-牵头任务.docx" for d in DEPARTMENTS}
    expected |= {"2023H2-全区情况简报.docx", "2023H2-满意度提升简报.xlsx"}
    for stem in ["2023H2-全区排名图", *(f"2023H2-{u}-大类得分图" for u in NOTICE_UNITS)]:
        expected |= {f"{stem}.png", f"{stem}.svg"}
    assert names == expected
    png = (default_out / "2023H2-全区排名图.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert b"pHYs" in png  # 300 dpi is recorded in the file
    svg = (default_out / "2023H2-九亭镇-大类得分图.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg


def test_all_adds_a_shorter_status_brief_for_the_other_eleven(tmp_path):
    out = brief(tmp_path / "all", "--all", "-f", "docx")
    status = sorted(out.glob("*-情况简报.docx"))
    assert len(status) == 11 and len(list(out.glob("*-整改提升简报.docx"))) == 6
    text = text_of(out / "2023H2-广富林街道-情况简报.docx")
    assert "整改提升" not in text and "二、保持与提升" in text
    assert "第 1 名（共 17 个）" in text


def test_word_text_holds_the_numbers_of_rank_json(default_out):
    ranking = rank_json()
    units = {u["unit"]: u for u in ranking["units"]}
    for name in NOTICE_UNITS:
        unit = units[name]
        text = text_of(default_out / f"2023H2-{name}-整改提升简报.docx")
        assert f"综合得分 {unit['score']:.2f} 分（{unit['grade']}）" in text
        assert f"全区第 {unit['rank']} 名（共 17 个）" in text
        assert "2024年4月10日前完成" in text
    summary = text_of(default_out / "2023H2-全区情况简报.docx")
    for name in NOTICE_UNITS:
        assert f"{name} {units[name]['score']:.2f}" in summary
    categories = {c["category"]: c for c in ranking["categories"]}
    for department in DEPARTMENTS:
        text = text_of(default_out / f"2023H2-{department}-牵头任务.docx")
        for category in (c for c in categories.values() if c["department"] == department):
            tied = "并列，" if category["tied"] else ""
            row = (
                f"{category['category']} | {category['score']:.2f} | "
                f"第 {category['rank']} 名（{tied}共 11 个）"
            )
            assert row in text, row


def test_titles_and_text_say_2023_second_half_never_2023h2(default_out):
    for path in default_out.glob("*.docx"):
        text = text_of(path)
        assert "2023年下半年" in text.splitlines()[0], path.name
        assert "2023H2" not in text, path.name


def test_a_department_sentence_names_exactly_the_towns_of_its_table(default_out):
    for department in DEPARTMENTS:
        text = text_of(default_out / f"2023H2-{department}-牵头任务.docx")
        rows = [line.split(" | ") for line in text.splitlines() if line.count(" | ") == 4]
        in_table = {u for row in rows[1:] for u in row[4].split("、")}
        sentence = re.search(r"得分最低的街镇（与上表同一名单）：(.+?)；", text).group(1)
        assert set(sentence.split("、")) == in_table, department


def test_runs_name_the_east_asian_fonts(default_out):
    data = (default_out / "2023H2-九亭镇-整改提升简报.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    runs = re.findall(r"<w:r>.*?</w:r>|<w:r .*?</w:r>", body, re.S)
    texts = [r for r in runs if re.search(r"<w:t[^>]*>[^<]+</w:t>", r)]  # runs with text
    assert texts and all('w:eastAsia="' in r for r in texts)
    assert 'w:eastAsia="仿宋_GB2312"' in body and 'w:eastAsia="方正小标宋简体"' in body
    assert 'w:eastAsia="黑体"' in body  # 一、 headings
    assert '<w:altName w:val="黑体"/>' in fonts  # the title font's substitute
    assert 'w:pgSz w:w="11906" w:h="16838"' in body  # A4
    assert 'w:top="2098"' in body and 'w:left="1587"' in body  # 37 mm, 28 mm (twips)
    assert "<w:tblHeader/>" in body and "<w:cantSplit/>" in body


def test_golden_documents_match_byte_for_byte(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "goldens", ROOT / "tools/make_document_goldens.py"
    )
    goldens = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(goldens)
    files = goldens.render(tmp_path / "out")
    assert sorted(files) == sorted(p.name for p in GOLDEN.iterdir())
    for name, data in files.items():
        assert data == (GOLDEN / name).read_bytes(), (
            f"{name} differs from tests/golden/documents; if intended, run "
            "python tools/make_document_goldens.py and review the diff"
        )


def test_a_broken_word_template_names_the_template_and_the_tag(tmp_path):
    bundled = (ROOT / "templates" / "unit_brief.docx").read_bytes()
    folder = tmp_path / "tpl"
    folder.mkdir()

    def with_tag(old: str, new: str) -> None:
        source = zipfile.ZipFile(io.BytesIO(bundled))
        target = io.BytesIO()
        with zipfile.ZipFile(target, "w") as out:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "word/document.xml":
                    data = data.decode("utf-8").replace(old, new).encode("utf-8")
                out.writestr(item, data)
        (folder / "unit_brief.docx").write_bytes(target.getvalue())

    command = ["brief", str(SAMPLE_2023H2), "-u", "九亭", "-f", "docx", "-d", str(tmp_path / "o")]
    with_tag("{{ doc.overall }}", "{{ doc.overal }}")
    result = runner.invoke(app, [*command, "--template-dir", str(folder)])
    assert result.exit_code == 2
    assert "unit_brief.docx 中的标签 {{ doc.overal }} 出错" in result.stderr
    with_tag("{{ doc.overall }}", "{{ doc.overall | }}")
    result = runner.invoke(app, [*command, "--template-dir", str(folder)])
    assert result.exit_code == 2
    assert "unit_brief.docx 中的标签 {{ doc.overall | }} 有语法错误" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_an_office_template_replaces_the_bundled_one(tmp_path):
    from docx import Document

    folder = tmp_path / "tpl"
    folder.mkdir()
    document = Document(str(ROOT / "templates" / "summary.docx"))
    document.paragraphs[0].insert_paragraph_before("松江区市容管理专项办公室文件")
    document.save(str(folder / "summary.docx"))
    out = brief(tmp_path / "o", "-f", "docx", "--template-dir", str(folder))
    assert text_of(out / "2023H2-全区情况简报.docx").startswith("松江区市容管理专项办公室文件")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_a_symlinked_word_template_is_not_followed(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "unit_brief.docx").symlink_to(ROOT / "templates" / "unit_brief.docx")
    result = runner.invoke(
        app,
        [
            "brief",
            str(SAMPLE_2023H2),
            "-u",
            "九亭",
            "-f",
            "docx",
            "-d",
            str(tmp_path / "o"),
            "--template-dir",
            str(folder),
        ],
    )
    assert result.exit_code == 2 and "符号链接" in result.stderr


def test_a_not_word_template_is_refused(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "summary.docx").write_text("not a zip", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "brief",
            str(SAMPLE_2023H2),
            "-f",
            "docx",
            "-d",
            str(tmp_path / "o"),
            "--template-dir",
            str(folder),
        ],
    )
    assert result.exit_code == 2 and "summary.docx 不是 Word .docx 文件" in result.stderr


def test_without_a_cjk_font_one_message_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "CJK_FAMILIES", ())
    monkeypatch.setattr(charts, "_FONT_CACHE", {})
    result = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-u", "九亭", "-d", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "fonts-noto-cjk" in result.stderr and "[fonts] cjk" in result.stderr
    assert not (tmp_path / "o").exists()


def test_format_accepts_several_and_refuses_unknown(tmp_path):
    out = brief(tmp_path / "o", "-u", "九亭", "-f", "md,docx")
    assert {p.suffix for p in out.iterdir() if not p.name.startswith(".")} == {
        ".md",
        ".docx",
        ".png",
        ".svg",
    }
    bad = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "pdf", "-d", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--format 不认识「pdf」" in bad.stderr


def test_rank_does_not_import_the_drawing_or_word_libraries():
    code = (
        "import sys\nfrom mytool.cli import main\n"
        f"sys.argv = ['mytool', 'rank', {str(SAMPLE_2023H2)!r}, '-f', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', [m for m in ('matplotlib', 'docx', 'docxtpl') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert "HEAVY []" in out


def pdf_pages(docx: Path, folder: Path) -> int:
    # A user profile of its own: another LibreOffice running (a second test run, a desktop
    # session) would otherwise hold the shared profile's lock and make this one exit 1.
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    info = subprocess.run(
        ["pdfinfo", str(folder / (docx.stem + ".pdf"))], capture_output=True, text=True
    ).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.mark.skipif(not HAS_OFFICE, reason="LibreOffice or poppler is not installed")
def test_summary_is_one_page_and_unit_briefs_at_most_two(default_out, tmp_path):
    assert pdf_pages(default_out / "2023H2-全区情况简报.docx", tmp_path) == 1
    for name in NOTICE_UNITS:
        pages = pdf_pages(default_out / f"2023H2-{name}-整改提升简报.docx", tmp_path)
        assert pages <= 2, (name, pages)


@pytest.mark.skipif(
    not HAS_OFFICE or shutil.which("pdftoppm") is None, reason="LibreOffice/poppler missing"
)
def test_summary_and_a_unit_brief_render_to_png(default_out, tmp_path):
    for name in ("2023H2-全区情况简报.docx", "2023H2-九亭镇-整改提升简报.docx"):
        pdf_pages(default_out / name, tmp_path)
        pdf = tmp_path / (Path(name).stem + ".pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) >= 2


def test_charts_drawn_by_the_workers_equal_charts_drawn_afresh_here():
    """The background workers and the reused unit figure change no byte of any chart."""
    font = charts.cjk_font("")
    jobs = [
        (
            charts.categories_chart,
            {
                "title": f"图 {n}",
                "unit_label": f"街镇{n}",
                "categories": ["市容环境", "城市道路", "公共设施"],
                "scores": [70.0 + n, 80.5, 90.25 - 2 * n],
                "district": [75.0, 79.0 + n, 88.0],
                "font": font,
            },
        )
        for n in range(4)
    ]
    with charts.BackgroundCharts(jobs) as drawn:
        background = [drawn[index] for index in range(len(jobs))]
    afresh = []
    for draw, arguments in jobs:
        charts._UNIT_FIGURES.clear()
        afresh.append(draw(**arguments))
    assert [c.png for c in background] == [c.png for c in afresh]
    assert [c.svg for c in background] == [c.svg for c in afresh]
    assert len({c.png for c in afresh}) == len(jobs)  # four different charts
