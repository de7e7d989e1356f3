"""Machine output (`--format json|csv`): a contract scripts depend on. Keys never get renamed."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING

from mytool.diagnostics import ERROR, WARNING

if TYPE_CHECKING:  # every JSON output comes through here: only rank needs the ranking
    from mytool.analysis.ranking import Ranking, UnitResult

UNIT_CSV_COLUMNS = ("unit", "score", "rank", "grade", "flagged", "flag_reasons", "score_source")


def ranking_to_dict(ranking: Ranking) -> dict:
    """The documented JSON shape of `mytool rank` (more keys may be added, none renamed)."""
    return {
        "period": ranking.period,
        "source": ranking.source,
        "score_source": ranking.score_source,
        "bottom_n": ranking.bottom_n,
        "city_scope": ranking.city_scope or None,
        "units": [_unit_dict(unit) for unit in ranking.units],
        "categories": [
            {
                "category": c.category,
                "score": c.score,
                "rank": c.rank,
                "tied": c.tied,
                "weight": c.weight,
                "department": c.department or None,
                "weakest_units": list(c.weakest_units),
            }
            for c in ranking.categories
        ],
        "weights_from": ranking.weights_place or None,
        "warnings": [
            issue.located() for issue in ranking.all_issues if issue.severity in (WARNING, ERROR)
        ],
        "issues": [issue.as_dict(ranking.source) for issue in ranking.all_issues],
    }


def _unit_dict(unit: UnitResult) -> dict:
    return {
        "unit": unit.unit,
        "score": unit.score,
        "rank": unit.rank,
        "grade": unit.grade,
        "flagged": unit.flagged,
        "flag_reasons": list(unit.flag_reasons),
        "categories": dict(unit.categories),
        "tied": unit.tied,
        "score_source": unit.score_source,
        "weakest_categories": list(unit.weakest_categories),
        "known_unit": unit.known,
        "current": unit.current,
        "progress": unit.progress,
        "city_rank": unit.city_rank,
    }


def to_json(data: dict) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)` and a newline, byte for
    byte, in about half the time.

    With an indent, Python 3.11's json encodes in pure Python (about 40 ms of a 5,000-row
    `ledger status`). Here the C encoder writes every container whose items are all scalars,
    and every list of such dicts, in one call: its item separator carries the newline and
    indentation of that depth. Only the containers holding containers are walked in Python.
    Anything else (a NaN, a type json refuses, a subclass such as an enum, a cycle) goes to
    `json.dumps`, which then writes or refuses it as it always did.
    allow_nan=False: a NaN or infinity is a bug upstream, never written as invalid JSON.
    """
    parts: list[str] = []
    try:
        if c_make_encoder is None:  # a Python without json's C accelerator
            raise _Unusual
        _write(data, "\n", parts)
    except (_Unusual, ValueError, RecursionError):
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    parts.append("\n")
    return "".join(parts)


INDENT = "  "
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Unusual(Exception):
    """Something the fast path leaves to `json.dumps`."""


def _refuse(value: object) -> object:
    raise _Unusual


@functools.cache
def _encoder(separator: str) -> Callable[[object, int], tuple[str, ...]]:
    """json's C encoder with `separator` between items (no indent: it writes one line)."""
    return c_make_encoder(
        None, _refuse, encode_basestring, None, ": ", separator, False, False, False
    )


def _encode(value: object, inner: str) -> str:
    """`value` in one line, its items separated by a comma and `inner` (newline and indent)."""
    return "".join(_encoder("," + inner)(value, 0))


def _write(value: object, newline: str, parts: list[str]) -> None:
    """Append `value` as json.dumps(indent=2) writes it at the depth whose line start (newline
    and indent) is `newline`."""
    inner = newline + INDENT
    kind = type(value)
    if kind in _SCALARS:
        parts.append(_encode(value, inner))
    elif kind is dict:
        _write_dict(value, newline, inner, parts)  # type: ignore[arg-type]
    elif kind is list or kind is tuple:
        _write_list(value, newline, inner, parts)  # type: ignore[arg-type]
    else:
        raise _Unusual


def _write_dict(value: dict, newline: str, inner: str, parts: list[str]) -> None:
    if not value:
        parts.append("{}")
    elif all(type(item) in _SCALARS for item in value.values()):
        parts.append(f"{{{inner}{_encode(value, inner)[1:-1]}{newline}}}")
    else:
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            parts.append(f"{separator}{encode_basestring(key)}: ")
            _write(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")


def _write_list(value: list | tuple, newline: str, inner: str, parts: list[str]) -> None:
    kinds = {type(item) for item in value}
    if not value:
        parts.append("[]")
    elif kinds <= _SCALARS:
        parts.append(f"[{inner}{_encode(value, inner)[1:-1]}{newline}]")
    elif kinds == {dict} and all(value) and _scalars_only(value):
        # Records (a list of dicts of scalars) in one call, their fields one level deeper.
        # Between two records the C encoder writes "}," + field + "{": no other place can,
        # since a scalar never ends in "}" and text never holds a raw newline.
        field = inner + INDENT
        body = _encode(value, field)[2:-2].replace(f"}},{field}{{", f"{inner}}},{inner}{{{field}")
        parts.append(f"[{inner}{{{field}{body}{inner}}}{newline}]")
    else:
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _write(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")


def _scalars_only(records: list | tuple) -> bool:
    return {type(item) for record in records for item in record.values()} <= _SCALARS


def csv_text(text: str) -> str:
    """Neutralise text that a spreadsheet would run as a formula (OWASP CSV injection)."""
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def ranking_to_csv(ranking: Ranking) -> str:
    """One row per unit: the fixed columns, then one column per category (empty = no score)."""
    categories = [c.category for c in ranking.categories]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*UNIT_CSV_COLUMNS, *(csv_text(c) for c in categories)])
    for unit in ranking.units:
        writer.writerow(
            [
                csv_text(unit.unit),
                f"{unit.score:.2f}",
                unit.rank,
                unit.grade,
                "true" if unit.flagged else "false",
                ";".join(unit.flag_reasons),
                unit.score_source,
                *(f"{unit.categories[c]:.2f}" if c in unit.categories else "" for c in categories),
            ]
        )
    return buffer.getvalue()
