"""Fixtures and timed runs for the trades and dashboard benchmarks (called by bench_lots).

trades_record_500_s: a household of two taxable accounts and an IRA holding 2,000 lots over
200 securities, with 200 past sales (so the replay runs the tax engine, wash sales included),
records a rebalance of 500 trades (250 sales, half naming a lot by public id, and 250 buys)
with `trades_record`: one transaction, one replay. Baseline: one bare `household_replay` of
the same household afterwards (the part of the work that is the engine).

dashboard_s: an advisor with 50 households, 150 accounts and 30,000 lots over 500 securities
with 500 days of closes each; timed: GET of the dashboard page (client book with market
values) through the test client. Baseline: the old correlated-subquery latest-price query
for the same securities, alone.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal


def _firm(slug: str):
    from accounts.models import Firm, Role, User

    firm = Firm.objects.create(name=f"{slug} Advisors", slug=slug)
    advisor = User.objects.create(username=f"{slug}-advisor", firm=firm, role=Role.ADVISOR)
    return firm, advisor


def _household(firm, advisor, name: str, n: int):
    from accounts.models import Account, Client

    client = Client.objects.create(firm=firm, advisor=advisor, name=name)
    accounts = [
        Account.objects.create(
            firm=firm,
            client=client,
            name=f"{name} {kind}",
            account_type=kind,
            custodian="Bench",
            account_number=f"B-{firm.pk}-{n:03d}-{index}",
            cash_balance=Decimal("1000.00"),
        )
        for index, kind in enumerate(("taxable", "taxable", "traditional_ira"))
    ]
    return client, accounts


def _securities(count: int, *, days: int, end: date, prefix: str = "S"):
    from portfolios.lots.bulk import rows_insert
    from portfolios.models import Price, Security

    Security.objects.bulk_create(
        [Security(ticker=f"{prefix}{n:03d}", name=f"Bench {n}") for n in range(count)]
    )
    securities = list(Security.objects.filter(ticker__startswith=prefix).order_by("ticker"))
    rng = random.Random(3)
    rows = (
        (s.pk, end - timedelta(days=day), Decimal(rng.randint(1000, 50000)) / 100, "synthetic")
        for s in securities
        for day in range(days)
    )
    rows_insert(Price, ("security", "date", "close", "source"), rows)
    return securities


def _opening_lots(firm, accounts, securities, *, count: int, seed: int, start: date):
    from portfolios.lots.bulk import rows_insert
    from portfolios.models import Trade

    rng = random.Random(seed)
    rows = []
    for n in range(count):
        account = accounts[n % len(accounts)]
        shares = rng.randint(10, 400)
        bought = start + timedelta(days=rng.randrange(0, 365 * 8))
        basis = Decimal(shares) * Decimal(rng.randint(500, 40000)) / 100
        rows.append(
            (
                firm.pk,
                account.pk,
                rng.choice(securities).pk,
                "BUY",
                bought,
                Decimal(shares),
                basis.quantize(Decimal("0.01")),
                f"L{seed}-{n}",
                "opening",
                None,
            )
        )
    fields = ("firm", "account", "security", "action", "trade_date", "shares", "amount")
    rows_insert(Trade, (*fields, "lot_ref", "source", "created_by"), rows)


def trades_record_run(vendor: str) -> dict[str, dict]:
    from portfolios.lots import services
    from portfolios.lots.types import TradeInput
    from portfolios.models import TaxLot

    today = date(2026, 11, 20)
    firm, advisor = _firm("bench-trades")
    client, accounts = _household(firm, advisor, "Bench Household", 1)
    securities = _securities(200, days=5, end=today)
    _opening_lots(firm, accounts, securities, count=2_200, seed=1, start=date(2016, 1, 4))
    services.household_replay(client=client)
    # 200 past sales of whole lots, some at a loss (so the engine washes some buys)
    rng = random.Random(2)
    lots = list(TaxLot.objects.filter(account__client=client).select_related("account", "security"))
    rng.shuffle(lots)
    past = [
        TradeInput(
            lot.account,
            lot.security,
            "SELL",
            date(2025, 6, 2) + timedelta(days=n),
            lot.shares,
            (lot.cost_basis * Decimal(rng.choice(["0.8", "1.2"]))).quantize(Decimal("0.01")),
            lot_public_id=str(lot.public_id),
        )
        for n, lot in enumerate(lots[:200])
    ]
    services.trades_record(trades=past, actor=advisor, client=client, today=today)
    lots = list(TaxLot.objects.filter(account__client=client).select_related("account", "security"))
    assert len(lots) >= 2_000, len(lots)
    rng.shuffle(lots)
    distinct = {(lot.account_id, lot.security_id): lot for lot in lots}  # one sale per holding
    batch = []
    for n, lot in enumerate(list(distinct.values())[:250]):
        half = (lot.shares / 2).quantize(Decimal("1"))
        batch.append(
            TradeInput(
                lot.account,
                lot.security,
                "SELL",
                today,
                half,
                half * Decimal("101.00"),
                lot_public_id=str(lot.public_id) if n % 2 == 0 else None,
                source="rebalance",
            )
        )
    for n in range(250):
        batch.append(
            TradeInput(
                accounts[n % 3],
                securities[rng.randrange(len(securities))],
                "BUY",
                today,
                Decimal(rng.randint(1, 50)),
                Decimal(rng.randint(1000, 90000)) / 10,
                source="rebalance",
            )
        )
    open_before = TaxLot.objects.filter(account__client=client).count()
    started = time.perf_counter()
    result = services.trades_record(trades=batch, actor=advisor, client=client, today=today)
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    services.household_replay(client=client)
    baseline = time.perf_counter() - started
    return {
        "trades_record_500_s": {
            "value": elapsed,
            "unit": "s",
            "baseline": baseline,
            "ratio": elapsed / baseline if baseline else None,
            "detail": (
                f"{vendor}: 500 trades on a {open_before}-lot household ({len(result.trades)} "
                f"written, {result.updated} lots updated, {result.created} created); baseline "
                "one bare household replay"
            ),
        }
    }


def dashboard_build(
    *,
    households: int = 50,
    lots: int = 30_000,
    securities: int = 500,
    days: int = 500,
    slug: str = "bench-dash",
):
    """An advisor with `households` households of 3 accounts and `lots` open lots in all, over
    `securities` securities with `days` daily closes each (the tests use it small)."""
    from portfolios.lots.bulk import rows_insert
    from portfolios.models import TaxLot

    firm, advisor = _firm(slug)
    names = _securities(securities, days=days, end=date(2026, 11, 20), prefix=slug[:3])
    accounts = []
    for n in range(households):
        accounts.extend(_household(firm, advisor, f"Household {n:02d}", n)[1])
    rng = random.Random(4)
    rows = []
    for n in range(lots):
        account = accounts[n % len(accounts)]
        shares = Decimal(rng.randint(1, 300))
        bought = date(2015, 1, 2) + timedelta(days=rng.randrange(0, 3000))
        basis = shares * Decimal(rng.randint(500, 40000)) / 100
        security = rng.choice(names)
        row = (firm.pk, account.pk, security.pk, f"D{n}", shares, basis, bought, bought, 0, None)
        rows.append(row)
    from portfolios.lots.replay import TAX_LOT_FIELDS

    rows_insert(TaxLot, TAX_LOT_FIELDS, rows)
    return advisor, [s.pk for s in names]


def _old_latest_prices(security_ids):
    from django.db.models import OuterRef, Subquery

    from portfolios.models import Price

    newest = Price.objects.filter(security_id=OuterRef("security_id")).order_by("-date")
    return list(
        Price.objects.filter(
            security_id__in=list(security_ids), date=Subquery(newest.values("date")[:1])
        ).values_list("security_id", "close", "date")
    )


def dashboard_run(vendor: str) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    advisor, security_ids = dashboard_build()
    browser = Client()
    browser.force_login(advisor)
    browser.get("/")  # warm the templates and the session
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        page = browser.get("/")
    elapsed = time.perf_counter() - started
    assert page.status_code == 200 and b"Household 49" in page.content
    started = time.perf_counter()
    _old_latest_prices(security_ids)
    baseline = time.perf_counter() - started
    return {
        "dashboard_s": {
            "value": elapsed,
            "unit": "s",
            "baseline": baseline,
            "ratio": elapsed / baseline if baseline else None,
            "detail": (
                f"{vendor}: GET / for 50 households, 150 accounts, 30,000 lots, 500 securities "
                f"x 500 closes ({len(queries)} queries); baseline the old correlated-subquery "
                "latest-price query alone"
            ),
        }
    }
