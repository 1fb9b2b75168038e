"""Writes of trades: a batch of trades is recorded in one transaction with ONE household
replay (a rebalance of 500 trades replays once), all or nothing; each trade moves cash."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pma_engine.tax import money_round
from pma_engine.tax.money import SHARES_QUANTUM
from portfolios.lots.cash import trade_cash_entries
from portfolios.lots.replay import ReplayResult, client_lock, household_replay
from portfolios.lots.types import TradeInput, TradeProblem
from portfolios.models import Security, TaxLot, Trade, TradeAction, TradeSource

LOT_REF_MAX = 64


class TradesRefused(ValidationError):
    """A batch refused as a whole; `problems` name each bad trade by index and field."""

    def __init__(self, problems: Sequence[TradeProblem]) -> None:
        self.problems = list(problems)
        messages: dict[str, list[str]] = {}
        for problem in self.problems:
            messages.setdefault(f"trades[{problem.index}].{problem.field}", []).append(f"{problem}")
        super().__init__(messages)


def _security_for(*, firm, ticker: str) -> Security | None:
    """The master's security with this ticker, else the firm's legacy one."""
    master = Security.objects.filter(firm__isnull=True, ticker=ticker).first()
    return master or Security.objects.filter(firm=firm, ticker=ticker).first()


def _fields_check(index: int, item: TradeInput, *, client, today: date) -> list[TradeProblem]:
    problems: list[TradeProblem] = []

    def add(field: str, message: str) -> None:
        problems.append(TradeProblem(index, field, message))

    if item.action not in (TradeAction.BUY, TradeAction.SELL):
        add("action", "Choose BUY or SELL.")
    if item.account is None or item.account.client_id != client.pk:
        add("account", "Choose an account of this household.")
    security = item.security
    if security is None:
        add("security", "Required.")
    elif security.firm_id is not None and security.firm_id != client.firm_id:
        add("security", f"{security.ticker} is not a security of your firm.")
    shares = item.shares
    if shares is None or not shares.is_finite() or shares <= 0:
        add("shares", "Must be greater than zero.")
    elif shares != shares.quantize(SHARES_QUANTUM):
        add("shares", "At most 6 decimal places.")
    if item.trade_date is None:
        add("trade_date", "Required.")
    elif item.trade_date > today:
        add("trade_date", f"{item.trade_date.isoformat()} is in the future.")
    if item.amount is None or not item.amount.is_finite():
        add("amount", "Required.")
    elif item.amount < 0:
        add("amount", "Must not be negative.")
    if len(item.lot_ref or "") > LOT_REF_MAX:
        add("lot_ref", f"At most {LOT_REF_MAX} characters.")
    if item.lot_public_id and item.action == TradeAction.BUY:
        add("lot_public_id", "A purchase opens a new lot: name it with lot_ref.")
    return problems


def _lots_by_public_id(trades: Sequence[TradeInput]) -> dict[str, tuple[int, int, str]]:
    """{public id: (account id, security id, lot id)} of the open lots the sales name."""
    wanted = set()
    for item in trades:
        if item.lot_public_id:
            try:
                wanted.add(uuid.UUID(str(item.lot_public_id)))
            except ValueError:
                continue
    rows = TaxLot.objects.filter(public_id__in=wanted).values_list(
        "public_id", "account_id", "security_id", "lot_ref"
    )
    return {str(pid): (account_id, sid, ref) for pid, account_id, sid, ref in rows}


def _ids_resolve(trades: list[TradeInput]) -> list[TradeInput]:
    """Accounts and securities given by primary key become rows (one query each); an unknown
    key is left as None, which the checks refuse by index and field."""
    from accounts.models import Account

    account_ids = {t.account for t in trades if isinstance(t.account, int)}
    security_ids = {t.security for t in trades if isinstance(t.security, int)}
    if not account_ids and not security_ids:
        return trades
    accounts = Account.objects.select_related("client").in_bulk(account_ids)
    securities = Security.objects.in_bulk(security_ids)
    return [
        replace(
            t,
            account=accounts.get(t.account) if isinstance(t.account, int) else t.account,
            security=securities.get(t.security) if isinstance(t.security, int) else t.security,
        )
        for t in trades
    ]


def trades_record(
    *,
    trades: Sequence[TradeInput],
    actor,
    client=None,
    today: date | None = None,
) -> ReplayResult:
    """Record many trades of one household with one replay, in one transaction, all or nothing.

    Accounts and securities may be rows or primary keys. Each trade is checked; any bad trade
    refuses the whole batch (TradesRefused names the trade's index and field) and nothing is
    written. A sale relieves lots by its account's method, or the lot it names
    (`lot_public_id` or `lot_ref`). Sales add their proceeds to the account's cash, purchases
    take their cost (CashEntry rows, same transaction).
    Returns the replay's counts with the Trade rows written (`.trades`, in input order).
    """
    today = today or timezone.localdate()
    trades = _ids_resolve(list(trades))
    if client is None:
        if not trades or trades[0].account is None:
            raise ValidationError({"trades": "Give at least one trade with its account."})
        client = trades[0].account.client
    problems: list[TradeProblem] = []
    for index, item in enumerate(trades):
        problems.extend(_fields_check(index, item, client=client, today=today))
    if problems:
        raise TradesRefused(problems)
    if not trades:
        return ReplayResult(open_lots=0, created=0, updated=0, deleted=0)
    with transaction.atomic():
        locked = client_lock(client)
        rows = _trades_build(trades, actor=actor)
        Trade.objects.bulk_create(rows)
        try:
            result = household_replay(client=locked)
        except ValidationError as error:
            failed = (getattr(error, "params", None) or {}).get("trade_id")
            index = next((i for i, row in enumerate(rows) if row.pk == failed), None)
            if index is None:
                what = "The trade was not recorded." if len(rows) == 1 else "No trade was recorded."
                raise ValidationError([*error.messages, what]) from error
            field = "shares" if rows[index].action == TradeAction.SELL else "trade"
            raise TradesRefused([TradeProblem(index, field, " ".join(error.messages))]) from error
        trade_cash_entries(trades=rows, actor=actor)
    from accounts.services import client_touch

    client_touch(client=client)
    return ReplayResult(
        open_lots=result.open_lots,
        created=result.created,
        updated=result.updated,
        deleted=result.deleted,
        trades=tuple(rows),
    )


def _trades_build(trades: Sequence[TradeInput], *, actor) -> list[Trade]:
    """Trade rows for the batch; lot names resolved and checked (raises TradesRefused)."""
    account_ids = {item.account.pk for item in trades}
    used_refs = set(
        Trade.objects.filter(account_id__in=account_ids, action=TradeAction.BUY).values_list(
            "account_id", "lot_ref"
        )
    )
    open_refs = dict(
        ((account_id, ref), security_id)
        for account_id, ref, security_id in TaxLot.objects.filter(
            account_id__in=account_ids
        ).values_list("account_id", "lot_ref", "security_id")
    )
    by_public_id = _lots_by_public_id(trades)
    problems: list[TradeProblem] = []
    rows: list[Trade] = []
    for index, item in enumerate(trades):
        account, security = item.account, item.security
        lot_ref = (item.lot_ref or "").strip()
        if item.action == TradeAction.SELL and item.lot_public_id:
            named = by_public_id.get(str(item.lot_public_id))
            if named is None or named[0] != account.pk:
                problems.append(
                    TradeProblem(index, "lot_public_id", f"No open lot {item.lot_public_id} here.")
                )
                continue
            if named[1] != security.pk:
                problems.append(
                    TradeProblem(index, "lot_public_id", f"That lot does not hold {security}.")
                )
                continue
            lot_ref = named[2]
        elif item.action == TradeAction.SELL and lot_ref:
            held = open_refs.get((account.pk, lot_ref))
            if held is None:
                problems.append(
                    TradeProblem(index, "lot_ref", f"No open lot {lot_ref!r} in this account.")
                )
                continue
            if held != security.pk:
                problems.append(
                    TradeProblem(
                        index, "lot_ref", f"Lot {lot_ref!r} does not hold {security.ticker}."
                    )
                )
                continue
        row = Trade(
            firm_id=account.firm_id,
            account=account,
            security=security,
            action=item.action,
            trade_date=item.trade_date,
            shares=item.shares,
            amount=money_round(item.amount),
            lot_ref=lot_ref,
            source=item.source or TradeSource.MANUAL,
            created_by=actor,
        )
        if item.action == TradeAction.BUY:
            if not lot_ref:
                row.lot_ref = f"T{row.public_id.hex[:10]}"
            elif (account.pk, lot_ref) in used_refs:
                problems.append(
                    TradeProblem(index, "lot_ref", f"Lot id {lot_ref!r} is already used here.")
                )
                continue
            used_refs.add((account.pk, row.lot_ref))
            open_refs[(account.pk, row.lot_ref)] = security.pk  # a later sale may name it
        rows.append(row)
    if problems:
        raise TradesRefused(problems)
    return rows


def trade_record(
    *,
    account,
    actor,
    action: str,
    ticker: str,
    shares: Decimal,
    trade_date: date,
    price: Decimal | None = None,
    amount: Decimal | None = None,
    lot_ref: str = "",
    lot_public_id: str | None = None,
    source: str = TradeSource.MANUAL,
    today: date | None = None,
) -> Trade:
    """Record one buy or sale (a thin wrapper over `trades_record`); errors name the field.

    Give `price` (per share) or `amount` (total); the ticker is the master's or a legacy one.
    """
    ticker = (ticker or "").strip().upper()
    errors: dict[str, str] = {}
    if (price is None) == (amount is None):
        errors["price"] = "Give either a price per share or a total amount."
    elif price is not None and price <= 0:
        errors["price"] = "Must be greater than zero."
    security = _security_for(firm=account.firm, ticker=ticker) if ticker else None
    if security is None:
        errors["ticker"] = (
            f"Unknown ticker {ticker!r}: not in the security master nor among your firm's "
            "legacy holdings."
            if ticker
            else "Required."
        )
    total = amount
    if price is not None and shares is not None and price > 0 and shares.is_finite():
        total = money_round(shares * price)
    item = TradeInput(
        account=account,
        security=security,
        action=action,
        trade_date=trade_date,
        shares=shares,
        amount=total if total is not None else Decimal("0"),
        lot_public_id=lot_public_id,
        source=source,
        lot_ref=lot_ref,
    )
    for problem in _fields_check(
        0, item, client=account.client, today=today or timezone.localdate()
    ):
        if problem.field not in ("security", "account"):
            errors.setdefault(problem.field, problem.message)
    if errors:
        raise ValidationError(errors)
    try:
        result = trades_record(trades=[item], actor=actor, client=account.client, today=today)
    except TradesRefused as refused:
        problem = refused.problems[0]
        if problem.field == "trade":
            raise ValidationError([problem.message, "The trade was not recorded."]) from refused
        raise ValidationError({problem.field: problem.message}) from refused
    return result.trades[0]
