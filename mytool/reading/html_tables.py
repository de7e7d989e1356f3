"""Read HTML tables, which government systems often save under an .xls name.

Every <table> becomes a sheet; colspan/rowspan become merged ranges, so two-level headers keep
their structure.
"""

from __future__ import annotations

from html.parser import HTMLParser

from mytool.reading.grid import Sheet


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[str]], list[tuple[int, int, int, int]]]] = []
        self._stack: list[tuple[list[list[str]], list[tuple[int, int, int, int]], dict]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append(([], [], {}))
        elif not self._stack:
            return
        elif tag == "tr":
            self._stack[-1][0].append([])
        elif tag in ("td", "th"):
            values = dict(attrs)
            self._span = (_int(values.get("rowspan")), _int(values.get("colspan")))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._stack:
            self._place(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._stack:
            rows, merged, _ = self._stack.pop()
            self.tables.append((rows, merged))

    def _place(self, text: str) -> None:
        rows, merged, taken = self._stack[-1]
        if not rows:
            rows.append([])
        r = len(rows) - 1
        row = rows[r]
        c = len(row)
        while (r, c) in taken:
            row.append("")
            c += 1
        row.append(text)
        height, width = self._span
        for dr in range(height):
            for dc in range(width):
                if dr or dc:
                    taken[(r + dr, c + dc)] = True
        if dc_extra := width - 1:
            row.extend([""] * dc_extra)
        if height > 1 or width > 1:
            merged.append((r, c, r + height - 1, c + width - 1))


def _int(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def read_html_tables(text: str) -> list[Sheet]:
    """One sheet per table that has at least one row, named 表1, 表2 …"""
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    tables = [(rows, merged) for rows, merged in parser.tables if any(rows)]
    return [
        Sheet(f"表{index}", [list(row) for row in rows], merged)
        for index, (rows, merged) in enumerate(tables, start=1)
    ]
