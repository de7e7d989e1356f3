"""The command line speaks Chinese: help words, placeholders and usage errors.

Typer (and the click it carries) writes "Usage:", "Options:", "Show this message and exit.",
"[default: …]" and English usage errors. Our command classes use a context whose help
formatter translates those words and placeholders; `usage_error_text` turns a usage error
into Chinese lines from the error's fields (the option, its type's bounds and choices) and,
where click keeps it nowhere else, the value quoted in its message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

HEADINGS = {
    "Usage": "用法",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
}

# English words and placeholders the framework writes into help, and what we show instead.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("Show this message and exit.", "显示本帮助并退出。"),
    (
        "Install completion for the current shell.",
        "为当前的命令行（bash、zsh、fish、PowerShell）安装自动补全。",
    ),
    (
        "Show completion for the current shell, to copy it or customize the installation.",
        "显示当前命令行的自动补全脚本（可复制或自行安装）。",
    ),
    ("[OPTIONS]", "[选项]"),
    ("COMMAND [ARGS]...", "<命令> [参数]..."),
    ("FILE...", "<文件>..."),
    ("<list[Path]>", "<文件>..."),
    ("<list[path]>", "<文件>..."),
    ("<list[str]>", "<文字>..."),
    ("<path>", "<文件>"),
    ("<int range>", "<整数>"),
    ("<int>", "<整数>"),
    ("<float>", "<数>"),
    ("<str>", "<文字>"),
    ("<text>", "<文字>"),
    ("{file}", "<文件>"),
    ("{files}", "<文件>..."),
    ("{paths}", "<文件或文件夹>..."),
    ("{ledger}", "<台账>"),
    ("{master}", "<总台账>"),
    ("{returned}", "<收回的表>..."),
    ("{previous}", "<上期文件>"),
    ("{current}", "<本期文件>"),
    ("{report}", "<测评结果文件>"),
)
_BRACKETS = re.compile(
    r"\[((?:default|env var|required|x[<>]=?[^;\]]*|[^\[\]]*<=x<=[^;\]]*)[^\[\]]*)\]"
)
_REQUIRED_ARGUMENT = re.compile(r"\{([^{}]+)\}")
_RANGE = re.compile(r"^x>=(\S+)$|^x<=(\S+)$|^(\S+)<=x<=(\S+)$")


def translate(text: str) -> str:
    """Help text with the framework's English words and placeholders in Chinese."""
    for english, chinese in _PHRASES:
        text = text.replace(english, chinese)
    text = _REQUIRED_ARGUMENT.sub(r"<\1>", text)
    return _BRACKETS.sub(_bracket, text)


def _bracket(match: re.Match[str]) -> str:
    parts = []
    for part in match.group(1).split("; "):
        if part.startswith("default: "):
            parts.append(f"默认：{part.removeprefix('default: ')}")
        elif part.startswith("env var: "):
            parts.append(f"环境变量：{part.removeprefix('env var: ')}")
        elif part == "required":
            parts.append("必填")
        elif found := _RANGE.match(part):
            low, high, between_low, between_high = found.groups()
            if low:
                parts.append(f"至少 {low}")
            elif high:
                parts.append(f"至多 {high}")
            else:
                parts.append(f"{between_low} 到 {between_high}")
        else:
            parts.append(part)
    return f"［{'；'.join(parts)}］"


_HelpFormatter: Any = typer.Context.formatter_class  # click's, as typer carries it


