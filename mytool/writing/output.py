"""Write output files atomically: a temporary file in the same folder, flushed, then renamed.

Every write holds the output folder's lock (`mytool.writing.locking`), never replaces a file the run
reads (see `protect_inputs`), and records what it wrote for the audit log (`written_files`).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from pathlib import Path

from mytool.errors import OutputError, UsageError
from mytool.files import os_reason, shown
from mytool.writing.locking import folder_lock

TEMP_SUFFIX = ".mytool-tmp"
_protected: ContextVar[frozenset[Path]] = ContextVar("protected_inputs", default=frozenset())
_written: ContextVar[list[Path] | None] = ContextVar("written_files", default=None)


@contextmanager
def protect_inputs(paths: Iterable[Path]) -> Iterator[list[Path]]:
    """Within the block, refuse to write over any of `paths`; yield the list of files written."""
    resolved = frozenset(Path(p).resolve() for p in paths)
    written: list[Path] = []
    protected_token = _protected.set(_protected.get() | resolved)
    written_token = _written.set(written)
    try:
        yield written
    finally:
        _protected.reset(protected_token)
        _written.reset(written_token)


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` so that readers see the old file or the whole new one, never half."""
    target = Path(path)
    write_files_atomic({target: data})
    return target


def write_text_atomic(path: str | Path, text: str, *, bom: bool = False) -> Path:
    """Write UTF-8 text atomically (with a BOM when Excel must open it, e.g. CSV files)."""
    data = text.encode("utf-8-sig" if bom else "utf-8")
    return write_bytes_atomic(path, data)


_RESERVED_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)
}
MAX_NAME_BYTES = 200


def safe_file_name(name: str, *, keep_end: str = "") -> str:
    """A file name that stays inside its folder and is valid on Windows and Linux.

    Control and format characters (Unicode Cc, Cf: a right-to-left override would show
    "简报\u202egpj.exe" as "简报exe.jpg") are dropped. Path separators and reserved characters
    become "_", trailing dots and spaces go, device names such as CON get a leading "_", and
    the result fits in 200 UTF-8 bytes. `keep_end`
    (e.g. "-整改提升简报.md") is appended after cleaning and never cut when `name` is too long.
    """
    cleaned = _RESERVED_CHARACTERS.sub("_", _drop_invisible(name)).strip()
    if not keep_end:
        cleaned = cleaned.rstrip(". ")
    cleaned = cleaned.lstrip(".") or "_"
    if cleaned.split(".")[0].upper() in _WINDOWS_DEVICES:
        cleaned = "_" + cleaned
    room = MAX_NAME_BYTES - len(keep_end.encode("utf-8"))
    while len(cleaned.encode("utf-8")) > room:
        cleaned = cleaned[:-1]
    return cleaned + keep_end


_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _drop_invisible(name: str) -> str:
    return "".join(ch for ch in name if unicodedata.category(ch) not in _INVISIBLE)


def write_files_atomic(files: dict[Path, bytes]) -> list[Path]:
    """Write several files so that either all of them are replaced or none is.

    Every file is first written to a temporary file beside its target (same file system, so
    the rename is atomic), flushed to disk; only when all are written are they renamed into
    place. On failure the temporary files are removed and the targets are untouched.
    """
    for target in files:
        refuse_input_target(target)
    special = {target: data for target, data in files.items() if _is_special(target)}
    if special:
        if len(files) > 1:
            raise UsageError(
                f"{shown(next(iter(special)))}：不是普通文件（设备或管道），不能作为一组输出文件之一"
            )
        _write_through(*next(iter(special.items())))
        return list(files)
    with ExitStack() as locks:
        for folder in sorted({target.resolve().parent for target in files}):
            locks.enter_context(folder_lock(folder))
            _remove_stale_temporaries(folder)
        _stage_and_replace(files)
    record_written(list(files))
    return list(files)


def refuse_input_target(target: Path) -> None:
    """A `UsageError` when `target` is a file this run reads (see `protect_inputs`)."""
    if target.resolve() in _protected.get():
        raise UsageError(f"{shown(target)}：输出文件不能是本次读取的输入文件，请换一个文件名")


def record_written(paths: list[Path]) -> None:
    """Note files written by this run, for the audit log."""
    recorder = _written.get()
    if recorder is not None:
        recorder.extend(paths)


def _is_special(target: Path) -> bool:
    """A device, FIFO or socket (also behind a symlink such as /dev/stdout): written through."""
    try:
        return not stat.S_ISREG(target.stat().st_mode) and not target.is_dir()
    except OSError:  # absent (or a dangling link): an ordinary new file
        return False


def _write_through(target: Path, data: bytes) -> None:
    """Write into an existing device or FIFO as a shell redirection would; never replace it."""
    try:
        handle = os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except OSError as exc:
        raise OutputError(f"{shown(target)}：无法写入（{os_reason(exc)}）") from exc


# What Windows says when Excel holds the file open (and what Linux says for read-only files).
_IN_USE = {errno.EACCES, errno.EPERM, errno.EBUSY, errno.ETXTBSY}


def _stage_and_replace(files: dict[Path, bytes]) -> None:
    mode = _default_file_mode()
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            handle, temporary_name = tempfile.mkstemp(
                prefix=f".{target.name[:50]}.", suffix=TEMP_SUFFIX, dir=target.parent
            )
            staged.append((Path(temporary_name), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary_name, mode)
        for temporary, target in staged:
            os.replace(temporary, target)
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else next(iter(files), "")
        hint = "；如文件已在 Excel/WPS 中打开，请先关闭" if exc.errno in _IN_USE else ""
        raise OutputError(f"{shown(where)}：无法写入输出文件（{os_reason(exc)}）{hint}") from exc
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files a killed run left behind (we hold the folder's lock, so none is live)."""
    for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)


def _default_file_mode() -> int:
    """The mode a plainly created file gets (0o666 less the umask); mkstemp would give 0o600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
