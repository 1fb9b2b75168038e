"""Reading and checking a holdings file (CSV or Excel .xlsx, one row per lot).

Nothing here writes: `holdings_file_check` parses the file with pandas, resolves accounts
(only within the household's own accounts) and tickers (the security master, then the firm's
legacy names), and lists every problem by row and column. The services import only a file with
no problems. Rows are numbered as in a spreadsheet: the header is row 1, the first lot row 2.
File format and conventions: docs/lots.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from pma_engine.tax import money_round
from pma_engine.tax.money import SHARES_QUANTUM
from pma_portal.text_safety import unsafe_character
from portfolios.imports import ImportProblem
from portfolios.lots.cells import _cell_text, _date
from portfolios.lots.reading import (
    FileRefused,
    NumberRefused,
    decimal_fits,
    number_parse,
    table_read,
)
from portfolios.lots.tickers import _securities_for, ticker_suggestions  # noqa: F401
from portfolios.models import Price, Trade, TradeAction

CASH_TICKERS = frozenset({"CASH", "$CASH"})
MAX_SHARES = Decimal("99999999999999")  # 20 digits, 6 of them decimals
MAX_AMOUNT = Decimal("9999999999999999")  # 18 digits, 2 of them decimals
MAX_PROBLEMS_KEPT = 500
EARLIEST_DATE = date(1900, 1, 1)
TICKER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-/]{0,19}$")


class ImportMode:
    ADD = "add"
    REPLACE = "replace"
    CHOICES = [
        (ADD, "Add these lots to the accounts' existing lots"),
        (REPLACE, "Replace the existing lots (and recorded trades) of the accounts in the file"),
    ]


# canonical column -> accepted header spellings (lower case, spaces and hyphens as "_")
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "account": ("account", "account_number", "account_name", "account_no"),
    "ticker": ("ticker", "symbol"),
    "shares": ("shares", "quantity", "qty"),
    "acquired_on": (
        "acquired_on",
        "acquired",
        "acquisition_date",
        "date_acquired",
        "purchase_date",
    ),
    "cost_basis": ("cost_basis", "basis", "total_cost", "cost"),
    "lot_id": ("lot_id", "lot", "lot_ref"),
    "price": ("price", "advisor_price"),
}
REQUIRED_COLUMNS = ("account", "ticker", "shares", "acquired_on", "cost_basis")
OPTIONAL_COLUMNS = ("lot_id", "price")
HEADER_HINT = "account, ticker, shares, acquired_on, cost_basis, and optionally lot_id, price"


Problem = ImportProblem  # one problem of a holdings file (row 1 is the header)


class HoldingRow(NamedTuple):
    """One checked row: a lot (is_cash False) or a cash balance (the amount in `shares`).

    A named tuple: a 100,000-row file makes 100,000 of them, twice (preview and confirm)."""

    row: int
    account_id: int
    ticker: str
    is_cash: bool
    shares: Decimal
    acquired_on: date | None
    cost_basis: Decimal
    lot_ref: str
    security_id: int | None  # None: a new legacy security, created on import
    is_legacy: bool


@dataclass
class HoldingsCheck:
    """The outcome of checking a file: rows, problems, and what the import would do."""

    rows: list[HoldingRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    legacy_prices: dict[str, Decimal] = field(default_factory=dict)  # ticker -> advisor price
    new_legacy_tickers: list[str] = field(default_factory=list)
    unpriced_tickers: list[str] = field(default_factory=list)  # unknown, no price given
    accounts: dict[int, object] = field(default_factory=dict)  # id -> Account named in file
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown ticker -> near master

    @property
    def is_clean(self) -> bool:
        return self.problem_count == 0 and bool(self.rows)

    def add(self, row: int | None, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(row, column, message))

    @property
    def lot_rows(self) -> list[HoldingRow]:
        return [r for r in self.rows if not r.is_cash]

    def cash_by_account(self) -> dict[int, Decimal]:
        cash: dict[int, Decimal] = {}
        for r in self.rows:
            if r.is_cash:
                cash[r.account_id] = cash.get(r.account_id, Decimal("0")) + r.shares
        return cash


# --------------------------------------------------------------------------- reading


def upload_size_check(*, size: int) -> None:
    """Refuse a file above settings.MAX_UPLOAD_BYTES before reading any of it."""
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise FileRefused(
            f"The file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB. "
            "Split it into smaller files."
        )


def _read_table(content: bytes, filename: str) -> tuple[list[str], list[list[object]]]:
    """The header and the columns' cells, read within bounds (portfolios/lots/reading.py)."""
    return table_read(content, filename, header_hint=HEADER_HINT)


