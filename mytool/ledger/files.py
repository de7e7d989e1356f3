"""Writing ledger files safely: no silent overwrite, a backup before a rewrite, all or nothing.

A new ledger and the split copies are written here; a merge into the master is
`mytool.ledger.merge_files` (the only writer that needs lxml).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from mytool.errors import UsageError
from mytool.files import read_regular_file
from mytool.ledger.workbook import LEDGER_LIMITS
from mytool.writing.locking import folder_lock
from mytool.writing.output import write_files_atomic

# A write waits this long for another run (a merge, brief, split …) writing into the same folder.
FOLDER_WAIT = 120.0
LEDGER_BYTES = LEDGER_LIMITS.max_file_bytes


def stamp(when: dt.datetime) -> str:
    return when.strftime("%Y%m%d-%H%M%S")


def backup_path(path: Path, when: dt.datetime) -> Path:
    """A new name for the previous version of `path`: 台账.备份-20240415-083000.xlsx.

    Never an existing file's: two merges in one second get …-083000-2.xlsx and so on. Call it
    while holding the folder's lock, so nobody takes the name between this check and the write.
    """
    base = f"{path.stem}.备份-{stamp(when)}"
    candidate = path.with_name(f"{base}{path.suffix}")
    counter = 1
    while os.path.lexists(candidate):
        counter += 1
        candidate = path.with_name(f"{base}-{counter}{path.suffix}")
    return candidate


def owner_file(path: Path) -> Path | None:
    """The lock file Excel, WPS or LibreOffice keeps beside a workbook while it is open."""
    candidates = [f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"]
    return next((path.with_name(n) for n in candidates if path.with_name(n).exists()), None)


def write_new_ledger(path: Path, data: bytes, *, force: bool, when: dt.datetime) -> Path | None:
    """Write a new ledger; an existing one is replaced only with `force`, after a backup."""

    with folder_lock(path.parent, wait=FOLDER_WAIT):
        if path.exists() and not force:
            raise UsageError(
                f"{path}：台账已存在，没有覆盖（其中填写的整改情况会丢失）；"
                "如确需重建，请加 --force（原文件会先备份）"
            )
        files = {path: data}
        backup = None
        if path.exists():
            backup = backup_path(path, when)
            files = {backup: read_regular_file(path, limit=LEDGER_BYTES), path: data}
        write_files_atomic(files)
    return backup


def write_copies(folder: Path, files: dict[str, bytes], *, force: bool) -> list[Path]:
    """Write the split copies all or none; existing copies are replaced only with `force`."""

    targets = {folder / name: data for name, data in files.items()}
    existing = [p.name for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(
            f"{folder}：已有同名分发表（{'、'.join(existing)}），没有覆盖；"
            "如确需重新分发，请加 --force"
        )
    return write_files_atomic(targets)
