"""Shared fixtures: the default profile, the bundled samples, and a small workbook writer."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import openpyxl
import pytest

import mytool
from mytool.profile import Profile, load_profile
from mytool.resources import data_dir


def _children_import_this_mytool() -> None:
    """Child processes (`python -m mytool`, run as a user would, often from another folder)
    import the mytool these tests import. Where it is not installed (pytest run in a
    checkout, which only puts the checkout on this process's path), they would not find it.
    """
    root = Path(mytool.__file__).resolve().parent.parent
    if root.name.endswith("-packages"):  # installed: every child finds it already
        return
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(root) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(root), *paths])


_children_import_this_mytool()

SAMPLES = data_dir() / "samples"
SAMPLE_2023H2 = SAMPLES / "songjiang-2023H2.xlsx"
SAMPLE_2024H1 = SAMPLES / "songjiang-2024H1.xlsx"
NOTICE_UNITS = {"九亭镇", "石湖荡镇", "新桥镇", "车墩镇", "叶榭镇", "岳阳街道"}
# What the Word documents, the charts and the master ledger's rewrite are made with.
WORD = ("docx", "docxtpl", "lxml")
CHARTS = ("matplotlib",)
LXML = ("lxml",)


def missing(*modules: str) -> list[str]:
    return [module for module in modules if importlib.util.find_spec(module) is None]


def needs(*modules: str) -> pytest.MarkDecorator:
    """Skip a test where one of `modules` is not installed. They are mytool's dependencies, but
    a test environment may lack them: there the tests that need them skip, as LibreOffice's do,
    instead of failing for the environment rather than the code."""
    absent = missing(*modules)
    return pytest.mark.skipif(bool(absent), reason=f"not installed: {', '.join(absent)}")


@pytest.fixture(scope="session")
def profile() -> Profile:
    return load_profile()


def write_xlsx(
    path: Path,
    rows: list[list[object]],
    *,
    sheet: str = "Sheet1",
    merges: tuple[str, ...] = (),
    extra_sheets: dict[str, list[list[object]]] | None = None,
) -> Path:
    """Write `rows` to a one-sheet workbook (more sheets via `extra_sheets`)."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = sheet
    for row in rows:
        first.append(row)
    for merge in merges:
        first.merge_cells(merge)
    for name, extra in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(row)
    book.save(path)
    return path
