"""Check a zip-based workbook before any parser sees it: bombs, oversized ranges, bad cells.

Everything here streams through the archive with byte-level patterns, so a hostile file costs
little to refuse. Measured with python-calamine 0.9.1: one cell at XFD1048576 in a 5 KB file
makes it allocate ~550 GB and abort the interpreter; an archive expanding 1000-fold costs every
reader its uncompressed size in memory. Both are refused here, with the file and sheet named.

The scan also collects what the parsers silently lose: hidden rows, cells with a formula but no
cached value, cached errors such as #DIV/0! (calamine returns all of them as ""), and cells
formatted as a percentage (calamine gives 0.7853 where the office sees 78.53%).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from mytool.errors import InputError

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """What an input may cost. The defaults admit a 500k-row × 45-column questionnaire export."""

    max_file_bytes: int = 512 * MIB
    max_uncompressed: int = 4 * GIB
    max_ratio: float = 150.0  # uncompressed / compressed, for members over `ratio_floor`
    ratio_floor: int = 4 * MIB
    max_members: int = 5000
    max_cells: int = 40_000_000  # rows × columns of a sheet's used range
    memory_bytes: int = 3 * GIB  # address space of the isolated parser
    seconds: float = 300.0  # wall time of the isolated parser


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class SheetFacts:
    """What the scan saw in one sheet; rows and columns are zero-based."""

    hidden: bool = False
    hidden_rows: tuple[int, ...] = ()
    bad_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # "" = no cached value
    percent_cells: frozenset[tuple[int, int]] = frozenset()  # number format 0% / 0.00% …


@dataclass(frozen=True)
class ArchiveFacts:
    sheets: dict[str, SheetFacts]
    macros: bool = False


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_HIDDEN_ROW = re.compile(rb'<row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
# Cell references by column width: beyond AZ (rare, so found exactly), and AA–AZ. Without the
# "<c" prefix the patterns start with a literal, which the regex engine finds fast.
_FAR_COLUMN = re.compile(rb' r="([A-Z]{3}|[B-Z][A-Z])\d')
_A_COLUMN = re.compile(rb' r="(A[A-Z])\d')
# What a plain data sheet does not have: hidden rows, formulas, cached errors, merged ranges
# (looked for through `_Marks`, below).
_UNUSUAL_MARKS = (b'hidden="', b"<f>", b"<f ", b't="e"', b"<mergeCell")
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="(?:[A-Z]{1,3}\d+:)?([A-Z]{1,3})(\d+)"')
_ANY_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')
_ERROR_CELL = re.compile(rb'<c\b[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.DOTALL)
_FORMULA_CELL = re.compile(rb"<c\b([^>]*)>((?:(?!</c>).)*?<f\b(?:(?!</c>).)*?)</c>", re.DOTALL)
# Excel, WPS, LibreOffice and openpyxl write `<c r="B7"`: a plain prefix, double quotes, one
# space. XML allows more (single quotes, spaces around "=", any namespace prefix, a newline
# before an attribute, character references), and the parsers accept it. A chunk showing any of
# these marks is scanned with the tolerant patterns below, which read every reference.
_IRREGULAR_MARKS = (
    b"r='", b"r =", b"r\t", b"r\n", b"r\r", b"\nr=", b"\tr=", b"\rr=",
    b"ref='", b"ref =", b"\nref=", b"\tref=", b":row", b":c ", b":c\t", b":c\n", b":c\r",
    b":c>", b":c/", b":dimension", b":mergeCell",
)  # fmt: skip


class _Marks:
    """Literal marks, each looked for only in a chunk holding its gate: a byte it contains that
    plain sheet XML rarely has. `in` finds one byte at memory speed (memchr) but a mark of a few
    bytes ten times slower, so a chunk costs a pass per gate, not one per mark, and `found_in` is
    true exactly when some mark occurs in the chunk (a mark present means its gate is present).
    Marks holding none of the gates are looked for always, together in one pattern.
    """

    def __init__(self, marks: tuple[bytes, ...], gates: tuple[bytes, ...]) -> None:
        groups: dict[bytes, list[bytes]] = {}
        for mark in marks:
            gate = next((gate for gate in gates if gate in mark), b"")
            groups.setdefault(gate, []).append(mark)
        self.groups = tuple(
            (gate, re.compile(b"|".join(re.escape(mark) for mark in found)))
            for gate, found in groups.items()
        )

    def found_in(self, chunk: bytes) -> bool:
        return any(gate in chunk and pattern.search(chunk) for gate, pattern in self.groups)


_IRREGULAR = _Marks(_IRREGULAR_MARKS, (b"'", b"\t", b"\n", b"\r", b":"))
_UNUSUAL = _Marks(_UNUSUAL_MARKS, (b"h", b"f", b"g", b"e"))
_LOWER_REF = re.compile(rb' r="[a-z]')
# A character reference in a reference (r="&#65;1"). Not a mark of its own: openpyxl writes
# every non-ASCII character of a text cell as one, so "&#" alone would send every sheet with
# Chinese text written by openpyxl (every ledger) down the slow tolerant scan.
_ENTITY_IN_PLAIN_R = re.compile(rb' r="[^"]*&')
_ANY_R = re.compile(rb"""\br\s*=\s*(["'])\s*([A-Za-z]*)(\d*)\s*\1""")
_ENTITY_IN_R = re.compile(rb"""\br\s*=\s*(["'])[^"'>]*&""")
_ANY_REF_RANGE = re.compile(
    rb"""<(?:[\w.-]+:)?(?:dimension|mergeCell)\b[^>]*?\bref\s*=\s*(["'])\s*"""
    rb"""(?:[A-Za-z]{1,3}\d+:)?([A-Za-z]+)(\d+)"""
)
_CHUNK = 4 * MIB
_OVERLAP = 64 * KIB


def column_number(letters: bytes | str) -> int:
    """1-based column number of Excel column letters (A → 1, XFD → 16384)."""
    number = 0
    for letter in letters if isinstance(letters, str) else letters.decode("ascii"):
        number = number * 26 + ord(letter) - 64
    return number


def check_archive(archive: zipfile.ZipFile, name: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse zip bombs by the central directory alone, before anything is decompressed."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise InputError(
            f"{name}：压缩包内有 {len(members)} 个文件，超出限制，疑似恶意文件，已拒绝读取"
        )
    total = sum(member.file_size for member in members)
    if total > limits.max_uncompressed:
        raise InputError(
            f"{name}：解压后共 {total // MIB} MB，"
            f"超出 {limits.max_uncompressed // MIB} MB 的限制，已拒绝读取"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise InputError(
                f"{name}：压缩包成员 {member.filename} 压缩比 {ratio:.0f} 倍，"
                "疑似“压缩炸弹”，已拒绝读取"
            )
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(member) as stream:
                head = stream.read(64 * KIB)
            if _DTD.search(head):
                raise InputError(
                    f"{name}：{member.filename} 含有 DTD/实体声明（正常的电子表格没有），"
                    "疑似“实体炸弹”，已拒绝读取"
                )


def scan_xlsx(archive: zipfile.ZipFile, name: str, limits: Limits = DEFAULT_LIMITS) -> ArchiveFacts:
    """Check every worksheet's used range; collect hidden rows, formula/error and % cells."""
    check_archive(archive, name, limits)
    percent_styles = _percent_styles(archive)
    sheets = {}
    for sheet_name, path, hidden in _worksheets(archive, name):
        facts = _scan_sheet(archive, path, sheet_name, name, limits, percent_styles)
        sheets[sheet_name] = SheetFacts(
            hidden, tuple(facts.hidden_rows), facts.bad_cells, frozenset(facts.percent_cells)
        )
    return ArchiveFacts(sheets, has_macros(archive))


def has_macros(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook carries a VBA project (an .xlsm, or an .xlsx renamed from one)."""
    return any(m.filename.lower().endswith("vbaproject.bin") for m in archive.infolist())


def _worksheets(archive: zipfile.ZipFile, name: str) -> list[tuple[str, str, bool]]:
    """(sheet name, member path, hidden) of every worksheet, in workbook order."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise InputError(f"{name}：工作簿结构已损坏（{exc}）") from exc
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        targets[rel.get("Id")] = path
    found = []
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        path = targets.get(rel_id, "")
        if path in archive.namelist():
            found.append((sheet.get("name", ""), path, sheet.get("state", "visible") != "visible"))
    return found


@dataclass
class _Scan:
    max_row: int = 0
    max_column: int = 0
    hidden_rows: list[int] = field(default_factory=list)
    bad_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)


_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})  # 0% and 0.00%
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_STYLED_CELL = re.compile(rb'<c\b[^>]*?\bs="(\d+)"[^>]*>')
_TEXT_TYPE = re.compile(rb'\bt="(?:s|str|inlineStr|b|e)"')


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[bytes]:
    """Indices (as they appear in s="…") of the cell styles whose number format shows a %."""
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return frozenset()
    percent_formats = {str(number) for number in _BUILTIN_PERCENT_FORMATS}
    for element in styles.iter():
        if element.tag.endswith("}numFmt"):
            code = _QUOTED.sub("", element.get("formatCode", ""))
            if "%" in code:
                percent_formats.add(element.get("numFmtId", ""))
    found = set()
    for element in styles.iter():
        if element.tag.endswith("}cellXfs"):
            for index, xf in enumerate(x for x in element if x.tag.endswith("}xf")):
                if xf.get("numFmtId", "0") in percent_formats:
                    found.add(str(index).encode())
    return frozenset(found)


