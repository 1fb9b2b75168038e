"""Translation between the household's Trade rows and the tax engine's transactions.

The household's ledger is every Trade of every account of one client (opening lots included:
an imported lot is a BUY on its acquisition date for its total basis), in trade date then entry
order. The engine keys securities by a string; we give it the security's id so that a firm's
legacy name never meets a master name with the same ticker, and put the ticker back on output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from pma_engine.tax import (
    AccountType as EngineAccountType,
)
from pma_engine.tax import (
    Action,
    Disposition,
    LedgerError,
    LedgerResult,
    ReliefMethod,
    TaxRates,
    Transaction,
    ledger_run,
)
from portfolios.models import Trade

_TRAILING_ZEROS = re.compile(r"\b(\d+)\.(\d*?)0+\b")
ENGINE_ACCOUNT_TYPES = {
    "taxable": EngineAccountType.TAXABLE,
    "traditional_ira": EngineAccountType.IRA,
    "roth_ira": EngineAccountType.ROTH,
}


@dataclass(frozen=True)
class LedgerTrade:
    """What we need to know about the Trade behind each engine transaction."""

    trade_id: int
    account_id: int
    security_id: int
    ticker: str
    action: str
    trade_date: date
    shares: Decimal
    lot_ref: str


@dataclass(frozen=True)
class HouseholdLedger:
    trades: list[LedgerTrade]
    result: LedgerResult
    account_names: dict[int, str]
    account_types: dict[int, str]

    @property
    def _tickers(self) -> dict[str, str]:
        return {str(t.security_id): t.ticker for t in self.trades}

    def dispositions(self) -> list[Disposition]:
        """Dispositions with the real ticker in place of the engine's security key."""
        tickers = self._tickers
        return [
            replace(d, ticker=tickers.get(d.ticker, d.ticker)) for d in self.result.dispositions
        ]


def trade_describe(trade: LedgerTrade, account_names: dict[int, str]) -> str:
    verb = "purchase" if trade.action == "BUY" else "sale"
    shares = format(trade.shares.normalize(), "f")
    return (
        f"the {verb} of {shares} {trade.ticker} on {trade.trade_date.isoformat()} "
        f"in {account_names.get(trade.account_id, 'the account')}"
    )


def household_ledger_run(*, client) -> HouseholdLedger:
    """Replay every trade of the household through the engine (nothing is written).

    Each sale uses its account's relief method, or specific identification when it names a lot;
    rates are the client's. A trade the ledger cannot apply raises ValidationError naming it.
    """
    from accounts.models import Account

    accounts = {
        a.pk: a
        for a in Account.objects.filter(client=client).only(
            "pk", "name", "account_type", "lot_relief_method"
        )
    }
    rows = (
        Trade.objects.filter(account__client=client)
        .order_by("trade_date", "id")
        .values_list(
            "pk",
            "account_id",
            "security_id",
            "security__ticker",
            "action",
            "trade_date",
            "shares",
            "amount",
            "lot_ref",
        )
    )
    trades: list[LedgerTrade] = []
    transactions: list[Transaction] = []
    for pk, account_id, security_id, ticker, action, trade_date, shares, amount, lot_ref in rows:
        account = accounts[account_id]
        method = None
        if action == "SELL" and not lot_ref:
            method = ReliefMethod(account.lot_relief_method)
        trades.append(
            LedgerTrade(pk, account_id, security_id, ticker, action, trade_date, shares, lot_ref)
        )
        transactions.append(
            Transaction(
                trade_date=trade_date,
                account=str(account_id),
                account_type=ENGINE_ACCOUNT_TYPES[account.account_type],
                action=Action(action),
                ticker=str(security_id),
                shares=shares,
                amount=amount,
                lot_id=lot_ref or None,
                method=method,
            )
        )
    names = {pk: a.name for pk, a in accounts.items()}
    rates = TaxRates(short_term=client.short_term_rate, long_term=client.long_term_rate)
    try:
        result = ledger_run(transactions, method=ReliefMethod.FIFO, rates=rates)
    except LedgerError as error:
        failed = trades[error.index]
        name = names.get(failed.account_id, "")
        reason = error.reason.replace(f"account '{failed.account_id}'", f"account {name}")
        reason = reason.replace(f" of {failed.security_id} ", f" of {failed.ticker} ")
        reason = _TRAILING_ZEROS.sub(lambda m: m[1] + (f".{m[2]}" if m[2] else ""), reason)
        raise ValidationError(
            f"The ledger cannot apply {trade_describe(failed, names)}: {reason}.",
            code="ledger",
            params={"trade_id": failed.trade_id},
        ) from error
    return HouseholdLedger(
        trades=trades,
        result=result,
        account_names=names,
        account_types={pk: a.account_type for pk, a in accounts.items()},
    )
