"""Size rules of issue 14, read from the source with `ast`: no function over 60 lines, and no
command (a public function in mytool/commands/) with a body over 25 lines.

A function's length runs from its `def` line to its last line (decorators not counted). A
command's typer parameter list is declarations, not logic, so a command is measured by its body
alone, after the docstring.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mytool"
MAX_FUNCTION = 60
MAX_COMMAND_BODY = 25


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
