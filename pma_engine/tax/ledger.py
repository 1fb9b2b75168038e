"""The household ledger: lot relief, wash sales across every account, and the lots left open.

One chronological pass (transactions sorted by date, same-date ones in input order; same-day
sales of one account and ticker are one order, see `ledger_run`) with deferred matching: a sale
at a loss first takes replacement shares bought in the 30 days before it, then waits in a per-
ticker queue; each later purchase within 30 days of the sale is offered to the waiting losses,
earliest sale first (Treas. Reg. 1.1091-1(b), (c), (e)). Because every share a loss could take
was bought no later than the purchase being offered, taking shares as they arrive gives the
same matching as applying each loss, in sale order, to the earliest-acquired shares of its
whole 61-day window, and a replacement's adjusted basis is final before it can itself be sold.
Each purchase is indexed per ticker by date (bisect), so a loss looks only at the purchases of
its own window: the pass is O(n log n) over the ledger."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from pma_engine.tax.holding import is_long_term
from pma_engine.tax.models import (
    AccountType,
    Action,
    Disposition,
    LedgerError,
    LedgerResult,
    OpenLot,
    ReliefMethod,
    TaxRates,
    Transaction,
    WashMatch,
    WashSaleOptions,
)

WASH_WINDOW = timedelta(days=30)
_ZERO = Decimal(0)
# Pro-rata shares of money are fixed-point at 1e-12, so the remainder found by subtraction is
# exact and basis is conserved to the last digit (cents are rounded only on Form 8949).
_PRORATA_QUANTUM = Decimal("1e-12")
# Relief keys (basis or tax per share) are compared at 1e-9, so that two lots whose exact
# per-share basis is equal still tie (and fall back to FIFO) after 1e-12 pro-rata splits.
_RANK_QUANTUM = Decimal("1e-9")


def _rank_key(value: Decimal) -> Decimal:
    """A relief key at 1e-9 (values too large to quantize at 28 digits are kept as they are)."""
    try:
        return value.quantize(_RANK_QUANTUM)
    except InvalidOperation:
        return value


def _prorate(amount: Decimal, shares: Decimal, of_shares: Decimal) -> Decimal:
    """amount * shares / of_shares, fixed-point; the caller keeps amount - result as the rest."""
    if shares == of_shares:
        return amount
    return (amount * shares / of_shares).quantize(_PRORATA_QUANTUM)


@dataclass(eq=False)
class _Lot:
    """One purchase (BUY transaction); its shares split into pieces as wash sales touch them."""

    buy_index: int
    account: str
    account_type: AccountType
    ticker: str
    lot_id: str | None
    acquired: date
    open_pieces: list[_Piece] = field(default_factory=list)
    closed_parts: list[_Part] = field(default_factory=list)


@dataclass(eq=False)
class _Piece:
    """Open shares of one lot that share one wash-sale history (basis and holding period)."""

    lot: _Lot
    shares: Decimal
    cost: Decimal
    wash_adjustment: Decimal
    acquired_adjusted: date
    is_replacement: bool = False

    @property
    def basis(self) -> Decimal:
        return self.cost + self.wash_adjustment


@dataclass(eq=False)
class _Extra:
    """A loss deferred onto shares already sold (count_replacements_sold_before_loss only)."""

    shares: Decimal
    amount: Decimal
    acquired_adjusted: date


@dataclass(eq=False)
class _Part:
    """A disposition under construction: its wash-sale matching may finish 30 days later."""

    lot: _Lot
    sale_index: int
    order_index: int  # the sale's order: its last row (same-day rows of one order, see sell)
    date_sold: date
    shares: Decimal
    proceeds: Decimal
    cost: Decimal
    wash_adjustment: Decimal
    acquired_adjusted: date
    replacement_shares_used: Decimal
    loss: Decimal = _ZERO
    unmatched: Decimal = _ZERO
    loss_unallocated: Decimal = _ZERO
    matches: list[WashMatch] = field(default_factory=list)
    extras: list[_Extra] = field(default_factory=list)


def _piece_split(piece: _Piece, shares: Decimal) -> _Piece:
    """Carve `shares` out of `piece` pro rata; the remainder keeps exact totals by subtraction."""
    cost = _prorate(piece.cost, shares, piece.shares)
    adjustment = _prorate(piece.wash_adjustment, shares, piece.shares)
    piece.shares -= shares
    piece.cost -= cost
    piece.wash_adjustment -= adjustment
    return _Piece(
        lot=piece.lot,
        shares=shares,
        cost=cost,
        wash_adjustment=adjustment,
        acquired_adjusted=piece.acquired_adjusted,
        is_replacement=piece.is_replacement,
    )


class _Ledger:
    def __init__(
        self,
        transactions: Sequence[Transaction],
        method: ReliefMethod,
        rates: TaxRates,
        options: WashSaleOptions,
    ) -> None:
        self.transactions = transactions
        self.method = method
        self.rates = rates
        self.options = options
        self.account_types: dict[str, AccountType] = {}
        self.holdings: dict[tuple[str, str], list[_Lot]] = {}
        self.lots_by_id: dict[tuple[str, str], _Lot] = {}
        self.purchases: dict[str, list[_Lot]] = {}
        self.purchase_ordinals: dict[str, list[int]] = {}
        self.pending: dict[str, list[_Part]] = {}
        self.lots: list[_Lot] = []
        self.parts: list[_Part] = []

    # -- applying transactions -------------------------------------------------------------

    def check(self, index: int, tx: Transaction) -> None:
        """Refuse what no ledger could apply, whatever else the ledger holds."""
        if not tx.shares.is_finite() or tx.shares <= 0:
            raise LedgerError(index, f"shares must be positive, got {tx.shares}")
        if not tx.amount.is_finite() or tx.amount < 0:
            raise LedgerError(index, f"amount must not be negative, got {tx.amount}")
        if not tx.ticker:
            raise LedgerError(index, "ticker is empty")
        if not tx.account:
            raise LedgerError(index, "account is empty")
        known_type = self.account_types.setdefault(tx.account, tx.account_type)
        if known_type is not tx.account_type:
            raise LedgerError(
                index,
                f"account {tx.account!r} is {known_type.value} in an earlier transaction,"
                f" not {tx.account_type.value}",
            )

    def apply(self, index: int, tx: Transaction) -> None:
        self.check(index, tx)
        if tx.action is Action.BUY:
            self.buy(index, tx)
        else:
            self.sell([(index, tx)])

    def buy(self, index: int, tx: Transaction) -> None:
        if tx.lot_id and (tx.account, tx.lot_id) in self.lots_by_id:
            raise LedgerError(index, f"lot {tx.lot_id!r} already exists in account {tx.account!r}")
        lot = _Lot(index, tx.account, tx.account_type, tx.ticker, tx.lot_id, tx.trade_date)
        lot.open_pieces.append(_Piece(lot, tx.shares, tx.amount, _ZERO, tx.trade_date))
        self.lots.append(lot)
        self.holdings.setdefault((tx.account, tx.ticker), []).append(lot)
        self.purchases.setdefault(tx.ticker, []).append(lot)
        self.purchase_ordinals.setdefault(tx.ticker, []).append(tx.trade_date.toordinal())
        if tx.lot_id:
            self.lots_by_id[(tx.account, tx.lot_id)] = lot
        self.pending_match(lot)

    def sell(self, rows: list[tuple[int, Transaction]]) -> None:
        """One order: one or more same-day rows of one account, ticker, named lot and method.

        Each row is relieved in turn (its own proceeds), ranked at the order's average price;
        then the losses of all the order's shares are matched to replacements together, in
        the order the sold shares were acquired, as for one sale (1.1091-1(b)).
        """
        order_index = rows[-1][0]
        price = sum((tx.amount for _, tx in rows), _ZERO) / sum(
            (tx.shares for _, tx in rows), _ZERO
        )
        parts: list[_Part] = []
        for index, tx in rows:
            parts.extend(self.sell_row(index, tx, order_index, price))
        tx = rows[0][1]
        if tx.account_type.is_tax_deferred:
            return  # losses inside an IRA or Roth are never deductible: nothing to wash
        # Losses of one order are applied in the order their shares were acquired (1.1091-1(b)).
        for part in sorted(parts, key=lambda p: (p.lot.acquired, p.lot.buy_index)):
            loss = part.cost + part.wash_adjustment - part.proceeds
            if loss <= 0:
                continue  # gains are never washed
            part.loss, part.unmatched, part.loss_unallocated = loss, part.shares, loss
            self.match_before_sale(part)
            if part.unmatched > 0:
                self.pending.setdefault(tx.ticker, []).append(part)

    def sell_row(
        self, index: int, tx: Transaction, order_index: int, price: Decimal
    ) -> list[_Part]:
        key = (tx.account, tx.ticker)
        method = tx.method or self.method
        if tx.lot_id:
            named = self.lots_by_id.get((tx.account, tx.lot_id))
            if named is None:
                raise LedgerError(index, f"unknown lot {tx.lot_id!r} in account {tx.account!r}")
            if named.ticker != tx.ticker:
                raise LedgerError(index, f"lot {tx.lot_id!r} holds {named.ticker}, not {tx.ticker}")
            lots = [named]
            method = ReliefMethod.FIFO
        elif method is ReliefMethod.SPECIFIC:
            raise LedgerError(index, "specific identification needs a lot")
        else:
            lots = self.holdings.get(key, [])
        held = sum((p.shares for lot in lots for p in lot.open_pieces), _ZERO)
        if tx.shares > held:
            where = f"lot {tx.lot_id!r}" if tx.lot_id else f"account {tx.account!r}"
            raise LedgerError(
                index, f"selling {tx.shares} shares of {tx.ticker} but {where} holds only {held}"
            )
        ordered = self.relief_order(lots, method, tx.trade_date, price)
        parts = self.relieve(index, tx, ordered, order_index)
        if key in self.holdings:
            self.holdings[key] = [lot for lot in self.holdings[key] if lot.open_pieces]
        return parts

    def relief_order(
        self, lots: list[_Lot], method: ReliefMethod, sold: date, price: Decimal
    ) -> list[_Piece]:
        """Open pieces in the order the method relieves them; ties fall back to FIFO."""
        fifo = [piece for lot in lots for piece in lot.open_pieces]
        if method in (ReliefMethod.FIFO, ReliefMethod.SPECIFIC):
            return fifo
        if method is ReliefMethod.LIFO:
            return [piece for lot in reversed(lots) for piece in lot.open_pieces]
        if method is ReliefMethod.HIFO:

            def basis_per_share(piece: _Piece) -> Decimal:
                return _rank_key(piece.basis / piece.shares)

            ranked = sorted(enumerate(fifo), key=lambda ip: (-basis_per_share(ip[1]), ip[0]))
            return [piece for _, piece in ranked]

        def tax_per_share(piece: _Piece) -> Decimal:
            rate = (
                self.rates.long_term
                if is_long_term(piece.acquired_adjusted, sold)
                else self.rates.short_term
            )
            return _rank_key((price - piece.basis / piece.shares) * rate)

        ranked = sorted(enumerate(fifo), key=lambda ip: (tax_per_share(ip[1]), ip[0]))
        return [piece for _, piece in ranked]

    def relieve(
        self, index: int, tx: Transaction, ordered: list[_Piece], order_index: int
    ) -> list[_Part]:
        """Take the sold shares from the ordered pieces; proceeds are split pro rata by shares."""
        remaining = tx.shares
        proceeds_left = tx.amount
        parts: list[_Part] = []
        for piece in ordered:
            take = min(remaining, piece.shares)
            if take == piece.shares:
                piece.lot.open_pieces.remove(piece)
                sold = piece
            else:
                sold = _piece_split(piece, take)
            proceeds = _prorate(proceeds_left, take, remaining)
            part = _Part(
                lot=sold.lot,
                sale_index=index,
                order_index=order_index,
                date_sold=tx.trade_date,
                shares=take,
                proceeds=proceeds,
                cost=sold.cost,
                wash_adjustment=sold.wash_adjustment,
                acquired_adjusted=sold.acquired_adjusted,
                replacement_shares_used=take if sold.is_replacement else _ZERO,
            )
            parts.append(part)
            self.parts.append(part)
            if self.options.count_replacements_sold_before_loss:
                sold.lot.closed_parts.append(part)
            remaining -= take
            proceeds_left -= proceeds
            if remaining == 0:
                break
        return parts

    # -- wash sales -------------------------------------------------------------------------

    def match_before_sale(self, part: _Part) -> None:
        """Replacement shares bought in the 30 days before the loss sale, earliest first."""
        ticker = part.lot.ticker
        ordinals = self.purchase_ordinals.get(ticker, [])
        purchases = self.purchases.get(ticker, [])
        start = bisect_left(ordinals, (part.date_sold - WASH_WINDOW).toordinal())
        for position in range(start, len(purchases)):
            lot = purchases[position]
            if lot is part.lot and not self.options.same_purchase_is_replacement:
                continue
            for piece in list(lot.open_pieces):
                if not piece.is_replacement:
                    self.match_open_piece(part, piece)
                    if part.unmatched == 0:
                        return
            if self.options.count_replacements_sold_before_loss:
                for closed in lot.closed_parts:
                    available = closed.shares - closed.replacement_shares_used
                    if closed.order_index != part.order_index and available > 0:
                        self.match_closed_part(part, closed, available)
                        if part.unmatched == 0:
                            return

    def pending_match(self, lot: _Lot) -> None:
        """Offer a new purchase to the losses of the last 30 days still short of replacements."""
        queue = self.pending.get(lot.ticker)
        if not queue:
            return
        window_start = lot.acquired - WASH_WINDOW
        waiting = [p for p in queue if p.unmatched > 0 and p.date_sold >= window_start]
        for part in waiting:
            for piece in list(lot.open_pieces):
                if not piece.is_replacement:
                    self.match_open_piece(part, piece)
                    if part.unmatched == 0:
                        break
            if not any(not piece.is_replacement for piece in lot.open_pieces):
                break
        self.pending[lot.ticker] = [p for p in waiting if p.unmatched > 0]

    def loss_allocate(self, part: _Part, shares: Decimal) -> Decimal:
        """Disallowed loss for `shares` of the part's unmatched shares (pro rata, exact at end)."""
        amount = _prorate(part.loss_unallocated, shares, part.unmatched)
        part.unmatched -= shares
        part.loss_unallocated -= amount
        return amount

    def tacked_acquisition(self, replacement_acquired: date, part: _Part) -> date:
        """Replacement's holding period includes the sold shares' (IRC 1223(3))."""
        overlaps = replacement_acquired < part.date_sold
        if overlaps and self.options.holding_period_overlap_counts_once:
            return min(replacement_acquired, part.acquired_adjusted)
        return replacement_acquired - (part.date_sold - part.acquired_adjusted)

    def match_open_piece(self, part: _Part, piece: _Piece) -> None:
        shares = min(part.unmatched, piece.shares)
        amount = self.loss_allocate(part, shares)
        if shares < piece.shares:
            used = _piece_split(piece, shares)
            pieces = piece.lot.open_pieces
            pieces.insert(pieces.index(piece), used)
        else:
            used = piece
        used.is_replacement = True
        is_permanent = used.lot.account_type.is_tax_deferred
        if not is_permanent:  # Rev. Rul. 2008-5: no basis increase inside an IRA
            used.wash_adjustment += amount
            used.acquired_adjusted = self.tacked_acquisition(used.acquired_adjusted, part)
        part.matches.append(
            WashMatch(used.lot.buy_index, used.lot.account, shares, amount, is_permanent)
        )

    def match_closed_part(self, part: _Part, closed: _Part, available: Decimal) -> None:
        shares = min(part.unmatched, available)
        amount = self.loss_allocate(part, shares)
        closed.replacement_shares_used += shares
        is_permanent = closed.lot.account_type.is_tax_deferred
        if not is_permanent:
            acquired = self.tacked_acquisition(closed.acquired_adjusted, part)
            closed.extras.append(_Extra(shares, amount, acquired))
        part.matches.append(
            WashMatch(closed.lot.buy_index, closed.lot.account, shares, amount, is_permanent)
        )

    # -- results ----------------------------------------------------------------------------

    def dispositions(self) -> list[Disposition]:
        rows: list[Disposition] = []
        for part in self.parts:
            rows.extend(_part_dispositions(part))
        return rows

    def open_lots(self) -> list[OpenLot]:
        """One row per lot and adjusted acquisition date (pieces sharing a date are summed)."""
        result: list[OpenLot] = []
        for lot in self.lots:
            by_date: dict[date, list[_Piece]] = {}
            for piece in lot.open_pieces:
                by_date.setdefault(piece.acquired_adjusted, []).append(piece)
            for acquired, pieces in by_date.items():
                result.append(
                    OpenLot(
                        buy_index=lot.buy_index,
                        account=lot.account,
                        account_type=lot.account_type,
                        ticker=lot.ticker,
                        lot_id=lot.lot_id,
                        shares=sum((p.shares for p in pieces), _ZERO),
                        date_acquired_original=lot.acquired,
                        date_acquired=acquired,
                        cost_unadjusted=sum((p.cost for p in pieces), _ZERO),
                        wash_adjustment=sum((p.wash_adjustment for p in pieces), _ZERO),
                        replacement_shares=sum(
                            (p.shares for p in pieces if p.is_replacement), _ZERO
                        ),
                    )
                )
        return result


