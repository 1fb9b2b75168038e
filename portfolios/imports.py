"""CSV parsing shared by the price and model-weight imports: every problem names its row.

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2.
A file is rejected whole with the first `MAX_PROBLEMS_SHOWN` problems listed and a count of
the rest; nothing of it is saved.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class ImportProblem:
    """One problem in an imported file (prices, weights, holdings); row None is the whole file."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )

    def as_dict(self) -> dict:
        return asdict(self)


class ImportRejected(ValidationError):
    """A file with problems: `problems` holds every one; `messages` lists the first 50."""

    def __init__(self, problems: list[ImportProblem], *, what: str):
        self.problems = problems
        shown = [str(problem) for problem in problems[:MAX_PROBLEMS_SHOWN]]
        hidden = len(problems) - len(shown)
        lines = [f"{what} rejected, nothing was imported: {len(problems)} problem(s)."]
        lines += shown
        if hidden:
            lines.append(f"… and {hidden} more problem(s) not listed.")
        super().__init__(lines)


SourceLike = TextIO | str | Path | bytes


def _not_utf8(line: int | None, error: UnicodeDecodeError, *, what: str) -> ImportRejected:
    bad = error.object[error.start : error.start + 1].hex()
    return ImportRejected(
        [
            ImportProblem(
                line,
                "",
                f"not UTF-8 text (byte 0x{bad}); save the file as CSV UTF-8 and upload it again",
            )
        ],
        what=what,
    )


def _first_undecodable_line(path: str) -> int | None:
    """Line number of the first line of a file that is not UTF-8 (the error path only)."""
    try:
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
    except OSError:
        return None
    return None


def open_text(source: SourceLike, *, what: str = "File") -> TextIO:
    """A text stream from a path, a str of CSV text, bytes, or an open text file.

    Bytes that are not UTF-8 are rejected here, naming the line; a path is decoded as it is
    read, so `csv_rows` names the line there.
    """
    if isinstance(source, Path):
        return source.open(newline="", encoding="utf-8-sig")
    if isinstance(source, bytes):
        limit = getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
        if len(source) > limit:
            raise ImportRejected(
                [ImportProblem(None, "", f"the file is over {limit / 1_048_576:.0f} MB")],
                what=what,
            )
        if (nul := source.find(b"\x00")) >= 0:
            line = source[:nul].count(b"\n") + 1
            raise ImportRejected(
                [ImportProblem(line, "", "a NUL byte: this is not a CSV text file")], what=what
            )
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = source[: error.start].count(b"\n") + 1
            raise _not_utf8(line, error, what=what) from None
        return io.StringIO(text, newline="")
    if isinstance(source, str):
        return io.StringIO(source.lstrip("\ufeff"), newline="")
    return source


def csv_rows(
    stream: TextIO, *, required: tuple[str, ...], what: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: stripped value}) for each non-blank data row.

    Raises ImportRejected at once when the header lacks a required column (case and spaces
    are ignored); extra columns are allowed and ignored.
    """
    try:
        yield from _csv_rows(stream, required=required, what=what)
    except UnicodeDecodeError as error:
        # A file stream decodes in blocks, ahead of the row being read: find the line again.
        name = getattr(stream, "name", None)
        line = _first_undecodable_line(name) if isinstance(name, str) else None
        raise _not_utf8(line, error, what=what) from None


def _csv_rows(
    stream: TextIO, *, required: tuple[str, ...], what: str
) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(
            [ImportProblem(None, "", f"the file is empty; expected columns {', '.join(required)}")],
            what=what,
        ) from None
    names = [name.strip().lower().lstrip("\ufeff") for name in header]
    missing = [name for name in required if name not in names]
    if missing:
        raise ImportRejected(
            [
                ImportProblem(
                    1,
                    "header",
                    f"missing column(s) {', '.join(missing)}; found {', '.join(names) or 'none'}",
                )
            ],
            what=what,
        )
    positions = {name: names.index(name) for name in required}
    for row_number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        yield (
            row_number,
            {
                name: values[position].strip() if position < len(values) else ""
                for name, position in positions.items()
            },
        )
