"""A lock on an output folder, so two runs (two cron jobs, a cron job and a person) never
interleave their files there. Re-entrant within one process."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mytool.errors import LockError, OutputError

LOCK_NAME = ".mytool.lock"
WAIT_SECONDS = 3.0
_held: dict[Path, int] = {}  # folder → depth, for re-entry by the same process


@contextmanager
def folder_lock(folder: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the folder's lock; wait up to `wait` seconds for another run, then `LockError`."""
    folder = folder.resolve()
    if folder in _held:
        _held[folder] += 1
        try:
            yield
        finally:
            _held[folder] -= 1
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(f"{folder}：无法写入输出文件夹（{exc.strerror or exc}）") from exc
    try:
        _acquire(handle, folder, wait)
        _held[folder] = 1
        try:
            yield
        finally:
            del _held[folder]
            _release(handle)
    finally:
        os.close(handle)


def _acquire(handle: int, folder: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            _try_lock(handle)
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise LockError(
                    f"{folder}：另一个 mytool 正在写入这个文件夹，请等它结束后再运行"
                ) from None
            time.sleep(0.1)


try:
    import fcntl

    def _try_lock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _release(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt

    def _try_lock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)

    def _release(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
