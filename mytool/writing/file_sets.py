"""Replace the set of files a run writes into a folder in one step: the old set or the new one,
never a mix, even when the run is killed half-way.

Renaming files one by one cannot promise that. Instead the new set is written into a fresh
folder beside the target, together with hard links to everything else in the target (the
user's own files), and the two folders are swapped with one atomic `renameat2(RENAME_EXCHANGE)`.
What a killed run leaves beside the target is finished or removed by the next run, before it
does anything else (`_recover`).

A manifest (`.mytool-files.json`-style, name chosen by the caller) records each file the tool
wrote with its SHA-256. It is a claim, not an order: a listed file is dropped from the folder
only while it still has the recorded content; plain names only, never a path.

Where the swap is not available (Windows, macOS, a file system without it) the files are
replaced one by one, each atomically, as before.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import itertools
import json
import os
import secrets
import shutil
from contextlib import ExitStack
from pathlib import Path

from mytool.errors import OutputError
from mytool.files import os_reason, shown
from mytool.writing.locking import folder_lock
from mytool.writing.output import (
    record_written,
    refuse_input_target,
    safe_file_name,
    write_files_atomic,
)

MARKER = ".mytool-generation"
_NEW = ".mytool-new-"
_MANIFEST_LIMIT = 1024 * 1024


def replace_file_set(folder: Path, files: dict[str, bytes], manifest: str) -> list[Path]:
    """Make `files` (plain names → content) the tool's files in `folder`, all or none.

    Files an earlier run listed in `manifest`, and that still hold what it wrote, are removed
    when they are not part of the new set; every other file in the folder is kept.
    """
    folder = Path(os.path.abspath(folder))
    if folder.is_symlink():
        folder = folder.resolve()
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{shown(folder)}：输出位置已有同名文件，不是文件夹")
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{shown(parent)}：无法写入输出文件夹（{os_reason(exc)}）") from exc
    for name in files:
        refuse_input_target(folder / name)
    with folder_lock(parent), ExitStack() as locks:
        if folder.is_dir():  # single-file writers lock the folder itself
            locks.enter_context(folder_lock(folder))
        _recover(folder, manifest)
        entries = dict(files)
        entries[manifest] = _manifest_bytes(files)
        if _swappable(folder, manifest):
            written = _swap_in(folder, entries, manifest)
        else:
            written = _replace_one_by_one(folder, entries, manifest)
    return [path for path in written if path.name != manifest]


def _manifest_bytes(files: dict[str, bytes]) -> bytes:
    listing = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    return json.dumps({"files": listing}, ensure_ascii=False, indent=1).encode("utf-8")


def owned_files(folder: Path, manifest: str) -> set[str]:
    """Names the manifest in `folder` lists whose content is still what the tool wrote."""
    claims = _claims(folder / manifest)
    owned = set()
    for name, digest in claims.items():
        path = folder / name
        try:
            if path.is_symlink() or not path.is_file():
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                owned.add(name)
        except OSError:
            continue
    return owned


def _claims(path: Path) -> dict[str, str]:
    """name → SHA-256 from a manifest; anything malformed, foreign or path-like is ignored."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _MANIFEST_LIMIT:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    listing = data.get("files") if isinstance(data, dict) else None
    if not isinstance(listing, dict):  # an old manifest without hashes claims nothing
        return {}
    return {
        name: digest
        for name, digest in listing.items()
        if isinstance(name, str)
        and isinstance(digest, str)
        and name == safe_file_name(name)
        and name not in (path.name, MARKER)
        and os.path.basename(name) == name
    }


# --------------------------------------------------------------------------------------------
# The swap


MAX_KEPT_ENTRIES = 500  # a folder with more of other people's files is not swapped whole


def _swappable(folder: Path, manifest: str) -> bool:
    """Whether `folder` may be swapped whole: Linux, and a folder that is the tool's own.

    Swapping replaces the folder's inode, so it is kept to folders this tool made: absent, or
    holding its manifest, no subfolders and a modest number of other files. A user's home, the
    working folder, a mount point or a folder of projects is written file by file instead.
    """
    if _renameat2() is None:
        return False
    if not folder.exists():
        return True
    cwd = Path.cwd().resolve()
    if folder == cwd or folder in cwd.parents or folder == Path.home().resolve():
        return False
    if os.path.ismount(folder) or not _is_plain_file(folder / manifest):
        return False
    with os.scandir(folder) as scan:
        entries = list(itertools.islice(scan, MAX_KEPT_ENTRIES + 1))
    if len(entries) > MAX_KEPT_ENTRIES:
        return False
    return not any(entry.is_dir(follow_symlinks=False) for entry in entries)


