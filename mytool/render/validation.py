"""What `mytool validate` prints: what was read, and every problem with its place."""

from __future__ import annotations

from mytool.diagnostics import ERROR, INFO, WARNING
from mytool.reading.period import period_label
from mytool.report import Report

_SEVERITY = {ERROR: "错误", WARNING: "警告", INFO: "说明"}
_LAYOUT = {
    "wide": "宽表（每行一个街镇）",
    "long": "长表（街镇、大类、小项、得分）",
    "transposed": "转置表（每列一个街镇）",
    "skipped": "未使用",
    "respondents": "逐份答卷（问卷导出，已汇总为街镇得分）",
}
_FORMATS = {
    "xlsx": "Excel 工作簿 (.xlsx/.xlsm)",
    "xls": "Excel 97-2003 (.xls)",
    "ods": "OpenDocument (.ods)",
    "csv": "CSV 文本",
}


def validation_dict(*reports: Report) -> dict:
    """JSON shape of `mytool validate --format json`.

    One report: what was read from it. Several (a workbook with a sheet per half-year): the
    file, its `periods`, and one such object per period under `reports`.
    """
    if len(reports) > 1:
        first = reports[0]
        return {
            "source": first.source,
            "format": first.format,
            "period": None,
            "periods": [_period_entry(r) for r in reports],
            "valid": not any(r.errors or r.warnings for r in reports),
            "reports": [_report_dict(r) for r in reports],
        }
    return _report_dict(reports[0])


def _period_entry(report: Report) -> dict:
    return {"period": report.period, "sheets": _score_sheets(report)}


def _score_sheets(report: Report) -> list[str]:
    return [s.name for s in report.sheets if s.layout != "skipped"]


def _report_dict(report: Report) -> dict:
    return {
        "source": report.source,
        "format": report.format,
        "period": report.period,
        "period_origin": report.period_origin or None,
        "periods": [_period_entry(report)],
        "valid": not (report.errors or report.warnings),
        "sheets": [
            {
                "name": s.name,
                "layout": s.layout,
                "header_rows": list(s.header_rows),
                "unit_column": s.unit_column or None,
                "columns": list(s.columns),
                "note": s.note or None,
            }
            for s in report.sheets
        ],
        "units": list(report.units),
        "unknown_units": list(report.unknown_units),
        "categories": list(report.categories),
        "items": [f"{c}/{i}" for c, i in report.items],
        "reference_rows": list(report.reference_rows),
        "issues": [{**i.as_dict(report.source), "place": i.place or None} for i in report.issues],
    }


def validation_text(*reports: Report) -> str:
    """What `mytool validate` prints; a workbook with a sheet per half-year lists its periods,
    then each period's reading."""
    if len(reports) == 1:
        return _report_text(reports[0])
    first = reports[0]
    lines = [
        f"文件：{first.source}",
        f"含 {len(reports)} 期测评结果（每期一个工作表）：",
    ]
    for report in reports:
        sheets = "、".join(f"「{name}」" for name in _score_sheets(report))
        label = period_label(report.period or "")
        lines.append(f"  - {report.period}（{label}）：工作表{sheets}")
    latest = reports[-1].period
    lines.append(
        f"rank、brief 需用 --period（如 --period {latest}）或 --sheet 选择一期；"
        f"compare、trend 直接读这个文件即为多期。"
    )
    parts = ["\n".join(lines) + "\n"]
    for report in reports:
        label = period_label(report.period or "")
        parts.append(f"\n== {report.period}（{label}）==\n" + _report_text(report))
    return "".join(parts)


def _report_text(report: Report) -> str:
    lines = [
        f"文件：{report.source}",
        f"格式：{_FORMATS.get(report.format, report.format)}",
        f"期次：{report.period}（来自{report.period_origin}）" if report.period else "期次：未识别",
        "工作表：",
    ]
    for sheet in report.sheets:
        detail = _LAYOUT.get(sheet.layout, sheet.layout)
        if sheet.layout == "transposed":
            detail += f"；{sheet.note}；读取 {len(sheet.columns)} 行"  # 第3行=综合满意度 …
        elif sheet.layout != "skipped":
            rows = "、".join(str(r) for r in sheet.header_rows) or "无"
            detail += (
                f"；表头第 {rows} 行；街镇列 {sheet.unit_column}；读取 {len(sheet.columns)} 列"
            )
            detail += f"；{sheet.note}" if sheet.note else ""
        elif sheet.note:
            detail += f"（{sheet.note}）"
        lines.append(f"  - {sheet.name}：{detail}")
    lines.append(f"街镇（{len(report.units)} 个）：{'、'.join(report.units)}")
    categories = report.categories
    lines.append(f"大类（{len(categories)} 个）：{'、'.join(categories) or '无'}")
    lines.append(f"小项：{len(report.items)} 个")
    if report.reference_rows:
        lines.append(f"已跳过的参考行：{'、'.join(report.reference_rows)}")
    problems = [i for i in report.issues if i.severity in (ERROR, WARNING)]
    notes = [i for i in report.issues if i.severity == INFO]
    if problems:
        lines.append(f"发现 {len(problems)} 个问题：")
        lines += [f"  [{_SEVERITY[i.severity]}] {i.located()}" for i in problems]
    else:
        lines.append("未发现问题。")
    lines += [f"  [说明] {i.located()}" for i in notes]
    return "\n".join(lines) + "\n"
