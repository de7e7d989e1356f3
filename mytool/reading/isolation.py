"""Run a parser in a child process with memory and time limits, so its crash is not ours.

A native parser can abort the whole interpreter (an allocation failure in Rust is not an
exception). In a forked child that only kills the child; the parent turns it into a clean
message. Where fork is unavailable (Windows) the parser runs in-process, after the pre-scan.

What the child needs is made ready in the parent before the fork (ctypes and the C library
handle for the parent-death signal): a forked child pays for every page it writes, so the same
import takes it several times longer than the parent, and the parent waits for it.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import functools
import mmap
import os
import pickle
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO, NoReturn, TypeVar, cast

try:
    import resource
except ImportError:  # not on Windows: the child is not forked there anyway
    resource = None  # type: ignore[assignment]

from mytool.errors import InputError, MytoolError, missing_dependency
from mytool.reading.guard import Limits

T = TypeVar("T")


class ParserFailed(InputError):
    """The parser ran out of its memory allowance or crashed: the file may be oversized."""


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
    if not hasattr(os, "fork"):
        if alongside:
            alongside()
        return function(*args)
    _c_library()  # loaded before the fork, so the child does not load it again
    receiving, sending = os.pipe()
    shared = _shared_file()
    parent = os.getpid()
    child = os.fork()
    if child == 0:  # the child: it never returns (os._exit)
        os.close(receiving)
        _child(sending, shared, parent, function, args, limits)
    os.close(sending)
    with open(receiving, "rb") as results:
        try:
            status, payload = _outcome(results, shared, child, name, limits, alongside)
        finally:
            exit_code = _ended(child)
            if shared is not None:
                os.close(shared)  # what was mapped from it stays mapped
    return _result(status, payload, name, limits, exit_code)


def _outcome(
    results: BinaryIO,
    shared: int | None,
    child: int,
    name: str,
    limits: Limits,
    alongside: Callable[[], object] | None,
) -> tuple[str, Any]:
    """What the child sent: (status, payload), ("crashed", None) when it died first."""
    try:
        if alongside:
            alongside()
        poller = select.poll()  # not select(): a long-lived caller's descriptors may pass 1024
        poller.register(results, select.POLLIN)
        ready = poller.poll(limits.seconds * 1000)
    except BaseException:
        _stop(child)
        raise
    if not ready:
        _stop(child)
        raise InputError(
            f"{name}：读取超过 {limits.seconds:.0f} 秒仍未完成，已停止；文件可能过大或已损坏"
        )
    try:
        spans = pickle.load(results)
        mapped = memoryview(_map(shared, spans[-1][0] + spans[-1][1] if spans else 0))
        parts = [mapped[offset : offset + size] for offset, size in spans]
        return cast("tuple[str, Any]", pickle.load(results, buffers=parts))
    except (EOFError, OSError, pickle.UnpicklingError, ValueError, TypeError, IndexError):
        return "crashed", None


def _stop(child: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, signal.SIGKILL)


def _ended(child: int) -> int:
    """The child's exit code once it is gone (-N: killed by signal N), as multiprocessing
    reports it; a child still running after sending its result is stopped."""
    done, status = os.waitpid(child, os.WNOHANG)
    if not done:
        deadline = time.monotonic() + 5
        while not done and time.monotonic() < deadline:
            time.sleep(0.001)
            done, status = os.waitpid(child, os.WNOHANG)
        if not done:
            _stop(child)
            _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def _result(status: str, payload: Any, name: str, limits: Limits, exit_code: int) -> Any:
    if status == "ok":
        return payload
    if status == "error":
        raise payload
    if status == "memory":
        raise ParserFailed(
            f"{name}：读取所需内存超过 {limits.memory_bytes // (1024 * 1024)} MB 的限制，已停止；"
            "文件可能含超大区域或已损坏"
        )
    if status == "bug":
        raise RuntimeError(f"读取 {name} 时程序出错：\n{payload}")
    raise ParserFailed(
        f"{name}：解析程序读取该文件时崩溃（退出码 {exit_code}），文件可能已损坏或含超大区域；"
        "请在 Excel/WPS 中打开后另存一份再试"
    )


def _child(
    sending: int,
    shared: int | None,
    parent: int,
    function: Callable[..., Any],
    args: tuple,
    limits: Limits,
) -> NoReturn:
    """The forked child: run `function`, send the outcome, leave without running the parent's
    exit handlers or flushing its buffers (os._exit), whatever happens."""
    try:
        _die_with(parent)
        _silence_stderr()
        _limit_resources(limits)
        try:
            result: tuple[str, Any] = ("ok", function(*args))
        except MytoolError as exc:
            result = ("error", exc)
        except MemoryError:
            result = ("memory", None)
        except Exception as exc:  # a bug in our parser code: report it, not as bad input…
            missing = missing_dependency(exc)  # …unless a package it imports is not installed
            result = ("error", missing) if missing else ("bug", traceback.format_exc())
        try:  # pickled whole before anything is sent, so a failure leaves no half message
            spans, message = _message(result, shared)
        except MemoryError:
            spans, message = [], pickle.dumps(("memory", None))
        with open(sending, "wb") as results:
            results.write(pickle.dumps(spans))
            results.write(message)
    finally:
        os._exit(0)


# The result's large binary parts (Arrow buffers, NumPy arrays) are pickled out of band and
# written once to an anonymous shared file (Linux memfd) that the parent maps copy-on-write: a
# 59 MB sheet took 0.2 s through the pipe, 0.04 s this way. Small results go through the pipe.
_SHARED_FROM = 1024 * 1024  # bytes of binary parts
_ALIGNMENT = 64  # Arrow's buffer alignment


def _shared_file() -> int | None:
    memfd_create = getattr(os, "memfd_create", None)
    try:
        return memfd_create("mytool-reader") if memfd_create else None
    except OSError:
        return None


def _message(result: tuple[str, Any], shared: int | None) -> tuple[list[tuple[int, int]], bytes]:
    """In the child: (offset, size) of each part written to the shared file, and the pickle
    that refers to them (it holds them itself where they are small or cannot be shared)."""
    parts: list[pickle.PickleBuffer] = []
    head = pickle.dumps(result, protocol=5, buffer_callback=parts.append)
    spans, offset = [], 0
    for part in parts:
        offset = -(-offset // _ALIGNMENT) * _ALIGNMENT
        spans.append((offset, memoryview(part).nbytes))
        offset += spans[-1][1]
    if not parts:
        return [], head
    if shared is None or offset < _SHARED_FROM or not _written(shared, parts, spans):
        return [], pickle.dumps(result, protocol=5)
    return spans, head


def _written(shared: int, parts: list[pickle.PickleBuffer], spans: list[tuple[int, int]]) -> bool:
    try:
        for part, (offset, _) in zip(parts, spans, strict=True):
            data = part.raw()
            while data:
                done = os.pwrite(shared, data, offset)
                data, offset = data[done:], offset + done
    except (BufferError, OSError):  # a part not contiguous, or no room: through the pipe
        return False
    return True


def _map(shared: int | None, length: int) -> mmap.mmap | bytes:
    if shared is None or length == 0:
        return b""
    return mmap.mmap(shared, length, access=mmap.ACCESS_COPY)  # writable, copied if written


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
    """A native crash prints a backtrace on stderr; the user gets our message instead. Python's
    fault handler (PYTHONFAULTHANDLER, -X faulthandler, pytest) writes to a copy of stderr of
    its own, so it is switched off too."""
    faulthandler.disable()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except (OSError, ValueError):
        pass


def _limit_resources(limits: Limits) -> None:
    if resource is None:
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