def _is_plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _swap_in(folder: Path, entries: dict[str, bytes], manifest: str) -> list[Path]:
    token = secrets.token_hex(8)
    staging = folder.parent / f"{_NEW}{_folder_key(folder)}-{token}"
    try:
        staging.mkdir()
    except OSError:  # the parent is not ours to write in: fall back to the folder itself
        return _replace_one_by_one(folder, entries, manifest)
    try:
        _write_new(staging / MARKER, token.encode("ascii"))
        for name, data in entries.items():
            _write_new(staging / name, data)
        later = _link_kept_entries(folder, staging, entries, manifest) if folder.exists() else []
        _flush_staging(staging, [MARKER, *entries])
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{shown(folder)}：无法写入输出文件（{os_reason(exc)}）") from exc
    if folder.exists():
        if not _exchange(staging, folder):
            shutil.rmtree(staging, ignore_errors=True)
            return _replace_one_by_one(folder, entries, manifest)
        _fsync_folder(folder.parent)
        if _carry_over(staging, folder, manifest, later):
            shutil.rmtree(staging, ignore_errors=True)
    else:
        os.rename(staging, folder)
        _fsync_folder(folder.parent)
    written = [folder / name for name in entries]
    record_written(written)
    return written


def _link_kept_entries(
    folder: Path, staging: Path, entries: dict[str, bytes], manifest: str
) -> list[str]:
    """Hard-link the folder's other files into the new set; return what must move later."""
    stale = owned_files(folder, manifest)
    later = []
    with os.scandir(folder) as scan:
        for entry in scan:
            name = entry.name
            if name in entries or name in stale or name in (manifest, MARKER):
                continue
            if entry.is_dir(follow_symlinks=False):
                later.append(name)
                continue
            try:
                os.link(entry.path, staging / name, follow_symlinks=False)
            except OSError:
                later.append(name)
    return later


def _carry_over(old: Path, folder: Path, manifest: str, names: list[str] | None = None) -> bool:
    """Move what the old set held and the new one lacks (folders, unlinkable files) back in.

    False when something could not be moved: the old folder must then be kept, not removed,
    so nobody's file is lost (the next run tries again).
    """
    stale = owned_files(old, manifest)
    complete = True
    with os.scandir(old) as scan:
        for entry in scan:
            name = entry.name
            if names is not None and name not in names:
                continue
            if name in stale or name in (manifest, MARKER) or os.path.lexists(folder / name):
                continue
            try:
                os.rename(entry.path, folder / name)
            except OSError:
                complete = False
    return complete


def _recover(folder: Path, manifest: str) -> None:
    """Finish or undo what a killed run left beside `folder` (we hold the locks)."""
    current = _read_marker(folder)
    for leftover in folder.parent.glob(f"{_NEW}{_folder_key(folder)}-*"):
        if leftover.is_symlink() or not leftover.is_dir():
            continue
        token = leftover.name.rsplit("-", 1)[-1]
        if current == token and not _carry_over(leftover, folder, manifest):
            continue  # swapped in before the kill, and something of the old set is still there
        shutil.rmtree(leftover, ignore_errors=True)


def _read_marker(folder: Path) -> str | None:
    try:
        path = folder / MARKER
        if path.is_symlink():
            return None
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _folder_key(folder: Path) -> str:
    return hashlib.sha256(os.fsencode(folder.name)).hexdigest()[:10]


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data`, not yet synced (`_flush_staging` does that for the set)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags, 0o666)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)


def _flush_staging(staging: Path, names: list[str]) -> None:
    """Put the staged set on disk before it is swapped in, so that after a crash or a power
    cut the folder holds the old set or the whole new one, never empty new files.

    One `syncfs` of the file system writes every staged file and the folder in one pass; an
    `fsync` per file forces a journal commit each, and cost ~0.5 s for the ~80 files of
    `brief --all`. (A killed process needs neither: the swap is atomic and the kernel keeps
    what was written.) Where `syncfs` is missing or fails, each file is synced as before.
    """
    handle = os.open(staging, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if not _syncfs(handle):
            for name in names:
                _fsync_file(staging / name)
        os.fsync(handle)  # the folder's entries (already on disk after a syncfs: costs nothing)
    finally:
        os.close(handle)


def _syncfs(handle: int) -> bool:
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError, TypeError):  # not glibc/Linux
        return False
    return bool(function(handle) == 0)


def _fsync_file(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> object | None:
    if not hasattr(os, "fork"):  # not a POSIX system with renameat2
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    return getattr(libc, "renameat2", None)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False when this system or file system cannot."""
    function = _renameat2()
    if function is None:
        return False
    result = function(  # type: ignore[operator]
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV, errno.EBUSY, errno.EPERM):
        return False
    raise OutputError(f"{shown(second)}：无法替换输出文件夹（{os.strerror(code)}）")


# --------------------------------------------------------------------------------------------
# The fallback: one file at a time


def _replace_one_by_one(folder: Path, entries: dict[str, bytes], manifest: str) -> list[Path]:
    stale = owned_files(folder, manifest) if folder.exists() else set()
    written = write_files_atomic({folder / name: data for name, data in entries.items()})
    for name in stale - set(entries):
        target = folder / name
        if not target.is_symlink() and target.is_file():
            target.unlink(missing_ok=True)
    return written
