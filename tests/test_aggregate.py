"""Respondent-level exports: `mytool aggregate`, and `rank` on an export or an aggregated file."""

from __future__ import annotations

import io
import json
import math
import statistics
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from conftest import write_xlsx
from expected import RULES, half_up, mean, unit_name
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from mytool.analysis.aggregation import Z95, aggregate
from mytool.api import aggregate_files, read_report
from mytool.cli import app
from mytool.numbers import round2
from mytool.profile import load_profile
from mytool.reading.exports import answer_score
from mytool.reading.respondents import _factorized, feedback_from_respondents, read_respondents
from mytool.render.aggregate import aggregation_to_dict
from mytool.report import ITEM

runner = CliRunner()
HEADER = [
    "序号",
    "提交答卷时间",
    "来自IP",
    "1、您所在的街镇：",
    "2、您的性别：",
    "3、您对小区环境卫生的满意程度：",
    "4、您对道路保洁的满意程度：",
    "5、您的年龄段：",
    "6、您对居住区环境还有什么意见和建议？",
]
ANSWERS = [  # unit, 小区环境卫生, 道路保洁, suggestion
    ("九亭镇", "非常满意", "满意", "小区垃圾清运不及时"),
    (" 九亭 ", "满意", "一般", "无"),
    ("九亭镇", "一般", "不了解", None),
    ("九亭镇", "不满意", None, "(跳过)"),
    ("岳阳", "非常满意", "非常满意", "楼道堆物多"),
    ("岳阳街道", "满意", "说不清", None),
    ("岳阳街道", "(跳过)", "不太满意", None),
]
ITEM_A = ("居住区", "小区环境卫生")
ITEM_B = ("城市道路", "道路保洁")


def export_rows(answers=ANSWERS, header=HEADER) -> list[list[object]]:
    rows = [list(header)]
    for index, (unit, a, b, suggestion) in enumerate(answers, start=1):
        rows.append(
            [index, f"2023/11/{index} 10:00:00", "1.2.3.4", unit, "男", a, b, "31-45岁", suggestion]
        )
    return rows


