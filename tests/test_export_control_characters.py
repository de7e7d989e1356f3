"""Control characters in a respondent export (.xlsx read by fastexcel, CSV by pyarrow) are
removed before units are matched, answers scored and suggestions kept, and that is said once
per sheet, as for a score workbook.

A BEL in "九亭\\x07镇" is invisible on a terminal: left in, the unit was reported as unknown
under the quote “九亭镇”, and "满意\\x07" as an unrecognised answer quoted “满意”.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_files import number_cell, row, sheet_xml, text_cell, xlsx_bytes
from typer.testing import CliRunner

from mytool.cli import app
from mytool.reading.respondents import feedback_from_respondents, read_respondents

runner = CliRunner()
HEADER = [
    "序号",
    "1、您所在的街镇：",
    "2、您对小区环境卫生的满意程度：",
    "3、您对道路保洁的满意程度：",
    "4、您对居住区环境还有什么意见和建议？",
]
# Sheet rows 2–6. Control characters in E2, C3, E3, B4 and D5: five cells, the first in
# reading order E2 (the unit column B, read first, has its one in row 4).
ANSWERS = [
    ("九亭镇", "非常满意", "满意", "垃圾\x07清运不及时"),
    ("九亭镇", "满意\x07", "一般", "无\x07"),
    ("九亭\x07镇", "一般", "满意", "楼道堆物多"),
    ("岳阳街道", "满意", "非常满意\x7f", None),
    ("岳阳街道", "不满意", "满意", None),
]
LETTERS = "ABCDE"


def excel_text(text: str) -> str:
    """C0 controls as Excel writes them into sheet XML (_x0007_), where XML forbids them."""
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 0x20 else ch for ch in text)


def write_xlsx_export(path: Path, header=HEADER, answers=ANSWERS) -> Path:
    cells = (text_cell(f"{LETTERS[c]}1", excel_text(text)) for c, text in enumerate(header))
    rows = [row(1, *cells)]
    for r, values in enumerate(answers, start=2):
        cells = [number_cell(f"A{r}", r - 1)]
        cells += [
            text_cell(f"{LETTERS[c]}{r}", excel_text(value))
            for c, value in enumerate(values, start=1)
            if value is not None
        ]
        rows.append(row(r, *cells))
    path.write_bytes(xlsx_bytes({"答卷": sheet_xml("".join(rows))}))
    return path


def write_csv_export(path: Path, header=HEADER, answers=ANSWERS) -> Path:
    lines = [",".join(header)]
    lines += [f"{n},{','.join(v or '' for v in a)}" for n, a in enumerate(answers, start=1)]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))  # as 问卷星 downloads it
    return path


@pytest.fixture(params=["xlsx", "csv"])
def write(request, tmp_path) -> Callable[..., tuple[Path, str]]:
    """A writer of an export in each format, giving its path and the sheet its cells are in."""

    def written(header=HEADER, answers=ANSWERS) -> tuple[Path, str]:
        if request.param == "xlsx":
            return write_xlsx_export(tmp_path / "问卷导出.xlsx", header, answers), "答卷"
        return write_csv_export(tmp_path / "问卷导出.csv", header, answers), "问卷导出"

    return written


@pytest.fixture
def export(write) -> tuple[Path, str]:
    return write()


def test_the_unit_and_answers_are_read_without_their_control_characters(export):
    path, _ = export
    result = runner.invoke(app, ["aggregate", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = {
        u["unit"]: (u["respondents"], {k: (v["score"], v["n"]) for k, v in u["items"].items()})
        for u in data["units"]
    }
    assert got == {
        # 小区环境卫生 100, 80, 60 → 80; 道路保洁 80, 60, 80 → 73.33
        "九亭镇": (3, {"居住区/小区环境卫生": (80.0, 3), "城市道路/道路保洁": (73.33, 3)}),
        # 小区环境卫生 80, 40 → 60; 道路保洁 100, 80 → 90
        "岳阳街道": (2, {"居住区/小区环境卫生": (60.0, 2), "城市道路/道路保洁": (90.0, 2)}),
    }
    codes = {issue["code"] for issue in data["issues"]}
    assert not codes & {"unknown-unit", "unrecognised-answer"}


def test_one_warning_counts_the_cells_and_names_the_first(export):
    path, sheet = export
    result = runner.invoke(app, ["aggregate", str(path)])
    assert result.exit_code == 0, result.output
    message = f"5 个单元格含控制字符，已删去（第一个在 {sheet}!E2）"
    assert f"提示：{path.name}：{sheet}!E2：{message}" in result.stderr.splitlines()
    data = json.loads(runner.invoke(app, ["aggregate", str(path), "-f", "json"]).stdout)
    cleaned = [i for i in data["issues"] if i["code"] == "text-cleaned"]
    assert cleaned == [
        {
            "code": "text-cleaned",
            "severity": "warning",
            "message": message,
            "file": path.name,
            "sheet": sheet,
            "cell": "E2",
            "unit": None,
        }
    ]


def test_suggestions_are_kept_without_their_control_characters(export, profile):
    path, sheet = export
    cases = feedback_from_respondents(read_respondents([path], profile))
    # "无\x07" is 无 once cleaned: nothing to act on, so no case (left in, it made one reading 无)
    assert [(c.unit, c.category, c.text, c.place) for c in cases] == [
        ("九亭镇", "居住区", "垃圾清运不及时", f"{sheet}!E2"),
        ("九亭镇", "居住区", "楼道堆物多", f"{sheet}!E4"),
    ]


def test_a_question_whose_header_has_a_control_character_is_still_scored(write):
    header = [*HEADER[:2], "2、您对小区\x07环境卫生的满意程度：", *HEADER[3:]]
    clean = [tuple(v and v.translate({7: None, 0x7F: None}) for v in a) for a in ANSWERS]
    path, sheet = write(header, clean)
    result = runner.invoke(app, ["aggregate", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["unmatched_questions"] == []
    unit = next(u for u in data["units"] if u["unit"] == "九亭镇")
    assert unit["items"]["居住区/小区环境卫生"]["score"] == 80.0  # 100, 80, 60
    cleaned = [(i["message"], i["cell"]) for i in data["issues"] if i["code"] == "text-cleaned"]
    assert cleaned == [(f"1 个单元格含控制字符，已删去（第一个在 {sheet}!C1）", "C1")]
