"""The one CSV writer of the product: every CSV it writes goes through `csv_safe_writer`
(the portal's exports and the engine's command line alike; it lives in the engine because the
engine imports nothing of Django).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to a
spreadsheet (CSV injection: `=HYPERLINK(...)`, `@SUM(...)`, DDE). Such text cells get a leading
apostrophe, which spreadsheets show as text and do not evaluate. Numbers stay numbers: a
Decimal, int or float is written as is, and a text cell that is a plain number ("-12.50") is
left alone, so that a negative amount still sums. Plain Python: no Django import.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def cell_safe(value: Any) -> Any:
    """The value as it may be written to a CSV cell without being run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class SafeCsvWriter:
    """csv.writer with every cell passed through `cell_safe`."""

    def __init__(self, out: TextIO, **options: Any):
        options.setdefault("lineterminator", "\n")
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_safe_writer(out: TextIO, **options: Any) -> SafeCsvWriter:
    """The writer to use for any CSV the product produces."""
    return SafeCsvWriter(out, **options)
