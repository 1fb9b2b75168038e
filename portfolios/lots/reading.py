"""Reading an uploaded holdings file with bounded memory and time, whatever it declares.

A hostile file is refused before it is parsed: the .xlsx zip members' uncompressed sizes (a
zip bomb), the sheet's declared dimensions (a 16,384 x 1,048,576 "bomb" is 5 KB on disk), the
row and column counts, NUL bytes. Spreadsheets are read streaming (openpyxl read-only), CSV
with the csv module line by line; neither keeps more than the cells of the rows it returns.
Numbers follow one declared format (US: "1,234.56"); anything else is refused, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

from django.conf import settings

MAX_COLUMNS = 64  # a holdings file has 7 known columns; room for extra exported columns
XLSX_MAX_MEMBERS = 500
XLSX_MAX_PART_BYTES = 32 * 1024 * 1024  # shared strings, styles: parsed whole


class FileRefused(Exception):
    """The file cannot be read at all (size, type, encoding, bounds): one message, no rows."""


def max_rows() -> int:
    return int(getattr(settings, "HOLDINGS_MAX_ROWS", 250_000))


def xlsx_max_uncompressed() -> int:
    return int(getattr(settings, "XLSX_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024))


# --------------------------------------------------------------------------- text safety

# --------------------------------------------------------------------------- numbers

_US_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$|^\d+(\.\d*)?$|^\.\d+$")


class NumberRefused(ValueError):
    """A number that does not follow the declared format: the message says why."""


def number_parse(text: str) -> Decimal:
    """A number as written in US files: 1234.5, 1,234.50, $1,234.50, -12, (12.00) for -12.

    The comma only groups thousands (groups of three digits before the point); "1.234,56",
    "1,5" or "1.234.567" are refused with the reason, never read as another number. Scientific
    notation is read ("1E+3") since spreadsheets write it for very large or small values.
    """
    raw = text.strip()
    body = raw.replace("$", "").replace(" ", "").replace("\u00a0", "")
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body[:1] in "+-" and body:
        negative, body = negative ^ (body[0] == "-"), body[1:]
    if not body:
        raise NumberRefused(f"{raw!r} is not a number")
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", body):
        value = Decimal(body)
    elif _US_NUMBER.match(body):
        value = Decimal(body.replace(",", ""))
    elif re.fullmatch(r"[\d.,]+", body) and "," in body:
        raise NumberRefused(
            f"{raw!r} is ambiguous: numbers are read in the US format (1,234.56: comma for "
            "thousands, point for decimals); write it as 1234.56"
        )
    elif body.count(".") > 1 and re.fullmatch(r"[\d.]+", body):
        raise NumberRefused(f"{raw!r} has more than one decimal point")
    else:
        raise NumberRefused(f"{raw!r} is not a number")
    if not value.is_finite():
        raise NumberRefused(f"{raw!r} is not a number")
    return -value if negative else value


def decimal_fits(value: Decimal, *, max_digits: int, decimal_places: int) -> str | None:
    """Why `value` does not fit a DecimalField(max_digits, decimal_places), or None."""
    if value != value.quantize(Decimal(1).scaleb(-decimal_places), rounding="ROUND_HALF_UP"):
        if value.copy_abs() < Decimal(1).scaleb(-decimal_places):
            return f"{value:f} is too small: at most {decimal_places} decimal places"
        return f"at most {decimal_places} decimal places"
    integer_digits = len(str(int(value.copy_abs()))) if value.copy_abs() >= 1 else 0
    if integer_digits > max_digits - decimal_places:
        return f"too large: at most {max_digits - decimal_places} digits before the point"
    return None


# --------------------------------------------------------------------------- files


def file_kind(content: bytes, filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xls"):
        raise FileRefused("Old Excel .xls files are not read: save it as .xlsx or CSV.")
    is_zip = content[:4] == b"PK\x03\x04"
    if name.endswith((".xlsx", ".xlsm")):
        if not is_zip:
            raise FileRefused(f"{filename!r} is not an Excel (.xlsx) file.")
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        if is_zip or b"\x00" in content:
            raise FileRefused(f"{filename!r} is not a CSV file (it looks binary: a NUL byte).")
        return "csv"
    raise FileRefused(
        f"{filename!r} is not a CSV or Excel file: upload a .csv or .xlsx file, one row per lot."
    )


def xlsx_bounds_check(content: bytes, filename: str) -> None:
    """Refuse a zip bomb from the members' declared sizes, before anything is inflated.

    zipfile never inflates a member past its declared size (it stops there), so the declared
    sizes bound what openpyxl can read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise FileRefused(f"{filename!r} is not an Excel (.xlsx) file: {exc}") from exc
    members = archive.infolist()
    if len(members) > XLSX_MAX_MEMBERS:
        raise FileRefused(f"{filename!r} has {len(members)} parts; an Excel file has a few.")
    for member in members:
        # Worksheets are streamed; every other part (shared strings, styles) is read whole.
        is_sheet = member.filename.startswith("xl/worksheets/")
        if not is_sheet and member.file_size > XLSX_MAX_PART_BYTES:
            raise FileRefused(
                f"{filename!r}: its part {member.filename} unpacks to "
                f"{member.file_size / 1_048_576:,.0f} MB (the limit is "
                f"{XLSX_MAX_PART_BYTES / 1_048_576:,.0f} MB). Save the file as CSV."
            )
    total = sum(member.file_size for member in members)
    limit = xlsx_max_uncompressed()
    if total > limit:
        raise FileRefused(
            f"{filename!r} unpacks to {total / 1_048_576:,.0f} MB; the limit is "
            f"{limit / 1_048_576:,.0f} MB. Save it as CSV or split it."
        )


