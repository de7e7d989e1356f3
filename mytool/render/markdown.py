"""Markdown output of `mytool rank`: GFM tables with input text escaped."""

from __future__ import annotations

import re

from mytool.analysis.ranking import Ranking
from mytool.render.labels import flag_text, rank_text, score_text, source_note
from mytool.render.wording import period_text

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LEADING_MARK = re.compile(r"^([#+\-=>!])")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
_AUTOLINK = re.compile(r"(?i)(:)(//)|(www)(\.)")


def md_text(text: object) -> str:
    """Escape text from input files so it cannot break a table, add links or start a heading.

    Line breaks become spaces; table pipes, emphasis, brackets and HTML are escaped; a leading
    "#", "-", "1." cannot start a block; "http://" and "www." cannot become autolinks.
    """
    flat = " ".join(str(text).split())
    escaped = _SPECIAL.sub(r"\\\1", flat)
    escaped = _LEADING_MARK.sub(r"\\\1", escaped)
    escaped = _LEADING_NUMBER.sub(r"\1\\\2", escaped)
    return _AUTOLINK.sub(lambda m: "\\".join(g for g in m.groups() if g), escaped)


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def ranking_markdown(ranking: Ranking) -> str:
    period = period_text(ranking.period) or "期次未知"
    unit_rows = [
        [
            rank_text(u.rank, u.tied),
            md_text(u.unit),
            score_text(u.score),
            u.grade,
            flag_text(u, ranking.bottom_n) if u.flagged else "",
            "、".join(md_text(c) for c in u.weakest_categories),
        ]
        for u in ranking.units
    ]
    category_rows = [
        [
            rank_text(c.rank, c.tied),
            md_text(c.category),
            score_text(c.score),
            md_text(c.department) or "—",
            "、".join(md_text(u) for u in c.weakest_units),
        ]
        for c in ranking.categories
    ]
    parts = [
        f"# {period} 街镇排名",
        f"来源：{md_text(ranking.source)}。"
        f"{md_text(source_note(ranking.score_source, ranking.weights_place))}。",
        table(["排名", "街镇", "综合得分", "等级", "标记", "最弱大类"], unit_rows),
        "## 大类排名",
        table(["排名", "大类", "全区得分", "牵头部门", "最弱街镇"], category_rows),
    ]
    return "\n\n".join(parts) + "\n"
