"""`mytool rank` against the variety of score workbooks real offices deliver.

Each case lays a known truth out in one layout with some office quirks (see builders.py), runs
`mytool rank FILE --format json` in-process and compares with `expected_ranking`, which is
computed from DOMAIN.md's rules without mytool's code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from builders import (
    CATEGORY_STYLES,
    COMPOSITE_HEADERS,
    CSV_ENCODINGS,
    REFERENCES_AMONG,
    REFERENCES_BELOW,
    UNIT_HEADERS,
    UNKNOWN_UNIT,
    Quirks,
    Truth,
    build_file,
    expected_ranking,
    load_profile_rules,
    make_truth,
    resave_with_libreoffice,
    soffice_path,
    unit_names,
)
from typer.testing import CliRunner

RULES = load_profile_rules()
PERIOD = "2023H2"
UNIT_KEYS = {"unit", "score", "rank", "grade", "flagged", "flag_reasons", "categories"}
TOP_KEYS = {"period", "source", "score_source", "units", "categories"}


# --------------------------------------------------------------------------------------------
# Running the CLI and checking its answer


def run_rank(path: Path) -> tuple[Any, dict[str, Any]]:
    """Invoke `mytool rank PATH --format json`; return the result and the parsed JSON."""
    from mytool.cli import app

    result = CliRunner().invoke(app, ["rank", str(path), "--format", "json"])
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    stdout = getattr(result, "stdout", result.output)
    return result, json.loads(stdout)


def category_map(categories: Any) -> dict[str, float]:
    """A unit's categories as {name: score}, whether given as a dict or a list of records."""
    if isinstance(categories, dict):
        return {name: round(float(score), 2) for name, score in categories.items()}
    return {entry["category"]: round(float(entry["score"]), 2) for entry in categories}


def unit_summary(units: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            u["unit"],
            round(float(u["score"]), 2),
            u["rank"],
            u["grade"],
            u["flagged"],
            sorted(u["flag_reasons"]),
        )
        for u in units
    ]


def check_output(
    data: dict[str, Any],
    truth: Truth,
    *,
    path: Path,
    period: str | None,
    district_categories: bool = True,
) -> None:
    """The JSON of `mytool rank` says what `expected_ranking` says about `truth`."""
    expected = expected_ranking(truth, RULES)
    assert set(data) >= TOP_KEYS, f"missing keys {TOP_KEYS - set(data)}"
    assert all(set(unit) >= UNIT_KEYS for unit in data["units"])
    assert isinstance(data["source"], str) and path.name in data["source"]
    assert data["score_source"] == expected["score_source"]
    assert data["period"] == period
    assert unit_summary(data["units"]) == unit_summary(expected["units"])
    got_categories = {u["unit"]: category_map(u["categories"]) for u in data["units"]}
    want_categories = {u["unit"]: u["categories"] for u in expected["units"]}
    assert got_categories == want_categories
    if district_categories:
        got = [(c["category"], round(float(c["score"]), 2), c["rank"]) for c in data["categories"]]
        want = [(c["category"], c["score"], c["rank"]) for c in expected["categories"]]
        assert sorted(got) == sorted(want)


# --------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Layout:
    """A layout and which levels of the truth it carries."""

    layout: str
    options: tuple[tuple[str, Any], ...] = ()
    composite: bool = True
    categories: bool = True
    items: bool = True
    csv_ok: bool = True

    def truth(self, seed: int) -> Truth:
        return make_truth(
            seed,
            with_composite=self.composite,
            with_categories=self.categories,
            with_items=self.items,
        )

    @property
    def carries_period(self) -> bool:
        return dict(self.options).get("period_column", False)


