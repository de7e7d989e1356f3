"""Tables as plain text, laid out exactly as rich lays them out, without importing rich.

`mytool rank` is the command analysts script (cron, `> 排名.txt`, a pipe into another tool):
there nothing is coloured, and rich's import and table layout cost more than reading the
workbook. A view that has a `Table` model prints it here when the output is plain text and
hands the same model to rich on a terminal, so both read alike. The rules copied are rich's
(15.x, `rich.table.Table` with its default HEAVY_HEAD box, `overflow="fold"`): column widths
from the widest cell, the widest wrappable columns shrunk first when the table is too wide,
text broken between words and folded by character cells, header cells aligned to the bottom.
`tests/test_text_table.py` compares the two on the samples and on generated tables.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Justify = Literal["left", "right", "center"]

# rich's boxes as rows of four characters: left, horizontal, divider, right.
_HEAVY_HEAD = ("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "└─┴┘")
_ASCII = ("+--+", "| ||", "|-+|", "| ||", "+--+")
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")


@dataclass(frozen=True)
class Table:
    """What a table shows: a title, (heading, justify) per column and rows of cell text."""

    title: str
    columns: tuple[tuple[str, Justify], ...]
    rows: tuple[tuple[str, ...], ...]


def char_width(char: str) -> int:
    """Terminal cells a character takes: 2 for wide (CJK) forms, 0 for marks and controls."""
    code = ord(char)
    if code < 32 or 0x7F <= code < 0xA0 or unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text) if not text.isascii() else len(text)


def wrap(text: str, width: int) -> list[str]:
    """`text` broken into lines of at most `width` cells: between words where it can, a word
    too long for a line folded by character cells. Trailing spaces are kept where they fit."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        for line in _divide(paragraph, width):
            if len(line) > width and (space := _TRAILING_SPACE.search(line)):
                line = line[: len(line) - min(len(space.group()), len(line) - width)]
            lines.append(_crop(line, width))
    return lines


def _divide(text: str, width: int) -> list[str]:
    """rich's `divide_line`: the break offsets, then the pieces."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = text_width(word.rstrip())
        if width - offset >= length:
            offset += text_width(word)
        elif length > width:
            pieces = _fold(word, width)
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = text_width(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = text_width(word)
    bounds = [0, *breaks, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)] or [""]


def _fold(word: str, width: int) -> list[str]:
    """A word cut into pieces of at most `width` cells (a wide character is never split)."""
    pieces: list[str] = []
    piece, used = "", 0
    for char in word:
        size = char_width(char)
        if used + size > width:  # as rich: a character wider than `width` leaves an empty piece
            pieces.append(piece)
            piece, used = "", 0
        piece += char
        used += size
    return [*pieces, piece] if piece else pieces


def _crop(text: str, width: int) -> str:
    """`text` cut to `width` cells; a wide character that would be split becomes a space."""
    if text_width(text) <= width:
        return text
    kept, used = "", 0
    for char in text:
        size = char_width(char)
        if used + size > width:
            return kept + " " * (width - used)
        kept += char
        used += size
    return kept


def _justified(line: str, width: int, justify: Justify) -> str:
    if justify == "left":
        return line + " " * (width - text_width(line))
    line = line.rstrip()
    room = width - text_width(line)
    if justify == "right":
        return " " * room + line
    return " " * (room // 2) + line + " " * (room - room // 2)


def column_widths(table: Table, available: int) -> list[int]:
    """Each column's width in cells, padding included, to fit `available` cells of content
    (the console width less the borders): the widest columns give way first."""
    cells = [
        [heading, *(row[i] for row in table.rows)] for i, (heading, _) in enumerate(table.columns)
    ]
    natural = [
        min(max(text_width(line) for text in column for line in text.split("\n")) + 2, available)
        for column in cells
    ]
    widths = [width or 1 for width in natural]
    if sum(widths) > available:
        widths = _collapse(widths, available)
        if sum(widths) > available:
            widths = _ratio_reduce(sum(widths) - available, [1] * len(widths), widths, widths)
        widths = [min(n, max(w, 0)) for n, w in zip(natural, widths, strict=True)]
    return widths


def _collapse(widths: list[int], available: int) -> list[int]:
    """rich's `Table._collapse_widths`: shave the widest columns down towards the next widest."""
    excess = sum(widths) - available
    while excess > 0:
        widest = max(widths)
        second = max((w for w in widths if w != widest), default=0)
        if widest == second:
            break
        ratios = [1 if w == widest else 0 for w in widths]
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        excess = sum(widths) - available
    return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """rich's `ratio_reduce`: take `total` from `values` in proportion to `ratios`."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums, strict=True)]
    remaining_ratio, remaining = sum(ratios), total
    if not remaining_ratio:
        return values[:]
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and remaining_ratio > 0:
            taken = min(maximum, round(ratio * remaining / remaining_ratio))
            result.append(value - taken)
            remaining -= taken
            remaining_ratio -= ratio
        else:
            result.append(value)
    return result


def table_lines(table: Table, width: int, *, ascii_only: bool = False) -> list[str]:
    """The table as lines of text for a console `width` cells wide: title, box, rows."""
    top, head, head_rule, body, bottom = _ASCII if ascii_only else _HEAVY_HEAD
    widths = column_widths(table, width - len(table.columns) - 1)
    table_width = sum(widths) + len(widths) + 1
    title = wrap(table.title, table_width) if table.title else []
    lines = [_justified(line, table_width, "left") for line in title]
    lines.append(_rule(top, widths))
    headings = tuple(heading for heading, _ in table.columns)
    lines += _row_lines(headings, table, widths, head, bottom_aligned=True)
    lines.append(_rule(head_rule, widths))
    for row in table.rows:
        lines += _row_lines(row, table, widths, body, bottom_aligned=False)
    lines.append(_rule(bottom, widths))
    return lines


def _rule(box: str, widths: list[int]) -> str:
    left, horizontal, divider, right = tuple(box)
    return left + divider.join(horizontal * w for w in widths) + right


def _row_lines(
    cells: tuple[str, ...], table: Table, widths: list[int], box: str, *, bottom_aligned: bool
) -> list[str]:
    left, _, divider, right = tuple(box)
    blocks = []
    for text, width, (_, justify) in zip(cells, widths, table.columns, strict=True):
        inner = max(width - 2, 0)
        blocks.append(
            [" " + _justified(line, inner, justify) + " " for line in wrap(text, inner)]
            if inner
            else [" " * width]
        )
    height = max(len(block) for block in blocks)
    for block, width in zip(blocks, widths, strict=True):
        blank = [" " * width] * (height - len(block))
        block[:] = blank + block if bottom_aligned else block + blank
    return [left + divider.join(block[i] for block in blocks) + right for i in range(height)]