def _part_dispositions(part: _Part) -> list[Disposition]:
    """Freeze a part; deferred losses landed on already-sold shares split it into rows."""
    disallowed = part.loss - part.loss_unallocated
    permanent = sum((m.disallowed_loss for m in part.matches if m.is_permanent), _ZERO)
    lot = part.lot

    def row(
        shares: Decimal,
        proceeds: Decimal,
        cost: Decimal,
        adjustment: Decimal,
        row_disallowed: Decimal,
        row_permanent: Decimal,
        acquired: date,
        matches: tuple[WashMatch, ...],
    ) -> Disposition:
        return Disposition(
            sale_index=part.sale_index,
            buy_index=lot.buy_index,
            account=lot.account,
            account_type=lot.account_type,
            ticker=lot.ticker,
            lot_id=lot.lot_id,
            shares=shares,
            date_acquired_original=lot.acquired,
            date_acquired=acquired,
            date_sold=part.date_sold,
            proceeds=proceeds,
            cost_unadjusted=cost,
            wash_adjustment=adjustment,
            disallowed_loss=row_disallowed,
            disallowed_permanently=row_permanent,
            is_long_term=is_long_term(acquired, part.date_sold),
            wash_matches=matches,
        )

    if not part.extras:
        return [
            row(
                part.shares,
                part.proceeds,
                part.cost,
                part.wash_adjustment,
                disallowed,
                permanent,
                part.acquired_adjusted,
                tuple(part.matches),
            )
        ]
    rows: list[Disposition] = []
    shares_left, proceeds_left, cost_left = part.shares, part.proceeds, part.cost
    adjustment_left, disallowed_left, permanent_left = part.wash_adjustment, disallowed, permanent
    for extra in part.extras:
        left = (proceeds_left, cost_left, adjustment_left, disallowed_left, permanent_left)
        proceeds, cost, adjustment, row_disallowed, row_permanent = (
            _prorate(value, extra.shares, shares_left) for value in left
        )
        shares_left -= extra.shares
        proceeds_left -= proceeds
        cost_left -= cost
        adjustment_left -= adjustment
        disallowed_left -= row_disallowed
        permanent_left -= row_permanent
        matches = tuple(part.matches) if not rows else ()
        rows.append(
            row(
                extra.shares,
                proceeds,
                cost,
                adjustment + extra.amount,
                row_disallowed,
                row_permanent,
                extra.acquired_adjusted,
                matches,
            )
        )
    if shares_left > 0:
        rows.append(
            row(
                shares_left,
                proceeds_left,
                cost_left,
                adjustment_left,
                disallowed_left,
                permanent_left,
                part.acquired_adjusted,
                (),
            )
        )
    return rows


