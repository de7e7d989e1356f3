"""Reading a file the user named, without being turned against: no FIFOs, devices or loops.

`open()` on a FIFO blocks until someone writes to it; `/dev/zero` never ends; a symlink loop
fails with an errno that reads like "file not found". Every input (spreadsheets, the profile,
templates, ledgers) is read through `read_regular_file`, which opens without blocking, checks
what the open descriptor really is, and reads at most a given number of bytes.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path

from mytool.errors import InputError

_KINDS = {
    stat.S_IFIFO: "命名管道（FIFO）",
    stat.S_IFCHR: "设备文件",
    stat.S_IFBLK: "设备文件",
    stat.S_IFSOCK: "套接字",
    stat.S_IFDIR: "文件夹",
}


def shown(path: str | Path) -> str:
    """A path as a person can read it: bytes that are not valid UTF-8 become "�".

    On Linux a file name from another system (GBK bytes) arrives as lone surrogates, which
    cannot be printed or encoded; the name still opens, only its display is replaced.
    """
    return os.fsencode(str(path)).decode("utf-8", "replace")


def open_error(path: str | Path, exc: OSError, what: str = "文件") -> str:
    """The Chinese reason an open failed, for a message that names `path`."""
    name = shown(Path(path).name) or shown(path)
    if exc.errno == errno.ELOOP:
        return f"{name}：符号链接循环（链接最终指向自己），无法读取{what}（{shown(path)}）"
    if exc.errno == errno.ENOENT:
        return f"{name}：{what}不存在（{shown(path)}）"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{name}：没有读取该{what}的权限（{shown(path)}）"
    if exc.errno == errno.EISDIR:
        return f"{name}：这是一个文件夹，不是{what}"
    if getattr(exc, "winerror", None) in (32, 33) or exc.errno in (errno.EBUSY, errno.ETXTBSY):
        return f"{name}：{what}正被其他程序打开（如 Excel、WPS），请关闭后再试（{shown(path)}）"
    return f"{name}：无法读取{what}（{os_reason(exc)}）"


def os_reason(exc: OSError) -> str:
    """The common OS errors in Chinese; the system's own words otherwise."""
    reasons = {
        errno.ENOSPC: "磁盘空间不足",
        getattr(errno, "EDQUOT", -1): "超出磁盘配额",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "只读文件系统",
        errno.EPIPE: "管道已关闭",
        errno.ENOENT: "文件夹不存在",
        errno.EEXIST: "同名文件已存在",
        errno.ENOTDIR: "路径中有同名文件，不是文件夹",
        errno.ELOOP: "符号链接循环",
        errno.EBUSY: "文件正被其他程序使用",
        errno.ETXTBSY: "文件正被其他程序使用",
        errno.EISDIR: "这是一个文件夹",
        errno.ENAMETOOLONG: "文件名太长",
        errno.EMFILE: "同时打开的文件太多",
    }
    if getattr(exc, "winerror", None) in (32, 33):  # sharing / lock violation on Windows
        return "文件正被其他程序打开（如 Excel、WPS），请关闭后再试"
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def read_regular_file(path: str | Path, *, limit: int, what: str = "文件") -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes; else `InputError`.

    The file is opened non-blocking (a FIFO would otherwise wait forever for a writer) and
    checked with fstat on the open descriptor, so it cannot be swapped between check and read.
    """
    name = shown(Path(path).name) or shown(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise InputError(open_error(path, exc, what)) from exc
    try:
        info = os.fstat(handle)
        kind = stat.S_IFMT(info.st_mode)
        if kind != stat.S_IFREG:
            described = _KINDS.get(kind, "特殊文件")
            raise InputError(f"{name}：这是{described}，不是普通{what}，已拒绝读取")
        if info.st_size > limit:
            raise InputError(
                f"{name}：{what}有 {_size_text(info.st_size)}，超出 {_size_text(limit)} 的限制，"
                "已拒绝读取"
            )
        # readall() sizes its buffer from fstat once: one copy of the file in memory, not two
        data = io.FileIO(handle, closefd=False).readall()
        if len(data) > limit:  # grew while we read it
            raise InputError(
                f"{name}：{what}超出 {_size_text(limit)} 的限制（读取时仍在变大），已拒绝读取"
            )
        return data
    except OSError as exc:
        raise InputError(open_error(path, exc, what)) from exc
    finally:
        os.close(handle)


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(size // 1024, 1)} KB" if size >= 1024 else f"{size} 字节"
