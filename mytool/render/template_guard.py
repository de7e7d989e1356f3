"""Templates an office supplies are untrusted: where they are read from, and what they may build.

Reading: a template name resolves inside its folder only (no `..`, no absolute path), every
component is opened with O_NOFOLLOW relative to the folder, and the file must be a regular file
of at most `MAX_TEMPLATE_BYTES`. A symlink planted in `--template-dir` (pulling, say, a secret
file into every brief), a FIFO or a device is refused with the file's name. `{% include %}` and
`{% extends %}` go through the same loader.

Rendering: Jinja's sandbox stops templates reaching Python internals, but not building huge
values. `BoundedEnvironment` intercepts `*`, `+`, `**` and `%`, wraps every filter and method
call and every `~` concatenation, and refuses any string or list longer than `MAX_OUTPUT_BYTES`
before (where it can be predicted) or right after it is built. `render_bounded` streams the
output, stops past `MAX_OUTPUT_BYTES`, and (on Unix, in the main thread) after `MAX_SECONDS`,
so nested loops that print nothing still end.
"""

from __future__ import annotations

import errno
import functools
import math
import os
import re
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, TemplateNotFound
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import SandboxedEnvironment

from mytool.errors import UsageError
from mytool.files import open_error, shown

MAX_TEMPLATE_BYTES = 1024 * 1024
MAX_OUTPUT_BYTES = 10 * 1024 * 1024
MAX_SECONDS = 10
# A number this long in a format string ("%10000000000s") is a width meant to exhaust memory.
_HUGE_WIDTH = re.compile(r"\d{8,}")
_MAX_INT_BITS = 100_000
_SEQUENCES = (str, list, tuple)


class TemplateLimitError(Exception):
    """A template tried to build or print more than the limits allow (message in Chinese)."""

    template: str | None = None


# Reading --------------------------------------------------------------------------------------


def check_template_dir(folder: Path) -> Path:
    """`folder` if it is an existing folder; else a `UsageError` saying what it is instead."""
    try:
        info = os.stat(folder)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise UsageError(f"{shown(folder)}：模板文件夹不存在") from exc
        raise UsageError(open_error(folder, exc, "模板文件夹")) from exc
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{shown(folder)}：不是文件夹；--template-dir 应指向放模板的文件夹")
    return folder


