"""The views of `aggregate --drivers`: JSON and Markdown, and the notes and cells every view
shares (the terminal table is `mytool.render.drivers_terminal`, the quadrant chart
`mytool.render.drivers_chart`, the workbook sheet `mytool.render.drivers_xlsx`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mytool.analysis.drivers import (
    BONUS,
    COMPOSITE,
    KEEP,
    OVERALL,
    PRIORITY,
    SECONDARY,
    Driver,
    DriverSet,
)
from mytool.render.labels import score_text
from mytool.render.markdown import md_text, table

if TYPE_CHECKING:
    from mytool.analysis.aggregation import Aggregation

CHART_SUFFIX = "-驱动因素"
METHOD = "pearson-r"
INTERVAL = "fisher-z"
HEADINGS = ["序号", "大类", "小项", "重要性 r", "95%区间", "满意度", "象限", "回答数", "提示"]
QUADRANT_MEANINGS = {
    PRIORITY: "重要性高、满意度低：优先投入",
    KEEP: "重要性高、满意度高：保持现有水平",
    SECONDARY: "重要性低、满意度低：有余力再改进",
    BONUS: "重要性低、满意度高：不必追加投入",
}
YARDSTICKS = {
    OVERALL: "该小项得分与同一答卷“总体满意度”题得分的相关系数 r",
    COMPOSITE: "该小项得分与答卷人其余各小项加权综合分的相关系数 r（问卷没有总体满意度题；"
    "修正的题总相关）",
}


def method_note(scope: DriverSet) -> str:
    return (
        f"重要性：{YARDSTICKS[scope.yardstick]}；95% 区间用 Fisher z 变换，回答数少于 10 不给区间；"
        "相关不等于因果，彼此关联的小项会分享重要性。"
    )


def chart_paths(output: Path) -> tuple[Path, Path]:
    """Where the quadrant chart goes beside the file `output`: NAME-驱动因素.png / .svg."""
    stem = output.with_name(output.stem + CHART_SUFFIX)
    return stem.with_suffix(".png"), stem.with_suffix(".svg")


def split_note(scope: DriverSet) -> str:
    """How the quadrants are split, in words."""
    if scope.importance_split is None or scope.satisfaction_split is None:
        return "象限：有效小项不足，未划分。"
    return (
        f"象限分界线：重要性取各小项 r 的平均值 {scope.importance_split:.3f}，"
        f"满意度取各小项平均得分的平均值 {score_text(scope.satisfaction_split)}；"
        + "；".join(f"{name}＝{meaning}" for name, meaning in QUADRANT_MEANINGS.items())
        + "。"
    )


def scope_name(scope: DriverSet) -> str:
    return scope.unit or "全区"


# Machine output -------------------------------------------------------------------------------


def drivers_to_dict(result: Aggregation) -> dict | None:
    """The `drivers` key of `aggregate -f json` (None without --drivers)."""
    if not result.drivers:
        return None
    district, *units = result.drivers
    return {
        "method": METHOD,
        "yardstick": district.yardstick,
        "interval": INTERVAL,
        "district": _scope_dict(district),
        "units": [_scope_dict(scope) for scope in units],
    }


def _scope_dict(scope: DriverSet) -> dict:
    return {
        "unit": scope.unit,
        "respondents": scope.respondents,
        "low_sample": scope.low_sample,
        "importance_split": scope.importance_split,
        "satisfaction_split": scope.satisfaction_split,
        "items": [
            {
                "category": d.category,
                "item": d.item,
                "importance": d.importance,
                "ci95": list(d.ci95) if d.ci95 else None,
                "n": d.n,
                "satisfaction": d.satisfaction,
                "quadrant": d.quadrant,
                "low_sample": d.low_sample,
            }
            for d in scope.drivers
        ],
    }


# Cells shared by the human formats ------------------------------------------------------------


def driver_cells(number: int, driver: Driver, escape: Callable[[str], str] = str) -> list[str]:
    ci = driver.ci95
    return [
        str(number),
        escape(driver.category),
        escape(driver.item),
        "—" if driver.importance is None else f"{driver.importance:.3f}",
        f"{ci[0]:.3f}～{ci[1]:.3f}" if ci else "—",
        score_text(driver.satisfaction),
        driver.quadrant or "—",
        str(driver.n),
        "样本不足" if driver.low_sample else "",
    ]


def scope_title(scope: DriverSet) -> str:
    thin = "，样本不足" if scope.low_sample else ""
    return f"驱动因素：{scope_name(scope)}（{scope.respondents} 份答卷{thin}）"


# Markdown -------------------------------------------------------------------------------------


def drivers_markdown(result: Aggregation, chart: str | None) -> str:
    """The drivers section: district first (with the chart, when written), then each unit."""
    parts = ["## 驱动因素（重要性–满意度）", md_text(method_note(result.drivers[0]))]
    for index, scope in enumerate(result.drivers):
        parts.append(f"### {md_text(scope_title(scope).removeprefix('驱动因素：'))}")
        if index == 0 and chart:
            parts.append(f"![重要性–满意度象限图](<{chart}>)")
        rows = [driver_cells(n, d, md_text) for n, d in enumerate(scope.drivers, start=1)]
        parts += [table(HEADINGS, rows), md_text(split_note(scope))]
    return "\n\n".join(parts)
