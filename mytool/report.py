"""The tidy table a score workbook becomes: one `Score` per (unit, measure, category, item).

Readers produce a `Report`; analysis reads only this, never the spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mytool.diagnostics import ERROR, WARNING, Issue
from mytool.errors import InputError

COMPOSITE = "composite"  # 综合满意度
CURRENT = "current"  # 现状感知评价
PROGRESS = "progress"  # 进步感知评价
CATEGORY = "category"  # 大类
ITEM = "item"  # 小项
CITY_RANK = "city_rank"  # rank among the city's units in a scope (郊区范围 …)


@dataclass(frozen=True)
class Score:
    unit: str
    measure: str
    value: float
    category: str = ""
    item: str = ""
    place: str = ""
    spelling: str = ""  # the unit as the row writes it ("九亭", "佘山度假区"), for messages


@dataclass(frozen=True)
class SheetUse:
    """How one sheet was read, for `validate`."""

    name: str
    layout: str  # "wide" | "long" | "skipped"
    header_rows: tuple[int, ...] = ()  # one-based row numbers
    unit_column: str = ""
    columns: tuple[str, ...] = ()  # what each used column was matched to
    note: str = ""


@dataclass(frozen=True)
class Report:
    source: str
    path: str
    format: str
    period: str | None
    period_origin: str
    scores: tuple[Score, ...]
    units: tuple[str, ...]
    unknown_units: tuple[str, ...] = ()
    reference_rows: tuple[str, ...] = ()
    sheets: tuple[SheetUse, ...] = ()
    city_scope: str = ""
    issues: tuple[Issue, ...] = field(default=())
    # The file's own category weights (a 权重 row): (category, weight), and the cells they fill.
    weights: tuple[tuple[str, float], ...] = ()
    weights_place: str = ""

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == WARNING)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.category for s in self.scores if s.category))

    @property
    def items(self) -> tuple[tuple[str, str], ...]:
        return tuple(dict.fromkeys((s.category, s.item) for s in self.scores if s.item))

    def raise_for_errors(self, limit: int = 10) -> None:
        """Refuse a report whose scores cannot be trusted (bad numbers, conflicting duplicates)."""
        if not self.errors:
            return
        lines = [issue.located() for issue in self.errors[:limit]]
        more = len(self.errors) - limit
        if more > 0:
            lines.append(f"……另有 {more} 处")
        raise InputError(
            f"{self.source}：有 {len(self.errors)} 处数据问题，无法排名：\n  "
            + "\n  ".join(lines)
            + f"\n运行 mytool validate {self.source} 查看全部问题"
        )