def _normalize_header(name: str) -> str:
    text = name.strip().lstrip("\ufeff").lower()
    return re.sub(r"[\s\-]+", "_", text)


def _number(text: str, row: int, column: str, check: HoldingsCheck) -> Decimal | None:
    """The number in a cell, or None with a problem naming row, column and the reason."""
    try:
        return number_parse(text)
    except NumberRefused as refused:
        check.add(row, column, str(refused))
        return None


# --------------------------------------------------------------------------- checking


def _map_columns(header: list[str], check: HoldingsCheck, *, account_optional: bool) -> dict:
    """canonical name -> position; problems for unknown, duplicate and missing columns."""
    spelling = {alias: canon for canon, aliases in COLUMN_ALIASES.items() for alias in aliases}
    positions: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = _normalize_header(raw)
        if not name or name.startswith("unnamed:"):
            continue  # an empty header cell over an empty column (spreadsheet artefact)
        canon = spelling.get(name)
        if canon is None:
            check.add(1, raw.strip(), f"unexpected column {raw.strip()!r}; expected {HEADER_HINT}")
        elif canon in positions:
            check.add(1, raw.strip(), f"column {canon} appears twice")
        else:
            positions[canon] = position
    for name in REQUIRED_COLUMNS:
        if name not in positions and not (name == "account" and account_optional):
            check.add(1, name, f"missing column {name}; expected {HEADER_HINT}")
    return positions


