"""Read a spreadsheet export's sheets in the isolated child, straight into Arrow, and find the
export sheet there; pandas is never imported in the child.

The child (`mytool.reading.isolation`) reads one sheet at a time with fastexcel (calamine in
Rust, into an Arrow record batch) and looks at its first rows for an export's layout
(`find_export_layout`). It returns that sheet's batch and layout; the parent, which imports
pandas meanwhile on the other core (`mytool.reading.respondents`), wraps the batch in a
DataFrame without copying it. pandas is thus imported once per run, off the path the user
waits on.

How a file is guarded (`read_export_sheet`):

- The zip directory (bombs, entity declarations) is checked at the door, as for every file.
- A workbook of at most `FULL_SCAN_BYTES` unpacked is pre-scanned whole beside the child, as
  before (`mytool.reading.guard.scan_xlsx`), at little cost.
- A larger one gets the declared ranges of its sheets checked beside the child, not every cell
  reference: that scan cost more CPU than the rest of the run beyond the bare read. Instead the
  child gets an address-space allowance in proportion to the file (`read_limits`), so a cell
  placed far away makes calamine's allocation fail at once rather than fill gigabytes, and every
  sheet it read is held to `Limits.max_cells` by the cells calamine actually found.
- Whenever the child fails or a sheet is too large, the full pre-scan runs before anything is
  said, so an oversized file is refused with the very message the pre-scan gives.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

# Imported before the fork, as python_calamine is in mytool.reading.sources: the forked child
# would otherwise load the library (and pyarrow) anew on every read, with the parent waiting.
import fastexcel

from mytool.errors import InputError
from mytool.files import shown
from mytool.profile import Profile
from mytool.reading.exports import MAX_TITLE_ROWS, SAMPLE_ROWS, ExportLayout, find_export_layout
from mytool.reading.guard import (
    MIB,
    ArchiveFacts,
    Limits,
    check_used_area,
    declared_ranges_fit,
    hidden_sheets_and_rows,
)
from mytool.reading.isolation import ParserFailed, run_isolated
from mytool.reading.sources import Admission, deep_scan

if TYPE_CHECKING:
    import pyarrow as pa

# A workbook of up to this many bytes unpacked is pre-scanned whole (about 0.1 s of CPU).
FULL_SCAN_BYTES = 16 * MIB
# The child's address space beyond what it maps at the fork: fastexcel and pyarrow need about
# 300 MB to read a small file, and a 45-column export 2–2.5 bytes per unpacked byte on top.
READ_BASE_BYTES = 1024 * MIB
READ_BYTES_PER_BYTE = 8


@dataclass(frozen=True, eq=False)
class ExportSheet:
    """The export sheet of a workbook: its name, layout and cells (text; null where empty),
    and what the checks beside the child saw of the workbook (hidden sheets and rows)."""

    sheet: str
    layout: ExportLayout
    table: pa.RecordBatch
    facts: ArchiveFacts | None = None


def not_an_export(file: str, seen: list[str]) -> InputError:
    """Why no sheet of `file` is a questionnaire export (`seen`: the sheets looked at)."""
    return InputError(
        f"{file}：不是逐份答卷的问卷导出（已查看工作表：{'、'.join(seen)}）；"
        "需要一列街镇（表头含“街镇”“街道”或“镇”）和与测评口径小项对应的问题列。"
        f"已汇总好的测评结果请用 mytool rank {file}"
    )


def read_export_sheet(
    path: Path,
    admission: Admission,
    profile: Profile,
    limits: Limits,
    prepare: Callable[[], None] | None = None,
) -> ExportSheet:
    """The export sheet of the spreadsheet at `path`, read in an isolated child (see above);
    `prepare` runs in this process during the read (the caller's own imports, say)."""
    name = shown(path.name)
    unpacked = _unpacked_bytes(admission)
    seen: list[ArchiveFacts | None] = [None]

    def meanwhile() -> None:
        seen[0] = _checked(admission, name, limits, whole=unpacked <= FULL_SCAN_BYTES)
        if prepare:
            prepare()

    try:
        found = _read_isolated(path, profile, name, read_limits(limits, unpacked), meanwhile)
    except ParserFailed:
        seen[0] = deep_scan(admission, name, limits)  # an oversized file: the pre-scan's message
        if read_limits(limits, unpacked) == limits:
            raise
        # within every limit the pre-scan checks: read as before, with the whole allowance
        found = _read_isolated(path, profile, name, limits, None)
    except InputError:
        deep_scan(admission, name, limits)
        raise
    return replace(found, facts=seen[0])


def _checked(
    admission: Admission, name: str, limits: Limits, *, whole: bool
) -> ArchiveFacts | None:
    """Beside the child: the full pre-scan of a small workbook; of a large one the declared
    ranges (the full pre-scan then names any over the limits), the hidden sheets and the
    hidden rows (respondents there are counted, and the user is told, whatever the size)."""
    if whole or not _declared_ranges_fit(admission, name, limits):
        return deep_scan(admission, name, limits)
    if admission.format != "xlsx":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(admission.data)) as archive:
            facts = hidden_sheets_and_rows(archive, name)
    except Exception:  # a broken archive or member: the full pre-scan names the fault
        facts = None
    return facts if facts is not None else deep_scan(admission, name, limits)


