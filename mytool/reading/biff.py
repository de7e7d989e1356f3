"""Find cached error values (#DIV/0!, #N/A …) in an Excel 97–2003 (.xls) workbook.

python-calamine returns an error cell of an .xls file as an empty string, so a score of
#DIV/0! would silently become "no value". This reads just enough of the file to see them: the
OLE2 compound file's sector chains to get the "Workbook" stream, then its BIFF8 records —
BOUNDSHEET for sheet names, FORMULA and BOOLERR for cells whose value is an error.

It never refuses a file: anything it cannot follow yields no findings, and the parser decides.
"""

from __future__ import annotations

import struct

_END_OF_CHAIN = 0xFFFFFFFE
_BOUNDSHEET = 0x0085
_BOF = 0x0809
_EOF = 0x000A
_FORMULA = 0x0006
_BOOLERR = 0x0205
ERROR_CODES = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


class _Unreadable(Exception):
    """The compound file or its records do not follow the format; report nothing."""


def xls_error_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name → {(row, col): "#DIV/0!" …} for every cell holding a cached error."""
    try:
        stream = _workbook_stream(data)
        return _errors_by_sheet(stream)
    except (_Unreadable, struct.error, IndexError, UnicodeDecodeError, ValueError):
        return {}


def _workbook_stream(data: bytes) -> bytes:
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    if sector_size not in (512, 4096):
        raise _Unreadable
    (first_directory,) = struct.unpack_from("<I", data, 0x30)
    cutoff, first_mini_fat = struct.unpack_from("<II", data, 0x38)
    first_difat, difat_count = struct.unpack_from("<II", data, 0x44)
    sectors = (len(data) - 512) // sector_size

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise _Unreadable
        start = (number + 1) * sector_size
        return data[start : start + sector_size]

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < sectors]
    next_difat, per_sector = first_difat, sector_size // 4 - 1
    for _ in range(min(difat_count, sectors)):
        if next_difat >= sectors:
            break
        entries = struct.unpack(f"<{per_sector + 1}I", sector(next_difat))
        fat_sectors += [s for s in entries[:per_sector] if s < sectors]
        next_difat = entries[per_sector]
    fat = [n for s in fat_sectors for n in struct.unpack(f"<{sector_size // 4}I", sector(s))]

    def chain(start: int) -> bytes:
        parts, seen = [], set()
        while start != _END_OF_CHAIN:
            if start in seen or start >= len(fat):
                raise _Unreadable
            seen.add(start)
            parts.append(sector(start))
            start = fat[start]
        return b"".join(parts)

    directory = chain(first_directory)
    root_start = struct.unpack_from("<I", directory, 0x74)[0]
    for offset in range(0, len(directory), 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[: max(length - 2, 0)].decode("utf-16-le", "replace")
        if entry[0x42] == 2 and name in ("Workbook", "Book"):
            start, size = struct.unpack_from("<II", entry, 0x74)
            if size >= cutoff:
                return chain(start)[:size]
            return _mini_stream_chain(chain(root_start), chain(first_mini_fat), start, mini_size)[
                :size
            ]
    raise _Unreadable


def _mini_stream_chain(mini_stream: bytes, mini_fat_bytes: bytes, start: int, size: int) -> bytes:
    """A small stream kept in the mini stream, followed through the mini FAT."""
    mini_fat = struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes)
    parts: list[bytes] = []
    number = start
    while number != _END_OF_CHAIN:
        if number >= len(mini_fat) or len(parts) > len(mini_fat):
            raise _Unreadable
        parts.append(mini_stream[number * size : (number + 1) * size])
        number = mini_fat[number]
    return b"".join(parts)


def _errors_by_sheet(stream: bytes) -> dict[str, dict[tuple[int, int], str]]:
    sheets: dict[int, str] = {}
    position = 0
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        if kind == _BOUNDSHEET and len(body) >= 8:
            sheets[struct.unpack_from("<I", body, 0)[0]] = _sheet_name(body[6:])
        if kind == _EOF:  # end of the workbook globals
            break
        position += 4 + size
    found: dict[str, dict[tuple[int, int], str]] = {}
    for start, name in sheets.items():
        errors = _sheet_errors(stream, start)
        if errors:
            found[name] = errors
    return found


def _sheet_name(data: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString: length, a flag for two-byte characters, the characters."""
    length, wide = data[0], data[1] & 1
    text = data[2 : 2 + length * (2 if wide else 1)]
    return text.decode("utf-16-le") if wide else text.decode("latin-1")


def _sheet_errors(stream: bytes, position: int) -> dict[tuple[int, int], str]:
    errors: dict[tuple[int, int], str] = {}
    if stream[position : position + 2] != struct.pack("<H", _BOF):
        return errors
    while position + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + size]
        if kind == _EOF:
            break
        if kind == _FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
            row, col = struct.unpack_from("<HH", body, 0)
            errors[(row, col)] = ERROR_CODES.get(body[8], "#ERROR")
        elif kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
            row, col = struct.unpack_from("<HH", body, 0)
            errors[(row, col)] = ERROR_CODES.get(body[6], "#ERROR")
        position += 4 + size
    return errors