def holdings_file_check(
    *,
    content: bytes,
    filename: str,
    client,
    mode: str = ImportMode.ADD,
    default_account=None,
    prices: Mapping[str, Decimal] | None = None,
    today: date | None = None,
) -> HoldingsCheck:
    """Check every row and column of a holdings file for the household `client`.

    `default_account` (one of the client's accounts) takes rows whose account cell is empty, and
    allows a file without an account column. `prices` are advisor prices for tickers outside
    the security master given outside the file (the preview's second step); a `price` column
    in the file does the same per row. Raises FileRefused when the file cannot be read at all.
    """
    from accounts.models import Account

    today = today or timezone.localdate()
    check = HoldingsCheck()
    header, table = _read_table(content, filename)
    columns = _map_columns(header, check, account_optional=default_account is not None)
    if check.problem_count:
        return check

    accounts = list(Account.objects.filter(client=client))
    by_number = {a.account_number.strip(): a for a in accounts}
    by_name: dict[str, list] = {}
    for account in accounts:
        by_name.setdefault(account.name.strip().lower(), []).append(account)

    texts_of = {
        name: [_cell_text(v) for v in table[position]] for name, position in columns.items()
    }
    row_count = len(table[0]) if table else 0
    empty = [""] * row_count
    column_texts = {name: texts_of.get(name, empty) for name in COLUMN_ALIASES}
    is_blank = [not any(cells[i] for cells in texts_of.values()) for i in range(row_count)]
    acquired_raw = table[columns["acquired_on"]] if "acquired_on" in columns else empty

    # The tickers first, to look them all up in one query.
    raw_tickers = {t.upper() for t in column_texts["ticker"] if t}
    security_ids, legacy_ids = _securities_for(firm=client.firm, tickers=raw_tickers)
    given_prices = {t.upper(): p for t, p in (prices or {}).items()}

    existing_refs: dict[int, set[str]] = {}
    if mode == ImportMode.ADD:
        for account_id, ref in Trade.objects.filter(
            account__client=client, action=TradeAction.BUY
        ).values_list("account_id", "lot_ref"):
            if ref:
                existing_refs.setdefault(account_id, set()).add(ref)

    seen_refs: dict[tuple[int, str], int] = {}
    price_rows: dict[str, tuple[Decimal, int]] = {}
    unknown_rows: dict[str, list[int]] = {}
    ignored_price: set[str] = set()
    names = tuple(COLUMN_ALIASES)
    cells = [column_texts[name] for name in names]
    for index in range(row_count):
        if is_blank[index]:
            continue  # a blank line
        row = index + 2
        texts = dict(zip(names, (column[index] for column in cells), strict=True))
        problems_before = check.problem_count

        account = _account_of(texts["account"], row, check, by_number, by_name, default_account)
        ticker = texts["ticker"].upper()
        is_cash = ticker in CASH_TICKERS
        if not ticker:
            check.add(row, "ticker", "required")
        elif not is_cash and not TICKER_PATTERN.match(ticker):
            check.add(row, "ticker", f"{texts['ticker']!r} is not a ticker")

        if is_cash:
            amount_text = texts["shares"] or texts["cost_basis"]
            amount = _number(amount_text, row, "shares", check) if amount_text else None
            if not amount_text:
                check.add(row, "shares", "the cash amount is required (in shares)")
            elif amount is None:
                pass  # the problem is recorded
            elif amount < 0:
                check.add(row, "shares", "a cash balance must not be negative")
            elif amount > MAX_AMOUNT:
                check.add(row, "shares", "too large")
            if check.problem_count == problems_before and account is not None:
                check.rows.append(
                    HoldingRow(
                        row,
                        account.pk,
                        "CASH",
                        True,
                        money_round(amount),
                        None,
                        amount,
                        "",
                        None,
                        False,
                    )
                )
                check.accounts[account.pk] = account
            continue

        shares = _positive_shares(texts["shares"], row, check)
        acquired = _acquired(acquired_raw[index], texts["acquired_on"], row, check, today)
        basis = _basis(texts["cost_basis"], row, check)
        price = None
        if texts["price"]:
            price = _price(texts["price"], row, check)

        lot_ref = texts["lot_id"]
        if bad := unsafe_character(lot_ref):
            check.add(row, "lot_id", f"contains the invisible control character {bad}")
        elif len(lot_ref) > 64:
            check.add(row, "lot_id", "at most 64 characters")
        elif lot_ref and account is not None:
            key = (account.pk, lot_ref)
            if key in seen_refs:
                check.add(
                    row,
                    "lot_id",
                    f"duplicate lot id {lot_ref!r} in account {account.name} "
                    f"(also on row {seen_refs[key]})",
                )
            elif lot_ref in existing_refs.get(account.pk, ()):
                check.add(
                    row,
                    "lot_id",
                    f"lot id {lot_ref!r} already exists in account {account.name}; "
                    "choose 'replace' to load the account afresh",
                )
            seen_refs.setdefault(key, row)

        security_id = security_ids.get(ticker)
        is_legacy = False
        if ticker and TICKER_PATTERN.match(ticker):
            if security_id is None and ticker in legacy_ids:
                security_id, is_legacy = legacy_ids[ticker], True
            if security_id is not None and not is_legacy:
                if price is not None:
                    ignored_price.add(ticker)
            else:
                is_legacy = True
                if price is not None:
                    first = price_rows.get(ticker)
                    if first is not None and first[0] != price:
                        check.add(
                            row,
                            "price",
                            f"{ticker} is priced {price} here but {first[0]} on row {first[1]}",
                        )
                    price_rows.setdefault(ticker, (price, row))
                elif security_id is None:
                    unknown_rows.setdefault(ticker, []).append(row)

        if check.problem_count == problems_before and account is not None:
            check.rows.append(
                HoldingRow(
                    row,
                    account.pk,
                    ticker,
                    False,
                    shares,
                    acquired,
                    basis,
                    lot_ref,
                    security_id,
                    is_legacy,
                )
            )
            check.accounts[account.pk] = account

    unpriced = [t for t in unknown_rows if t not in price_rows and t not in given_prices]
    check.suggestions = ticker_suggestions(tickers=unpriced)
    for ticker in unpriced:
        check.unpriced_tickers.append(ticker)
        near = check.suggestions.get(ticker)
        for row in unknown_rows[ticker]:
            if near:
                message = (
                    f"{ticker} is not in the security master: did you mean {near}? Correct the "
                    f"file, or give {ticker}'s price to declare it a legacy holding"
                )
            else:
                message = (
                    f"{ticker} is not in the security master: give its price (price column, or "
                    "in the preview) to import it as a legacy holding"
                )
            check.add(row, "ticker", message)
    for ticker in sorted({*price_rows, *unknown_rows}):
        price = price_rows[ticker][0] if ticker in price_rows else given_prices.get(ticker)
        if price is not None:
            check.legacy_prices[ticker] = price
            if ticker not in legacy_ids:
                check.new_legacy_tickers.append(ticker)
    for ticker in sorted(ignored_price):
        check.notes.append(f"Prices given for {ticker} were ignored: it is in the security master.")
    if not check.rows and not check.problem_count:
        check.add(None, "", "the file has no lots: expected a header row " + HEADER_HINT)
    check.problems.sort(key=lambda problem: problem.row or 0)  # in row order, the file first
    return check