def read_limits(limits: Limits, unpacked: int) -> Limits:
    """`limits` with the child's memory allowance cut to what a file of this size may need."""
    allowance = READ_BASE_BYTES + READ_BYTES_PER_BYTE * unpacked
    return replace(limits, memory_bytes=min(limits.memory_bytes, allowance))


def _read_isolated(
    path: Path, profile: Profile, name: str, limits: Limits, meanwhile: Callable[[], None] | None
) -> ExportSheet:
    arguments = (path, profile, name, limits)
    return run_isolated(
        first_export_sheet, *arguments, name=name, limits=limits, alongside=meanwhile
    )


def first_export_sheet(path: Path, profile: Profile, name: str, limits: Limits) -> ExportSheet:
    """In the child: each sheet into Arrow until one is an export; refused if none is.

    A sheet whose cells span more than `limits.max_cells` (rows × columns as read) is refused.
    """
    seen = []
    try:
        reader = fastexcel.read_excel(path)
        for sheet in reader.sheet_names:
            batch = reader.load_sheet(
                sheet, header_row=None, skip_rows=0, dtypes="string", eager=True
            )
            check_used_area(batch.num_columns, batch.num_rows, sheet, name, limits)
            layout = find_export_layout(_head_rows(batch), profile)
            if layout is not None:
                return ExportSheet(sheet, layout, batch)
            seen.append(sheet)
    except fastexcel.FastExcelError as exc:
        raise InputError(f"{name}：文件已损坏或不是有效的电子表格（{exc}）") from exc
    raise not_an_export(name, seen)


def _head_rows(batch: pa.RecordBatch) -> list[list[object]]:
    """The first rows of a sheet as Python values: text, None where empty."""
    head = batch.slice(0, MAX_TITLE_ROWS + SAMPLE_ROWS)
    columns = [column.to_pylist() for column in head.columns]
    return [list(values) for values in zip(*columns, strict=True)] or [[]] * head.num_rows


def _unpacked_bytes(admission: Admission) -> int:
    """What the file holds unpacked: its zip members' sizes, or its own size."""
    if not admission.data.startswith(b"PK"):
        return len(admission.data)
    with zipfile.ZipFile(io.BytesIO(admission.data)) as archive:
        return sum(member.file_size for member in archive.infolist())


def _declared_ranges_fit(admission: Admission, name: str, limits: Limits) -> bool:
    """False when a sheet of an xlsx file declares a range over the limits, is irregularly
    spelled, or cannot be looked at: the full pre-scan is then the one to tell."""
    if admission.format != "xlsx":
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(admission.data)) as archive:
            return declared_ranges_fit(archive, name, limits)
    except Exception:  # a broken archive or structure: the full pre-scan names the fault
        return False
