"""街道 and 镇 blocks: split side-by-side blocks apart, and tell a block's label row.

Offices often lay the 6 streets and the 11 towns out as two blocks. Stacked one under the
other, each may sit under a label row ("街道" / "镇", often merged across the table) and end
with a subtotal (街道平均, 镇小计); the label row must not be read as a header level, or every
column becomes "建(构)筑物/街道" and the published composite is lost. Side by side, the same
headers repeat to the right; each block is read on its own and the scores joined.
"""

from __future__ import annotations

import re

from mytool.profile import Profile
from mytool.reading.names import names_of
from mytool.text import normalize, strip_numbering

_NOTE = re.compile(r"\([^()]*\)")
_KIND_AFFIXES = ("各", "部分", "类", "组", "片区", "名单", "排名", "得分")


def kind_word(text: object, profile: Profile) -> str | None:
    """The unit kind a label names ("一、街道（6个）" → "街道", "镇部分" → "镇"), or None."""
    word = _NOTE.sub("", strip_numbering(normalize(text))).rstrip(":")
    kinds = {unit.kind for unit in profile.units if unit.kind}
    for affix in _KIND_AFFIXES:
        if word.startswith(affix) and word[len(affix) :] in kinds:
            return word[len(affix) :]
        if word.endswith(affix) and word[: -len(affix)] in kinds:
            return word[: -len(affix)]
    return word if word in kinds else None


def is_block_label(row: list[object], profile: Profile) -> bool:
    """A row holding nothing but one unit-kind label, such as a merged "街道" above a block."""
    texts = {normalize(cell) for cell in row if is_text(cell)}
    if len(texts) != 1 or any(isinstance(cell, int | float) for cell in row):
        return False
    return kind_word(next(iter(texts)), profile) is not None


def side_by_side(
    grid: list[list[object]], hits: list[list[bool]], profile: Profile
) -> list[tuple[int, int]] | None:
    """Column ranges [start, end) of blocks laid side by side, or None for a single table.

    Blocks are told by their unit columns: two or more columns naming different units of the
    profile (a column repeating the same units, such as names at both ends, is no new block).
    A column left of a unit column (序号) belongs to its block when the first block has one too.
    """
    columns = list(zip(*hits, strict=True)) if hits else []
    named: list[tuple[int, set[str]]] = []
    for col, column in enumerate(columns):
        if sum(column) < 2:
            continue
        units = {
            unit
            for r, hit in enumerate(column)
            if hit and (unit := names_of(profile).canonical_unit(grid[r][col])) is not None
        }
        if named and units & set().union(*(u for _, u in named)):
            continue
        named.append((col, units))
    if len(named) < 2:
        return None
    starts = [col for col, _ in named]
    left_edge = min((c for row in grid for c, cell in enumerate(row) if is_text(cell)), default=0)
    lead = max(0, starts[0] - left_edge)
    bounds = [starts[0] - lead]
    for col in starts[1:]:
        block_lead = lead if _same_leading(grid, starts[0], col, lead) else 0
        bounds.append(max(bounds[-1] + 1, col - block_lead))
    width = len(grid[0]) if grid else 0
    return [
        (start, bounds[i + 1] if i + 1 < len(bounds) else width) for i, start in enumerate(bounds)
    ]


def _same_leading(grid: list[list[object]], first: int, other: int, lead: int) -> bool:
    """True when the `lead` columns before `other` hold what those before `first` hold."""
    if lead == 0 or other - lead < 0:
        return False
    for offset in range(1, lead + 1):
        mine = [normalize(row[first - offset]) for row in grid]
        theirs = [normalize(row[other - offset]) for row in grid]
        header_words = {w for w in mine if w and not _is_number(w)}
        if not header_words or not header_words & set(theirs):
            return False
    return True


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).isdigit()


def is_text(cell: object) -> bool:
    return isinstance(cell, str) and bool(cell.strip())


def masked(grid: list[list[object]], start: int, end: int) -> list[list[object]]:
    """The grid with every column outside [start, end) emptied; positions are unchanged."""
    return [["" if not start <= c < end else cell for c, cell in enumerate(row)] for row in grid]