def write_csv(path, rows, encoding):
    text = "\n".join(",".join("" if c is None else str(c) for c in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def export(tmp_path):
    return write_xlsx(tmp_path / "问卷导出.xlsx", export_rows())


def test_item_means_counts_and_unit_spellings(export, profile):
    result = aggregate_files([export], profile)
    units = {u.unit: u for u in result.units}
    assert set(units) == {"九亭镇", "岳阳街道"}
    assert units["九亭镇"].respondents == 4 and units["岳阳街道"].respondents == 3
    # 九亭镇: 100, 80, 60, 40 → 70; 道路保洁 80, 60 (不了解 and blank are no answer) → 70
    assert units["九亭镇"].items[ITEM_A].score == 70.0 and units["九亭镇"].items[ITEM_A].n == 4
    assert units["九亭镇"].items[ITEM_B].score == 70.0 and units["九亭镇"].items[ITEM_B].n == 2
    # 岳阳街道: 100, 80, (跳过) → 90; 100, 说不清, 40 → 70
    assert units["岳阳街道"].items[ITEM_A].n == 2 and units["岳阳街道"].items[ITEM_B].score == 70.0
    assert result.period == "2023H2"


def test_means_round_half_up_on_the_exact_quotient(tmp_path, profile):
    # 非常满意 ×1 + 满意 ×7 = 660 / 8 = 82.5; and 3 answers 100+100+80 = 93.333… → 93.33
    answers = [("九亭", "非常满意", "非常满意", None)] + [("九亭", "满意", None, None)] * 7
    answers += [("岳阳", "非常满意", "满意", None)] * 2 + [("岳阳", "满意", None, None)]
    result = aggregate_files([write_xlsx(tmp_path / "e.xlsx", export_rows(answers))], profile)
    units = {u.unit: u for u in result.units}
    assert units["九亭镇"].items[ITEM_A].score == 82.5
    assert units["岳阳街道"].items[ITEM_A].score == 93.33


def test_categories_and_composite_follow_the_domain_rules(export, profile):
    result = aggregate_files([export], profile)
    unit = next(u for u in result.units if u.unit == "九亭镇")
    assert unit.categories == {"居住区": 70.0, "城市道路": 70.0}
    weights = profile.weight("居住区"), profile.weight("城市道路")
    expected = round2((70.0 * weights[0] + 70.0 * weights[1]) / sum(weights))
    assert unit.score == expected


def test_scores_of_a_by_score_download_in_both_directions(tmp_path, profile):
    answers = [("九亭镇", 5, "5", None), ("九亭镇", 4, "1", None), ("九亭镇", "3", 2, None)]
    path = write_xlsx(tmp_path / "123456_按分数_满意度调查.xlsx", export_rows(answers))
    five_best = next(iter(aggregate_files([path], profile).units))
    assert five_best.items[ITEM_A].score == 80.0  # 100, 80, 60
    assert five_best.items[ITEM_B].score == round2((100 + 20 + 40) / 3)
    text = profile.text.replace('numeric_scale = "5-best"', 'numeric_scale = "1-best"')
    custom = tmp_path / "p.toml"
    custom.write_text(text, encoding="utf-8")
    one_best = next(iter(aggregate_files([path], load_profile(custom)).units))
    assert one_best.items[ITEM_A].score == 40.0  # 20, 40, 60


def test_unmatched_questions_are_listed_not_scored(export, profile):
    result = aggregate_files([export], profile)
    assert result.unmatched_questions == ("2、您的性别：", "5、您的年龄段：")
    assert {pair for u in result.units for pair in u.items} == {ITEM_A, ITEM_B}


def test_suggestions_become_feedback_cases(export, profile):
    respondents = read_respondents([export], profile)
    cases = feedback_from_respondents(respondents)
    assert [(c.unit, c.category, c.text) for c in cases] == [
        ("九亭镇", "居住区", "小区垃圾清运不及时"),
        ("岳阳街道", "居住区", "楼道堆物多"),
    ]
    assert cases[0].place == "Sheet1!I2"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_exports_in_every_encoding_give_the_same_scores(tmp_path, profile, export, encoding):
    path = write_csv(tmp_path / "导出.csv", export_rows(), encoding)
    from_csv = aggregation_to_dict(aggregate_files([path], profile))
    from_xlsx = aggregation_to_dict(aggregate_files([export], profile))
    assert from_csv["units"] == from_xlsx["units"]


def test_title_rows_above_the_header_and_unknown_units_are_reported(tmp_path, profile):
    rows = [["2024年上半年市容满意度调查"], [], *export_rows()]
    rows.append([99, "2024/3/1", "", "火星镇", "", "满意", "满意", "", ""])
    result = aggregate_files([write_xlsx(tmp_path / "t.xlsx", rows)], profile)
    assert result.period == "2024H1"
    assert sum(u.respondents for u in result.units) == 7
    assert any(i.code == "unknown-unit" and "火星镇" in i.message for i in result.issues)


def test_unrecognised_answers_are_no_answer_with_a_warning(tmp_path, profile):
    answers = [*ANSWERS, ("九亭镇", "还行吧", None, None)]
    result = aggregate_files([write_xlsx(tmp_path / "u.xlsx", export_rows(answers))], profile)
    unit = next(u for u in result.units if u.unit == "九亭镇")
    assert unit.respondents == 5 and unit.items[ITEM_A].n == 4
    assert any(i.code == "unrecognised-answer" and "还行吧" in i.message for i in result.issues)


def direct_interval(scores: list[float]) -> tuple[float, float]:
    """mean ± 1.96·s/√n computed plainly, around the two-decimal mean."""
    mean = round2(statistics.mean(scores))
    half = Z95 * statistics.stdev(scores) / math.sqrt(len(scores))
    return round2(mean - half), round2(mean + half)


def test_item_interval_matches_a_direct_computation(export, profile):
    unit = next(u for u in aggregate_files([export], profile).units if u.unit == "九亭镇")
    assert unit.items[ITEM_A].ci95 == direct_interval([100, 80, 60, 40])
    assert unit.items[ITEM_B].ci95 == direct_interval([80, 60])
    single = next(u for u in aggregate_files([export], profile).units if u.unit == "岳阳街道")
    assert single.items[ITEM_B].ci95 == direct_interval([100, 40])


def test_composite_interval_matches_respondent_composites_when_all_answer(tmp_path, profile):
    labels = ["非常满意", "满意", "一般", "不满意"]
    answers = [("九亭镇", labels[i % 4], labels[(i * 3 + 1) % 4], None) for i in range(12)]
    result = aggregate_files([write_xlsx(tmp_path / "c.xlsx", export_rows(answers))], profile)
    unit = result.units[0]
    w_a, w_b = profile.weight("居住区"), profile.weight("城市道路")
    per_respondent = [
        (profile.labels[a] * w_a + profile.labels[b] * w_b) / (w_a + w_b) for _, a, b, _ in answers
    ]
    half = Z95 * statistics.stdev(per_respondent) / math.sqrt(len(per_respondent))
    assert unit.ci95 == (round2(unit.score - half), round2(unit.score + half))


@given(
    st.lists(
        st.sampled_from(["非常满意", "满意", "一般", "不满意", "非常不满意"]),
        min_size=2,
        max_size=40,
    )
)
def test_item_interval_property(labels):
    profile = load_profile()
    scores = [profile.labels[label] for label in labels]
    result = _aggregate_one_item(scores, profile)
    stat = result.units[0].items[ITEM_A]
    assert stat.score == round2(statistics.mean(scores)) and stat.n == len(scores)
    # pandas' variance and statistics' exact one may differ in the last binary digit
    assert stat.ci95 == pytest.approx(direct_interval(scores), abs=0.011)


def _aggregate_one_item(scores, profile):
    import numpy as np
    import pandas as pd

    from mytool.reading.respondents import Respondents

    respondents = Respondents(
        sources=("x.xlsx",),
        path="x.xlsx",
        format="xlsx",
        sheets=(),
        units=("九亭镇",),
        unit_codes=np.zeros(len(scores), dtype="int64"),
        items=(ITEM_A,),
        answers=np.array(scores, dtype="float64").reshape(-1, 1),
        feedback=pd.DataFrame(columns=["unit", "category", "text", "place"]),
        unmatched_questions=(),
        period=None,
        period_origin="",
        issues=(),
    )
    return aggregate(respondents, profile)


@given(
    st.sampled_from(
        ["非常满意", "满意", "一般", "不满意", "非常不满意", "不了解", "说不清", "不清楚"]
    ),
    st.sampled_from(["", " ", "\u3000"]),
)
def test_labels_are_read_whatever_the_spacing(label, space):
    profile = load_profile()
    score, understood = answer_score(f"{space}{label}{space}", profile)
    assert understood
    assert score == profile.labels.get(label)


def test_low_samples_and_overlapping_neighbours_are_marked(export, profile):
    result = aggregate_files([export], profile)
    assert all(u.low_sample for u in result.units)  # 4 and 3 answers, fewer than 30
    first, second = result.units
    assert first.indistinct_from == (second.unit,) and second.indistinct_from == (first.unit,)
    codes = {i.code for i in result.issues}
    assert {"low-sample", "indistinct-ranks"} <= codes


def test_rank_reads_an_export_directly(export, profile):
    report = read_report(export, profile)
    items = {(s.unit, s.category, s.item): s.value for s in report.scores if s.measure == ITEM}
    assert items[("九亭镇", *ITEM_A)] == 70.0
    result = runner.invoke(app, ["rank", str(export), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert {u["unit"] for u in json.loads(result.stdout)["units"]} == {"九亭镇", "岳阳街道"}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_rank_reads_the_aggregated_file_back(tmp_path, export, profile, fmt):
    out = tmp_path / f"汇总.{fmt}"
    result = runner.invoke(app, ["aggregate", str(export), "-f", fmt, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    aggregated = aggregate_files([export], profile)
    ranked = json.loads(runner.invoke(app, ["rank", str(out), "-f", "json"]).stdout)
    assert ranked["period"] == "2023H2"
    assert {u["unit"]: u["score"] for u in ranked["units"]} == {
        u.unit: u.score for u in aggregated.units
    }
    report = read_report(out, profile)
    items = {(s.unit, s.category, s.item): s.value for s in report.scores if s.measure == ITEM}
    assert items == {
        (u.unit, *pair): stat.score for u in aggregated.units for pair, stat in u.items.items()
    }


def _expected_units() -> list[dict]:
    """Unit, answers, item means and composite of ANSWERS, computed here with Decimal half-up."""
    labels = {k: Decimal(str(v)) for k, v in RULES["labels"].items() if not isinstance(v, dict)}
    weights = {c["name"]: Decimal(str(c["weight"])) for c in RULES["categories"]}
    answers: dict[str, dict[tuple[str, str], list[Decimal]]] = {}
    people: dict[str, int] = {}
    for unit, a, b, _ in ANSWERS:
        name = unit_name(unit)
        people[name] = people.get(name, 0) + 1
        for item, answer in ((ITEM_A, a), (ITEM_B, b)):
            if answer in labels:
                answers.setdefault(name, {}).setdefault(item, []).append(labels[answer])
    units = []
    for name, items in answers.items():
        means = {item: mean(values) for item, values in items.items()}
        total = sum(weights[c] for c, _ in means)
        score = half_up(sum(means[(c, i)] * weights[c] for c, i in means) / total)
        units.append(
            {
                "unit": name,
                "respondents": people[name],
                "score": float(score),
                "items": {
                    f"{c}/{i}": (float(m), len(items[(c, i)])) for (c, i), m in means.items()
                },
            }
        )
    return sorted(units, key=lambda u: (-u["score"], u["unit"]))


def test_json_output_equals_the_means_computed_from_the_answers(export):
    """Independent of mytool: the answers above scored by the profile's labels, Decimal half-up."""
    result = runner.invoke(app, ["aggregate", str(export), "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    got = [
        {
            "unit": u["unit"],
            "respondents": u["respondents"],
            "score": u["score"],
            "items": {k: (v["score"], v["n"]) for k, v in u["items"].items()},
        }
        for u in data["units"]
    ]
    assert got == _expected_units()
    assert [u["rank"] for u in data["units"]] == [1, 2]
    unit = data["units"][0]
    assert set(unit) >= {"unit", "respondents", "score", "categories", "items"}
    assert set(unit["items"]["居住区/小区环境卫生"]) == {"score", "n", "ci95"}


def test_several_exports_are_pooled(tmp_path, profile):
    first = write_xlsx(tmp_path / "a.xlsx", export_rows(ANSWERS[:4]))
    second = write_csv(tmp_path / "b.csv", export_rows(ANSWERS[4:]), "gbk")
    pooled = aggregate_files([first, second], profile)
    single = aggregate_files([write_xlsx(tmp_path / "all.xlsx", export_rows())], profile)
    assert aggregation_to_dict(pooled)["units"] == aggregation_to_dict(single)["units"]
    assert pooled.source == "a.xlsx、b.csv"


def test_a_score_workbook_is_refused_with_a_hint(tmp_path):
    path = write_xlsx(tmp_path / "结果.xlsx", [["街镇", "综合满意度"], ["九亭镇", 78.5]])
    result = runner.invoke(app, ["aggregate", str(path)])
    assert result.exit_code == 2
    assert "结果.xlsx：不是逐份答卷的问卷导出" in result.stderr
    assert "mytool rank 结果.xlsx" in result.stderr
    assert "Traceback" not in result.output


def test_xlsx_needs_an_output_file(export):
    result = runner.invoke(app, ["aggregate", str(export), "-f", "xlsx"])
    assert result.exit_code == 2 and "--output" in result.stderr


def _progress_given(export, monkeypatch, *, terminal: bool) -> list[object]:
    """The `progress` argument the aggregate command hands the library, size no reason to skip."""
    import mytool.api as api
    import mytool.commands.aggregate as command

    monkeypatch.setattr(command, "PROGRESS_FROM_BYTES", 0)
    stderr = SimpleNamespace(isatty=lambda: terminal)  # what the command asks of sys.stderr
    monkeypatch.setattr(command, "sys", SimpleNamespace(stderr=stderr))
    given: list[object] = []
    real = api.aggregate_files

    def spy(paths, profile, progress=None, **options):
        given.append(progress)
        return real(paths, profile, progress, **options)

    monkeypatch.setattr(api, "aggregate_files", spy)
    result = runner.invoke(app, ["aggregate", str(export), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "读取" not in result.stderr or terminal
    return given


def test_no_progress_bar_when_not_a_terminal(export, monkeypatch):
    assert _progress_given(export, monkeypatch, terminal=False) == [None]


def test_a_progress_bar_on_a_terminal(export, monkeypatch):
    """The counterpart: the spy above does see a bar when stderr is a terminal."""
    given = _progress_given(export, monkeypatch, terminal=True)
    assert len(given) == 1 and callable(given[0])


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys\nfrom mytool.cli import main\nsys.argv = ['mytool', 'aggregate', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'openpyxl', 'fastexcel', 'numpy')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout and "逐份答卷" in out.stdout


def test_brief_reads_an_export_with_its_suggestions_as_cases(export, profile):
    from mytool.api import brief_files

    briefs = brief_files(export, profile, everyone=True)
    cases = {b.unit.unit: [(c.category, c.text) for c in b.feedback] for b in briefs.units}
    assert cases == {
        "九亭镇": [("居住区", "小区垃圾清运不及时")],
        "岳阳街道": [("居住区", "楼道堆物多")],
    }


def test_csv_with_a_title_line_and_semicolons(tmp_path, profile, export):
    rows = [["2023年下半年问卷"], *export_rows()]
    text = "\n".join(";".join("" if c is None else str(c) for c in row) for row in rows)
    path = tmp_path / "title.csv"
    path.write_bytes(text.encode("gb18030"))
    from_csv = aggregation_to_dict(aggregate_files([path], profile))
    assert from_csv["units"] == aggregation_to_dict(aggregate_files([export], profile))["units"]


def test_free_text_lands_in_the_workbook_as_text(tmp_path, profile):
    from openpyxl import load_workbook

    from mytool.render.aggregate_xlsx import aggregation_to_xlsx

    path = tmp_path / "导出.csv"
    path.write_text(
        "序号,所在街镇,1、您对小区环境卫生的满意程度,2、您有什么建议\n"
        '1,九亭镇,满意,"=HYPERLINK(""http://x"")"\n2,九亭镇,一般,@SUM(1)\n',
        encoding="utf-8",
    )
    book = load_workbook(io.BytesIO(aggregation_to_xlsx(aggregate_files([path], profile))))
    texts = [row[2].value for row in book["市民反映建议"].iter_rows(min_row=4)]
    assert texts == ['=HYPERLINK("http://x")', "@SUM(1)"]
    assert {row[2].data_type for row in book["市民反映建议"].iter_rows(min_row=4)} == {"s"}


def test_rank_reads_an_export_too_large_for_a_score_table(export, monkeypatch, tmp_path):
    from mytool.reading import sources
    from mytool.reading.guard import Limits

    monkeypatch.setattr(sources, "GRID_LIMITS", Limits(max_cells=20))
    result = CliRunner().invoke(app, ["rank", str(export), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert {u["unit"] for u in json.loads(result.stdout)["units"]} == {"九亭镇", "岳阳街道"}
    table = write_xlsx(tmp_path / "大表.xlsx", [["街镇", "备注"], *[["九亭镇", "x"]] * 30])
    refused = CliRunner().invoke(app, ["rank", str(table)])
    assert refused.exit_code == 2 and "超出限制" in refused.stderr


CSV_CASES = {
    "plain": "a,b,c\n1,2,3\n4,5,6\n",
    "quoted": 'a,b,c\n"x, y","say ""hi""",""\n" lead",trail ,"multi\nline"\n',
    "crlf and NA": "a,b,c\r\nNA,null, \r\n,,\r\n",
    "no final newline": "a,b\n1,2",
    "blank line": "a,b\n1,2\n\n3,4\n",
    "short row": "a,b,c\n1,2\n3,4,5\n",
    "title line": "2023年下半年问卷\na,b\n1,2\n",
    "one column": "a\n\nb\n",
    "tabs": "a\tb\n1\t2\n",
}


@pytest.mark.parametrize("text", CSV_CASES.values(), ids=CSV_CASES.keys())
def test_csv_exports_read_by_pyarrow_give_the_cells_pandas_c_parser_gives(text, monkeypatch):
    """The fast CSV path (pyarrow) must read every cell as the C parser did before it."""
    import pandas as pd

    from mytool.reading import frames

    def cells(frame):
        frame = frame.astype(object)
        return frame.where(pd.notna(frame), None).values.tolist()

    data = text.encode("utf-8")
    fast = cells(frames._csv_frame(data, "x.csv"))
    monkeypatch.setattr(frames, "_arrow_csv_frame", lambda *args: None)
    assert fast == cells(frames._csv_frame(data, "x.csv"))


def test_a_csv_row_wider_than_the_header_is_still_refused():
    from mytool.errors import InputError
    from mytool.reading import frames

    with pytest.raises(InputError, match="CSV 格式有误"):
        frames._csv_frame(("a,b\n" + "1,2\n" * 60 + "1,2,3\n").encode(), "x.csv")


def test_a_gbk_export_whose_first_megabytes_are_ascii_is_still_read_as_gbk(monkeypatch):
    """The UTF-8 fast path decodes only the start of a file; bytes further on decide too."""
    import pandas as pd

    from mytool.reading import frames

    monkeypatch.setattr(frames, "_HEAD_BYTES", 64 * 1024)
    data = b"id,unit\n" + b"1,x\n" * 30_000 + "2,九亭镇\n".encode("gbk")
    frame = frames._csv_frame(data, "x.csv")
    assert frame.iloc[-1].tolist() == ["2", "九亭镇"]
    assert frame.iloc[0].tolist() == ["id", "unit"]
    assert len(frame) == 30_002 and not frame.isna().to_numpy().any()
    assert isinstance(frame[1].dtype, pd.ArrowDtype)  # read by pyarrow, not pandas' parser


@pytest.mark.parametrize("ending", ["\r", "\r\n"])
def test_csv_exports_with_old_mac_or_windows_line_endings_read_the_same(
    tmp_path, profile, export, ending
):
    rows = export_rows()
    text = ending.join(",".join("" if c is None else str(c) for c in row) for row in rows)
    path = tmp_path / "导出.csv"
    path.write_bytes((text + ending).encode("utf-8"))
    from_csv = aggregation_to_dict(aggregate_files([path], profile))
    from_xlsx = aggregation_to_dict(aggregate_files([export], profile))
    assert from_csv["units"] == from_xlsx["units"]


def macro_enabled(workbook: Path) -> Path:
    """`workbook` saved as Excel saves it with macros: an .xlsm holding a VBA project, the
    macro-enabled workbook content type and the workbook's relationship to the project."""
    xlsm = workbook.with_suffix(".xlsm")
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(xlsm, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                    b"</Types>",
                )
                assert b"macroEnabled" in data
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVBA" Target="vbaProject.bin" Type="http://schemas.'
                    b'microsoft.com/office/2006/relationships/vbaProject"/></Relationships>',
                )
            target.writestr(name, data, zipfile.ZIP_DEFLATED)
        target.writestr("xl/vbaProject.bin", OLE2_HEADER + bytes(512 - len(OLE2_HEADER)))
    return xlsm


OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a VBA project is an OLE2 compound file
MACROS_IGNORED = "问卷导出.xlsm：工作簿含宏（VBA），宏已忽略、不会运行"


@pytest.mark.parametrize("command", ["aggregate", "rank"])
def test_an_xlsm_export_says_its_macros_were_ignored(export, command):
    xlsm = macro_enabled(export)
    result = runner.invoke(app, [command, str(xlsm)])
    assert result.exit_code == 0, result.output
    assert f"提示：{MACROS_IGNORED}" in result.stderr.splitlines()
    as_json = runner.invoke(app, [command, str(xlsm), "-f", "json"])
    codes = [(i["code"], i["file"]) for i in json.loads(as_json.stdout)["issues"]]
    assert ("macros-ignored", "问卷导出.xlsm") in codes
    # …and the scores are those of the same export without macros
    plain = json.loads(runner.invoke(app, [command, str(export), "-f", "json"]).stdout)
    assert json.loads(as_json.stdout)["units"] == plain["units"]


def test_an_export_with_hidden_rows_and_sheets_says_so(tmp_path):
    """Respondents in hidden rows are counted; that is said, as for a score workbook."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "答卷"
    for row in export_rows():
        sheet.append(row)
    sheet.row_dimensions[3].hidden = True  # the second respondent
    book.create_sheet("备用").sheet_state = "hidden"
    export = tmp_path / "问卷导出.xlsx"
    book.save(export)
    expected = {
        ("hidden-sheets", "有隐藏的工作表：备用（已照常读取）"),
        ("hidden-rows", "工作表「答卷」有隐藏行：第 3 行（已照常读取）"),
    }
    for command in ("rank", "aggregate"):
        result = runner.invoke(app, [command, str(export), "-f", "json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        found = {(i["code"], i["message"]) for i in data["issues"]}
        assert expected <= found, command
    counted = {u["unit"]: u["respondents"] for u in data["units"]}  # …and read as the rest
    assert counted == {"九亭镇": 4, "岳阳街道": 3}


_CELL_TEXTS = st.sampled_from(["非常满意", "满意", "一般", "", " 满意", "5", "不了解"])


def _first_appearance(cells: list[object]) -> tuple[list[int], list[object]]:
    """The expectation, by hand: each distinct cell (empty as None) numbered as first seen."""
    seen: dict[object, int] = {}
    codes = [seen.setdefault(cell, len(seen)) for cell in cells]
    return codes, list(seen)


@given(chunks=st.lists(st.lists(st.one_of(st.none(), _CELL_TEXTS), max_size=12), max_size=4))
def test_an_arrow_column_is_numbered_by_its_distinct_cells_in_order_of_appearance(chunks):
    """Cells read into Arrow (a CSV arrives in several chunks) are encoded by Arrow: the same
    numbering a by-hand pass gives, empties as None, whatever the chunks."""
    cells = [cell for chunk in chunks for cell in chunk]
    column = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks, type=pa.string())))
    codes, uniques = _factorized(column.iloc[0:])
    expected_codes, expected_uniques = _first_appearance(cells)
    assert (codes.tolist(), uniques) == (expected_codes, expected_uniques)


@given(
    chunks=st.lists(st.lists(st.one_of(st.none(), _CELL_TEXTS), max_size=12), max_size=4),
    skip=st.integers(0, 3),
)
def test_a_dictionary_encoded_column_decodes_to_its_cells(chunks, skip):
    """A CSV file's answers arrive dictionary-encoded, each chunk with a dictionary of its own
    and the header's text among them: every cell below the header still decodes to itself, and
    each distinct value has one number."""
    encoded = [pa.array(chunk, type=pa.string()).dictionary_encode() for chunk in chunks]
    whole = pa.chunked_array(encoded, type=pa.dictionary(pa.int32(), pa.string()))
    column = pd.Series(pd.arrays.ArrowExtensionArray(whole)).iloc[skip:]
    codes, uniques = _factorized(column)
    cells = [cell for chunk in chunks for cell in chunk][skip:]
    assert [uniques[code] for code in codes.tolist()] == cells
    assert len(set(uniques)) == len(uniques)


@given(
    cells=st.lists(
        st.one_of(st.none(), st.just(math.nan), _CELL_TEXTS, st.integers(1, 5), st.just(4.0)),
        max_size=20,
    )
)
def test_a_column_of_python_values_is_numbered_the_same_way(cells):
    """A small export read cell by cell holds numbers and text side by side; pandas numbers it,
    and the missing cells (None or NaN) come out as one None, numbered last."""
    codes, uniques = _factorized(pd.Series(cells, dtype=object))
    present = [cell for cell in cells if not (cell is None or cell != cell)]
    _, expected = _first_appearance(present)
    assert uniques == [*expected, None]
    assert [uniques[code] for code in codes.tolist()] == [
        None if cell is None or cell != cell else cell for cell in cells
    ]


def test_a_csv_files_few_valued_columns_are_read_dictionary_encoded_and_unchanged():
    """Answers and units (few distinct values in the first rows) are read dictionary-encoded,
    free text as plain strings; either way every cell is what Python's csv module reads."""
    import csv as csv_module

    from mytool.reading import frames

    lines = ["序号,街镇,满意度,建议"] + [
        f"{n},{'九亭镇' if n % 3 else '岳阳街道'},{['满意', '一般', ''][n % 3]},建议{n}"
        for n in range(1, 3000)
    ]
    text = "\n".join(lines) + "\n"
    frame = frames._csv_frame(text.encode("utf-8"), "x.csv")
    kinds = [str(frame[c].dtype.pyarrow_dtype) for c in range(4)]
    assert kinds == [
        "string",
        *["dictionary<values=string, indices=int32, ordered=0>"] * 2,
        "string",
    ]
    expected = [[cell or None for cell in row] for row in csv_module.reader(io.StringIO(text))]
    got = frame.astype(object).where(frame.notna(), None).values.tolist()
    assert got == expected