def ledger_run(
    transactions: Sequence[Transaction],
    *,
    method: ReliefMethod = ReliefMethod.FIFO,
    rates: TaxRates | None = None,
    wash_options: WashSaleOptions | None = None,
) -> LedgerResult:
    """Apply a household's transactions in date order (same date: input order).

    Same-day SELL rows of one account and ticker that name the same lot (or none) with the
    same relief method are one order (docs/tax-engine.md, "One order"): applied together at
    the place of the last row, so one row of 200 shares and two rows of 100 give the same tax.

    Returns every disposition (one per sold lot piece, taxable and tax-deferred alike) and
    the lots left open. Raises LedgerError naming the first transaction that cannot apply.
    Pure and deterministic: the same input always gives the same result.
    """
    ledger = _Ledger(transactions, method, rates or TaxRates(), wash_options or WashSaleOptions())
    order = sorted(range(len(transactions)), key=lambda i: (transactions[i].trade_date, i))
    orders = _orders(transactions, order, method)
    with localcontext() as context:
        context.prec = 28
        context.rounding = ROUND_HALF_EVEN
        for index in order:
            rows = orders.get(index)
            if rows is None:
                ledger.apply(index, transactions[index])
            elif rows:
                for row in rows:
                    ledger.check(row, transactions[row])
                ledger.sell([(row, transactions[row]) for row in rows])
        return LedgerResult(tuple(ledger.dispositions()), tuple(ledger.open_lots()))


def _orders(
    transactions: Sequence[Transaction], order: list[int], method: ReliefMethod
) -> dict[int, list[int]]:
    """Same-day sales of one account and ticker naming the same lot (or none) with the same
    method form one order, applied at its last row: {last row: all its rows in input order,
    each earlier row: []} (an empty list: skip, the order is applied later)."""
    groups: dict[tuple, list[int]] = {}
    for index in order:
        tx = transactions[index]
        if tx.action is Action.SELL:
            key = (tx.trade_date, tx.account, tx.ticker, tx.lot_id, tx.method or method)
            groups.setdefault(key, []).append(index)
    orders: dict[int, list[int]] = {}
    for rows in groups.values():
        if len(rows) > 1:
            orders.update(dict.fromkeys(rows[:-1], []))
            orders[rows[-1]] = rows
    return orders