LAYOUTS: dict[str, Layout] = {
    "wide1-categories": Layout("wide", items=False),
    "wide1-categories-items": Layout("wide"),
    "wide1-items-computed": Layout("wide", composite=False, categories=False),
    "wide1-categories-computed": Layout("wide", composite=False, items=False),
    "wide1-composite-only": Layout("wide", categories=False, items=False),
    "wide1-composite-last": Layout("wide", (("composite_last", True),)),
    "wide2-items-computed": Layout(
        "wide", (("header_rows", 2),), composite=False, categories=False
    ),
    "wide2-xiaoji": Layout("wide", (("header_rows", 2), ("subtotal_label", "小计"))),
    "wide2-defen-first-computed": Layout(
        "wide",
        (("header_rows", 2), ("subtotal_label", "得分"), ("subtotal_first", True)),
        composite=False,
    ),
    "multi": Layout("multi", csv_ok=False),
    "multi-computed": Layout("multi", composite=False, csv_ok=False),
    "long": Layout("long", categories=False),
    "long-by-item": Layout("long", (("by_item", True),), categories=False),
    "long-computed-omitted": Layout(
        "long", (("omit_missing", True),), composite=False, categories=False
    ),
    "long-period-column": Layout(
        "long", (("period_column", True),), composite=False, categories=False
    ),
    # 街道 and 镇 blocks, and transposed tables (issue 11)
    "stacked-labels-merged": Layout("stacked", (("labels", "merged"),)),
    "stacked-labels-plain-subtotals": Layout(
        "stacked", (("labels", "plain"), ("subtotals", True)), items=False
    ),
    "stacked-no-labels": Layout("stacked", (("labels", None),), items=False),
    "stacked-repeated-header": Layout(
        "stacked",
        (("labels", None), ("repeat_header", True), ("header_rows", 2), ("subtotal_label", "小计")),
    ),
    "stacked-everything-2rows": Layout(
        "stacked",
        (
            ("labels", "merged"),
            ("subtotals", True),
            ("repeat_header", True),
            ("header_rows", 2),
            ("subtotal_label", "小计"),
        ),
    ),
    "stacked-computed": Layout(
        "stacked", (("labels", "merged"), ("header_rows", 2)), composite=False, categories=False
    ),
    "side": Layout("side", items=False),
    "side-gap-2rows": Layout(
        "side", (("gap", True), ("header_rows", 2), ("subtotal_label", "小计"))
    ),
    "transposed": Layout("transposed", items=False),
    "transposed-2rows": Layout("transposed", (("header_rows", 2), ("subtotal_label", "小计"))),
    "transposed-computed": Layout("transposed", composite=False, categories=False),
}
BLOCK_LAYOUTS = {
    name for name, spec in LAYOUTS.items() if spec.layout in ("stacked", "side", "transposed")
}

TYPICAL = Quirks(
    title_rows=2,
    unit_note="right",
    reference_rows="below",
    footnotes=True,
    numbers_as_text=True,
    unit_spelling="mixed",
    serial_column=True,
)

EVERYTHING = Quirks(
    title_rows=3,
    unit_note="left",
    reference_rows="among",
    footnotes=True,
    full_width=True,
    unit_spelling="mixed",
    no_value="/",
    unit_header="街道(镇)",
    composite_header="综合得分",
    category_style="suffix",
    serial_column=True,
    offset=True,
    extras=True,
    blank_rows=True,
)

# The same, with reference rows below the units (references among units are tested on their own).
EVERYTHING_BELOW = replace(EVERYTHING, reference_rows="below")


def quirk_scenarios() -> dict[str, Quirks]:
    scenarios: dict[str, Quirks] = {
        "plain": Quirks(),
        "title-period": Quirks(title_rows=1),
        "titles-3-no-period": Quirks(title_rows=3, period_in_title=False),
        "note-left": Quirks(title_rows=1, unit_note="left"),
        "note-right-header-danwei": Quirks(unit_note="right", unit_header="单位"),
        "references-below": Quirks(reference_rows="below"),
        "references-among": Quirks(reference_rows="among"),
        "footnotes": Quirks(footnotes=True),
        "numbers-as-text": Quirks(numbers_as_text=True),
        "full-width": Quirks(full_width=True),
        "serial-column": Quirks(serial_column=True),
        "offset": Quirks(offset=True),
        "extras": Quirks(extras=True),
        "blank-rows": Quirks(blank_rows=True, title_rows=1),
        "everything": EVERYTHING,
    }
    for spelling in ("short", "spaces", "ideographic", "annotated", "marked", "mixed"):
        scenarios[f"units-{spelling}"] = Quirks(unit_spelling=spelling)
    for mark, label in (("/", "slash"), ("-", "hyphen"), ("无", "wu"), ("", "empty")):
        scenarios[f"no-value-{label}"] = Quirks(no_value=mark)
    pairs = zip(UNIT_HEADERS[1:], COMPOSITE_HEADERS[1:] + COMPOSITE_HEADERS[:1], strict=True)
    for index, (unit_header, composite_header) in enumerate(pairs):
        scenarios[f"headers-{index + 1}"] = Quirks(
            unit_header=unit_header, composite_header=composite_header
        )
    for style in CATEGORY_STYLES[1:]:
        scenarios[f"categories-{style}"] = Quirks(category_style=style)
    for suffix, label in (("%", "percent"), ("分", "fen"), ("mixed", "mixed")):
        scenarios[f"suffix-{label}"] = Quirks(score_suffix=suffix)
    scenarios["percent-format-composite"] = Quirks(percent="composite", title_rows=1)
    scenarios["percent-format-all"] = Quirks(percent="all", reference_rows="below")
    return scenarios


