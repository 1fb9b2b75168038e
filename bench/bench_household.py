"""Benchmark of the household's lots as engine arrays: `household_arrays_load_s`.

A household of 3 accounts (two taxable, one IRA) with 10,000 open lots over 300 master
securities and 60 days of trades; timed: `portfolios.lots.selectors.household_lots_load`
(one query per table into numpy), best of 5 warm runs. ``baseline`` is the same lots read as
model instances (`list(TaxLot.objects.filter(...))`), the per-lot ORM reading it replaces.
Runs against a throwaway database of the configured DATABASE_URL (PostgreSQL when set, else
SQLite in memory), created and dropped here. Goal: under 0.1 s on PostgreSQL.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.scratch_db import scratch_database

LOT_COUNT = 10_000
TICKERS = 300
AS_OF = date(2026, 6, 30)


def bench_household_arrays() -> dict[str, dict]:
    with scratch_database("bench_household"):
        from django.db import connection

        return _run(connection.vendor)


def _run(vendor: str) -> dict[str, dict]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Account, Client, Firm, Role, User
    from portfolios.lots.selectors import household_lots_load
    from portfolios.models import Security, TaxLot, Trade

    rng = random.Random(8)
    firm = Firm.objects.create(name="Bench Advisors", slug="bench")
    advisor = User.objects.create(username="bench-advisor", firm=firm, role=Role.ADVISOR)
    client = Client.objects.create(firm=firm, advisor=advisor, name="Bench Household")
    accounts = [
        Account.objects.create(
            firm=firm,
            client=client,
            name=f"Account {n}",
            account_type=kind,
            custodian="Bench",
            account_number=f"H-{n:04d}",
        )
        for n, kind in enumerate(("taxable", "taxable", "traditional_ira"))
    ]
    securities = Security.objects.bulk_create(
        Security(ticker=f"T{n:03d}", name=f"Bench {n}", sector="Energy") for n in range(TICKERS)
    )
    start = date(2012, 1, 3)
    lots = []
    for number in range(LOT_COUNT):
        shares = rng.randint(1, 400)
        acquired = start + timedelta(days=rng.randrange(0, 365 * 14))
        lots.append(
            TaxLot(
                firm=firm,
                account=accounts[number % 3],
                security=rng.choice(securities),
                shares=Decimal(shares),
                cost_basis=Decimal(shares) * Decimal(str(round(rng.uniform(5, 500), 2))),
                acquired_on=acquired,
                adjusted_acquired_on=acquired,
            )
        )
    TaxLot.objects.bulk_create(lots, batch_size=2000)
    Trade.objects.bulk_create(
        Trade(
            firm=firm,
            account=accounts[n % 3],
            security=rng.choice(securities),
            action=rng.choice(("BUY", "SELL")),
            trade_date=AS_OF - timedelta(days=rng.randrange(0, 60)),
            shares=Decimal(10),
            amount=Decimal(1000),
            source="manual",
        )
        for n in range(300)
    )
    timings = []
    for _ in range(6):
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            universe, arrays = household_lots_load(client=client, as_of=AS_OF)
        timings.append(time.perf_counter() - started)
    assert arrays.lot_count == LOT_COUNT and len(universe) <= TICKERS
    baseline_timings = []
    for _ in range(3):
        started = time.perf_counter()
        rows = list(TaxLot.objects.filter(account__client=client))
        baseline_timings.append(time.perf_counter() - started)
    assert len(rows) == LOT_COUNT
    value = min(timings[1:])
    baseline = min(baseline_timings)
    return {
        "household_arrays_load_s": {
            "value": value,
            "unit": "s",
            "baseline": baseline,
            "ratio": value / baseline if baseline else None,
            "detail": (
                f"{vendor}: 3 accounts, {LOT_COUNT} lots, {len(universe)} securities, "
                f"{len(queries)} queries; baseline: the lots as model instances; goal < 0.1 s"
            ),
        }
    }
