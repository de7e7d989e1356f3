"""Hostile and broken input: a catalogue of files the tests build, and what each must get.

Every refused file gets exit 2, one message naming the file (and the cell where there is one),
no traceback, no output file, and the input left byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CHARTS, SAMPLE_2023H2, WORD, needs
from hostile_files import (
    good_xlsx,
    number_cell,
    row,
    score_table,
    sheet_xml,
    text_cell,
    xlsx_bytes,
    zip_bytes,
)
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()
SAMPLE = SAMPLE_2023H2.read_bytes()


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    build: Callable[[], bytes]
    message: str
    place: str = ""


def xls_with_error(error: int) -> bytes:
    """An .xls written by xlwt whose second unit's composite is a cached error value."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("综合")
    for col, text in enumerate(["街镇", "综合满意度"]):
        sheet.write(0, col, text)
    sheet.write(1, 0, "九亭镇")
    sheet.write(1, 1, 70)
    sheet.write(2, 0, "新桥镇")
    sheet.row(2).set_cell_error(1, error)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv(text: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: text.encode(encoding)


def one_sheet(body: str, **options: str) -> Callable[[], bytes]:
    return lambda: xlsx_bytes({"综合": sheet_xml(body, **options)})


def formula(ref: str, cached: str | None, error: bool = False) -> str:
    kind = ' t="e"' if error else ""
    value = f"<v>{cached}</v>" if cached is not None else ""
    return f'<c r="{ref}"{kind}><f>B9/0</f>{value}</c>'


ENTITY_BOMB = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
UNITS = "街镇,综合满意度\n"

REFUSED = [
    Case("empty-xlsx", "报告.xlsx", lambda: b"", "文件是空的"),
    Case("blank-csv", "报告.csv", lambda: b" \r\n\t\n", "文件是空的"),
    Case("truncated-half", "报告.xlsx", lambda: SAMPLE[: len(SAMPLE) // 2], "损坏"),
    Case("truncated-tail", "报告.xlsx", lambda: SAMPLE[:-200], "损坏"),
    Case("random-binary", "报告.xlsx", lambda: bytes(range(256)) * 40, "不是电子表格"),
    Case("png-as-xls", "报告.xls", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "不是电子表格"),
    Case(
        "pdf-as-xlsx",
        "报告.xlsx",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 50,
        "不是电子表格",
    ),
    Case(
        "docx-as-xlsx",
        "报告.xlsx",
        lambda: zip_bytes({"word/document.xml": "<w/>"}),
        "不是电子表格",
    ),
    Case("plain-zip", "报告.xlsx", lambda: zip_bytes({"readme.txt": "hello"}), "不是电子表格"),
    Case("xlsb", "报告.xlsb", lambda: zip_bytes({"xl/workbook.bin": b"\x00\x01"}), ".xlsb"),
    Case(
        "encrypted",
        "报告.xlsx",
        lambda: (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 64
            + "EncryptedPackage".encode("utf-16-le")
        ),
        "请向发送方索取未加密的副本",
    ),
    Case("xls-cached-na", "报告.xls", lambda: xls_with_error(0x2A), "#N/A", "综合!B3"),
    Case(
        "ole2-junk", "报告.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 600, "损坏"
    ),
    Case(
        "zip-bomb",
        "报告.xlsx",
        lambda: xlsx_bytes(
            {"综合": sheet_xml(score_table(("九亭镇", number_cell("B{r}", 70))))},
            extra={"xl/media/padding.xml": b"\x00" * (40 * 1024 * 1024)},
        ),
        "压缩炸弹",
    ),
    Case(
        "too-many-members",
        "报告.xlsx",
        lambda: xlsx_bytes(
            {"综合": sheet_xml(score_table(("九亭镇", number_cell("B{r}", 70))))},
            extra={f"xl/junk/{i}.xml": "<a/>" for i in range(5200)},
        ),
        "超出限制",
    ),
    Case(
        "entity-bomb-sheet",
        "报告.xlsx",
        one_sheet(score_table(("九亭镇", number_cell("B{r}", 70))), prolog=ENTITY_BOMB),
        "实体炸弹",
    ),
    Case(
        "entity-bomb-workbook",
        "报告.xlsx",
        lambda: xlsx_bytes(
            {"综合": sheet_xml(score_table(("九亭镇", number_cell("B{r}", 70))))},
            workbook_prolog=ENTITY_BOMB,
        ),
        "实体炸弹",
    ),
    Case(
        "far-cell",
        "报告.xlsx",
        one_sheet(
            score_table(("九亭镇", number_cell("B{r}", 70)))
            + row(1048576, number_cell("XFD1048576", 1))
        ),
        "超出限制",
    ),
    Case(
        "wide-far-column",
        "报告.xlsx",
        one_sheet(
            score_table(("九亭镇", number_cell("B{r}", 70)))
            + row(400000, number_cell("ZZ400000", 1))
        ),
        "超出限制",
    ),
    Case(
        "declared-dimension",
        "报告.xlsx",
        one_sheet(
            score_table(("九亭镇", number_cell("B{r}", 70))),
            before='<dimension ref="A1:XFD1048576"/>',
        ),
        "声明的范围",
    ),
    Case(
        "huge-merge",
        "报告.xlsx",
        one_sheet(
            score_table(("九亭镇", number_cell("B{r}", 70))),
            after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        ),
        "合并单元格",
    ),
    Case(
        "formula-without-value",
        "报告.xlsx",
        one_sheet(
            score_table(("九亭镇", formula("B{r}", None)), ("新桥镇", number_cell("B{r}", 80)))
        ),
        "请在 Excel/WPS 中打开并保存后再试",
        "综合!B2",
    ),
    Case(
        "cached-div0",
        "报告.xlsx",
        one_sheet(
            score_table(
                ("九亭镇", number_cell("B{r}", 70)), ("新桥镇", formula("B{r}", "#DIV/0!", True))
            )
        ),
        "#DIV/0!",
        "综合!B3",
    ),
    Case(
        "cached-na",
        "报告.xlsx",
        one_sheet(
            score_table(
                ("九亭镇", formula("B{r}", "#N/A", True)), ("新桥镇", number_cell("B{r}", 80))
            )
        ),
        "#N/A",
        "综合!B2",
    ),
    Case(
        "formula-only",
        "报告.xlsx",
        one_sheet(
            score_table(("九亭镇", formula("B{r}", None)), ("新桥镇", formula("B{r}", None)))
        ),
        "公式但没有保存计算结果",
        "综合!B2",
    ),
    Case("nan-text", "报告.csv", csv(UNITS + "九亭镇,nan\n新桥镇,80\n"), "不是有效的分数", "B2"),
    Case("inf-text", "报告.csv", csv(UNITS + "九亭镇,80\n新桥镇,inf\n"), "不是有效的分数", "B3"),
    Case(
        "huge-exponent",
        "报告.csv",
        csv(UNITS + "九亭镇,1e400\n新桥镇,80\n"),
        "不是有效的分数",
        "B2",
    ),
    Case("above-100", "报告.csv", csv(UNITS + "九亭镇,100.01\n新桥镇,80\n"), "超出 0–100", "B2"),
    Case("negative", "报告.csv", csv(UNITS + "九亭镇,-5\n新桥镇,80\n"), "超出 0–100", "B2"),
    Case(
        "above-100-xlsx",
        "报告.xlsx",
        one_sheet(
            score_table(("九亭镇", number_cell("B{r}", 785.3)), ("新桥镇", number_cell("B{r}", 80)))
        ),
        "超出 0–100",
        "综合!B2",
    ),
    Case("ragged-row", "报告.csv", csv(UNITS + "九亭镇,70\n新桥镇,含工业区,80\n"), "多出", "C3"),
    Case(
        "undecodable", "报告.csv", lambda: UNITS.encode() + b"\xff\xfe\xff,70\n", "无法识别文字编码"
    ),
    Case(
        "bad-utf8-after-bom",
        "报告.csv",
        lambda: b"\xef\xbb\xbf" + UNITS.encode() + b"\xc3(,70\n",
        "无法识别文字编码",
    ),
    Case("nul-bytes", "报告.csv", lambda: "街镇,综合满意度\n".encode("utf-16-le"), "不是电子表格"),
    Case("no-unit-column", "报告.csv", csv("名称,数量\n苹果,3\n"), "没有找到街镇列"),
    Case("no-score-column", "报告.csv", csv("街镇,备注\n九亭镇,良好\n"), "没有找到分数列"),
    Case("only-header", "报告.csv", csv("街镇,综合满意度\n"), "无法"),
    Case("all-no-value", "报告.csv", csv(UNITS + "九亭镇,—\n新桥镇,/\n"), "分数列里没有任何分数"),
    Case(
        "conflicting-duplicates",
        "报告.csv",
        csv(UNITS + "九亭镇,70\n九亭,71\n"),
        "出现两次且数值不一致",
        "B3",
    ),
    Case(
        "duplicate-headers",
        "报告.csv",
        csv("街镇,综合满意度,综合满意度\n九亭镇,70,71\n"),
        "重复",
        "C1",
    ),
    Case(
        "html-without-table",
        "报告.xls",
        lambda: b"<html><body><p>hi</p></body></html>",
        "没有任何表格",
    ),
    Case(
        "ods-with-dtd",
        "报告.ods",
        lambda: zip_bytes(
            {
                "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": ENTITY_BOMB + "<office:document-content/>",
            }
        ),
        "实体炸弹",
    ),
    Case(
        "ods-corrupt",
        "报告.ods",
        lambda: zip_bytes(
            {
                "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": "<not-closed",
            }
        ),
        "损坏",
    ),
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_catalogue_is_large_enough():
    assert len(REFUSED) >= 40
    assert len({case.id for case in REFUSED}) == len(REFUSED)


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.id)
def test_refused_with_one_clear_message(case: Case, tmp_path: Path):
    source = tmp_path / case.name
    source.write_bytes(case.build())
    before = digest(source)
    out = tmp_path / "out"
    result = runner.invoke(app, ["rank", str(source), "-f", "json", "-o", str(out / "排名.json")])
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert case.name in result.stderr and case.message in result.stderr, result.stderr
    if case.place:
        assert case.place in result.stderr, result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert not out.exists()
    assert digest(source) == before


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("validate", []),
        ("brief", ["-f", "both", "-d", "OUT"]),
        ("compare", ["GOOD"]),
        ("trend", ["GOOD"]),
    ],
)
def test_every_command_refuses_the_same_way(command: str, extra: list[str], tmp_path: Path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(xlsx_bytes({"综合": sheet_xml(row(1048576, number_cell("XFD1048576", 1)))}))
    good = tmp_path / "good-2023H1.xlsx"
    good.write_bytes(good_xlsx())
    arguments = [
        str(tmp_path / "OUT") if a == "OUT" else str(good) if a == "GOOD" else a for a in extra
    ]
    result = runner.invoke(app, [command, str(bad), *arguments])
    assert result.exit_code == 2, result.output
    assert "坏.xlsx" in result.stderr and "超出限制" in result.stderr
    assert not (tmp_path / "OUT").exists()


READ_WITH_WARNING = [
    ("csv-as-xlsx", "报告.xlsx", csv(UNITS + "九亭镇,70\n新桥镇,80\n"), "内容实际是CSV 文本"),
    (
        "gbk-csv-as-xls",
        "报告.xls",
        csv(UNITS + "九亭镇,70\n新桥镇,80\n", "gbk"),
        "内容实际是CSV 文本",
    ),
    (
        "html-as-xls",
        "报告.xls",
        lambda: (
            "<html><meta charset='utf-8'><table><tr><th>街镇</th><th>综合满意度</th></tr>"
            "<tr><td>九亭镇</td><td>70</td></tr><tr><td>新桥镇</td><td>80</td></tr></table></html>"
        ).encode(),
        "网页（HTML）表格",
    ),
    (
        "xlsm-with-macros",
        "报告.xlsm",
        lambda: xlsx_bytes(
            {
                "综合": sheet_xml(
                    score_table(
                        ("九亭镇", number_cell("B{r}", 70)), ("新桥镇", number_cell("B{r}", 80))
                    )
                )
            },
            extra={"xl/vbaProject.bin": b"\x00macro"},
        ),
        "宏已忽略",
    ),
    (
        "hidden-rows",
        "报告.xlsx",
        one_sheet(
            row(1, text_cell("A1", "街镇"), text_cell("B1", "综合满意度"))
            + row(2, text_cell("A2", "九亭镇"), number_cell("B2", 70))
            + row(3, text_cell("A3", "新桥镇"), number_cell("B3", 80), hidden=True)
        ),
        "有隐藏行：第 3 行",
    ),
    (
        "hidden-sheet",
        "报告.xlsx",
        lambda: xlsx_bytes(
            {
                "综合": sheet_xml(score_table(("九亭镇", number_cell("B{r}", 70)))),
                "备用": sheet_xml(score_table(("新桥镇", number_cell("B{r}", 80)))),
            },
            hidden=("备用",),
        ),
        "有隐藏的工作表：备用",
    ),
    ("control-characters", "报告.csv", csv(UNITS + "九亭\x07镇,70\n新桥镇,80\n"), "控制字符"),
]


@pytest.mark.parametrize(
    ("case", "name", "build", "warning"),
    READ_WITH_WARNING,
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_read_correctly_with_a_warning(case, name, build, warning, tmp_path: Path):
    source = tmp_path / name
    source.write_bytes(build())
    result = runner.invoke(app, ["rank", str(source), "-f", "json"])
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u["score"] for u in json.loads(result.stdout)["units"]}
    assert units == {"九亭镇": 70.0, "新桥镇": 80.0}
    assert warning in result.stderr, result.stderr


def test_a_unit_called_na_stays_na(tmp_path: Path):
    source = tmp_path / "报告.csv"
    source.write_text(UNITS + "NA,70\nnull,75\n新桥镇,80\n", encoding="utf-8")
    result = runner.invoke(app, ["rank", str(source), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [u["unit"] for u in json.loads(result.stdout)["units"]] == ["新桥镇", "null", "NA"]


HOSTILE_NAMES = ["../../evil", "CON", "=cmd|' /C calc'!A0", "a/b", "名字." * 60, "<script>"]


@needs(*WORD, *CHARTS)
def test_hostile_unit_names_stay_inside_the_output_folder(tmp_path: Path):
    source = tmp_path / "报告-2023H2.csv"
    lines = [UNITS] + [f'"{name}",{70 + i}\n' for i, name in enumerate(HOSTILE_NAMES)]
    source.write_text("".join(lines) + "九亭镇,80\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["brief", str(source), "-f", "docx,md,xlsx", "--all", "-d", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = [p for p in out.rglob("*") if p.is_file()]
    assert all(p.parent == out for p in written)
    for end in ("简报.md", "简报.docx", "大类得分图.png", "大类得分图.svg"):
        units = [p for p in written if p.name.endswith(end) and "全区" not in p.name]
        assert len(units) == len(HOSTILE_NAMES) + 1, end
    assert not (tmp_path / "evil-整改提升简报.md").exists()


def test_two_units_that_clean_to_one_file_name_are_refused(tmp_path: Path):
    source = tmp_path / "报告-2023H2.csv"
    source.write_text(UNITS + "a/b,70\na\\b,71\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["brief", str(source), "-f", "both", "--all", "-d", str(out)])
    assert result.exit_code == 2
    assert "「a\\b」和「a/b」的简报文件名都会是 2023H2-a_b-整改提升简报.md" in result.stderr
    assert not out.exists()


# Hostile profiles ---------------------------------------------------------------------------

PROFILE_TEXT = (SAMPLE_2023H2.parent.parent / "profile.toml").read_text(encoding="utf-8")


def edited_profile(old: str, new: str) -> Callable[[Path], Path]:
    """A builder of the bundled profile with the one line `old` replaced by `new`."""

    def build(folder: Path) -> Path:
        assert PROFILE_TEXT.count(old) == 1, old
        path = folder / "口径.toml"
        path.write_text(PROFILE_TEXT.replace(old, new), encoding="utf-8")
        return path

    return build


def profile_text(text: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / "口径.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return build


def symlink_loop(folder: Path) -> Path:
    path = folder / "口径.toml"
    path.symlink_to(path.name)
    return path


def repeated_unit(folder: Path) -> Path:
    table = '[[units]]\nname = "泖港镇"\nkind = "镇"\nshort = "泖港"\naliases = []\n\n'
    return profile_text(PROFILE_TEXT.replace("[[units]]", table + "[[units]]", 1))(folder)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


@dataclass(frozen=True)
class ProfileCase:
    id: str
    build: Callable[[Path], Path]
    message: str
    line: int | None = None


RESIDENTIAL_WEIGHT = line_of(PROFILE_TEXT, "weight = 0.16")
BAD_PROFILES = [
    ProfileCase(
        "weight-nan",
        edited_profile("weight = 0.16", "weight = nan"),
        "大类「居住区」的 weight = nan 不是有效数字",
        RESIDENTIAL_WEIGHT,
    ),
    ProfileCase(
        "weight-inf",
        edited_profile("weight = 0.16", "weight = inf"),
        "大类「居住区」的 weight = inf 不是有效数字",
        RESIDENTIAL_WEIGHT,
    ),
    ProfileCase(
        "weight-negative",
        edited_profile("weight = 0.16", "weight = -0.16"),
        "大类「居住区」的 weight = -0.16 超出 0 到 1 的范围",
        RESIDENTIAL_WEIGHT,
    ),
    ProfileCase(
        "weight-above-one",
        edited_profile("weight = 0.16", "weight = 1.5"),
        "大类「居住区」的 weight = 1.5 超出 0 到 1 的范围",
        RESIDENTIAL_WEIGHT,
    ),
    ProfileCase(
        "weights-sum-1.54",
        edited_profile("weight = 0.16", "weight = 0.70"),
        "11 个大类的 weight 合计 1.54，应为 1",
        line_of(PROFILE_TEXT, "[[categories]]"),
    ),
    ProfileCase(
        "weight-missing-on-one",
        edited_profile("weight = 0.16\n", ""),
        "大类「居住区」没有写 weight",
        line_of(PROFILE_TEXT, 'name = "居住区"'),
    ),
    ProfileCase(
        "alias-on-two-units",
        edited_profile('aliases = ["永丰街"]', 'aliases = ["永丰街", "岳阳街"]'),
        "街镇「永丰街道」的 aliases 写了「岳阳街」，但「岳阳街」已经是街镇「岳阳街道」的名称或别名",
        line_of(PROFILE_TEXT, 'aliases = ["永丰街"]'),
    ),
    ProfileCase(
        "alias-is-another-units-name",
        edited_profile('aliases = ["方松街"]', 'aliases = ["方松街", "九亭镇"]'),
        "街镇「方松街道」的 aliases 写了「九亭镇」，但「九亭镇」已经是街镇「九亭镇」的名称或别名",
        line_of(PROFILE_TEXT, 'aliases = ["方松街"]'),
    ),
    ProfileCase(
        "unit-listed-twice",
        repeated_unit,
        "街镇「泖港镇」列了两次",
        line_of(PROFILE_TEXT, 'name = "泖港镇"') + 6,  # five inserted lines and the blank one
    ),
    ProfileCase(
        "category-alias-twice",
        edited_profile('aliases = ["市政道路"]', 'aliases = ["市政道路", "住宅小区"]'),
        "大类「城市道路」的 aliases 写了「住宅小区」",
        line_of(PROFILE_TEXT, 'aliases = ["市政道路"]'),
    ),
    ProfileCase(
        "grade-min-nan",
        edited_profile("min = 80\n", "min = nan\n"),
        "等级「良好」的 min = nan 应为 0 到 100 之间的分数",
        line_of(PROFILE_TEXT, "min = 80"),
    ),
    ProfileCase(
        "label-score-inf",
        edited_profile('"满意" = 80', '"满意" = inf'),
        "答案「满意」的分值 inf 应为 0 到 100 之间的数",
        line_of(PROFILE_TEXT, '"满意" = 80'),
    ),
    ProfileCase(
        "nested-arrays-50k",
        profile_text("name = 1\nbomb = " + "[" * 50_000 + "]" * 50_000 + "\n"),
        "嵌套超过 32 层",
        2,
    ),
    ProfileCase(
        "profile-over-1mb",
        profile_text('name = "x"\n' + "# padding\n" * 120_000),
        "超出 1 MB 的限制",
    ),
    ProfileCase("profile-symlink-loop", symlink_loop, "符号链接循环"),
    ProfileCase(
        "profile-not-utf8",
        lambda folder: (
            (folder / "口径.toml").write_bytes('name = "松江"'.encode("gbk"))
            and folder / "口径.toml"
        ),
        "不是 UTF-8 编码",
    ),
]


@pytest.mark.parametrize("case", BAD_PROFILES, ids=lambda case: case.id)
def test_a_bad_profile_is_refused_naming_the_key_and_line(case: ProfileCase, tmp_path: Path):
    path = case.build(tmp_path)
    out = tmp_path / "排名.json"
    result = runner.invoke(
        app,
        ["rank", str(SAMPLE_2023H2), "-f", "json", "-o", str(out)],
        env={"MYTOOL_PROFILE": str(path)},
    )
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "口径.toml" in lines[0], lines
    assert case.message in result.stderr, result.stderr
    if case.line is not None:
        assert f"口径.toml 第 {case.line} 行：" in result.stderr, result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_the_bundled_profile_passes_its_own_checks():
    from mytool.profile import load_profile

    profile = load_profile()
    assert abs(sum(c.weight for c in profile.categories) - 1) <= 0.005


def test_a_fifo_as_the_profile_is_refused_at_once(tmp_path: Path):
    fifo = tmp_path / "口径.toml"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "mytool", "rank", str(SAMPLE_2023H2)],
        env={**os.environ, "MYTOOL_PROFILE": str(fifo)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert time.monotonic() - started < 10
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "错误：口径.toml：这是命名管道（FIFO），不是普通测评口径文件，已拒绝读取"
    )
    assert result.stdout == ""


# Hostile templates --------------------------------------------------------------------------


def brief_with_templates(folder: Path, out: Path) -> Any:
    return runner.invoke(
        app,
        [
            "brief",
            str(SAMPLE_2023H2),
            "-f",
            "both",
            "-u",
            "九亭",
            "-d",
            str(out),
            "--template-dir",
            str(folder),
        ],
    )


def one_line_error(result: Any) -> str:
    assert "Traceback" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    return lines[0]


def test_a_symlinked_template_is_not_followed(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密：密码 123456\n", encoding="utf-8")
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "unit_brief.md.j2").symlink_to(secret)
    out = tmp_path / "简报"
    result = brief_with_templates(folder, out)
    assert result.exit_code == 2
    assert "unit_brief.md.j2 是符号链接" in one_line_error(result)
    assert not out.exists() and "123456" not in result.output


def test_an_include_through_a_symlinked_folder_is_not_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.j2").write_text("机密\n", encoding="utf-8")
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "linked").symlink_to(outside)
    (folder / "unit_brief.md.j2").write_text('{% include "linked/secret.j2" %}', encoding="utf-8")
    result = brief_with_templates(folder, tmp_path / "简报")
    assert result.exit_code == 2
    assert "linked/secret.j2 是符号链接" in one_line_error(result)


@pytest.mark.parametrize("name", ["../secret.j2", "/etc/passwd", "a//b.j2", "..\\\\x.j2"])
def test_a_template_name_outside_the_folder_is_refused(name: str, tmp_path: Path):
    (tmp_path / "secret.j2").write_text("机密\n", encoding="utf-8")
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "unit_brief.md.j2").write_text(f'{{% include "{name}" %}}', encoding="utf-8")
    result = brief_with_templates(folder, tmp_path / "简报")
    assert result.exit_code == 2
    assert "不合法：只能是模板文件夹中的文件" in one_line_error(result)


def test_a_fifo_as_a_template_is_refused_at_once(tmp_path: Path):
    folder = tmp_path / "模板"
    folder.mkdir()
    os.mkfifo(folder / "unit_brief.md.j2")
    out = tmp_path / "简报"
    command = [
        "brief",
        str(SAMPLE_2023H2),
        "-f",
        "both",
        "-u",
        "九亭",
        "-d",
        str(out),
        "--template-dir",
    ]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "mytool", *command, str(folder)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert time.monotonic() - started < 10
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"错误：模板 {folder}/unit_brief.md.j2 不是普通文件（如命名管道、设备），已拒绝读取"
    )
    assert not out.exists()


def test_a_missing_or_looping_template_folder_is_named(tmp_path: Path):
    missing = brief_with_templates(tmp_path / "没有", tmp_path / "简报")
    assert missing.exit_code == 2 and "没有：模板文件夹不存在" in one_line_error(missing)
    loop = tmp_path / "环"
    loop.symlink_to(loop.name)
    looping = brief_with_templates(loop, tmp_path / "简报")
    assert looping.exit_code == 2 and "环：符号链接循环" in one_line_error(looping)


RUNAWAY_TEMPLATES = [
    (
        "string-times-1e10",
        '{{ "x" * 10000000000 }}',
        "第 1 行：重复（*）生成的文字或列表超过 10 MB",
    ),
    (
        "nested-loops-over-10mb",
        "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}"
        "{% endfor %}",
        "unit_brief.md.j2：模板输出超过 10 MB 的限制",
    ),
    ("center-1e10", '{{ "x" | center(10000000000) }}', "参数 10000000000 要求的长度超过 10 MB"),
    ("method-1e10", '{{ "x".ljust(10000000000) }}', "参数 10000000000 要求的长度超过 10 MB"),
    ("format-width", '{{ "{:>10000000000}".format(1) }}', "格式化的宽度超过 10 MB"),
    ("percent-width", '{{ "%10000000000s" % 1 }}', "格式化（%）的宽度超过 10 MB"),
    (
        "concat-doubling",
        '{% set a = "x" * 6000000 %}{% set b = a ~ a %}{{ b | length }}',
        "第 1 行：模板生成的文字或列表超过 10 MB",
    ),
    ("power", "{{ 2 ** 10000000 }}", "乘方结果过大"),
]


@pytest.mark.parametrize(
    ("case", "text", "message"), RUNAWAY_TEMPLATES, ids=[c[0] for c in RUNAWAY_TEMPLATES]
)
def test_a_runaway_template_stops_quickly(case: str, text: str, message: str, tmp_path: Path):
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "unit_brief.md.j2").write_text(text, encoding="utf-8")
    out = tmp_path / "简报"
    started = time.monotonic()
    result = brief_with_templates(folder, out)
    assert time.monotonic() - started < 20
    assert result.exit_code == 2, result.output
    line = one_line_error(result)
    assert "unit_brief.md.j2" in line and message in line, line
    assert not out.exists()


def test_a_template_that_loops_without_printing_is_stopped_by_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from mytool.render import template_guard

    monkeypatch.setattr(template_guard, "MAX_SECONDS", 0.5)
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "unit_brief.md.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    started = time.monotonic()
    result = brief_with_templates(folder, tmp_path / "简报")
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert "渲染超过 0.5 秒仍未完成" in one_line_error(result)


# File names that are not UTF-8, and stdout that cannot be written ------------------------------

GBK_NAME = "测评".encode("gbk") + b"-2023H2.xlsx"


def mytool(*arguments: str | bytes, cwd: Path, **options: Any) -> subprocess.CompletedProcess:
    """Run mytool as a user would, with byte arguments passed through unchanged."""
    command = [os.fsencode(sys.executable), b"-m", b"mytool"]
    command += [os.fsencode(a) if isinstance(a, str) else a for a in arguments]
    options.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(command, stderr=subprocess.PIPE, cwd=cwd, timeout=120, **options)


@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names are always Unicode")
def test_a_file_name_that_is_not_utf8_is_read_and_shown_with_replacement_characters(
    tmp_path: Path,
):
    (tmp_path / os.fsdecode(GBK_NAME)).write_bytes(SAMPLE)
    shown_name = "����-2023H2.xlsx"
    log = tmp_path / "运行日志.jsonl"

    table = mytool("rank", GBK_NAME, cwd=tmp_path)
    assert table.returncode == 0, table.stderr.decode(errors="replace")
    assert shown_name in table.stdout.decode("utf-8")

    as_json = mytool("--log-file", str(log), "rank", GBK_NAME, "-f", "json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr.decode(errors="replace")
    assert json.loads(as_json.stdout.decode("utf-8"))["source"] == shown_name
    record = json.loads(log.read_text(encoding="utf-8"))
    assert record["inputs"][0]["path"] == shown_name and record["exit_code"] == 0

    out = tmp_path / "简报"
    brief = mytool("brief", GBK_NAME, "-f", "both", "-d", str(out), cwd=tmp_path)
    assert brief.returncode == 0, brief.stderr.decode(errors="replace")
    overview = (out / "2023H2-全区总览.md").read_text(encoding="utf-8")
    assert shown_name in overview
    assert all(os.fsencode(p.name).decode("utf-8") for p in out.iterdir())

    refused = tmp_path / os.fsdecode("坏".encode("gbk") + b".xlsx")
    refused.write_bytes(b"")
    empty = mytool("rank", os.fsencode(refused.name), cwd=tmp_path)
    assert empty.returncode == 2
    assert empty.stderr.decode("utf-8").strip() == "错误：��.xlsx：文件是空的"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("format", ["table", "json"])
def test_a_full_disk_on_stdout_is_exit_3(format: str, tmp_path: Path):
    with open("/dev/full", "wb") as full:
        result = mytool("rank", str(SAMPLE_2023H2), "-f", format, cwd=tmp_path, stdout=full)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 3, stderr
    assert stderr.strip() == "错误：无法写入标准输出（磁盘空间不足）；请腾出空间，或用 -o 写到别处"


def test_a_closed_pipe_on_stdout_is_exit_3_with_one_line(tmp_path: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "mytool", "rank", str(SAMPLE_2023H2), "-f", "md"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before the first byte, as `| head -0` would
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 3
    assert stderr == "错误：标准输出的管道已关闭（读取结果的程序提前退出），输出不完整\n"


def test_a_full_disk_for_an_output_file_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import errno

    def full(*arguments: Any, **options: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "排名.json"
    result = runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "json", "-o", str(out)])
    assert result.exit_code == 3
    assert "排名.json：无法写入输出文件（磁盘空间不足）" in one_line_error(result)
    assert not out.exists() and not list(tmp_path.glob("*.mytool-tmp"))