@dataclass(frozen=True)
class Case:
    id: str
    layout: str
    quirks: Quirks
    fmt: str  # "xlsx", "xls" or "csv-<encoding>"
    seed: int

    @property
    def spec(self) -> Layout:
        return LAYOUTS[self.layout]

    def build(self, directory: Path, name: str = "scores") -> tuple[Truth, Path]:
        truth = self.spec.truth(self.seed)
        suffix, _, encoding = self.fmt.partition("-")
        path = directory / f"{name}.{suffix}"
        build_file(
            truth,
            path,
            layout=self.spec.layout,
            quirks=self.quirks,
            encoding=encoding or "utf-8",
            rules=RULES,
            **dict(self.spec.options),
        )
        return truth, path

    @property
    def period(self) -> str | None:
        return PERIOD if self.quirks.period_visible or self.spec.carries_period else None


def generated_cases() -> list[Case]:
    cases: list[Case] = []
    for index, (name, quirks) in enumerate(quirk_scenarios().items()):
        cases.append(Case(f"quirk-{name}", "wide2-xiaoji", quirks, "xlsx", 100 + index))
    rotation = ["xls", *(f"csv-{encoding}" for encoding in CSV_ENCODINGS), "xlsx"]
    for index, (name, spec) in enumerate(LAYOUTS.items()):
        formats = [rotation[(index + shift) % len(rotation)] for shift in (0, 3)]
        if name in BLOCK_LAYOUTS:
            formats = [TEXT_ROTATION[(index + shift) % len(TEXT_ROTATION)] for shift in (0, 3)]
        if not spec.csv_ok:
            formats = ["xls", "xlsx"]
        cases.append(Case(f"layout-{name}-xlsx", name, Quirks(), "xlsx", 200 + index))
        cases.append(Case(f"typical-{name}-{formats[0]}", name, TYPICAL, formats[0], 300 + index))
        cases.append(
            Case(f"everything-{name}-{formats[1]}", name, EVERYTHING_BELOW, formats[1], 400 + index)
        )
    return cases


# Block layouts also go through the text exports: UTF-16 "Unicode 文本" and tab-separated .txt
TEXT_ROTATION = ["csv-utf-16", "txt-utf-8", "xls", "txt-gbk", "txt-utf-16", "csv-gbk", "xlsx"]
CASES = generated_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_layout_is_read(case: Case, tmp_path: Path) -> None:
    truth, path = case.build(tmp_path)
    _, data = run_rank(path)
    check_output(data, truth, path=path, period=case.period)


# --------------------------------------------------------------------------------------------
# Particular behaviours


@pytest.mark.parametrize("fmt", ["xlsx", "csv-gbk"])
def test_period_from_file_name(fmt: str, tmp_path: Path) -> None:
    quirks = Quirks(title_rows=1, period_in_title=False)
    case = Case("file-name", "wide1-categories", quirks, fmt, 7)
    truth, path = case.build(tmp_path, name=f"report-{PERIOD}")
    _, data = run_rank(path)
    check_output(data, truth, path=path, period=PERIOD)


