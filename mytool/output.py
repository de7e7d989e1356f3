"""Write output files atomically: a temporary file in the same folder, flushed, then renamed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mytool.errors import OutputError


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` so that readers see the old file or the whole new one, never half."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}：无法写入输出文件（{exc.strerror or exc}）") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(
            f"{target}：无法写入输出文件（{exc.strerror or exc}）；"
            "如文件已在 Excel/WPS 中打开，请先关闭"
        ) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | Path, text: str, *, bom: bool = False) -> Path:
    """Write UTF-8 text atomically (with a BOM when Excel must open it, e.g. CSV files)."""
    data = text.encode("utf-8-sig" if bom else "utf-8")
    return write_bytes_atomic(path, data)