class FolderLoader(BaseLoader):
    """Templates from the first of `folders` that has the name; see the module docstring."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        parts = _name_parts(template)
        for folder in self.folders:
            path = folder.joinpath(*parts)
            data = _read_inside(folder, parts)
            if data is None:
                continue
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise UsageError(f"模板 {shown(path)} 不是 UTF-8 编码，请另存为 UTF-8") from exc
            return text, str(path), lambda: True
        raise TemplateNotFound(template)


def _name_parts(template: str) -> list[str]:
    parts = template.split("/")
    if (
        template.startswith("/")
        or "\\" in template
        or "\x00" in template
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise UsageError(
            f"模板名「{shown(template)}」不合法：只能是模板文件夹中的文件（不能含 ..、绝对路径）"
        )
    return parts


def _read_inside(folder: Path, parts: list[str], limit: int = MAX_TEMPLATE_BYTES) -> bytes | None:
    """The bytes of `folder/parts…`, None if it does not exist; `UsageError` if it is refused."""
    path = folder.joinpath(*parts)
    if os.open not in os.supports_dir_fd or not hasattr(os, "O_NOFOLLOW"):
        return _read_inside_portable(folder, parts, limit)
    opened: list[int] = []
    try:
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        opened.append(directory)
        for part in parts[:-1]:
            directory = os.open(
                part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=directory
            )
            opened.append(directory)
        handle = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
        opened.append(handle)
        return _read_descriptor(handle, path, limit)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not _is_link(folder, parts):
            return None
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) or _is_link(folder, parts):
            raise UsageError(_link_message(path)) from exc
        raise UsageError(open_error(path, exc, "模板文件")) from exc
    finally:
        for descriptor in reversed(opened):
            os.close(descriptor)


def _read_inside_portable(
    folder: Path, parts: list[str], limit: int = MAX_TEMPLATE_BYTES
) -> bytes | None:
    """Where openat is missing (Windows): lstat every component, then open the file."""
    path = folder
    for part in parts:
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UsageError(open_error(path, exc, "模板文件")) from exc
        if stat.S_ISLNK(info.st_mode) or getattr(path, "is_junction", lambda: False)():
            raise UsageError(_link_message(path))
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise UsageError(open_error(path, exc, "模板文件")) from exc
    try:
        return _read_descriptor(handle, path, limit)
    finally:
        os.close(handle)


def _is_link(folder: Path, parts: list[str]) -> bool:
    path = folder
    for part in parts:
        path = path / part
        if path.is_symlink():
            return True
    return False


def _link_message(path: Path) -> str:
    return (
        f"模板 {shown(path)} 是符号链接（或经过符号链接），为安全起见不跟随；"
        "请把模板文件本身复制到模板文件夹"
    )


def _read_descriptor(handle: int, path: Path, limit: int = MAX_TEMPLATE_BYTES) -> bytes:
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"模板 {shown(path)} 不是普通文件（如命名管道、设备），已拒绝读取")
    chunks, total = [], 0
    while chunk := os.read(handle, limit + 1 - total):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise UsageError(
                f"模板 {shown(path)} 超出 {limit // (1024 * 1024)} MB 的限制，已拒绝读取"
            )
    return b"".join(chunks)


# Rendering ------------------------------------------------------------------------------------


def _too_big(what: str) -> TemplateLimitError:
    return TemplateLimitError(
        f"{what}超过 {MAX_OUTPUT_BYTES // (1024 * 1024)} MB 的限制，已停止渲染；"
        "请检查模板中的重复或循环"
    )


def bounded(value: Any) -> Any:
    """`value` unless it is a string or collection longer than the output limit."""
    if isinstance(value, str | list | tuple | dict | set) and len(value) > MAX_OUTPUT_BYTES:
        raise _too_big("模板生成的文字或列表")
    return value


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            if (
                isinstance(sequence, _SEQUENCES)
                and isinstance(count, int)
                and len(sequence) * count > MAX_OUTPUT_BYTES
            ):
                raise _too_big("重复（*）生成的文字或列表")
        if _both_int(left, right) and left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise TemplateLimitError("乘法结果过大，已停止渲染")
    elif operator == "+":
        sequences = isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES)
        if sequences and len(left) + len(right) > MAX_OUTPUT_BYTES:
            raise _too_big("拼接（+）生成的文字或列表")
    elif operator == "**":
        huge = _both_int(left, right) and abs(left) > 1 and right > 0
        if huge and right * math.log2(abs(left)) > _MAX_INT_BITS:
            raise TemplateLimitError("乘方结果过大，已停止渲染")
    elif operator == "%" and isinstance(left, str) and _HUGE_WIDTH.search(left):
        raise _too_big("格式化（%）的宽度")


def _both_int(left: Any, right: Any) -> bool:
    return isinstance(left, int) and isinstance(right, int)


def _check_arguments(function: Any, arguments: tuple, keywords: dict) -> None:
    """Refuse a call whose count or width argument would build a value past the limit
    ("x".center(10**10), "{:>10000000000}".format(1), "x"|indent(10**10))."""
    owner = getattr(getattr(function, "__wrapped__", function), "__self__", None)
    if isinstance(owner, str) and _HUGE_WIDTH.search(owner):
        raise _too_big("格式化的宽度")
    for value in (*arguments, *keywords.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_OUTPUT_BYTES:
            raise _too_big(f"参数 {value} 要求的长度")
        if isinstance(value, str) and _HUGE_WIDTH.search(value) and "%" in value:
            raise _too_big("格式化的宽度")


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*arguments: Any, **keywords: Any) -> Any:
        # The first argument is the filtered value (after a context or environment, when the
        # filter asks for one): data, not a width, so any number is fine there.
        skip = 2 if hasattr(function, "jinja_pass_arg") else 1
        value = arguments[skip - 1] if len(arguments) >= skip else None
        if function.__name__ == "do_format" and isinstance(value, str):
            _check_arguments(None, (value,), {})
        else:
            _check_arguments(None, arguments[skip:], keywords)
        return bounded(function(*arguments, **keywords))

    return wrapper


class _BoundedCodeGenerator(CodeGenerator):
    """Every `~` concatenation goes through `environment.bounded`."""

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, plus limits on the size of everything a template builds."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})
    code_generator_class = _BoundedCodeGenerator

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return bounded(super().call_binop(context, operator, left, right))

    def call(self, context: Any, function: Any, /, *arguments: Any, **keywords: Any) -> Any:
        _check_arguments(function, arguments, keywords)
        return bounded(super().call(context, function, *arguments, **keywords))

    def bounded(self, value: Any) -> Any:
        return bounded(value)

    def bound_filters(self) -> None:
        """Wrap every filter (call after adding the environment's own)."""
        for name, function in list(self.filters.items()):
            self.filters[name] = _bounded_filter(function)


def read_template_file(folder: Path, name: str, limit: int) -> bytes | None:
    """A binary template (a Word .docx) from `folder`, read as safely as the text ones."""
    return _read_inside(folder, _name_parts(name), limit)


def render_bounded(template: Any, variables: dict[str, Any]) -> str:
    """`template` rendered with `variables`, refused past the output size or time limit."""
    pieces: list[str] = []
    size = 0
    with _deadline(MAX_SECONDS):
        for piece in template.generate(**variables):
            size += len(piece.encode("utf-8", "replace"))
            if size > MAX_OUTPUT_BYTES:
                error = _too_big("模板输出")
                error.template = template.filename or template.name
                raise error
            pieces.append(piece)
    return "".join(pieces)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise `TemplateLimitError` inside the block after `seconds` (Unix, main thread only)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TemplateLimitError(f"渲染超过 {seconds:g} 秒仍未完成，已停止；请检查模板中的循环")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
