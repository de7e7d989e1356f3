"""The console a run writes to: never fail on its encoding.

On Chinese Windows a redirected stdout is GBK (`mytool rank x.xlsx > 结果.txt`), and GBK has
no ⚑ or −. Instead of failing, a character the stream cannot encode is written as the nearest
one it can (⚑ → *, ▲ → ↑ → +, − → -, box drawing → ASCII), else "?". The error handler is
registered and put on stdout and stderr by the console entry (`prepare_streams`), never at
import.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import sys
import unicodedata

ERRORS = "mytool-degrade"

# Each character's stand-ins, best first; the first the stream can encode is written.
_STAND_INS: dict[str, tuple[str, ...]] = {
    "⚑": ("*",),
    "▲": ("↑", "+"),
    "▼": ("↓", "-"),
    "↑": ("+",),
    "↓": ("-",),
    "↗": ("↑", "+"),
    "↘": ("↓", "-"),
    "→": ("->",),
    "−": ("-",),
    "–": ("-",),
    "—": ("-",),
    "≈": ("~",),
    "≥": (">=",),
    "≤": ("<=",),
    "±": ("+/-",),
    "×": ("x",),
    "…": ("...",),
    "·": (".",),
    "•": ("·", "*"),
    "✓": ("√", "v"),
    "✗": ("×", "x"),
    "†": ("+",),
    "‡": ("++",),
    "\ufffd": ("?",),
    "“": ('"',),
    "”": ('"',),
    "‘": ("'",),
    "’": ("'",),
    "（": ("(",),
    "）": (")",),
    "，": (",",),
    "：": (":",),
    "；": (";",),
    "、": (",",),
    "。": (".",),
}


def _box_stand_in(char: str) -> str | None:
    """Box drawing and block elements as ASCII (rich draws tables with them)."""
    code = ord(char)
    if 0x2500 <= code <= 0x257F:
        name = unicodedata.name(char, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "=" if "DOUBLE" in name else "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name and "AND" not in name:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # ▁▂▃▄▅▆▇█ sparklines
        return "_.-=+*#@"[min(7, max(0, code - 0x2581))] if code >= 0x2581 else "#"
    return None


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def stand_in(char: str, encoding: str) -> str:
    """What to write for `char`, which `encoding` cannot encode."""
    candidates = list(_STAND_INS.get(char, ()))
    box = _box_stand_in(char)
    if box:
        candidates.append(box)
    folded = unicodedata.normalize("NFKD", char)
    if folded != char:
        candidates.append(folded)
    for candidate in candidates:
        if _encodes(candidate, encoding):
            return candidate
    return "?"


def degrade(error: UnicodeError) -> tuple[str, int]:
    """The codecs error handler: stand-ins for the characters that could not be encoded."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    failed = error.object[error.start : error.end]
    return "".join(stand_in(char, error.encoding) for char in failed), error.end


def register() -> None:
    """Make the error handler known to codecs (idempotent)."""
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, degrade)


def prepare_streams() -> None:
    """stdout and stderr degrade what their encoding cannot hold instead of failing."""
    register()
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors=ERRORS)


def degraded(text: str, encoding: str | None) -> str:
    """`text` as it will appear on a stream in `encoding` (for measuring and tests)."""
    if not encoding:
        return text
    register()
    try:
        return text.encode(encoding, ERRORS).decode(encoding)
    except LookupError:
        return text
