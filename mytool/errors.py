"""The one exception family of mytool; the CLI turns it into a message and an exit code."""

from __future__ import annotations

import importlib.util
import sys

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_INPUT = 2
EXIT_OUTPUT = 3
EXIT_LOCKED = 4
EXIT_INTERNAL = 5
EXIT_DEPENDENCY = 6


class MytoolError(Exception):
    """A user-facing failure: `message` is Chinese and names the file (and place) involved."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(MytoolError):
    """An input file cannot be used at all (missing, unreadable, no scores …)."""


class ProfileError(MytoolError):
    """The district profile is missing or malformed."""


class UsageError(MytoolError):
    """Options that do not fit together or name something that does not exist."""


class OutputError(MytoolError):
    """An output file could not be written."""

    exit_code = EXIT_OUTPUT


class LockError(MytoolError):
    """Another run holds the lock on the output folder."""

    exit_code = EXIT_LOCKED


class DependencyError(MytoolError):
    """A third-party package mytool needs is not installed where it runs: not a bug, not bad
    input, but the installation to fix (say, `pip install mytool` into a different venv)."""

    exit_code = EXIT_DEPENDENCY


# Import names whose pip package is named otherwise; any other import name is its package's.
_PACKAGES = {
    "docx": "python-docx",
    "python_calamine": "python-calamine",
    "PIL": "pillow",
    "dateutil": "python-dateutil",
    "yaml": "pyyaml",
}


def missing_dependency(exc: BaseException) -> DependencyError | None:
    """What to tell the user when `exc` is the import of a third-party module that is not
    installed; None for anything else. A missing mytool (or standard library) module is no
    installation step the user can take: it stays a program defect."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.partition(".")[0]
    if top == "mytool" or top in sys.stdlib_module_names:
        return None
    package = _PACKAGES.get(top, top)
    if top != exc.name and _installed(top):
        return DependencyError(
            f"依赖包 {package} 安装不完整（缺少 {exc.name}）：请在安装 mytool 的环境中运行 "
            f"pip install --force-reinstall {package}，或重新 pip install mytool"
        )
    return DependencyError(
        f"缺少依赖包 {package}：请在安装 mytool 的环境中运行 pip install {package}，"
        "或重新 pip install mytool"
    )


def _installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a module without a spec, or a broken parent package
        return False
