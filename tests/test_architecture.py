"""Rules of issue 14, read from the source with `ast`.

Size: no function over 60 lines, and no command (a public function in mytool/commands/) with a
body over 25 lines. A function's length runs from its `def` line to its last line (decorators
not counted). A command's typer parameter list is declarations, not logic, so a command is
measured by its body alone, after the docstring.

Imports: a module imports what it needs at its top. A heavy library (openpyxl, pandas, rich …)
stays off the paths that do not need it because the module needing it is imported only from the
lazy points: the commands and `mytool.api`, whose function-local imports each say what they keep
off which path, and the renderer registry, which imports renderers by "module:function" name.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mytool"
MAX_FUNCTION = 60
MAX_COMMAND_BODY = 25
# May import inside functions, each import commented: the commands, the API, and the console
# entry (which imports the command line inside its Ctrl-C and missing-package guards).
LAZY_POINTS = ("commands/", "api.py", "__main__.py")
# Lazy by design, each import commented: the export reader imports pandas in this process
# while its isolated child reads the sheet (mytool.reading.export_sheets), so pandas costs no
# wall time; imported at the top, it would load before the fork and for every score workbook.
DELIBERATELY_LAZY = {
    "reading/frames.py",
    "reading/respondents.py",
}


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    first = body[0]
    if len(body) > 1 and isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        body = body[1:]  # the docstring
    assert body[-1].end_lineno is not None
    return body[-1].end_lineno - body[0].lineno + 1


def _is_command(path: Path, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return path.parent.name == "commands" and not node.name.startswith("_")


def measured() -> dict[tuple[str, str], tuple[int, int]]:
    """(file, function) → (its length, the limit), for every function of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        for node in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            if _is_command(path, node):
                length, limit = _body_lines(node), MAX_COMMAND_BODY
            else:
                assert node.end_lineno is not None
                length, limit = node.end_lineno - node.lineno + 1, MAX_FUNCTION
            key = (where, node.name)
            found[key] = max(found.get(key, (0, limit)), (length, limit))
    return found


def _fits(length: int, limit: int) -> bool:
    return length <= limit


def test_no_function_over_60_lines_and_no_command_body_over_25():
    too_long = {
        f"{where} {name}: {length} lines (at most {limit})"
        for (where, name), (length, limit) in measured().items()
        if not _fits(length, limit)
    }
    assert not too_long, "split into well-named steps:\n" + "\n".join(sorted(too_long))


def test_a_command_is_measured_by_its_body_after_the_docstring():
    source = (
        'def rank(\n    a: int,\n    b: int,\n) -> None:\n    """Doc."""\n    x = 1\n    y = 2\n'
    )
    node = next(_functions(ast.parse(source)))
    assert _body_lines(node) == 2
    assert _is_command(Path("mytool/commands/rank.py"), node)
    helper = next(_functions(ast.parse("def _helper():\n    pass\n")))
    assert not _is_command(Path("mytool/commands/rank.py"), helper)
    assert not _is_command(Path("mytool/render/rank.py"), node)


def function_imports(source: str) -> list[ast.Import | ast.ImportFrom]:
    """The import statements inside functions (and methods, and functions in them) of `source`."""
    found: dict[int, ast.Import | ast.ImportFrom] = {}
    for function in _functions(ast.parse(source)):
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found[id(node)] = node
    return sorted(found.values(), key=lambda node: node.lineno)


def _importing_files() -> dict[str, list[int]]:
    """File under mytool/ (outside the lazy points) → lines of its function-local imports."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where.startswith(LAZY_POINTS):
            continue
        lines = [node.lineno for node in function_imports(path.read_text(encoding="utf-8"))]
        if lines:
            found[where] = lines
    return found


def test_no_function_local_imports_outside_the_commands_and_the_api():
    found = _importing_files()
    new = {where: lines for where, lines in found.items() if where not in DELIBERATELY_LAZY}
    assert not new, (
        "import at the module's top; if that loads a heavy library on a path that does not "
        "need it, import the module itself only from a command or mytool.api (or name it in "
        "the renderer registry):\n"
        + "\n".join(f"mytool/{where}: lines {lines}" for where, lines in sorted(new.items()))
    )
    done = DELIBERATELY_LAZY - found.keys()
    assert not done, f"no function-local imports left: remove from DELIBERATELY_LAZY: {done}"


def _uncommented(source: str) -> list[int]:
    """Lines of function-local imports with no comment on their lines or in the comment lines
    just above their group of imports."""
    lines = source.splitlines()
    bare = []
    for node in function_imports(source):
        assert node.end_lineno is not None
        own = lines[node.lineno - 1 : node.end_lineno]
        above = node.lineno - 2
        while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
            above -= 1
        if not any("#" in line for line in own) and not lines[above].strip().startswith("#"):
            bare.append(node.lineno)
    return bare


def test_every_function_local_import_says_what_it_keeps_off_which_path():
    lazy_points = [
        PACKAGE / "api.py",
        PACKAGE / "__main__.py",
        *sorted((PACKAGE / "commands").glob("*.py")),
        *(PACKAGE / where for where in sorted(DELIBERATELY_LAZY)),
    ]
    found = {path.name: path.read_text(encoding="utf-8") for path in lazy_points}
    assert function_imports(found["api.py"])  # the check sees the api's imports
    bare = {name: lines for name, source in found.items() if (lines := _uncommented(source))}
    assert bare == {}


def test_the_import_rules_see_methods_nested_functions_and_comments():
    source = (
        "import os\n"
        "class A:\n"
        "    def m(self):\n"
        "        import json\n"
        "        def inner():\n"
        "            from re import compile\n"
        "def f():\n"
        "    # keeps pandas off rank\n"
        "    import pandas\n"
        "    import numpy\n"
        "    import csv  # csv only\n"
    )
    assert [node.lineno for node in function_imports(source)] == [4, 6, 9, 10, 11]
    assert _uncommented(source) == [4, 6]


def test_the_module_tree_in_docs_is_the_package_as_it_is():
    """docs/architecture.md lists every module with its docstring's first sentence."""
    tool = PACKAGE.parent / "tools" / "module_tree.py"
    done = subprocess.run([sys.executable, str(tool), "--check"], check=False)
    assert done.returncode == 0, "run python tools/module_tree.py and commit docs/architecture.md"
