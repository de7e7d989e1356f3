"""The report `ledger merge` prints: per returned copy, then conflicts, then what was written."""

from __future__ import annotations

from mytool.analysis.ledger.columns import value_text
from mytool.ledger.merge import (
    CONFLICT_SHEET,
    HELD_SHEET,
    RETURNS_DIFFER,
    WHOLE_ROW,
    Conflict,
    FileReport,
)
from mytool.ledger.merge_files import CONFLICT_REASONS, MergeOutcome


def merge_report(outcome: MergeOutcome) -> str:
    result = outcome.result
    lines = [line for report in result.reports for line in _file_lines(report)]
    if result.conflicts:
        lines.append(
            f"冲突 {len(result.conflicts)} 处（总台账保留原值，详见「{CONFLICT_SHEET}」工作表）："
        )
        lines += [f"  {_conflict_line(c)}" for c in result.conflicts]
    lines.append(
        f"合计：写入总台账 {len(result.changes)} 个单元格；冲突 {len(result.conflicts)} 处；"
        f"未导入 {len(result.held)} 项（记入「{HELD_SHEET}」工作表）。"
    )
    if outcome.written is None:
        lines.append("总台账没有需要改动的内容，未改写。")
    elif outcome.owner_file is not None:
        lines.append(
            f"总台账正在 Excel/WPS 中打开（{outcome.owner_file.name}），未改动；"
            f"合并结果已写入 {outcome.written}，请关闭总台账后用它替换"
        )
    else:
        lines.append(f"已备份原总台账：{outcome.backup}")
        lines.append(f"已更新总台账：{outcome.written}")
    return "\n".join(lines) + "\n"


def _file_lines(report: FileReport) -> list[str]:
    snapshot = "" if report.has_snapshot else "，没有分发快照：只填入总台账中为空的单元格"
    lines = [
        f"回收表 {report.file}：共 {report.rows} 行；更新 {len(report.updated)} 行，"
        f"未改动 {report.unchanged} 行，有改动但未导入 {len(report.held_rows)} 行"
        f"，冲突 {len(report.conflicts)} 处{snapshot}"
    ]
    for note in report.columns:
        if note.kind == "renamed":
            shown = f"「{note.header}」" if note.header else "空白"
            lines.append(
                f"  列「{note.column}」的表头被改成了{shown}（{note.place}），"
                f"已按{note.matched_by}对应"
            )
        elif note.kind == "missing":
            lines.append(f"  缺少列「{note.column}」，该列未导入")
        else:
            lines.append(f"  多出的列「{note.column}」（{note.place}）不是台账的列，内容记入未导入")
    if report.deleted:
        lines.append(
            f"  回收表中删除了 {len(report.deleted)} 行（总台账保留）：{'、'.join(report.deleted)}"
        )
    for entry_id, place in report.unknown_ids:
        lines.append(f"  编号 {entry_id} 不在总台账中（{place}），整行未导入")
    for held in report.held:
        if held.column != WHOLE_ROW:
            lines.append(f"  未导入 {held.place}（{held.id} {held.column}）：{held.reason}")
        elif not held.id:
            lines.append(f"  未导入 {held.place}：{held.reason}")
    for change in report.deadline_changes:
        old = value_text(change.old) or "空"
        lines.append(f"  完成时限修改：{change.id} {old} → {value_text(change.new)}")
    return lines


def _conflict_line(conflict: Conflict) -> str:
    given = "；".join(f"{p.file} {p.place} 填「{value_text(p.value)}」" for p in conflict.proposals)
    reason = (
        "两份回收表填写不一致"
        if conflict.kind == RETURNS_DIFFER
        else CONFLICT_REASONS[conflict.kind]
    )
    return (
        f"{conflict.id}「{conflict.column}」：{reason}：{given}；"
        f"总台账保留「{conflict.master or '空'}」"
    )