class ChineseHelpFormatter(_HelpFormatter):
    """click's help formatter, writing Chinese words and placeholders.

    It is told the command's arguments (by their names as shown), to write them as <文件> in
    the help and as <文件>... in the usage line when they take several files.
    """

    def __init__(
        self, *args: Any, arguments: Sequence[str] = (), variadic: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.arguments = frozenset(arguments)
        self.variadic = frozenset(variadic)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for name in self.variadic:  # Typer ≥ 0.29 writes the "..." itself; 0.28 does not
            args = re.sub(rf"([{{[]{re.escape(name)}[}}\]])(?!\.\.\.)", r"\1...", args)
        super().write_usage(prog, translate(args), prefix="用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        rows = [(self._argument_row(a), b) for a, b in rows]
        super().write_dl([(translate(a), translate(b)) for a, b in rows], *args, **kwargs)

    def _argument_row(self, text: str) -> str:
        """An argument's help row as <文件>. Typer 0.28 (click) writes the bare name; Typer
        ≥ 0.29 adds "..." and the type ("文件... <path>")."""
        name, _, kind = text.partition(" <")
        name = name.removesuffix("...")
        if name in self.arguments and (not kind or kind.endswith(">")):
            return f"<{name}>"
        return text


class ChineseContext(typer.Context):
    formatter_class = ChineseHelpFormatter

    def make_formatter(self) -> Any:
        arguments = [p for p in self.command.params if p.param_type_name == "argument"]
        return ChineseHelpFormatter(
            width=self.terminal_width,
            max_width=self.max_content_width,
            arguments=[_shown_name(p) for p in arguments],
            variadic=[_shown_name(p) for p in arguments if p.nargs != 1],
        )


def _shown_name(argument: Any) -> str:
    """The name help shows for an argument: click's `human_readable_name` (Typer 0.28), or
    Typer ≥ 0.29's own `display_name_raw` (the metavar, else the name)."""
    shown = getattr(argument, "human_readable_name", None)
    return str(shown if shown is not None else argument.display_name_raw)


class ChineseGroup(TyperGroup):
    """A command group whose commands (and itself) write help in Chinese."""

    context_class = ChineseContext

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not isinstance(command, ChineseGroup):
            command.context_class = ChineseContext
        return command


def _name_of(param: Any) -> str:
    """How the user wrote (or should write) a parameter: --bottom, or <文件> for an argument."""
    if param is None:
        return "参数"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    if opts:
        return max(opts, key=len)
    metavar = getattr(param, "metavar", None)
    if metavar:
        return f"<{metavar}>"
    return translate("{" + str(param.name) + "}")


# How click words a refused value: the value as given, then why (typer 0.28 carries click).
_NOT_VALID = re.compile(r"^(['\"])(.*)\1 is not a valid ([\w ]+?)\.")
_OUT_OF_RANGE = re.compile(r"^(\S+) is not in the range \S+\.$")
_NOT_ONE_OF = re.compile(r"^(['\"])(.*?)\1 is not one of ")
_BAD_PATH = re.compile(r"'([^']*)' (does not exist|is a directory|is a file|is not readable)")
_KIND_REASONS = {
    "integer": "须为整数",
    "int range": "须为整数",
    "float": "须为数字",
    "float range": "须为数字",
    "boolean": "须为 true 或 false",
}
_PATH_REASONS = {
    "does not exist": "不存在",
    "is a directory": "是文件夹，不是文件",
    "is a file": "是文件，不是文件夹",
    "is not readable": "没有读取权限",
}


def _range_reason(value: str, kind: Any) -> str:
    """Which bound of a number range (click's IntRange/FloatRange fields) `value` is outside."""
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    if low is not None and (high is None or float(value) <= low):
        return f"须大于 {low}" if kind.min_open else f"不能小于 {low}"
    return f"须小于 {high}" if kind.max_open else f"不能大于 {high}"


def _reason(exc: Any) -> tuple[str | None, str]:
    """(the value given, why it is refused) for a bad value.

    The value is read from the error's message (click puts it nowhere else), the reason from
    the parameter's type: its kind, its bounds, its choices.
    """
    errors = getattr(exc.__cause__, "errors", None)
    if callable(errors) and errors():  # Typer ≥ 0.29 checks values with pydantic
        return _pydantic_reason(errors()[0])
    message = str(getattr(exc, "message", ""))
    kind: Any = getattr(getattr(exc, "param", None), "type", None)
    if found := _NOT_VALID.match(message):
        return found.group(2), _KIND_REASONS.get(found.group(3), "格式不对")
    if (found := _OUT_OF_RANGE.match(message)) and kind is not None:
        return found.group(1), _range_reason(found.group(1), kind)
    if (found := _NOT_ONE_OF.match(message)) and hasattr(kind, "choices"):
        return found.group(2), f"可选：{'、'.join(str(c) for c in kind.choices)}"
    if found := _BAD_PATH.search(message):
        return found.group(1), _PATH_REASONS[found.group(2)]
    return None, "格式不对"


_PYDANTIC_BOUNDS = {
    "greater_than_equal": ("ge", "不能小于"),
    "greater_than": ("gt", "须大于"),
    "less_than_equal": ("le", "不能大于"),
    "less_than": ("lt", "须小于"),
}
_PYDANTIC_KINDS = {"int_": "须为整数", "float_": "须为数字", "bool_": "须为 true 或 false"}


def _pydantic_reason(error: dict[str, Any]) -> tuple[str | None, str]:
    """(the value given, why it is refused) from the first error of Typer ≥ 0.29's check."""
    kind, limits, value = str(error.get("type", "")), error.get("ctx") or {}, error.get("input")
    shown = None if value is None else str(value)
    if kind in _PYDANTIC_BOUNDS:
        key, words = _PYDANTIC_BOUNDS[kind]
        return shown, f"{words} {limits.get(key)}"
    for prefix, why in _PYDANTIC_KINDS.items():
        if kind.startswith(prefix):
            return shown, why
    choices = re.findall(r"'([^']*)'", str(error.get("msg", "")))
    if "is not one of" in str(error.get("msg", "")) and choices:
        return choices[0], f"可选：{'、'.join(choices[1:])}"
    return shown, "格式不对"


def usage_error_text(exc: Any) -> str:
    """A usage error in Chinese: what is wrong, the usage line, and where the help is."""
    lines = [f"错误：{_what_is_wrong(exc)}"]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(f"运行 {ctx.command_path} -h 查看全部选项和示例。")
    return "\n".join(lines)


def _what_is_wrong(exc: Any) -> str:
    """Click's usage error, told by its class and its English message, in Chinese."""
    kind = type(exc).__name__
    message = str(getattr(exc, "message", exc))
    if kind == "NoSuchOption":
        text = f"没有 {exc.option_name} 这个选项"
        if exc.possibilities:
            text += f"；是不是 {'、'.join(sorted(exc.possibilities))}？"
    elif kind == "MissingParameter":
        is_argument = getattr(exc.param, "param_type_name", "") == "argument"
        text = f"缺少{'参数' if is_argument else '选项'} {_name_of(exc.param)}"
    elif kind == "BadParameter":
        value, why = _reason(exc)
        given = f"「{value}」" if value is not None else ""
        text = f"{_name_of(exc.param)} 的值{given}不行：{why}"
    elif kind == "BadOptionUsage" and "does not take a value" in message:
        text = f"{exc.option_name} 后面不带值"
    elif kind == "BadOptionUsage":
        text = f"{exc.option_name} 后面要跟一个值"
    elif message.startswith("No such command"):
        name = re.search(r"'(.*?)'", message)
        text = f"没有「{name.group(1) if name else ''}」这个命令"
        suggestion = re.search(r"Did you mean (.*)\?", message)
        if suggestion:
            text += f"；是不是 {suggestion.group(1).replace(chr(39), '')}？"
    elif message.startswith("Got unexpected extra argument"):
        extra = re.search(r"\(([^()]*)\)$", message)
        text = f"多出了参数：{extra.group(1) if extra else ''}（文件名中有空格时请加引号）"
    elif message.startswith("Missing command"):
        text = "缺少命令"
    else:
        text = f"命令行有误（{message}）"
    return text


def examples(*lines: str) -> str:
    """The 示例 block at the end of a command's help (kept line by line, not rewrapped)."""
    return "示例：\n\n\b\n" + "\n".join(f"  {line}" for line in lines)
