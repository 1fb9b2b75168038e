"""Benchmark of the tax-lot ledger on a synthetic household of 100,000 transactions.

500 tickers follow seeded random walks for 5 years (about 1,260 trading days); three accounts
(two taxable, one IRA) buy and sell them at random, so losses, repurchases within 30 days
(wash sales, chains, IRA repurchases) and partial sales are frequent. One sale in ten asks for
the minimum-tax method, the rest use FIFO. ``baseline`` is a bare FIFO lot matcher (deques per
account and ticker, no wash sales, no Decimal allocation rules) over the same transactions, run
in the same call: ``ratio`` = value / baseline is what the full engine costs on top of the
simplest possible lot bookkeeping.
"""

from __future__ import annotations

import random
import time
from collections import deque
from datetime import date, timedelta
from decimal import Decimal

from pma_engine.tax import (
    AccountType,
    Action,
    ReliefMethod,
    Transaction,
    ledger_run,
)

TICKER_COUNT = 500
TRANSACTION_COUNT = 100_000
TRADING_DAYS = 1_260
ACCOUNTS = (
    ("joint", AccountType.TAXABLE),
    ("trust", AccountType.TAXABLE),
    ("ira", AccountType.IRA),
)
CENT = Decimal("0.01")


def household_build(seed: int = 20_240_601) -> list[Transaction]:
    """Deterministic transactions, in date order, that never sell more than is held."""
    rng = random.Random(seed)
    prices = [rng.uniform(20.0, 300.0) for _ in range(TICKER_COUNT)]
    held: dict[tuple[str, int], int] = {}
    start = date(2020, 1, 2)
    per_day = TRANSACTION_COUNT / TRADING_DAYS
    transactions: list[Transaction] = []
    for number in range(TRANSACTION_COUNT):
        day_number = int(number / per_day)
        if number and int((number - 1) / per_day) != day_number:
            prices = [p * (1.0 + rng.gauss(0.0003, 0.02)) for p in prices]
        trade_date = start + timedelta(days=day_number * 365 // 252)
        ticker = rng.randrange(TICKER_COUNT)
        account, account_type = ACCOUNTS[rng.randrange(len(ACCOUNTS))]
        holding = held.get((account, ticker), 0)
        price = Decimal(str(round(prices[ticker], 2)))
        if holding and rng.random() < 0.45:
            shares = holding if rng.random() < 0.3 else rng.randint(1, holding)
            held[(account, ticker)] = holding - shares
            action = Action.SELL
        else:
            shares = rng.randint(1, 100)
            held[(account, ticker)] = holding + shares
            action = Action.BUY
        method = ReliefMethod.MIN_TAX if action is Action.SELL and rng.random() < 0.1 else None
        transactions.append(
            Transaction(
                trade_date=trade_date,
                account=account,
                account_type=account_type,
                action=action,
                ticker=f"T{ticker:03d}",
                shares=Decimal(shares),
                amount=(price * shares).quantize(CENT),
                method=method,
            )
        )
    return transactions


def fifo_baseline(transactions: list[Transaction]) -> Decimal:
    """The simplest lot bookkeeping: FIFO deques, realized gain only, no wash sales."""
    lots: dict[tuple[str, str], deque[list[Decimal]]] = {}
    realized = Decimal(0)
    for t in transactions:
        queue = lots.setdefault((t.account, t.ticker), deque())
        if t.action is Action.BUY:
            queue.append([t.shares, t.amount])
            continue
        remaining, price = t.shares, t.amount / t.shares
        while remaining:
            lot = queue[0]
            take = min(remaining, lot[0])
            cost = lot[1] * take / lot[0]
            realized += price * take - cost
            lot[0] -= take
            lot[1] -= cost
            remaining -= take
            if not lot[0]:
                queue.popleft()
    return realized


def bench_ledger() -> dict[str, dict[str, object]]:
    transactions = household_build()
    started = time.perf_counter()
    fifo_baseline(transactions)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    result = ledger_run(transactions)
    value = time.perf_counter() - started
    washed = sum(1 for d in result.dispositions if d.disallowed_loss > 0)
    permanent = sum(1 for d in result.dispositions if d.disallowed_permanently > 0)
    detail = (
        f"{len(transactions):,} transactions, {TICKER_COUNT} tickers, 3 accounts (1 IRA), "
        f"5 years; {len(result.dispositions):,} dispositions ({washed:,} with wash sales, "
        f"{permanent:,} lost to IRA repurchases), {len(result.open_lots):,} open lots; "
        "baseline: bare FIFO deques without wash sales"
    )
    return {
        "tax_ledger_100k": {
            "value": round(value, 4),
            "unit": "s",
            "baseline": round(baseline, 4),
            "ratio": round(value / baseline, 3) if baseline > 0 else None,
            "detail": detail,
        }
    }


if __name__ == "__main__":
    print(bench_ledger())
