"""Writes of the cash ledger: every movement of an account's cash is a CashEntry (signed), and
`Account.cash_balance` is kept equal to the sum of the entries in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pma_engine.tax import money_round
from portfolios.models import CashEntry, CashKind, TradeAction

ZERO = Decimal("0")
CASH_MAX = Decimal("1e15")


def _balances_add(changes: dict[int, Decimal]) -> None:
    from accounts.models import Account

    for account_id, delta in changes.items():
        if delta:
            Account.objects.filter(pk=account_id).update(cash_balance=F("cash_balance") + delta)


def trade_cash_entries(*, trades: Sequence, actor) -> list[CashEntry]:
    """A sale adds its proceeds, a purchase takes its cost (call inside the trades' transaction)."""
    entries = [
        CashEntry(
            firm_id=trade.firm_id,
            account_id=trade.account_id,
            date=trade.trade_date,
            kind=CashKind.TRADE_PROCEEDS
            if trade.action == TradeAction.SELL
            else CashKind.TRADE_COST,
            amount=trade.amount if trade.action == TradeAction.SELL else -trade.amount,
            trade=trade,
            created_by=actor,
        )
        for trade in trades
    ]
    CashEntry.objects.bulk_create(entries, batch_size=2000)
    changes: dict[int, Decimal] = {}
    for entry in entries:
        changes[entry.account_id] = changes.get(entry.account_id, ZERO) + entry.amount
    _balances_add(changes)
    return entries


def cash_entry_record(
    *,
    account,
    actor,
    kind: str,
    amount: Decimal,
    on: date | None = None,
    note: str = "",
) -> CashEntry:
    """A deposit, withdrawal or fee (amount given positive; the kind sets the sign).

    A withdrawal or fee larger than the cash held is refused: the account cannot go negative.
    """
    errors: dict[str, str] = {}
    on = on or timezone.localdate()
    if kind not in (CashKind.DEPOSIT, CashKind.WITHDRAWAL, CashKind.FEE):
        errors["kind"] = "Choose deposit, withdrawal or fee."
    if amount is None or not amount.is_finite() or amount <= 0:
        errors["amount"] = "Must be greater than zero."
    elif amount >= CASH_MAX:
        errors["amount"] = "Too large."
    elif money_round(amount) != amount:
        errors["amount"] = "At most 2 decimal places (cents)."
    if on > timezone.localdate():
        errors["date"] = f"{on.isoformat()} is in the future."
    if len(note) > 200:
        errors["note"] = "At most 200 characters."
    if errors:
        raise ValidationError(errors)
    from accounts.models import Account

    signed = amount if kind == CashKind.DEPOSIT else -amount
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if signed < 0 and locked.cash_balance + signed < 0:
            raise ValidationError(
                {"amount": f"The account holds only {locked.cash_balance} in cash."}
            )
        entry = CashEntry.objects.create(
            firm_id=account.firm_id,
            account_id=account.pk,
            date=on,
            kind=kind,
            amount=signed,
            note=note.strip(),
            created_by=actor,
        )
        _balances_add({account.pk: signed})
    account.cash_balance = locked.cash_balance + signed
    return entry


def cash_entry_note(*, account, actor, delta: Decimal, note: str = "") -> CashEntry | None:
    """Record a change of `cash_balance` already saved (the account form) as an opening-balance
    entry, so that the ledger still explains the balance. Nothing when delta is zero."""
    if not delta:
        return None
    return CashEntry.objects.create(
        firm_id=account.firm_id,
        account_id=account.pk,
        date=timezone.localdate(),
        kind=CashKind.OPENING,
        amount=money_round(delta),
        note=note,
        created_by=actor,
    )


def cash_balance_set(*, account, actor, amount: Decimal, on: date | None = None) -> None:
    """Set the cash to `amount` (a holdings file's CASH row): an opening-balance entry for the
    difference, so the ledger still sums to the balance."""
    from accounts.models import Account

    current = Account.objects.filter(pk=account.pk).values_list("cash_balance", flat=True)[0]
    delta = money_round(amount) - current
    if delta:
        CashEntry.objects.create(
            firm_id=account.firm_id,
            account_id=account.pk,
            date=on or timezone.localdate(),
            kind=CashKind.OPENING,
            amount=delta,
            created_by=actor,
        )
        _balances_add({account.pk: delta})
    account.cash_balance = current + delta
