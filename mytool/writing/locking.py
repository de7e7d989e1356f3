"""A lock on an output folder, so two runs (two cron jobs, a cron job and a person) never
interleave their files there. Re-entrant within one process.

On Linux and macOS the lock is `flock` on the folder itself, opened as a directory: nothing is
created in the folder, and nothing planted there (a `.mytool.lock` symlink, say) is followed.
Where a folder cannot be locked that way (Windows; some network file systems) a lock file
`.mytool.lock` is used instead: opened without following symlinks, and removed after the run.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mytool.errors import LockError, OutputError
from mytool.files import os_reason, shown

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
    except OSError as exc:
        raise OutputError(f"{shown(folder)}：无法写入输出文件夹（{os_reason(exc)}）") from exc
    lock = _FolderLock(folder)
    lock.acquire(wait)
    _held[folder] = 1
    try:
        yield
    finally:
        del _held[folder]
        lock.release()


class _FolderLock:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handle: int | None = None
        self.lock_file: Path | None = None

    def acquire(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while True:
            if self._try():
                return
            if time.monotonic() >= deadline:
                raise LockError(
                    f"{shown(self.folder)}：另一个 mytool 正在写入这个文件夹，请等它结束后再运行"
                )
            time.sleep(0.05)

    def _try(self) -> bool:
        """One attempt; True when the lock is ours."""
        if _flock is not None and self.lock_file is None:
            handle = self._open_folder()
            if handle is not None:
                try:
                    _flock(handle, blocking=False)
                    self.handle = handle
                    return True
                except BlockingIOError:
                    os.close(handle)
                    return False
                except OSError:  # the file system cannot lock folders: use a lock file
                    os.close(handle)
        self.lock_file = self.folder / LOCK_NAME
        return self._try_lock_file(self.lock_file)

    def _open_folder(self) -> int | None:
        try:
            return os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return None

    def _try_lock_file(self, path: Path) -> bool:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            handle = os.open(path, flags, 0o666)
        except OSError as exc:
            raise OutputError(
                f"{shown(path)}：无法建立文件夹锁（{exc.strerror or exc}）；"
                "若这是一个符号链接或文件夹，请删除它"
            ) from exc
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            os.close(handle)
            raise OutputError(f"{shown(path)}：锁文件不是普通文件，请删除它后再运行")
        try:
            _lock_file_range(handle)
        except OSError:
            os.close(handle)
            return False
        # The previous holder may have removed the file after we opened it: then our lock is on
        # a file nobody else will open, and we must try again on the new one.
        try:
            same = os.path.samestat(os.fstat(handle), os.lstat(path))
        except OSError:
            same = False
        if not same:
            os.close(handle)
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is None:
            return
        if self.lock_file is not None:
            # Remove it while still holding it, so nobody locks a file about to vanish.
            # (Windows cannot remove an open file; there it stays, harmless.)
            with contextlib.suppress(OSError):
                self.lock_file.unlink()
            _unlock_file_range(self.handle)
        os.close(self.handle)
        self.handle = None


# Chosen by platform (not by a failed import) so the type checker reads only this platform's half.
_flock: Callable[..., None] | None
if sys.platform != "win32":
    import fcntl

    def _flock_folder(handle: int, *, blocking: bool) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))

    def _lock_file_range(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file_range(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)

    _flock = _flock_folder

else:  # Windows: no folder locks, a locked byte of a lock file
    import msvcrt

    _flock = None

    def _lock_file_range(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)

    def _unlock_file_range(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
