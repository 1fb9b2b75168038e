"""The dashboard (client book with market values) reads in a fixed number of queries, however
many households, lots and prices there are; account values are positions plus cash."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.house_fixtures import dashboard_build


def _queries(client, advisor) -> int:
    client.force_login(advisor)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/")
    assert page.status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow_with_rows(db, client):
    small, _ = dashboard_build(households=2, lots=12, securities=3, days=3, slug="small")
    large, _ = dashboard_build(households=7, lots=400, securities=25, days=20, slug="large")
    assert _queries(client, small) == _queries(client, large)


def test_a_cash_only_account_shows_its_value_and_cash_adds_to_positions(db, client):
    from accounts.selectors import client_dashboard_rows
    from portfolios.models import TaxLot

    advisor, _ = dashboard_build(households=1, lots=1, securities=1, days=2, slug="cashy")
    rows = client_dashboard_rows(user=advisor)
    lot = TaxLot.objects.get()
    # each bench account has 1,000.00 cash_balance; one lot, priced at its security's latest close
    from portfolios.selectors import latest_prices

    close = latest_prices(security_ids=[lot.security_id])[lot.security_id].close
    assert rows[0].market_value == (lot.shares * close).quantize(Decimal("0.01")) + Decimal(
        "1000.00"
    )  # only the account with the lot: the other two have no recorded holdings yet
    from portfolios.lots.cash import cash_entry_record

    cash_only = (
        rows[0].accounts[1] if rows[0].accounts[0].pk == lot.account_id else rows[0].accounts[0]
    )
    cash_entry_record(account=cash_only, actor=advisor, kind="deposit", amount=Decimal("250"))
    rows = client_dashboard_rows(user=advisor)
    assert rows[0].market_value == (lot.shares * close).quantize(Decimal("0.01")) + Decimal(
        "2250.00"
    )


def test_latest_prices_takes_each_securitys_newest_close(db):
    from datetime import date

    from portfolios.models import Price, Security
    from portfolios.selectors import LatestPrice, latest_prices

    a = Security.objects.create(ticker="AAA", name="A")
    b = Security.objects.create(ticker="BBB", name="B")
    Security.objects.create(ticker="CCC", name="C")  # never priced: absent
    for security, day, close, source in [
        (a, 1, "10.123456", "synthetic"),
        (a, 3, "12.654321", "imported"),
        (a, 2, "11.000000", "synthetic"),
        (b, 1, "99.5", "synthetic"),
    ]:
        Price.objects.create(
            security=security, date=date(2026, 1, day), close=Decimal(close), source=source
        )
    ids = list(Security.objects.values_list("pk", flat=True))
    assert latest_prices(security_ids=ids) == {
        a.pk: LatestPrice(Decimal("12.654321"), date(2026, 1, 3), "imported"),
        b.pk: LatestPrice(Decimal("99.500000"), date(2026, 1, 1), "synthetic"),
    }
