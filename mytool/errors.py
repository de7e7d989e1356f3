"""The one exception family of mytool; the CLI turns it into a message and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_INPUT = 2
EXIT_OUTPUT = 3
EXIT_LOCKED = 4
EXIT_INTERNAL = 5


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
