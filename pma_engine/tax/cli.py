"""The `form8949` command line as pure functions; `manage.py form8949` only wraps them.

Contract (other tools rely on it): read a household's transactions from CSV, run the ledger
without touching any database, print Form 8949 rows (or the open lots) as CSV on stdout.
On bad input: exit status 1, nothing on stdout, and every problem on stderr as
"row N (line L), column C: reason", where row counts data rows from 1 (the header and blank
lines are not rows) and line counts the file's physical lines from 1 (the header is line 1).
Usage errors (unknown option, unreadable file) exit with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NoReturn, Protocol

from pma_engine.csv_safe import csv_safe_writer
from pma_engine.tax.form8949 import FORM8949_COLUMNS, amount_text, form8949_rows
from pma_engine.tax.ledger import ledger_run
from pma_engine.tax.models import (
    AccountType,
    Action,
    LedgerError,
    LedgerResult,
    ReliefMethod,
    Transaction,
)
from pma_engine.tax.money import shares_format

INPUT_COLUMNS = ("date", "account", "account_type", "action", "ticker", "shares", "amount", "lot")
REQUIRED_COLUMNS = INPUT_COLUMNS[:7]
OUTPUT_COLUMNS = FORM8949_COLUMNS
OPEN_LOT_COLUMNS = ("account", "ticker", "shares", "date_acquired", "cost_basis")
METHOD_CHOICES = ("fifo", "lifo", "hifo", "min_tax")
NUMBERING_NOTE = (
    "rows count data rows from 1 (header and blank lines excluded); "
    "lines count the file's lines from 1 (the header is line 1)"
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class RowError:
    """One problem in the input file; row 0 is the header."""

    row: int
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        if self.row == 0:
            where = f"header (line {self.line})"
        else:
            where = f"row {self.row} (line {self.line})"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.reason}"


class TransactionFileError(ValueError):
    """Every bad row of a transactions file, each with its row, line and column."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class ParsedTransactions:
    transactions: list[Transaction]
    rows: list[int]
    lines: list[int]