def _price(text: str, row: int, check: HoldingsCheck) -> Decimal | None:
    """An advisor price that the Price table can store (its max_digits and decimal_places)."""
    price = _number(text, row, "price", check)
    if price is None:
        return None
    if price <= 0:
        check.add(row, "price", "must be greater than zero")
        return None
    close = Price._meta.get_field("close")
    if why := decimal_fits(price, max_digits=close.max_digits, decimal_places=close.decimal_places):
        check.add(row, "price", f"{text}: {why}")
        return None
    return price


def price_problem(price: Decimal) -> str | None:
    """Why an advisor price given in the preview cannot be stored, or None."""
    if price <= 0:
        return "must be greater than zero"
    close = Price._meta.get_field("close")
    return decimal_fits(price, max_digits=close.max_digits, decimal_places=close.decimal_places)


def _account_of(text, row, check, by_number, by_name, default_account):
    if bad := unsafe_character(text):
        check.add(row, "account", f"contains the invisible control character {bad}")
        return None
    if not text:
        if default_account is not None:
            return default_account
        check.add(row, "account", "required")
        return None
    account = by_number.get(text)
    if account is not None:
        return account
    named = by_name.get(text.lower(), [])
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        check.add(row, "account", f"{len(named)} accounts are named {text!r}: use the number")
        return None
    # The same words whether the number is unknown or belongs to another household or firm.
    check.add(row, "account", f"no account {text!r} in this household (use its number or name)")
    return None


def _positive_shares(text: str, row: int, check: HoldingsCheck) -> Decimal:
    if not text:
        check.add(row, "shares", "required")
        return Decimal("0")
    value = _number(text, row, "shares", check)
    if value is None:
        pass  # the problem is recorded
    elif value <= 0:
        check.add(row, "shares", f"must be greater than zero (got {text})")
    elif value > MAX_SHARES:
        check.add(row, "shares", "too large")
    elif value != value.quantize(SHARES_QUANTUM):
        check.add(row, "shares", "at most 6 decimal places")
    else:
        return value
    return Decimal("0")


def _acquired(value, text: str, row: int, check: HoldingsCheck, today: date) -> date | None:
    if not text:
        check.add(row, "acquired_on", "required")
        return None
    acquired = _date(value)
    if acquired is None:
        check.add(row, "acquired_on", f"{text!r} is not a date (use YYYY-MM-DD)")
    elif acquired > today:
        check.add(row, "acquired_on", f"{acquired.isoformat()} is in the future")
    elif acquired < EARLIEST_DATE:
        check.add(row, "acquired_on", f"{acquired.isoformat()} is too long ago")
    else:
        return acquired
    return None


def _basis(text: str, row: int, check: HoldingsCheck) -> Decimal:
    if not text:
        check.add(row, "cost_basis", "required")
        return Decimal("0")
    value = _number(text, row, "cost_basis", check)
    if value is None:
        pass  # the problem is recorded
    elif value < 0:
        check.add(row, "cost_basis", "must not be negative")
    elif value > MAX_AMOUNT:
        check.add(row, "cost_basis", "too large")
    else:
        return money_round(value)
    return Decimal("0")
