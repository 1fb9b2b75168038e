"""Strategy and security pages, the account's tracking error, and the reference-data API."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from portfolios import selectors
from portfolios.models import Price, Security, TaxLot
from tests.portfolios.test_risk_and_history import dense_te_pct


@pytest.fixture
def advisor_client(client, cast, reference_small):
    client.force_login(cast.a.advisor)
    return client


def test_strategy_list_shows_the_six_with_tracking_errors(advisor_client, reference_small):
    response = advisor_client.get(reverse("strategy-list"))
    body = response.content.decode()
    assert response.status_code == 200
    for strategy in reference_small.strategies.values():
        assert strategy.name in body
    rows = {row.strategy.slug: row for row in selectors.strategy_rows()}
    te = rows["active-quality-core"].tracking_error  # a fraction of 1, shown in percent
    assert te is not None and f"{100 * te:.2f}% a year" in body
    assert rows["di-large-cap"].tracking_error is None  # no benchmark
    assert "synthetic" in body


def test_strategy_detail_has_holdings_chart_and_history(advisor_client, reference_small):
    url = reverse("strategy-detail", args=["active-quality-core"])
    body = advisor_client.get(url).content.decode()
    weights = reference_small.weights("active-quality-core")
    top = next(iter(weights))
    assert f'href="{reverse("security-detail", args=[top])}"' in body
    assert '<svg class="chart"' in body and "Sector weights" in body
    assert f'data-testid="name-count">{len(weights)}<' in body
    assert "Version history" in body and "v1" in body
    assert advisor_client.get(url + "?version=1").status_code == 200
    assert advisor_client.get(url + "?version=9").status_code == 404
    assert advisor_client.get(url + "?version=x").status_code == 404
    assert advisor_client.get(reverse("strategy-detail", args=["nope"])).status_code == 404


def test_strategy_pages_are_for_advisors(client, cast, reference_small):
    client.force_login(cast.a.client_user)
    assert client.get(reverse("strategy-list")).status_code == 403
    assert client.get(reverse("security-list")).status_code == 403


def test_security_search_filters_and_pages(advisor_client, reference_small):
    url = reverse("security-list")
    body = advisor_client.get(url, {"q": "mo"}).content.decode()
    assert ">MO<" in body and "Altria" in body
    body = advisor_client.get(url, {"sector": "Energy"}).content.decode()
    assert ">XOM<" in body and ">MO<" not in body
    body = advisor_client.get(url, {"index": "S&P 600", "sector": "Consumer Staples"}).content
    assert b">UVV<" in body and b">PM<" not in body
    first = advisor_client.get(url).content.decode()
    assert "Page 1 of 2" in first and "synthetic" in first
    second = advisor_client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert advisor_client.get(url, {"page": "x", "sector": "Bogus"}).status_code == 200


def test_security_detail_labels_synthetic_prices(advisor_client, reference_small):
    body = advisor_client.get(reverse("security-detail", args=["BF.B"])).content.decode()
    latest = Price.objects.filter(security__ticker="BF.B").order_by("-date").first()
    # the close as stored (6 decimals here), not rounded to 2
    shown = re.search(r'data-testid="latest-close">([^<]+)<', body).group(1)
    assert Decimal(shown.replace(",", "")) == latest.close and len(shown.split(".")[1]) >= 2
    assert "synthetic" in body and "<polyline" in body
    assert "Distillers &amp; Vintners" in body


def test_legacy_securities_are_the_firms_own(client, cast, reference_small):
    Security.objects.create(ticker="OLDFND", name="Old Fund", firm=cast.a.firm)
    client.force_login(cast.a.other_advisor)  # same firm: a legacy name is the firm's
    assert client.get(reverse("security-detail", args=["OLDFND"])).status_code == 200
    assert b">OLDFND<" in client.get(reverse("security-list"), {"q": "OLDFND"}).content
    client.force_login(cast.b.advisor)
    assert client.get(reverse("security-detail", args=["OLDFND"])).status_code == 404
    assert b">OLDFND<" not in client.get(reverse("security-list"), {"q": "OLDFND"}).content
    assert client.get(reverse("api-security-detail", args=["OLDFND"])).status_code == 404
    assert client.get(reverse("api-security-list"), {"search": "OLDFND"}).json()["count"] == 0


def test_account_page_shows_strategy_and_tracking_error(client, cast, reference_small):
    account = cast.a.account
    account.strategy = reference_small.strategies["di-large-cap"]
    account.save(update_fields=["strategy"])
    url = reverse("account-detail", args=[account.public_id])
    client.force_login(cast.a.advisor)
    assert "no priced lots yet" in client.get(url).content.decode()
    holdings = {"MO": Decimal("100"), "XOM": Decimal("40"), "AXON": Decimal("12.5")}
    for ticker, shares in holdings.items():
        TaxLot.objects.create(
            firm=cast.a.firm,
            account=account,
            security=reference_small.security(ticker),
            shares=shares,
            cost_basis=Decimal("1000"),
            acquired_on=date(2024, 1, 2),
            adjusted_acquired_on=date(2024, 1, 2),
        )
    closes = {
        t: float(Price.objects.filter(security__ticker=t).order_by("-date").first().close)
        for t in holdings
    }
    values = {t: float(holdings[t]) * closes[t] for t in holdings}
    weights = {t: v / sum(values.values()) for t, v in values.items()}
    target = {t: float(w) for t, w in reference_small.weights("di-large-cap").items()}
    expected = dense_te_pct(reference_small.model, weights, target)
    risk = selectors.account_risk(account=account)
    assert risk.tracking_error == pytest.approx(expected / 100, rel=1e-10)  # a fraction
    body = client.get(url).content.decode()
    assert f"{expected:.2f}% a year" in body
    assert reverse("strategy-detail", args=["di-large-cap"]) in body
    client.force_login(cast.a.client_user)  # the client reads it too, without the link
    body = client.get(url).content.decode()
    assert f"{expected:.2f}% a year" in body
    assert reverse("strategy-detail", args=["di-large-cap"]) not in body
    assert np.isfinite(expected)


# --------------------------------------------------------------------------- API


def test_api_securities_search_filter_and_lookup(advisor_client, reference_small):
    listing = advisor_client.get(reverse("api-security-list"), {"sector": "Energy"}).json()
    assert {row["ticker"] for row in listing["results"]} == {
        t for t, s in reference_small.securities.items() if s.sector == "Energy"
    }
    found = advisor_client.get(reverse("api-security-list"), {"search": "philip"}).json()
    assert [row["ticker"] for row in found["results"]] == ["PM"]
    by_index = advisor_client.get(
        reverse("api-security-list"), {"index": "S&P 600", "industry": "Tobacco"}
    ).json()
    assert [row["ticker"] for row in by_index["results"]] == ["UVV"]
    detail = advisor_client.get(reverse("api-security-detail", args=["BF.B"])).json()
    assert detail["industry"] == "Distillers & Vintners" and detail["indices"] == ["S&P 500"]
    assert advisor_client.get(reverse("api-security-detail", args=["NOPE"])).status_code == 404


def test_api_price_ranges(advisor_client, reference_small):
    url = reverse("api-security-prices", args=["MO"])
    data = advisor_client.get(url, {"start": "2025-12-01", "end": "2025-12-05"}).json()
    expected = list(
        Price.objects.filter(
            security__ticker="MO", date__range=(date(2025, 12, 1), date(2025, 12, 5))
        )
        .order_by("date")
        .values_list("date", "close")
    )
    assert [(row["date"], row["close"]) for row in data["prices"]] == [
        (d.isoformat(), f"{c:.6f}") for d, c in expected
    ]
    assert len(expected) == 5 and data["is_synthetic"] is True
    assert advisor_client.get(url, {"start": "2025-02-30"}).status_code == 400
    assert advisor_client.get(url, {"start": "2025-12-05", "end": "2025-12-01"}).status_code == 400
    default = advisor_client.get(url, {"end": "2025-12-31"}).json()
    assert default["start"] == "2024-12-31" and len(default["prices"]) > 200


def test_api_strategies_weights_and_versions(client, cast, reference_small):
    client.force_login(cast.a.client_user)  # clients may read reference data
    listing = client.get(reverse("api-strategy-list")).json()
    rows = {row["slug"]: row for row in listing["results"]}
    assert len(rows) == 6
    assert rows["active-quality-core"]["benchmark"] == "di-large-cap"
    assert rows["di-all-cap"]["current_version"]["n_names"] == len(reference_small.securities)
    weights = client.get(reverse("api-strategy-weights", args=["core-equity"])).json()
    assert weights["is_synthetic"] and weights["version"] == 1
    assert sum(Decimal(row["weight"]) for row in weights["weights"]) == pytest.approx(
        Decimal(1), abs=Decimal("1e-9")
    )
    versions = client.get(reverse("api-strategy-versions", args=["core-equity"])).json()
    assert [v["version"] for v in versions] == [1]
    assert (
        client.get(reverse("api-strategy-weights", args=["core-equity"]) + "?version=2").status_code
        == 400
    )
    assert client.post(reverse("api-strategy-list"), {"slug": "x"}).status_code in (403, 405)


def test_api_list_query_counts_are_pinned(
    advisor_client, reference_small, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert advisor_client.get(reverse("api-security-list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert advisor_client.get(reverse("api-strategy-list")).status_code == 200


def test_schema_generates_without_warnings_from_this_area(db, capsys):
    out = io.StringIO()
    call_command("spectacular", "--validate", stdout=out)
    assert "/api/securities/{ticker}/prices/" in out.getvalue()
    assert "/api/strategies/{slug}/weights/" in out.getvalue()
    warnings = capsys.readouterr().err
    for ours in ("SecurityViewSet", "StrategyViewSet", "portfolios/api.py", "portfolios/serial"):
        assert ours not in warnings
