"""The audit log of unattended runs: one JSON line per run (time, command, inputs with their
SHA-256, outputs, exit code), appended to the file given by --log-file or MYTOOL_LOG_FILE."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from mytool.text import displayable


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def run_record(
    *,
    command: str,
    parameters: dict[str, str],
    inputs: Iterable[Path],
    outputs: Iterable[Path],
    exit_code: int,
    started: dt.datetime,
) -> dict:
    return {
        "time": started.isoformat(timespec="seconds"),
        "command": command,
        "parameters": parameters,
        "inputs": [{"path": displayable(str(p)), "sha256": file_digest(p)} for p in inputs],
        "outputs": [displayable(str(p)) for p in outputs],
        "exit_code": exit_code,
    }


def append_record(log_file: Path, record: dict) -> str | None:
    """Append one line; return why it failed (a broken log must not fail the run it records)."""
    line = json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "a", encoding="utf-8") as stream:
            stream.write(line)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        return str(exc.strerror or exc)
    return None
