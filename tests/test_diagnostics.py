"""Issue codes and severities: one enum each, every code documented in the README's table."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from mytool.diagnostics import ERROR, INFO, WARNING, Issue, IssueCode, Severity

ROOT = Path(__file__).resolve().parent.parent


def _readme_table() -> dict[str, set[str]]:
    """code → severities listed, from the README's table of issue codes."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| `code` | 级别 | 含义 |")
    rows = text[start:].split("\n\n", 1)[0].splitlines()[2:]
    table: dict[str, set[str]] = {}
    for row in rows:
        codes, severities = row.strip().strip("|").split("|")[:2]
        for code in re.findall(r"`([a-z-]+)`", codes):
            table[code] = {s.strip() for s in severities.split("/")}
    return table


def _issues_built_in_the_package() -> dict[str, set[str]]:
    """code → severities of every `Issue(IssueCode.X, SEVERITY, …)` written in mytool/."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "mytool").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Issue":
                code, severity = node.args[0], node.args[1]
                if isinstance(code, ast.Attribute) and isinstance(severity, ast.Name):
                    value = IssueCode[code.attr].value
                    found.setdefault(value, set()).add(Severity[severity.id].value)
    return found


def test_the_readme_table_lists_every_code_and_no_other():
    assert set(_readme_table()) == {code.value for code in IssueCode}


def test_the_readme_table_gives_each_code_the_severities_the_code_uses():
    table = _readme_table()
    for code, severities in _issues_built_in_the_package().items():
        assert severities <= table[code], code


def test_every_code_is_used_somewhere():
    used = set(_issues_built_in_the_package()) | {"column-renamed", "column-missing"}
    used |= {"category-not-in-profile", "item-not-in-profile"}  # chosen by measure
    assert used == {code.value for code in IssueCode}


def test_codes_are_kebab_case_and_json_keeps_plain_strings():
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", code.value) for code in IssueCode)
    issue = Issue(IssueCode.OUT_OF_RANGE, ERROR, "分数 120 超出 0–100 的范围", "a.xlsx", "大类!C7")
    text = json.dumps(issue.as_dict())
    assert json.loads(text)["code"] == "out-of-range" and '"severity": "error"' in text
    assert type(issue.as_dict()["code"]) is str and type(issue.as_dict()["severity"]) is str


def test_severities_compare_equal_to_their_strings():
    assert (ERROR, WARNING, INFO) == ("error", "warning", "info")
    assert [s.value for s in Severity] == ["error", "warning", "info"]