def _xlsx_sheet_check(sheet, filename: str) -> None:
    rows, columns = sheet.max_row, sheet.max_column
    if (rows or 0) > max_rows() + 1 or (columns or 0) > MAX_COLUMNS:
        raise FileRefused(
            f"{filename!r} declares a sheet of {rows:,} rows x {columns:,} columns; a holdings "
            f"file has at most {max_rows():,} rows and {MAX_COLUMNS} columns."
        )


def _rows_over_limit(filename: str) -> FileRefused:
    return FileRefused(
        f"{filename!r} has more than {max_rows():,} rows; split it into smaller files."
    )


def _columns_over_limit(filename: str, row: int) -> FileRefused:
    return FileRefused(
        f"{filename!r}, row {row}: more than {MAX_COLUMNS} columns; a holdings file has 7."
    )


def _xlsx_rows(content: bytes, filename: str) -> list[tuple]:
    from openpyxl import load_workbook

    xlsx_bounds_check(content, filename)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(f"{filename!r} could not be read as XLSX: {exc}") from exc
    try:
        if not book.worksheets:
            raise FileRefused(f"{filename!r} has no sheet.")
        sheet = book.worksheets[0]
        _xlsx_sheet_check(sheet, filename)
        sheet.reset_dimensions()  # never pad rows to a declared size: read what is there
        rows: list[tuple] = []
        limit = max_rows() + 1
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > limit:
                raise _rows_over_limit(filename)
            if len(values) > MAX_COLUMNS:
                if any(v is not None and v != "" for v in values[MAX_COLUMNS:]):
                    raise _columns_over_limit(filename, number)
                values = values[:MAX_COLUMNS]
            rows.append(values)
        return rows
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused(f"{filename!r} could not be read as XLSX: {exc}") from exc
    finally:
        book.close()


def _csv_rows(content: bytes, filename: str) -> list[list[str]]:
    if content.count(b"\n") > max_rows() + 1:
        raise _rows_over_limit(filename)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    rows: list[list[str]] = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if len(values) > MAX_COLUMNS:
                raise _columns_over_limit(filename, number)
            rows.append(values)
    except csv.Error as exc:
        raise FileRefused(f"{filename!r} could not be read as CSV: {exc}") from exc
    return rows


def table_read(content: bytes, filename: str, *, header_hint: str) -> tuple[list[str], list[list]]:
    """The header and the columns' cells (blank rows kept, to keep the row numbers)."""
    kind = file_kind(content, filename)
    rows = _xlsx_rows(content, filename) if kind == "xlsx" else _csv_rows(content, filename)
    if not rows or not any(_present(v) for v in rows[0]):
        raise FileRefused("The file is empty: expected a header row " + header_hint)
    header = ["" if v is None else str(v) for v in rows[0]]
    width = len(header)
    columns: list[list] = [[] for _ in range(width)]
    for values in rows[1:]:
        for position in range(width):
            columns[position].append(values[position] if position < len(values) else None)
    return header, columns


def _present(value) -> bool:
    return value is not None and str(value).strip() != ""


def upload_bounds_check(content: bytes, filename: str) -> None:
    """The cheap checks done in the request, before anything is stored or parsed: the kind,
    the zip members' sizes, the number of lines of a CSV. The rest is checked as it is read."""
    kind = file_kind(content, filename)
    if kind == "xlsx":
        xlsx_bounds_check(content, filename)
    elif content.count(b"\n") > max_rows() + 1:
        raise _rows_over_limit(filename)
