"""Run a parser in a child process with memory and time limits, so its crash is not ours.

A native parser can abort the whole interpreter (an allocation failure in Rust is not an
exception). In a forked child that only kills the child; the parent turns it into a clean
message. Where fork is unavailable (Windows) the parser runs in-process, after the pre-scan.

What the child needs is made ready in the parent before the fork (ctypes and the C library
handle for the parent-death signal): a forked child pays for every page it writes, so the same
import takes it several times longer than the parent, and the parent waits for it.
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from mytool.errors import InputError, MytoolError
from mytool.reading.guard import Limits

T = TypeVar("T")


def run_isolated(
    function: Callable[..., T],
    *args: Any,
    name: str,
    limits: Limits,
    alongside: Callable[[], object] | None = None,
) -> T:
    """`function(*args)` in a forked child limited to `limits`; its result or its MytoolError.

    `alongside` runs in this process meanwhile (a pre-scan on the second core); if it raises,
    the child is stopped and its exception is the outcome.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        if alongside:
            alongside()
        return function(*args)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    _c_library()  # loaded before the fork, so the child does not load it again
    child = context.Process(
        target=_child,
        args=(sender, receiver, os.getpid(), function, args, limits),
        daemon=True,
        name="mytool-reader",
    )
    child.start()
    sender.close()
    try:
        if alongside:
            alongside()
        if not receiver.poll(limits.seconds):
            raise InputError(
                f"{name}：读取超过 {limits.seconds:.0f} 秒仍未完成，已停止；文件可能过大或已损坏"
            )
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            status, payload = "crashed", None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status == "ok":
        return payload
    if status == "error":
        raise payload
    if status == "memory":
        raise InputError(
            f"{name}：读取所需内存超过 {limits.memory_bytes // (1024 * 1024)} MB 的限制，已停止；"
            "文件可能含超大区域或已损坏"
        )
    if status == "bug":
        raise RuntimeError(f"读取 {name} 时程序出错：\n{payload}")
    raise InputError(
        f"{name}：解析程序读取该文件时崩溃（退出码 {child.exitcode}），文件可能已损坏或含超大区域；"
        "请在 Excel/WPS 中打开后另存一份再试"
    )


def _child(
    sender: Any,
    receiver: Any,
    parent: int,
    function: Callable[..., Any],
    args: tuple,
    limits: Limits,
) -> None:
    receiver.close()  # the parent's end: holding it would keep the pipe open after a crash
    _die_with(parent)
    _silence_stderr()
    _limit_resources(limits)
    try:
        result: tuple[str, Any] = ("ok", function(*args))
    except MytoolError as exc:
        result = ("error", exc)
    except MemoryError:
        result = ("memory", None)
    except Exception:  # a bug in our parser code: report it, do not disguise it as bad input
        result = ("bug", traceback.format_exc())
    try:
        sender.send(result)
    except MemoryError:
        sender.send(("memory", None))
    finally:
        sender.close()
    os._exit(0)


def _die_with(parent: int) -> None:
    """Ask Linux to kill this child when its parent dies (say, under `timeout`, by SIGTERM).

    Without it a parser stuck in native code would outlive the run forever. The parent may
    already be gone by the time the request is made: then leave at once.
    """
    libc = _c_library()
    try:
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except AttributeError:  # not Linux: the time limit still ends the child
        pass
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1


@functools.cache
def _c_library() -> ctypes.CDLL | None:
    """The process's C library (for prctl), or None where it cannot be loaded."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _silence_stderr() -> None:
    """A native crash prints a backtrace on stderr; the user gets our message instead."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except (OSError, ValueError):
        pass


def _limit_resources(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    # The allowance comes on top of what the forked child already maps: a long-lived parent
    # (a test runner, a library caller with thread arenas and pools) can map gigabytes it never
    # touches, and a bare cap would then refuse even loading the parser's shared library.
    wanted = _mapped_bytes() + limits.memory_bytes
    ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _mapped_bytes() -> int:
    """This process's virtual size (Linux /proc); 0 where it cannot be known."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