@pytest.mark.parametrize(
    ("layout", "fmt"),
    [("wide1-categories-items", "xlsx"), ("wide2-xiaoji", "xls"), ("long", "csv-gbk")],
)
@pytest.mark.parametrize("position", ["last", "first"])
def test_unknown_unit_is_ranked_under_its_own_name(
    layout: str, fmt: str, position: str, tmp_path: Path
) -> None:
    spec = LAYOUTS[layout]
    known = unit_names(RULES)
    truth = make_truth(
        11,
        units=[*known, UNKNOWN_UNIT] if position == "last" else [UNKNOWN_UNIT, *known],
        with_composite=spec.composite,
        with_categories=spec.categories,
        with_items=spec.items,
    )
    suffix, _, encoding = fmt.partition("-")
    path = tmp_path / f"scores.{suffix}"
    build_file(
        truth,
        path,
        layout=spec.layout,
        quirks=Quirks(unit_spelling="mixed"),
        encoding=encoding or "utf-8",
        **dict(spec.options),
    )
    result, data = run_rank(path)
    check_output(data, truth, path=path, period=None, district_categories=False)
    stderr = getattr(result, "stderr", None) or result.output
    assert UNKNOWN_UNIT in stderr


@pytest.mark.parametrize(
    ("layout", "fmt"),
    [
        ("wide1-categories", "xlsx"),
        ("wide1-categories", "csv-utf-8-sig"),
        ("wide2-xiaoji", "xls"),
        ("multi", "xlsx"),
        ("long", "csv-gb18030"),
    ],
)
@pytest.mark.parametrize("placement", ["below", "among"])
def test_reference_and_footnote_rows_are_not_units(
    layout: str, fmt: str, placement: str, tmp_path: Path
) -> None:
    quirks = Quirks(reference_rows=placement, footnotes=True, serial_column=True)
    case = Case("references", layout, quirks, fmt, 13)
    truth, path = case.build(tmp_path)
    _, data = run_rank(path)
    names = {unit["unit"] for unit in data["units"]}
    assert names == set(unit_names(RULES))
    for reference in (*REFERENCES_BELOW, *REFERENCES_AMONG, "注", "数据来源"):
        assert not any(reference in name for name in names)
    check_output(data, truth, path=path, period=None)


def test_ties_share_a_rank_and_the_boundary_is_flagged(tmp_path: Path) -> None:
    truth = make_truth(21, ties=True)
    path = build_file(truth, tmp_path / "scores.xlsx", rules=RULES)
    _, data = run_rank(path)
    check_output(data, truth, path=path, period=None)
    ranks = [unit["rank"] for unit in data["units"]]
    assert ranks[1] == ranks[2] == 2 and ranks[3] == 4
    assert ranks[10] == ranks[11] == 11 and ranks[12] == 13
    assert data["units"][10]["flagged"] and data["units"][11]["flagged"]


@pytest.mark.parametrize("layout", ["wide1-items-computed", "long-computed-omitted"])
def test_computed_scores_round_half_up(layout: str, tmp_path: Path) -> None:
    """Items whose mean ends in 5 at the third decimal (78.535 → 78.54, never 78.53)."""
    spec = LAYOUTS[layout]
    truth = spec.truth(31)
    for scores in truth.values():
        first = scores["items"][("城市水域", "河道水面保洁")] or 78.53
        scores["items"][("城市水域", "河道水面保洁")] = first
        scores["items"][("城市水域", "河岸环境")] = round(first + 0.01, 2)
    path = build_file(
        truth, tmp_path / "scores.xlsx", layout=spec.layout, rules=RULES, **dict(spec.options)
    )
    _, data = run_rank(path)
    check_output(data, truth, path=path, period=None)


# --------------------------------------------------------------------------------------------
# LibreOffice re-saves