def _collect_percent_cells(chunk: bytes, scan: _Scan, styles: frozenset[bytes]) -> None:
    """Numeric cells of the chunk whose style shows a percentage."""
    if not any(b's="' + style + b'"' in chunk for style in styles):
        return
    for match in _STYLED_CELL.finditer(chunk):
        if match.group(1) in styles and not _TEXT_TYPE.search(match.group(0)):
            ref = _ANY_CELL_REF.search(match.group(0))
            if ref:
                scan.percent_cells.add((int(ref.group(2)) - 1, column_number(ref.group(1)) - 1))


def _chunks(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """The member in overlapping chunks, each cut after a closing tag so cells stay whole."""
    with archive.open(path) as stream:
        carry = b""
        while True:
            block = stream.read(_CHUNK)
            if not block:
                if carry:
                    yield carry
                return
            data = carry + block
            cut = data.rfind(b"</row>")
            cut = data.rfind(b">") if cut < 0 else cut + len(b"</row>")
            if cut <= 0 or len(data) - cut > _OVERLAP * 16:
                cut = len(data)
            yield data[:cut]
            carry = data[cut:]


# A formula's element ends so however it is spelled (a shared formula's cells refer to one
# that does); a cached error is a cell of type "e", spelled as the full pre-scan reads it.
_FORMULA_OR_ERROR = frozenset({b"</f>", b't="e"'})


def _mentioned(archive: zipfile.ZipFile, path: str, words: tuple[bytes, ...]) -> frozenset[bytes]:
    """Which of `words` the member's text holds: the cheap first look of a scan that usually
    finds nothing, at half the CPU of `_chunks` (no CRC, no copies to cut chunks at rows)."""
    tail = max(len(word) for word in words) - 1
    carry = b""  # the text's last `tail` bytes so far, however short the blocks were
    found: set[bytes] = set()
    for block in _inflated(archive, path):
        joint = carry + block[:tail]
        found.update(word for word in words if word in block or word in joint)
        if len(found) == len(words):
            break
        if tail:
            carry = block[-tail:] if len(block) >= tail else (carry + block)[-tail:]
    return frozenset(found)


_RAW_STEP = 64 * KIB  # compressed bytes inflated at a time: the output stays in reused memory


def _inflated(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """The member's text, block by block. A deflated member held in memory (as every admitted
    file is) is inflated straight from its bytes; any other is read through `zipfile`.

    Its CRC is not checked here: the parser reads the member too, and a damaged one fails there.
    """
    info = archive.getinfo(path)
    if isinstance(archive.fp, io.BytesIO):
        # getvalue(), not getbuffer(): a BytesIO made from bytes shares them until a buffer is
        # exported, and getbuffer() would copy the whole file first
        with memoryview(archive.fp.getvalue()) as whole:
            start = _data_start(whole, info)
            if start is not None:
                with whole[start : start + info.compress_size] as data:
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    for offset in range(0, len(data), _RAW_STEP):
                        yield inflater.decompress(data[offset : offset + _RAW_STEP])
                    yield inflater.flush()
                return
    with archive.open(info) as stream:
        while block := stream.read(_CHUNK):
            yield block


def _data_start(whole: memoryview, info: zipfile.ZipInfo) -> int | None:
    """Where a plainly deflated member's data begins, after its local header; None otherwise."""
    header = info.header_offset
    if (
        info.compress_type != zipfile.ZIP_DEFLATED
        or info.flag_bits & 0x1  # encrypted
        or bytes(whole[header : header + 4]) != b"PK\x03\x04"
    ):
        return None
    name_length, extra_length = struct.unpack("<HH", whole[header + 26 : header + 30])
    start = header + 30 + name_length + extra_length
    return start if start + info.compress_size <= len(whole) else None


def _scan_sheet(
    archive: zipfile.ZipFile,
    path: str,
    sheet: str,
    name: str,
    limits: Limits,
    percent_styles: frozenset[bytes] = frozenset(),
) -> _Scan:
    scan = _Scan()
    # Row numbers this long could break the limit even at 52 columns: read them all.
    long_row = re.compile(rb'<row\b[^>]*?\br="(\d{%d,})"' % len(str(limits.max_cells // 52)))
    for index, chunk in enumerate(_chunks(archive, path)):
        dimension = _DIMENSION.search(chunk) if index == 0 else None
        if dimension:  # the range the sheet declares
            columns, declared_rows = column_number(dimension.group(1)), int(dimension.group(2))
            _check_area(columns, declared_rows, sheet, name, limits, "声明的范围")
        last = _ROW_NUMBER.match(chunk, max(chunk.rfind(b"<row "), 0))
        rows = [int(n) for n in long_row.findall(chunk)] + ([int(last.group(1))] if last else [])
        if not last and b"<row>" in chunk:  # rows without numbers count in order
            rows.append(scan.max_row + chunk.count(b"<row>"))
        scan.max_row = max(scan.max_row, *rows, 0)
        if _irregular(chunk):
            _scan_tolerant(chunk, scan, sheet, name, limits, index == 0)
        if _FAR_COLUMN.search(chunk) or _UNUSUAL.found_in(chunk):
            _scan_unusual(chunk, scan, sheet, name, limits)
        else:
            scan.max_column = max(scan.max_column, 52 if _A_COLUMN.search(chunk) else 26)
        _check_area(scan.max_column, scan.max_row, sheet, name, limits, "已用区域")
        if percent_styles:
            _collect_percent_cells(chunk, scan, percent_styles)
    return scan


def _irregular(chunk: bytes) -> bool:
    return (
        _IRREGULAR.found_in(chunk)
        or bool(_LOWER_REF.search(chunk))
        or (b"&#" in chunk and bool(_ENTITY_IN_PLAIN_R.search(chunk)))
    )


def _scan_tolerant(
    chunk: bytes, scan: _Scan, sheet: str, name: str, limits: Limits, first: bool
) -> None:
    """Every reference of a chunk, in whatever spelling XML allows (see `_IRREGULAR_MARKS`)."""
    if _ENTITY_IN_R.search(chunk):
        raise InputError(
            f"{name}：工作表「{sheet}」的单元格地址中含字符引用（&#…;），"
            "不是 Excel/WPS 写出的格式，疑似恶意文件，已拒绝读取"
        )
    for match in _ANY_R.finditer(chunk):
        letters, digits = match.group(2), match.group(3)
        if len(letters) > 3 or len(digits) > 7:
            raise InputError(
                f"{name}：工作表「{sheet}」有无效的单元格地址"
                f"「{match.group(0)[:40].decode('utf-8', 'replace')}」，已拒绝读取"
            )
        if letters:
            scan.max_column = max(scan.max_column, column_number(letters.upper()))
        if digits:
            scan.max_row = max(scan.max_row, int(digits))
    for match in _ANY_REF_RANGE.finditer(chunk):
        columns, rows = column_number(match.group(2).upper()[:4]), int(match.group(3)[:8])
        what = "声明的范围" if b"dimension" in match.group(0) else "合并单元格"
        _check_area(columns, rows, sheet, name, limits, what)
    _check_area(scan.max_column, scan.max_row, sheet, name, limits, "已用区域")


def _scan_unusual(chunk: bytes, scan: _Scan, sheet: str, name: str, limits: Limits) -> None:
    """The detailed scan of a chunk that has far columns, hidden rows, formulas or merges."""
    numbers = [int(n) for n in _ROW_NUMBER.findall(chunk)]
    scan.max_row = max(scan.max_row, *numbers, 0)
    for row in _HIDDEN_ROW.finditer(chunk):
        number = _ROW_NUMBER.search(row.group(0))
        if number:
            scan.hidden_rows.append(int(number.group(1)) - 1)
    far = set(_FAR_COLUMN.findall(chunk))
    near = set(_A_COLUMN.findall(chunk))
    scan.max_column = max(scan.max_column, 26, *(column_number(c) for c in far | near))
    for merge in _MERGE.finditer(chunk):
        rows, columns = int(merge.group(4)), column_number(merge.group(3))
        _check_area(columns, rows, sheet, name, limits, "合并单元格")
    if b"<f" in chunk or b't="e"' in chunk:
        _collect_bad_cells(chunk, scan)


def _collect_bad_cells(chunk: bytes, scan: _Scan) -> None:
    for match in _ERROR_CELL.finditer(chunk):
        ref = _ANY_CELL_REF.search(match.group(0))
        if ref:
            key = (int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)
            scan.bad_cells[key] = match.group(1).decode("utf-8", "replace")
    for match in _FORMULA_CELL.finditer(chunk):
        if b"<v>" in match.group(2) or b"<v/>" in match.group(2) or b"<is>" in match.group(2):
            continue
        ref = _ANY_CELL_REF.search(match.group(1))
        if ref:
            scan.bad_cells[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = ""


def declared_ranges_fit(
    archive: zipfile.ZipFile, name: str, limits: Limits = DEFAULT_LIMITS
) -> bool:
    """Whether the head of every worksheet, where `<dimension>` stands, is plainly spelled and
    declares a range within `limits`: `scan_xlsx`'s first check of a sheet, without its rows.

    Raises `InputError` for a broken workbook structure, as `scan_xlsx` does.
    """
    for _, path, _ in _worksheets(archive, name):
        with archive.open(path) as stream:
            head = stream.read(_OVERLAP)
        if _irregular(head):
            return False
        dimension = _DIMENSION.search(head)
        if dimension:
            columns, rows = column_number(dimension.group(1)), int(dimension.group(2))
            if columns * rows > limits.max_cells:
                return False
    return True


# A row marked hidden, however the XML spells it (quotes, spaces, a namespace prefix), and a
# reference's row number: for the hidden-row scan of large exports, run only on chunks that
# contain "hidden" at all.
_ANY_HIDDEN_ROW = re.compile(
    rb"""<(?:[\w.-]+:)?row\b[^>]*?\bhidden\s*=\s*(["'])\s*(?:1|true)\s*\1[^>]*>"""
)
_ANY_ROW_NUMBER = re.compile(rb"""\br\s*=\s*(["'])\s*(\d+)\s*\1""")


def hidden_sheets_and_rows(archive: zipfile.ZipFile, name: str) -> ArchiveFacts | None:
    """Which worksheets are hidden, and which rows of each: the rows are streamed through
    (decompressing is the cost), only a chunk that mentions "hidden" is searched.

    None when a hidden row carries no number, or a sheet holds a formula or a cached error
    (calamine reads such a cell as empty): the full pre-scan, which counts rows and collects
    those cells, then tells.
    """
    facts = {}
    for sheet, path, hidden in _worksheets(archive, name):
        rows: list[int] = []
        seen = _mentioned(archive, path, (b"hidden", *_FORMULA_OR_ERROR))
        if seen & _FORMULA_OR_ERROR:
            return None
        for chunk in _chunks(archive, path) if b"hidden" in seen else ():
            if b"hidden" not in chunk:
                continue
            for row in _ANY_HIDDEN_ROW.finditer(chunk):
                number = _ANY_ROW_NUMBER.search(row.group(0))
                if number is None:
                    return None
                rows.append(int(number.group(2)) - 1)
        facts[sheet] = SheetFacts(hidden, tuple(rows))
    return ArchiveFacts(facts)


def check_used_area(columns: int, rows: int, sheet: str, name: str, limits: Limits) -> None:
    """Refuse a sheet whose cells, as a parser found them, span more than `limits.max_cells`."""
    _check_area(columns, rows, sheet, name, limits, "已用区域")


class RangeTooLarge(InputError):
    """A sheet's used range exceeds the limits of the reader asked for (see `Limits`)."""


def _check_area(columns: int, rows: int, sheet: str, name: str, limits: Limits, what: str) -> None:
    if columns * rows > limits.max_cells:
        raise RangeTooLarge(
            f"{name}：工作表「{sheet}」的{what}达到 {rows} 行 × {columns} 列，超出限制"
            f"（{limits.max_cells:,} 个单元格），已拒绝读取；请只保留数据区域后另存"
        )
