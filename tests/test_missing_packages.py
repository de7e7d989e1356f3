"""A package mytool needs that is not installed is one Chinese line and exit 6, not a "bug"."""

from __future__ import annotations

import builtins
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LXML, SAMPLE_2023H2, WORD, needs, write_xlsx
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()


def uninstall(monkeypatch: pytest.MonkeyPatch, top: str) -> None:
    """Make every absolute import of `top` (or a submodule) fail as when it is not installed,
    including the lazy imports inside commands and in the forked reader child."""
    real = builtins.__import__

    def without(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == top or name.startswith(f"{top}.")):
            raise ModuleNotFoundError(f"No module named '{top}'", name=top)
        return real(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", without)


def advice(package: str) -> str:
    return (
        f"错误：缺少依赖包 {package}：请在安装 mytool 的环境中运行 pip install {package}，"
        "或重新 pip install mytool\n"
    )


@needs(*WORD)  # the one package missing is matplotlib
def test_missing_matplotlib_for_word_charts_is_one_line_and_exit_6(monkeypatch, tmp_path: Path):
    uninstall(monkeypatch, "matplotlib")
    log = tmp_path / "运行.jsonl"
    result = runner.invoke(
        app,
        ["--log-file", str(log), "brief", str(SAMPLE_2023H2), "-f", "docx", "-d", str(tmp_path)],
    )
    assert result.exit_code == 6
    assert result.stderr == advice("matplotlib")
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert json.loads(log.read_text(encoding="utf-8"))["exit_code"] == 6


def test_the_message_names_the_package_pip_installs(monkeypatch, tmp_path: Path):
    uninstall(monkeypatch, "docx")  # python-docx installs the module `docx`
    result = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "docx", "-d", str(tmp_path)])
    assert result.exit_code == 6
    assert result.stderr == advice("python-docx")


def test_missing_package_in_the_isolated_reader_is_the_same_message(monkeypatch, tmp_path: Path):
    export = write_xlsx(
        tmp_path / "问卷导出.xlsx",
        [["序号", "1、您所在的街镇：", "2、您对小区环境卫生的满意程度："], [1, "九亭镇", "满意"]],
    )
    # fastexcel is imported with the export reader, before its child is forked: read afresh
    for module in ("mytool.reading.respondents", "mytool.reading.export_sheets"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    uninstall(monkeypatch, "fastexcel")
    result = runner.invoke(app, ["aggregate", str(export)])
    assert result.exit_code == 6
    assert result.stderr == advice("fastexcel")
    assert "程序出错" not in result.output


def test_a_missing_mytool_module_is_still_a_defect(monkeypatch, tmp_path: Path):
    # The Word renderer is loaded by name (importlib), as every renderer: block it there too.
    uninstall(monkeypatch, "mytool.render.docx_brief")
    monkeypatch.setitem(sys.modules, "mytool.render.docx_brief", None)
    result = runner.invoke(app, ["brief", str(SAMPLE_2023H2), "-f", "docx", "-d", str(tmp_path)])
    assert result.exit_code == 5
    assert "内部错误" in result.stderr and "程序缺陷" in result.stderr
    assert "缺少依赖包" not in result.stderr


def test_debug_still_shows_the_import_failure(monkeypatch, tmp_path: Path):
    uninstall(monkeypatch, "matplotlib")
    arguments = ["brief", str(SAMPLE_2023H2), "-f", "docx", "-d", str(tmp_path), "--debug"]
    result = runner.invoke(app, arguments)
    assert isinstance(result.exception, ModuleNotFoundError)


def test_without_the_command_line_packages_the_entry_point_says_so(tmp_path: Path):
    script = (
        "import sys\n"
        "sys.modules['typer'] = None  # what an environment without typer does on import\n"
        "sys.argv = ['mytool', 'rank', 'x.xlsx']\n"
        "from mytool.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 6
    assert done.stderr == advice("typer")


@needs(*LXML)  # installed, but for a part
def test_a_package_installed_without_a_part_says_reinstall():
    from mytool.errors import missing_dependency

    found = missing_dependency(
        ModuleNotFoundError("No module named 'lxml.etree'", name="lxml.etree")
    )
    assert found is not None and found.exit_code == 6
    assert found.message == (
        "依赖包 lxml 安装不完整（缺少 lxml.etree）：请在安装 mytool 的环境中运行 "
        "pip install --force-reinstall lxml，或重新 pip install mytool"
    )


@pytest.mark.parametrize(
    "failure",
    [
        ModuleNotFoundError("No module named '_lzma'", name="_lzma"),  # Python built without it
        ModuleNotFoundError("No module named 'mytool.x'", name="mytool.x"),
        ModuleNotFoundError("raised by hand, naming no module"),
        ImportError("cannot import name 'Figure' from 'matplotlib'", name="matplotlib"),
    ],
)
def test_only_a_missing_third_party_module_is_an_installation_step(failure):
    from mytool.errors import missing_dependency

    assert missing_dependency(failure) is None
