"""Benchmark of the holdings import: 100,000 lots (CSV) checked, then imported.

Runs against a throwaway test database of the configured DATABASE_URL (PostgreSQL when set,
else SQLite in memory), created and dropped here. A household of two taxable accounts and an
IRA gets 100,000 seeded lots over 500 master securities. Timed: `holdings_upload` (store the
file, parse it with pandas, check every row: the preview) and `holdings_import` (check again,
then write the opening trades and the lots in one transaction: the confirm step, which the
portal runs as a job for a file this size). ``baseline`` is a bare `bulk_create` of the same
100,000 TaxLot rows (no parsing, no checks, no ledger), in the same run.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from bench.scratch_db import scratch_database

LOT_COUNT = 100_000
TICKERS = 500


def _holdings_csv(accounts, tickers, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    start = date(2012, 1, 3)
    lines = ["account,ticker,shares,acquired_on,cost_basis,lot_id"]
    for number in range(LOT_COUNT):
        account = accounts[number % len(accounts)]
        shares = rng.randint(1, 400)
        acquired = start + timedelta(days=rng.randrange(0, 365 * 13))
        basis = Decimal(shares) * Decimal(str(round(rng.uniform(5, 500), 2)))
        lines.append(
            f"{account.account_number},{rng.choice(tickers)},{shares},{acquired.isoformat()},"
            f"{basis:.2f},L{number}"
        )
    return ("\n".join(lines) + "\n").encode()


def _in_throwaway_db(run):
    with scratch_database("bench_lots"):
        from django.db import connection

        return run(connection.vendor)


def bench_lots_import() -> dict[str, dict]:
    return _in_throwaway_db(_run)


def bench_trades_record() -> dict[str, dict]:
    from bench.house_fixtures import trades_record_run

    return _in_throwaway_db(trades_record_run)


def bench_dashboard() -> dict[str, dict]:
    from bench.house_fixtures import dashboard_run

    return _in_throwaway_db(dashboard_run)


def _run(vendor: str) -> dict[str, dict]:

    from accounts.models import Account, Client, Firm, Role, User
    from portfolios.lots import services
    from portfolios.models import Security, TaxLot, Trade

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
            account_number=f"B-{n:04d}",
        )
        for n, kind in enumerate(("taxable", "taxable", "traditional_ira"))
    ]
    Security.objects.bulk_create(
        [Security(ticker=f"T{n:03d}", name=f"Bench {n}") for n in range(TICKERS)]
    )
    tickers = [f"T{n:03d}" for n in range(TICKERS)]
    content = _holdings_csv(accounts, tickers)

    started = time.perf_counter()
    batch = services.holdings_upload(
        client=client, actor=advisor, filename="bench.csv", content=content
    )
    if batch.status == "checking":  # a file this size is checked by a job: do its work here
        services.holdings_check_run(batch=batch)
        batch.refresh_from_db()
    checked = time.perf_counter() - started
    assert batch.status == "previewed", batch.errors[:3]
    started = time.perf_counter()
    result = services.holdings_import(batch=batch, actor=advisor)
    imported = time.perf_counter() - started
    assert result.is_imported and TaxLot.objects.filter(account__client=client).count() == LOT_COUNT
    lots = list(
        TaxLot.objects.filter(account__client=client).values(
            "firm_id",
            "account_id",
            "security_id",
            "lot_ref",
            "shares",
            "cost_basis",
            "acquired_on",
            "adjusted_acquired_on",
        )
    )
    TaxLot.objects.all().delete()
    Trade.objects.all().delete()
    started = time.perf_counter()
    TaxLot.objects.bulk_create([TaxLot(**row) for row in lots], batch_size=5000)
    baseline = time.perf_counter() - started
    services.holdings_batch_files_delete(batch=batch)
    total = checked + imported
    return {
        "lots_import_100k": {
            "value": total,
            "unit": "s",
            "baseline": baseline,
            "ratio": total / baseline if baseline else None,
            "detail": (
                f"{vendor}: preview check {checked:.1f} s + confirm {imported:.1f} s "
                f"(trades, lots, replay); baseline bare bulk_create of the lots"
            ),
        }
    }
