"""Reads of the tax-lot area: an account's lots and trades, the household's lots as arrays for
optimizers, and the realized-gains report (Form 8949 layout, Schedule D, carryover)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from accounts.models import Account, AccountType
from accounts.scoping import access_object, access_object_for_write
from pma_engine.household import WASH_WINDOW_DAYS, HouseholdLots, household_lots_build
from pma_engine.tax import (
    FilingStatus,
    Form8949Row,
    ScheduleDTotals,
    TaxRates,
    capital_loss_carryover,
    capital_loss_limit,
    days_until_long_term,
    form8949_row,
    money_round,
    schedule_d_totals,
    tax_estimate,
)
from pma_engine.universe import Universe
from portfolios.lots.ledger import household_ledger_run
from portfolios.models import ImportBatch, TaxLot, Trade, TradeAction
from portfolios.selectors import latest_prices, universe_load

ZERO = Decimal("0")


# --------------------------------------------------------------------------- account page


@dataclass(frozen=True)
class LotRow:
    lot: TaxLot
    price: Decimal | None
    price_date: date | None
    market_value: Decimal | None
    unrealized: Decimal | None
    is_long_term: bool
    days_until_long_term: int
    is_washed: bool
    is_legacy: bool


@dataclass(frozen=True)
class AccountLots:
    rows: list[LotRow]
    shares_by_ticker: dict[str, Decimal]
    cost_basis: Decimal
    market_value: Decimal | None
    unrealized: Decimal | None
    wash_adjustment: Decimal
    has_legacy: bool
    unpriced: int

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def account_lots(*, account, as_of: date | None = None) -> AccountLots:
    """The account's open lots with price, market value, unrealized gain or loss, holding
    period (from the wash-adjusted acquisition date) and the wash-sale adjustment carried."""
    as_of = as_of or timezone.localdate()
    lots = list(
        TaxLot.objects.filter(account=account)
        .select_related("security")
        .order_by("security__ticker", "adjusted_acquired_on", "id")
    )
    prices = latest_prices(security_ids={lot.security_id for lot in lots})
    rows: list[LotRow] = []
    total_basis = total_value = total_unrealized = total_wash = ZERO
    unpriced = 0
    for lot in lots:
        price = prices.get(lot.security_id)
        value = money_round(lot.shares * price.close) if price else None
        unrealized = value - lot.cost_basis if value is not None else None
        days = days_until_long_term(lot.adjusted_acquired_on, as_of)
        rows.append(
            LotRow(
                lot=lot,
                price=price.close if price else None,
                price_date=price.on if price else None,
                market_value=value,
                unrealized=unrealized,
                is_long_term=days == 0,
                days_until_long_term=days,
                is_washed=lot.wash_adjustment != 0 or lot.adjusted_acquired_on != lot.acquired_on,
                is_legacy=lot.security.firm_id is not None,
            )
        )
        total_basis += lot.cost_basis
        total_wash += lot.wash_adjustment
        if value is None:
            unpriced += 1
        else:
            total_value += value
            total_unrealized += unrealized
    shares: dict[str, Decimal] = {}
    for lot in lots:
        shares[lot.security.ticker] = shares.get(lot.security.ticker, ZERO) + lot.shares
    return AccountLots(
        rows=rows,
        shares_by_ticker=shares,
        cost_basis=total_basis,
        market_value=total_value if rows else None,
        unrealized=total_unrealized if rows else None,
        wash_adjustment=total_wash,
        has_legacy=any(r.is_legacy for r in rows),
        unpriced=unpriced,
    )


def account_trades(*, account, limit: int = 200) -> list[Trade]:
    """Recorded trades of the account, newest first (opening lots left out: they are lots)."""
    trades = list(
        Trade.objects.filter(account=account)
        .exclude(source="opening")
        .select_related("security", "created_by")
        .order_by("-trade_date", "-id")[:limit]
    )
    for trade in trades:
        trade.price_per_share = trade.amount / trade.shares
    return trades


# --------------------------------------------------------------------------- for optimizers


def household_lots_load(
    *, client, as_of: date | None = None, universe: Universe | None = None
) -> tuple[Universe, HouseholdLots]:
    """All open lots of all accounts of the household, as the engine's arrays.

    One query per table (accounts, lots, trades in the wash window, and securities when the
    universe must grow), `values_list` into numpy. The universe returned is `universe` (or an
    empty one) followed by the held securities it lacked, legacy ones included, ordered by
    ticker then id.
    """
    as_of = as_of or timezone.localdate()
    accounts = list(
        Account.objects.filter(client=client).order_by("pk").values_list("pk", "account_type")
    )
    account_ids = [pk for pk, _ in accounts]
    lot_rows = list(
        TaxLot.objects.filter(account_id__in=account_ids)
        .order_by("account_id", "security_id", "adjusted_acquired_on", "pk")
        .values_list(
            "public_id", "account_id", "security_id", "shares", "cost_basis", "adjusted_acquired_on"
        )
    )
    window_start = as_of - timedelta(days=WASH_WINDOW_DAYS)
    trade_rows = list(
        Trade.objects.filter(
            account_id__in=account_ids, trade_date__gte=window_start, trade_date__lte=as_of
        ).values_list("security_id", "action", "trade_date")
    )
    universe = universe if universe is not None else Universe(ids=[], tickers=())
    held = [row[2] for row in lot_rows]
    missing = sorted({i for i in held if i not in universe})
    if missing:
        extra = universe_load(security_ids=missing)
        order = sorted(range(len(extra)), key=lambda i: (extra.tickers[i], int(extra.ids[i])))
        universe = universe.extended(extra.subset(order))
    count = len(lot_rows)
    columns = list(zip(*lot_rows, strict=True)) if lot_rows else [()] * 6
    sales = [(sid, day) for sid, action, day in trade_rows if action == TradeAction.SELL]
    buys = [(sid, day) for sid, action, day in trade_rows if action == TradeAction.BUY]

    def ordinals(days) -> np.ndarray:
        return np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days))

    lots = household_lots_build(
        universe=universe,
        as_of=as_of,
        account_ids=account_ids,
        account_is_taxable=[kind == AccountType.TAXABLE for _, kind in accounts],
        lot_public_ids=[str(public_id) for public_id in columns[0]],
        lot_account_ids=np.fromiter(columns[1], dtype=np.int64, count=count),
        lot_security_ids=np.fromiter(columns[2], dtype=np.int64, count=count),
        shares=np.array(columns[3], dtype=np.float64),
        basis=np.array(columns[4], dtype=np.float64),
        acquired_adjusted=ordinals(columns[5]),
        sale_security_ids=np.array([sid for sid, _ in sales], dtype=np.int64),
        sale_days=ordinals([day for _, day in sales]),
        buy_security_ids=np.array([sid for sid, _ in buys], dtype=np.int64),
        buy_days=ordinals([day for _, day in buys]),
    )
    return universe, lots


# --------------------------------------------------------------------------- realized gains


@dataclass(frozen=True)
class ReportRow:
    account: str
    row: Form8949Row


@dataclass(frozen=True)
class YearCarryover:
    year: int
    short_term_net: Decimal  # this year's, before carryovers
    long_term_net: Decimal
    short_term_carryover_in: Decimal
    long_term_carryover_in: Decimal
    deduction: Decimal
    short_term_carryover_out: Decimal
    long_term_carryover_out: Decimal
    net_after_carryover: Decimal


@dataclass(frozen=True)
class RealizedGainsReport:
    client: object
    year: int
    part_one: list[ReportRow]
    part_two: list[ReportRow]
    totals: ScheduleDTotals
    carryover: YearCarryover
    loss_limit: Decimal
    filing_status_label: str
    estimated_tax: Decimal
    years: list[int] = field(default_factory=list)
    history: list[YearCarryover] = field(default_factory=list)

    @property
    def rows(self) -> list[ReportRow]:
        return self.part_one + self.part_two

    @property
    def has_wash_sales(self) -> bool:
        return any(r.row.code == "W" for r in self.rows)


def realized_gains_report(*, client, year: int) -> RealizedGainsReport:
    """Form 8949 rows of the household's taxable sales in `year`, Schedule D totals, and the
    capital loss limit with the carryover chained from every earlier year of the ledger."""
    ledger = household_ledger_run(client=client)
    dispositions = [d for d in ledger.dispositions() if d.is_reportable]
    dispositions.sort(key=lambda d: (d.date_sold, d.sale_index))  # stable: keeps relief order
    by_year: dict[int, list[ReportRow]] = {}
    for d in dispositions:
        by_year.setdefault(d.date_sold.year, []).append(
            ReportRow(account=ledger.account_names[int(d.account)], row=form8949_row(d))
        )
    status = FilingStatus(client.filing_status)
    history: list[YearCarryover] = []
    carry_st = carry_lt = ZERO
    first_year = min([*by_year, year])
    for each_year in range(first_year, year + 1):
        totals = schedule_d_totals(r.row for r in by_year.get(each_year, []))
        worksheet = capital_loss_carryover(
            short_term_net=totals.short_term.gain_loss,
            long_term_net=totals.long_term.gain_loss,
            short_term_carryover_in=carry_st,
            long_term_carryover_in=carry_lt,
            filing_status=status,
        )
        history.append(
            YearCarryover(
                year=each_year,
                short_term_net=totals.short_term.gain_loss,
                long_term_net=totals.long_term.gain_loss,
                short_term_carryover_in=carry_st,
                long_term_carryover_in=carry_lt,
                deduction=worksheet.deduction,
                short_term_carryover_out=worksheet.short_term_carryover,
                long_term_carryover_out=worksheet.long_term_carryover,
                net_after_carryover=worksheet.net,
            )
        )
        carry_st, carry_lt = worksheet.short_term_carryover, worksheet.long_term_carryover
    rows = by_year.get(year, [])
    totals = schedule_d_totals(r.row for r in rows)
    current = history[-1]
    # Federal netting with the client's rates; the carryover in counts as this year's loss.
    estimate = tax_estimate(
        current.short_term_net - current.short_term_carryover_in,
        current.long_term_net - current.long_term_carryover_in,
        TaxRates(short_term=client.short_term_rate, long_term=client.long_term_rate),
    )
    return RealizedGainsReport(
        client=client,
        year=year,
        part_one=[r for r in rows if r.row.part == "I"],
        part_two=[r for r in rows if r.row.part == "II"],
        totals=totals,
        carryover=current,
        loss_limit=capital_loss_limit(status),
        filing_status_label=client.get_filing_status_display(),
        estimated_tax=money_round(estimate.tax),
        years=sorted(by_year),
        history=[h for h in history if h.year < year],
    )


# ------------------------------------------------------------------ one row, 404 when not yours


def access_tax_lot(*, user, id) -> TaxLot:  # noqa: A002
    """An open lot of an account the user may see (by the lot's public id)."""
    return access_object(
        TaxLot.objects.select_related("account__client", "security"), user=user, public_id=id
    )


def access_trade(*, user, id) -> Trade:  # noqa: A002
    return access_object(
        Trade.objects.select_related("account__client", "security"), user=user, public_id=id
    )


def access_import_batch(*, user, id) -> ImportBatch:  # noqa: A002
    """A holdings upload of a household the user may see."""
    return access_object(
        ImportBatch.objects.select_related("client", "uploaded_by"), user=user, public_id=id
    )


def access_import_batch_for_write(*, user, id) -> ImportBatch:  # noqa: A002
    """A holdings upload the user may re-check, confirm or reject (not a client login)."""
    return access_object_for_write(
        ImportBatch.objects.select_related("client", "uploaded_by"), user=user, public_id=id
    )
