"""`python -m mytool` and the `mytool` console script.

Ctrl-C is one Chinese line and exit 130 from the first instant: the command line (typer, rich)
is imported inside the guard, so an interrupt while it loads is no traceback either.
"""

import contextlib
import sys

INTERRUPTED = "已中断（Ctrl-C）：输出文件保持运行前的样子，没有写一半的文件。"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def main() -> None:
    try:
        from mytool.cli import main as run

        run()
    except KeyboardInterrupt:
        with contextlib.suppress(OSError, ValueError):
            print(INTERRUPTED, file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