def _decimal_parse(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _record_parse(
    values: dict[str, str], row: int, line: int, errors: list[RowError]
) -> Transaction | None:
    found = len(errors)

    def bad(column: str, reason: str) -> None:
        errors.append(RowError(row, line, column, reason))

    trade_date: date | None = None
    text = values["date"]
    if _ISO_DATE.match(text):
        with contextlib.suppress(ValueError):
            trade_date = date.fromisoformat(text)
    if trade_date is None:
        bad("date", f"not a valid ISO date (YYYY-MM-DD): {text!r}")
    if not values["account"]:
        bad("account", "empty")
    account_type: AccountType | None = None
    try:
        account_type = AccountType(values["account_type"].lower())
    except ValueError:
        bad("account_type", f"must be taxable, ira or roth, got {values['account_type']!r}")
    action: Action | None = None
    try:
        action = Action(values["action"].upper())
    except ValueError:
        bad("action", f"must be BUY or SELL, got {values['action']!r}")
    if not values["ticker"]:
        bad("ticker", "empty")
    shares = _decimal_parse(values["shares"])
    if shares is None:
        bad("shares", f"not a number: {values['shares']!r}")
    elif shares <= 0:
        bad("shares", f"must be positive, got {values['shares']}")
    amount = _decimal_parse(values["amount"])
    if amount is None:
        bad("amount", f"not a number: {values['amount']!r}")
    elif amount < 0:
        bad("amount", f"must not be negative, got {values['amount']}")
    if len(errors) > found:
        return None
    assert trade_date and account_type and action and shares is not None and amount is not None
    return Transaction(
        trade_date=trade_date,
        account=values["account"],
        account_type=account_type,
        action=action,
        ticker=values["ticker"].upper(),
        shares=shares,
        amount=amount,
        lot_id=values.get("lot") or None,
    )


def transactions_parse(text: str) -> ParsedTransactions:
    """Parse a transactions CSV, keeping each transaction's row and line for error messages.

    Raises TransactionFileError listing every bad row (and column) at once.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise TransactionFileError([RowError(0, 1, None, "the file is empty")])
    names = [name.strip().lower() for name in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    if missing or duplicated:
        raise TransactionFileError(
            [RowError(0, 1, column, "missing column") for column in missing]
            + [RowError(0, 1, column, "column appears twice") for column in duplicated]
        )
    errors: list[RowError] = []
    transactions: list[Transaction] = []
    rows: list[int] = []
    lines: list[int] = []
    row = 0
    for record in reader:
        if not any(field.strip() for field in record):
            continue
        row += 1
        line = reader.line_num
        if len(record) != len(names):
            errors.append(
                RowError(row, line, None, f"expected {len(names)} fields, got {len(record)}")
            )
            continue
        values = dict(zip(names, (field.strip() for field in record), strict=True))
        transaction = _record_parse(values, row, line, errors)
        if transaction is not None:
            transactions.append(transaction)
            rows.append(row)
            lines.append(line)
    if errors:
        raise TransactionFileError(errors)
    return ParsedTransactions(transactions, rows, lines)


def transactions_from_csv(text: str) -> list[Transaction]:
    """Transactions of a CSV file; raises TransactionFileError listing every bad row."""
    return transactions_parse(text).transactions


def form8949_csv(result: LedgerResult, *, year: int | None = None) -> str:
    out = io.StringIO()
    writer = csv_safe_writer(out)
    writer.writerow(OUTPUT_COLUMNS)
    for r in form8949_rows(result.dispositions, year=year):
        writer.writerow(r.as_text())
    return out.getvalue()


def open_lots_csv(result: LedgerResult) -> str:
    out = io.StringIO()
    writer = csv_safe_writer(out)
    writer.writerow(OPEN_LOT_COLUMNS)
    for lot in result.open_lots:
        writer.writerow(
            [
                lot.account,
                lot.ticker,
                shares_format(lot.shares),
                lot.date_acquired.isoformat(),
                amount_text(lot.basis),
            ]
        )
    return out.getvalue()


def form8949_arguments_add(parser: argparse.ArgumentParser) -> None:
    """The command's arguments, shared by the standalone parser and the Django command."""
    parser.add_argument("transactions", help="transactions CSV file ('-' reads standard input)")
    parser.add_argument(
        "--method",
        choices=METHOD_CHOICES,
        default="fifo",
        help="lot relief method for sales that name no lot (default: fifo)",
    )
    parser.add_argument("--year", type=int, help="only rows of sales in this tax year")
    parser.add_argument(
        "--open-lots",
        action="store_true",
        dest="open_lots",
        help="print the lots left open instead of Form 8949 rows",
    )


def form8949_run(
    *,
    transactions: str,
    method: str = "fifo",
    year: int | None = None,
    open_lots: bool = False,
    stdout: Writer,
    stderr: Writer,
    stdin: io.TextIOBase | None = None,
) -> int:
    """Run the command on parsed options; returns the exit status (0 ok, 1 bad input, 2 usage)."""
    try:
        if transactions == "-":
            text = (stdin or sys.stdin).read()
        else:
            with open(transactions, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        stderr.write(f"form8949: cannot read {transactions}: {error}\n")
        return 2
    try:
        parsed = transactions_parse(text)
    except TransactionFileError as error:
        stderr.write(f"form8949: bad input ({NUMBERING_NOTE}):\n")
        for row_error in error.errors:
            stderr.write(f"  {row_error}\n")
        return 1
    try:
        result = ledger_run(parsed.transactions, method=ReliefMethod(method))
    except LedgerError as error:
        row, line = parsed.rows[error.index], parsed.lines[error.index]
        stderr.write(f"form8949: bad input ({NUMBERING_NOTE}):\n")
        stderr.write(f"  {RowError(row, line, None, error.reason)}\n")
        return 1
    stdout.write(open_lots_csv(result) if open_lots else form8949_csv(result, year=year))
    return 0


class _UsageError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that reports instead of calling sys.exit, so main() can return a status."""

    def _print_message(self, message: str, file: object = None) -> None:
        pass  # help text is written by form8949_main to the stream it was given

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise _UsageError(status, message or "")

    def error(self, message: str) -> NoReturn:
        raise _UsageError(2, f"{self.format_usage()}{self.prog}: error: {message}\n")


def form8949_main(argv: Sequence[str], stdout: Writer, stderr: Writer) -> int:
    """`form8949 TRANSACTIONS.csv [--method M] [--year YYYY] [--open-lots]`; returns exit status."""
    parser = _ArgumentParser(
        prog="form8949",
        description="Form 8949 rows (or open lots) of a household's transactions, as CSV.",
    )
    form8949_arguments_add(parser)
    try:
        args = parser.parse_args(list(argv))
    except _UsageError as error:
        if error.status == 0:  # --help
            stdout.write(parser.format_help())
        else:
            stderr.write(str(error))
        return error.status
    return form8949_run(
        transactions=args.transactions,
        method=args.method,
        year=args.year,
        open_lots=args.open_lots,
        stdout=stdout,
        stderr=stderr,
    )


if __name__ == "__main__":
    raise SystemExit(form8949_main(sys.argv[1:], sys.stdout, sys.stderr))
