"""The Markdown lead-department files and one-page summary of `mytool brief -f md`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CHARTS, SAMPLE_2023H2, WORD, needs
from expected import RULES, expected_categories, expected_units
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()
DEPARTMENTS = list(dict.fromkeys(c["department"] for c in RULES["categories"]))


def brief(out: Path, *args: str) -> Path:
    result = runner.invoke(
        app, ["brief", str(SAMPLE_2023H2), "-d", str(out), "--as-of", "2024-03-01", *args]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def md_out(tmp_path_factory) -> Path:
    return brief(tmp_path_factory.mktemp("md") / "out", "-f", "md")


def table_rows(text: str, columns: int) -> list[list[str]]:
    """The body rows of every Markdown table with `columns` columns."""
    rows = [line.strip("|").split(" | ") for line in text.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in row] for row in rows if len(row) == columns][1:]


def test_md_alone_writes_a_file_per_department_and_the_summary_without_a_chart(md_out):
    names = {p.name for p in md_out.iterdir()}
    assert {f"2023H2-{d}-牵头任务.md" for d in DEPARTMENTS} <= names
    assert "2023H2-全区情况简报.md" in names
    assert not any(n.endswith((".docx", ".png", ".svg")) for n in names)
    summary = (md_out / "2023H2-全区情况简报.md").read_text(encoding="utf-8")
    assert summary.startswith("# 2023年下半年松江区市容环境质量满意度测评情况简报\n")
    assert "![" not in summary  # no chart was drawn, so none is linked


def test_department_md_holds_the_district_scores_and_ranks_of_rank_json(md_out):
    ranking = json.loads(runner.invoke(app, ["rank", str(SAMPLE_2023H2), "-f", "json"]).stdout)
    expected = expected_categories(SAMPLE_2023H2)
    assert [(c["category"], c["score"], c["rank"]) for c in ranking["categories"]] == [
        (c["category"], c["score"], c["rank"]) for c in expected
    ]
    lead = {c["name"]: c["department"] for c in RULES["categories"]}
    for department in DEPARTMENTS:
        text = (md_out / f"2023H2-{department}-牵头任务.md").read_text(encoding="utf-8")
        assert text.startswith(f"# 2023年下半年{department}牵头任务\n")
        rows = {row[0].replace("\\", ""): row for row in table_rows(text, 5)}
        owned = [c for c in expected if lead[c["category"]] == department]
        assert sorted(rows) == sorted(c["category"] for c in owned)
        for category in owned:
            tied = "并列，" if category["tied"] else ""
            row = rows[category["category"]]
            assert row[1:3] == [
                f"{category['score']:.2f}",
                f"第 {category['rank']} 名（{tied}共 {len(expected)} 个）",
            ], department
            assert f"全区得分 {category['score']:.2f} 分" in text.replace("\\", "")


def test_department_md_sentence_names_exactly_the_towns_of_its_table(md_out):
    for department in DEPARTMENTS:
        text = (md_out / f"2023H2-{department}-牵头任务.md").read_text(encoding="utf-8")
        in_table = {u for row in table_rows(text, 5) for u in row[4].split("、")}
        sentence = re.search(r"得分最低的街镇（与上表同一名单）：(.+?)；", text)
        assert sentence is not None, department
        assert set(sentence.group(1).split("、")) == in_table, department


def test_summary_md_names_the_bottom_units_with_their_scores(md_out):
    text = (md_out / "2023H2-全区情况简报.md").read_text(encoding="utf-8")
    bottom = [u for u in expected_units(SAMPLE_2023H2) if "bottom" in u["flag_reasons"]]
    listed = "、".join(f"{u['unit']} {u['score']:.2f}" for u in reversed(bottom))
    assert f"倒数 {RULES['bottom_n']} 名（分）：{listed}。" in text
    assert {row[0] for row in table_rows(text, 3)} == set(DEPARTMENTS)


@needs(*WORD, *CHARTS)
def test_with_word_the_summary_md_links_the_ranking_chart(tmp_path):
    out = brief(tmp_path / "out", "-f", "md,docx")
    text = (out / "2023H2-全区情况简报.md").read_text(encoding="utf-8")
    assert "](<2023H2-全区排名图.png>)" in text
    assert (out / "2023H2-全区排名图.png").is_file()


def test_an_office_department_template_overrides_and_stays_sandboxed(tmp_path):
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "department.md.j2").write_text(
        "# {{ doc.department }}：{{ doc.categories | length }} 个大类\n", encoding="utf-8"
    )
    out = brief(tmp_path / "out", "-f", "md", "--template-dir", str(templates))
    assert (out / "2023H2-区建管委-牵头任务.md").read_text(
        encoding="utf-8"
    ) == "# 区建管委：2 个大类\n"
    (templates / "summary.md.j2").write_text(
        "{{ doc.__class__.__init__.__globals__ }}\n", encoding="utf-8"
    )
    args = ["-f", "md", "-d", str(tmp_path / "z"), "--template-dir", str(templates)]
    result = runner.invoke(app, ["brief", str(SAMPLE_2023H2), *args])
    assert result.exit_code == 2, result.output
    assert "summary.md.j2" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "z").exists()
