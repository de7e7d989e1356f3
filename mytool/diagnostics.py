"""Problems found in the data are values, not exceptions: readers return them beside the table.

Every problem has a `Severity` and a stable `IssueCode`; both are `StrEnum`s, so they compare equal
to (and serialise as) their kebab-case strings. The README's table under `rank --format json`
lists every code; a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_CELL = re.compile(r"^\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?$")


class Severity(StrEnum):
    """How much a finding matters: errors stop `validate` passing; info is only a note."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO


class IssueCode(StrEnum):
    """The stable codes of findings, grouped by where they arise. JSON carries the value."""

    # The file as a whole (reading/sources.py)
    DISGUISED_FORMAT = "disguised-format"
    HIDDEN_SHEETS = "hidden-sheets"
    HIDDEN_ROWS = "hidden-rows"
    MACROS_IGNORED = "macros-ignored"
    TEXT_CLEANED = "text-cleaned"
    SKIPPED_FILE = "skipped-file"
    # A score table (reading/tables.py, certainty.py, scores.py)
    UNITS_MISSING = "units-missing"
    UNKNOWN_UNIT = "unknown-unit"
    OTHER_AREA = "other-area"
    ROW_WITHOUT_UNIT = "row-without-unit"
    SKIPPED_ROW = "skipped-row"
    UNIT_WITHOUT_SCORES = "unit-without-scores"
    COMPOSITE_NOT_READ = "composite-not-read"
    COMPOSITE_COLUMN_UNUSED = "composite-column-unused"
    UNKNOWN_COLUMN = "unknown-column"
    UNKNOWN_CATEGORY = "unknown-category"
    CATEGORY_NOT_IN_PROFILE = "category-not-in-profile"
    ITEM_NOT_IN_PROFILE = "item-not-in-profile"
    CATEGORY_MISSING = "category-missing"
    LEGACY_CATEGORY = "legacy-category"
    LEGACY_ITEM = "legacy-item"
    DUPLICATE_HEADER = "duplicate-header"
    HEADER_MISMATCH = "header-mismatch"
    RAGGED_ROW = "ragged-row"
    DUPLICATE_UNIT_CONFLICT = "duplicate-unit-conflict"
    NOT_A_NUMBER = "not-a-number"
    OUT_OF_RANGE = "out-of-range"
    BAD_RANK = "bad-rank"
    FORMULA_ERROR = "formula-error"
    FORMULA_WITHOUT_VALUE = "formula-without-value"
    # The scale of the scores (reading/scale.py)
    PERCENT_FORMAT = "percent-format"
    FRACTION_RESCALED = "fraction-rescaled"
    SCORE_SCALE_MIXED = "score-scale-mixed"
    SCORE_SCALE_UNKNOWN = "score-scale-unknown"
    # A weights row (reading/weights.py)
    WEIGHTS_IN_FILE = "weights-in-file"
    WEIGHTS_FROM_FILE = "weights-from-file"
    WEIGHTS_DIFFER = "weights-differ"
    WEIGHTS_INCOMPLETE = "weights-incomplete"
    ITEM_WEIGHTS_UNUSED = "item-weights-unused"
    # The period (reading/scores.py, respondents.py; api.py; analysis)
    NO_PERIOD = "no-period"
    PERIOD_DISAGREEMENT = "period-disagreement"
    SHEET_WITHOUT_PERIOD = "sheet-without-period"
    SEVERAL_PERIODS = "several-periods"
    PERIOD_ORDER = "period-order"
    MISSING_PERIODS = "missing-periods"
    # Questionnaire exports (reading/respondents.py, analysis/aggregation.py)
    RESPONDENT_WITHOUT_UNIT = "respondent-without-unit"
    REPEATED_QUESTION = "repeated-question"
    NUMBERS_AS_OPTIONS = "numbers-as-options"
    MIXED_ANSWERS = "mixed-answers"
    UNRECOGNISED_ANSWER = "unrecognised-answer"
    UNMATCHED_QUESTION = "unmatched-question"
    LOW_SAMPLE = "low-sample"
    INDISTINCT_RANKS = "indistinct-ranks"
    # Ranking (analysis/ranking.py)
    NO_COMPOSITE = "no-composite"
    MIXED_SCORE_SOURCE = "mixed-score-source"
    # The rectification ledger (ledger/workbook.py)
    COLUMN_RENAMED = "column-renamed"
    COLUMN_MISSING = "column-missing"
    MISSING_ID = "missing-id"
    DUPLICATE_ID = "duplicate-id"
    INVALID_VALUE = "invalid-value"


@dataclass(frozen=True)
class Issue:
    """One finding about an input file, located in the spreadsheet's own terms.

    `code` is a stable kebab-case identifier scripts may rely on; `message` is Chinese.
    `place` is an Excel-style address such as ``大类!C7`` (or a sheet name, or empty).
    """

    code: IssueCode
    severity: Severity
    message: str
    file: str = ""
    place: str = ""
    unit: str = ""

    @property
    def sheet(self) -> str:
        """The sheet part of `place` ("大类" of ``大类!C7``; a place without a cell is a sheet)."""
        if "!" in self.place:
            return self.place.rpartition("!")[0]
        return "" if _CELL.match(self.place) else self.place

    @property
    def cell(self) -> str:
        """The cell (or range) part of `place` ("C7" of ``大类!C7``), or ""."""
        tail = self.place.rpartition("!")[2]
        return tail if _CELL.match(tail) else ""

    def as_dict(self, source: str = "") -> dict:
        """The JSON object of an issue: code, severity, message, file, sheet, cell, unit."""
        return {
            "code": str(self.code),
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file or source or None,
            "sheet": self.sheet or None,
            "cell": self.cell or None,
            "unit": self.unit or None,
        }

    def located(self) -> str:
        """The message prefixed by file and place, as printed to a user."""
        where = "：".join(part for part in (self.file, self.place) if part)
        return f"{where}：{self.message}" if where else self.message


def cell_address(sheet: str, row: int, col: int) -> str:
    """Excel address of a zero-based (row, col) in `sheet`, e.g. ``大类!C7``."""
    return f"{sheet}!{column_letter(col)}{row + 1}" if sheet else f"{column_letter(col)}{row + 1}"


def column_letter(col: int) -> str:
    """Excel column letters of a zero-based column index (0 → A, 26 → AA)."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
