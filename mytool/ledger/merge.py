"""`ledger merge`: fold returned copies back into the master, by ID, in the editable columns only.

How an edit is told from a stale value: every copy made by `ledger split` carries a very hidden
sheet (分发快照) with its editable cells as they were when it went out. For each editable cell of
a returned row:

- returned value = snapshot value → the returner did not touch it; nothing happens;
- otherwise it is an edit. It goes into the master unless
  - it is invalid (a status not in the list, a date that is not a date), or it empties a cell
    that had text — then it is held;
  - another returned copy gives the same cell a different value — a conflict;
  - the master cell differs from the snapshot (someone changed the master since the copy went
    out) and from the edit — a conflict.
A copy without a snapshot (a hand-made table) may only fill master cells that are empty; an edit
of a filled cell is a conflict. Conflicts and held values never change the master: the master
keeps its value and everything typed is listed in its 冲突 and 未导入 sheets, so nothing is lost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from mytool.analysis.ledger.columns import (
    COLUMNS,
    DEADLINE,
    EDITABLE_COLUMNS,
    FIXED_COLUMNS,
    ID,
    Value,
    cell_text,
    parse_value,
    value_text,
)
from mytool.analysis.ledger.model import Entry
from mytool.ledger.workbook import ColumnNote, LedgerFile, SheetRow, ledger_from_file

RETURNS_DIFFER = "returns-differ"
MASTER_CHANGED = "master-changed"
NO_SNAPSHOT = "no-snapshot"
CONFLICT_SHEET = "冲突"
HELD_SHEET = "未导入"
WHOLE_ROW = "整行"


@dataclass(frozen=True)
class Proposal:
    """An edit found in a returned copy; `base` is the snapshot text (None: no snapshot)."""

    file: str
    place: str
    id: str
    column: str
    value: Value
    base: str | None


@dataclass(frozen=True)
class Conflict:
    """A master cell left as it was because the returns disagree or the master moved on."""

    id: str
    column: str
    master: str
    kind: str
    proposals: tuple[Proposal, ...]


@dataclass(frozen=True)
class Held:
    """Something typed in a returned copy that did not go into the master, and why."""

    file: str
    place: str
    id: str
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class Change:
    id: str
    column: str
    old: Value
    new: Value


@dataclass
class FileReport:
    """What one returned copy brought: counts, and every finding with its cell."""

    file: str
    has_snapshot: bool
    rows: int = 0
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    held_rows: list[str] = field(default_factory=list)
    unknown_ids: list[tuple[str, str]] = field(default_factory=list)  # (id, place)
    deleted: list[str] = field(default_factory=list)
    columns: list[ColumnNote] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    deadline_changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class MergeResult:
    reports: tuple[FileReport, ...]
    changes: tuple[Change, ...]
    conflicts: tuple[Conflict, ...]
    held: tuple[Held, ...]

    @property
    def has_problems(self) -> bool:
        return bool(self.conflicts or self.held or any(r.unknown_ids for r in self.reports))


def merge_returns(master: LedgerFile, returns: list[LedgerFile]) -> MergeResult:
    """Decide every returned edit against the master; nothing is written here."""
    entries = {e.id: e for e in ledger_from_file(master).entries}
    reports = []
    proposals: dict[tuple[str, str], list[Proposal]] = defaultdict(list)
    rows_of: dict[tuple[str, str], list[Proposal]] = defaultdict(list)
    for copy in returns:
        report = FileReport(copy.name, copy.snapshot is not None, columns=list(copy.notes))
        reports.append(report)
        seen = set()
        for row in copy.rows:
            entry_id = cell_text(row.cells.get(ID))
            report.rows += 1
            if entry_id not in entries:
                _hold_row(copy, row, entry_id, report)
                continue
            seen.add(entry_id)
            for proposal in _row_edits(copy, row, entries[entry_id], master, report):
                proposals[(entry_id, proposal.column)].append(proposal)
                rows_of[(copy.name, entry_id)].append(proposal)
        if copy.snapshot is not None:
            report.deleted = [i for i in copy.snapshot.values if i not in seen and i in entries]
    changes, conflicts, applied = _decide(proposals, entries)
    for report in reports:
        for conflict in conflicts:
            if any(p.file == report.file for p in conflict.proposals):
                report.conflicts.append(conflict)
        _count_rows(report, rows_of, applied, changes)
    held = tuple(h for r in reports for h in r.held)
    return MergeResult(tuple(reports), tuple(changes), tuple(conflicts), held)


def _row_edits(
    copy: LedgerFile, row: SheetRow, entry: Entry, master: LedgerFile, report: FileReport
) -> list[Proposal]:
    """The edits of one returned row; invalid, emptied and fixed-column edits are held."""
    base_values = copy.snapshot.values.get(entry.id) if copy.snapshot else None
    edits = []
    for column in FIXED_COLUMNS[1:]:
        if column in row.cells and _flat(row.cells[column]) != _flat(entry.text(column)):
            report.held.append(
                Held(
                    copy.name,
                    copy.place(column, row.number),
                    entry.id,
                    column,
                    cell_text(row.cells[column]),
                    f"「{column}」是分发时的原始信息，不从回收表导入",
                )
            )
    for column in EDITABLE_COLUMNS:
        if column not in row.cells:
            continue
        value, problem = parse_value(column, row.cells[column])
        text = value_text(value)
        base = base_values.get(column, "") if base_values is not None else None
        if text == (base if base is not None else entry.text(column)):
            continue
        place = copy.place(column, row.number)
        reason = problem
        if reason is None and not text:
            reason = f"清空了原有内容「{base or entry.text(column)}」；如确需清空，请在总台账中修改"
        if reason is None and column not in master.columns:
            reason = f"总台账中没有「{column}」列"
        if reason:
            report.held.append(Held(copy.name, place, entry.id, column, text, reason))
            continue
        edits.append(Proposal(copy.name, place, entry.id, column, value, base))
    for header, raw in row.extras.items():
        report.held.append(
            Held(
                copy.name,
                f"{copy.sheet}!{header}列第{row.number}行",
                entry.id,
                header,
                cell_text(raw),
                f"「{header}」不是台账的列",
            )
        )
    return edits


def _hold_row(copy: LedgerFile, row: SheetRow, entry_id: str, report: FileReport) -> None:
    """A row whose ID is empty or not in the master: kept whole in 未导入."""
    typed = "；".join(
        f"{column}：{text}" for column in COLUMNS[1:] if (text := cell_text(row.cells.get(column)))
    )
    place = copy.place(ID, row.number)
    if entry_id:
        report.unknown_ids.append((entry_id, place))
        reason = f"编号 {entry_id} 不在总台账中"
    else:
        reason = "这一行没有编号（新加的行？），未导入"
    report.held.append(Held(copy.name, place, entry_id, WHOLE_ROW, typed, reason))


def _decide(
    proposals: dict[tuple[str, str], list[Proposal]], entries: dict[str, Entry]
) -> tuple[list[Change], list[Conflict], set[int]]:
    changes: list[Change] = []
    conflicts: list[Conflict] = []
    applied: set[int] = set()
    for (entry_id, column), found in proposals.items():
        current = entries[entry_id].values.get(column)
        master_text = value_text(current)
        kind = None
        if len({value_text(p.value) for p in found}) > 1:
            kind = RETURNS_DIFFER
        elif value_text(found[0].value) == master_text:
            continue
        elif any(p.base is None for p in found) and master_text:
            kind = NO_SNAPSHOT
        elif any(p.base is not None and p.base != master_text for p in found):
            kind = MASTER_CHANGED
        if kind:
            conflicts.append(Conflict(entry_id, column, master_text, kind, tuple(found)))
            continue
        changes.append(Change(entry_id, column, current, found[0].value))
        applied.update(id(p) for p in found)
    return changes, conflicts, applied


def _count_rows(
    report: FileReport,
    rows_of: dict[tuple[str, str], list[Proposal]],
    applied: set[int],
    changes: list[Change],
) -> None:
    held_ids = {h.id for h in report.held if h.id and h.column != WHOLE_ROW}
    held_ids |= {c.id for c in report.conflicts}
    known = {i for (file, i) in rows_of if file == report.file} | held_ids
    for entry_id in sorted(known):
        edits = rows_of.get((report.file, entry_id), [])
        if any(id(p) in applied for p in edits):
            report.updated.append(entry_id)
        elif entry_id in held_ids:
            report.held_rows.append(entry_id)
    unknown = {i for i, _ in report.unknown_ids}
    counted = len(report.updated) + len(report.held_rows)
    report.unchanged = report.rows - counted - len(unknown) - _rows_without_id(report)
    mine = {(p.id, p.column) for edits in rows_of.values() for p in edits if p.file == report.file}
    report.deadline_changes = [
        c for c in changes if c.column == DEADLINE and (c.id, c.column) in mine
    ]


def _rows_without_id(report: FileReport) -> int:
    return sum(1 for h in report.held if not h.id and h.column == WHOLE_ROW)


def _flat(value: object) -> str:
    return " ".join(cell_text(value).split())
