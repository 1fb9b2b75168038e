"""Long lists (every holding, every trade) as fixed-width ledgers: one preformatted text block
per page-sized chunk instead of thousands of table cells. WeasyPrint lays a table cell out as
a box each (about 20 ms per row here); a line of text costs a fraction of that, and the page
reads like a custodian statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROWS_PER_CHUNK = 60
FIRST_CHUNK = 50  # the first chunk shares its page with a heading


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    align: str = "right"  # "left" or "right"


@dataclass(frozen=True)
class LedgerChunk:
    header: str
    body: str
    is_first: bool


def _cell(text: str, column: Column) -> str:
    if len(text) > column.width:
        text = text[: column.width - 1] + "…"
    return text.ljust(column.width) if column.align == "left" else text.rjust(column.width)


def ledger_lines(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[str]:
    return ["  ".join(_cell(str(v), c) for v, c in zip(row, columns, strict=True)) for row in rows]


def ledger_chunks(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    total: Sequence[str] | None = None,
    per_chunk: int = ROWS_PER_CHUNK,
    first_chunk: int = FIRST_CHUNK,
) -> list[LedgerChunk]:
    """The rows in chunks (`first_chunk` rows, then `per_chunk`: each fits a letter page),
    each with the column titles; the total line last."""
    header = "  ".join(_cell(c.title, c) for c in columns)
    lines = ledger_lines(columns, rows)
    starts = [0, *range(first_chunk, len(lines), per_chunk)] if lines else [0]
    ends = [*starts[1:], len(lines)]
    chunks = [
        LedgerChunk(header=header, body="\n".join(lines[a:b]), is_first=a == 0)
        for a, b in zip(starts, ends, strict=True)
    ]
    if total is not None:
        last = chunks[-1]
        rule = "─" * len(header)
        chunks[-1] = LedgerChunk(
            header=last.header,
            body=f"{last.body}\n{rule}\n{ledger_lines(columns, [total])[0]}",
            is_first=last.is_first,
        )
    return chunks
