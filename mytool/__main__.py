"""`python -m mytool` and the `mytool` console script.

Ctrl-C is one Chinese line and exit 130 from the first instant: the command line (typer, rich)
is imported inside the guard, so an interrupt while it loads is no traceback either.
"""

import contextlib
import gc
import os
import signal
import sys
from collections.abc import Callable

from mytool.errors import missing_dependency

INTERRUPTED = "已中断（Ctrl-C）：输出文件保持运行前的样子，没有写一半的文件。"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
# Cycle collection every 50,000 new containers instead of Python's 700: a run's start-up
# (imports, dataclasses) allocates enough for ~45 collections that free nothing, ~10 ms of
# `rank` and ~20 ms of `ledger status`. Collection still runs, as often as a large file needs.
GC_THRESHOLD = 50_000


def main() -> None:
    try:  # everything inside the guard: a Ctrl-C at any instant is the line and 130
        gc.set_threshold(GC_THRESHOLD)
        # NumPy's OpenBLAS starts a thread per core when it loads, which spins for about 0.1 s
        # of CPU before it sleeps, while the reader's child wants that core; mytool's matrix
        # work is a few products over answer columns. A setting of the user's own is kept.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        _command_line()()
    except KeyboardInterrupt:
        with contextlib.suppress(OSError, ValueError):
            print(INTERRUPTED, file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        # The run is over and its outputs are whole: a Ctrl-C from here on would only race the
        # interpreter's exit (and kill it by the signal, no line, no 130), so it is ignored.
        with contextlib.suppress(ValueError):  # not the main thread
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Nor does anything left need the cycle collector: every file is written and closed.
        # Frozen, the objects of the run (pandas, a large export's frames) are not traversed
        # once more by the collection at the interpreter's exit: 0.25 s of a 100k-row aggregate.
        gc.freeze()


def _command_line() -> Callable[[], None]:
    """The command line's entry; without typer or rich installed, one line and exit 6 (what
    the command line says of every other missing package) instead of a traceback."""
    try:
        from mytool.cli import main as run  # inside the guards: typer and rich load here
    except ModuleNotFoundError as exc:
        missing = missing_dependency(exc)
        if missing is None:
            raise
        print(f"错误：{missing.message}", file=sys.stderr)
        sys.exit(missing.exit_code)
    return run


if __name__ == "__main__":
    main()
