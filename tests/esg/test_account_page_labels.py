"""The account page names its two tracking errors apart: the holdings against the strategy
(computed from the lots) and the stored customized target against the strategy; and its sector
chart compares the holdings with the stored target, computed by nobody on the GET."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bs4 import BeautifulSoup
from django.urls import reverse

from esg.models import CustomizedTarget
from esg.services.target import customized_target_refresh
from portfolios.models import Price, PriceSource, TaxLot
from portfolios.selectors import account_risk
from tests.esg.conftest import account_with_strategy


def test_two_tracking_errors_are_labelled_apart_and_shown_as_rates(client, cast, esg_world):
    account = account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])
    held = next(iter(esg_world.securities.values()))
    Price.objects.create(
        security=held, date=date(2026, 11, 2), close=Decimal("50"), source=PriceSource.SYNTHETIC
    )
    TaxLot.objects.create(
        firm=cast.a.firm,
        account=account,
        security=held,
        shares=Decimal("10"),
        cost_basis=Decimal("100"),
        acquired_on=date(2024, 1, 2),
        adjusted_acquired_on=date(2024, 1, 2),
    )
    customized_target_refresh(account=account)  # the explicit recompute a POST or job runs
    target = CustomizedTarget.objects.get(account=account)
    holdings_te = account_risk(account=account).tracking_error
    assert holdings_te is not None and 0 < holdings_te < 1  # a fraction, not a percent
    client.force_login(cast.a.client_user)
    page = client.get(reverse("account-detail", args=[account.public_id]))
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    holdings = soup.select_one('[data-te="holdings"]')
    stored = soup.select_one('[data-te="target"]')
    assert holdings.find_previous("dt").get_text() == "Tracking error: holdings vs strategy"
    assert stored.find_previous("dt").get_text() == (
        "Tracking error: customized target vs strategy"
    )
    assert holdings.strong.get_text() == f"{100 * Decimal(str(holdings_te)):.2f}% a year"
    assert stored.strong.get_text() == (f"{100 * Decimal(str(target.tracking_error)):.2f}% a year")
    assert "How far" in holdings.get_text() and "How far" in stored.get_text()
    # The sector chart compares with the stored target, by name.
    chart = soup.select_one('[data-testid="sector-allocation"] svg')
    assert chart["aria-label"] == "Sector weights of the holdings beside the customized target"