RESAVE_FORMATS = ("xlsx", "xls", "ods")
RESAVE_CASES = {
    "wide2-typical": Case("lo-wide2", "wide2-xiaoji", TYPICAL, "xlsx", 41),
    "multi-titled": Case("lo-multi", "multi", Quirks(title_rows=1, offset=True), "xlsx", 42),
    "long-period": Case("lo-long", "long-period-column", Quirks(no_value=""), "xlsx", 43),
    "stacked-merged": Case("lo-stacked", "stacked-everything-2rows", TYPICAL, "xlsx", 44),
    "transposed": Case("lo-transposed", "transposed-2rows", Quirks(title_rows=1), "xlsx", 45),
    "side-gap": Case("lo-side", "side-gap-2rows", Quirks(serial_column=True), "xlsx", 46),
    "percent": Case("lo-percent", "wide2-xiaoji", Quirks(percent="all", title_rows=1), "xlsx", 47),
}


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Originals built with openpyxl and their LibreOffice re-saves (one soffice per format)."""
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    directory = tmp_path_factory.mktemp("libreoffice")
    originals: dict[str, tuple[Truth, Path]] = {}
    for name, case in RESAVE_CASES.items():
        originals[name] = case.build(directory / "original", name=name)
    converted = resave_with_libreoffice(
        [path for _, path in originals.values()], RESAVE_FORMATS, directory / "resaved"
    )
    return {"originals": originals, "converted": converted}


@pytest.mark.parametrize("fmt", RESAVE_FORMATS)
@pytest.mark.parametrize("name", list(RESAVE_CASES))
def test_libreoffice_resave_reads_the_same(resaved: dict[str, Any], name: str, fmt: str) -> None:
    truth, original = resaved["originals"][name]
    index = list(RESAVE_CASES).index(name)
    path = resaved["converted"][fmt][index]
    _, original_data = run_rank(original)
    _, data = run_rank(path)
    assert data["units"] == original_data["units"]
    check_output(data, truth, path=path, period=RESAVE_CASES[name].period)


def test_the_corpus_is_varied() -> None:
    """Guard on the generator itself: ids are unique and every layout is exercised."""
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.layout for case in CASES} == set(LAYOUTS)
    assert replace(TYPICAL, title_rows=0).period_visible is False


# --------------------------------------------------------------------------------------------
# Issue 11: layouts offices still send, and scores on another scale


def stderr_of(result: Any) -> str:
    return getattr(result, "stderr", None) or result.output


@pytest.mark.parametrize(
    "fmt", ["xlsx", "xls", "csv-utf-8-sig", "csv-gbk", "csv-utf-16", "txt-utf-16", "txt-gb18030"]
)
@pytest.mark.parametrize(
    ("layout", "quirks"),
    [
        ("wide1-categories-items", Quirks(unit_spelling="marked", score_suffix="mixed")),
        ("stacked-labels-merged", Quirks(unit_spelling="mixed", score_suffix="%", title_rows=1)),
        ("transposed", Quirks(unit_spelling="marked", score_suffix="分", serial_column=True)),
    ],
    ids=["wide", "stacked", "transposed"],
)
def test_footnote_marks_and_suffixes_in_every_format(
    layout: str, quirks: Quirks, fmt: str, tmp_path: Path
) -> None:
    case = Case("marks", layout, quirks, fmt, 51)
    truth, path = case.build(tmp_path)
    result, data = run_rank(path)
    check_output(data, truth, path=path, period=case.period)
    assert "不在测评口径的街镇名单中" not in stderr_of(result)


@pytest.mark.parametrize(
    ("fmt", "percent", "note"),
    [
        ("xlsx", "composite", "percent-format"),
        ("xlsx", "all", "percent-format"),
        ("xls", "composite", "fraction-rescaled"),  # no number formats from .xls: a warning
        ("csv-utf-8", "all", None),  # Excel exports what it shows: "78.53%"
        ("txt-utf-16", "composite", None),
    ],
)
def test_percent_formatted_scores_read_as_the_office_sees_them(
    fmt: str, percent: str, note: str | None, tmp_path: Path
) -> None:
    case = Case("percent", "wide2-xiaoji", Quirks(percent=percent, title_rows=1), fmt, 61)
    truth, path = case.build(tmp_path)
    result, data = run_rank(path)
    check_output(data, truth, path=path, period=PERIOD)
    report = read_report_of(path)
    codes = {issue.code for issue in report.issues}
    if note:
        assert note in codes
    assert not codes & {"score-scale-mixed", "score-scale-unknown"}
    if note == "fraction-rescaled":
        assert "乘以 100" in stderr_of(result)


@pytest.mark.parametrize("fmt", ["xlsx", "csv-utf-8", "txt-utf-16"])
@pytest.mark.parametrize("percent", ["composite", "all"])
def test_bare_fractions_are_rescaled_with_a_warning(fmt: str, percent: str, tmp_path: Path) -> None:
    quirks = Quirks(percent=percent, bare_fractions=True)
    case = Case("fractions", "wide1-categories-items", quirks, fmt, 62)
    truth, path = case.build(tmp_path)
    result, data = run_rank(path)
    check_output(data, truth, path=path, period=None)
    warning = next(line for line in stderr_of(result).splitlines() if "0–1" in line)
    assert "综合满意度" in warning and "乘以 100" in warning and path.name in warning


def read_report_of(path: Path) -> Any:
    from mytool.api import read_report
    from mytool.profile import load_profile

    return read_report(path, load_profile())
