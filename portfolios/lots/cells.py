"""Cell values of an uploaded holdings file as text and dates: spreadsheets hand over floats,
datetimes and NaN for empty cells; CSV hands over strings."""

from __future__ import annotations

import re
from datetime import date, datetime


def _cell_text(value: object) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN: an empty Excel cell
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return "" if text.lower() in ("nan", "nat") and not isinstance(value, str) else text


_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        if match := _ISO_DATE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _US_DATE.match(text):
            return date(int(match[3]), int(match[1]), int(match[2]))
    except ValueError:
        return None
    return None
