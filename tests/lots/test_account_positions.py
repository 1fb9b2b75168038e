"""The account page's positions: lots grouped by security, worked by hand to the cent; the
footer, the key figures and the household total; the sector chart against the target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from portfolios.lots.cash import cash_balance_set
from portfolios.lots.positions import (
    account_positions,
    account_sector_allocation,
    account_target_weights,
)
from portfolios.models import ModelWeight, Strategy, StrategyKind, StrategyVersion, TaxLot
from tests.lots.conftest import security_make

AS_OF = date(2026, 12, 1)


def lot(cast, account, security, shares, basis, acquired, ref, wash="0"):
    return TaxLot.objects.create(
        firm=cast.a.firm,
        account=account,
        security=security,
        shares=Decimal(shares),
        cost_basis=Decimal(basis),
        acquired_on=acquired,
        adjusted_acquired_on=acquired,
        wash_adjustment=Decimal(wash),
        lot_ref=ref,
    )


@pytest.fixture
def holdings(cast):
    """AAPL: 10 @ basis 1,000 (2020, long-term) and 5.5 @ 800 (2026-06-01, short-term), price
    187.123456. XOM: 3 @ 900, price 400. Cash 99.59; the IRA holds only cash, 800.00."""
    aapl = security_make("AAPL", close="187.123456")
    xom = security_make("XOM", close="400")
    xom.sector = "Energy"
    xom.save(update_fields=["sector"])
    account = cast.a.account
    # Cash as the product records it: through the cash ledger (opening balances).
    cash_balance_set(account=account, actor=cast.a.advisor, amount=Decimal("99.59"))
    cash_balance_set(account=cast.a.ira, actor=cast.a.advisor, amount=Decimal("800.00"))
    account.refresh_from_db()
    lot(cast, account, aapl, "10", "1000", date(2020, 1, 15), "A1")
    lot(cast, account, aapl, "5.5", "800", date(2026, 6, 1), "A2", wash="25")
    lot(cast, account, xom, "3", "900", date(2021, 3, 1), "X1")
    return SimpleNamespace(account=account, aapl=aapl, xom=xom)


def test_lots_are_grouped_by_security_and_sum_to_the_cent(holdings):
    result = account_positions(account=holdings.account, as_of=AS_OF)
    aapl, xom = result.positions
    assert aapl.security == holdings.aapl and xom.security == holdings.xom
    # 10 x 187.123456 = 1,871.23456 -> 1,871.23; 5.5 x 187.123456 = 1,029.179008 -> 1,029.18
    assert [r.market_value for r in aapl.lots] == [Decimal("1871.23"), Decimal("1029.18")]
    assert aapl.shares == Decimal("15.5")
    assert aapl.market_value == Decimal("2900.41")
    assert aapl.cost_basis == Decimal("1800")
    assert aapl.unrealized == Decimal("1100.41")  # 871.23 + 229.18
    assert (aapl.long_term_shares, aapl.short_term_shares) == (Decimal("10"), Decimal("5.5"))
    assert aapl.is_washed and aapl.wash_adjustment == Decimal("25")
    assert aapl.lot_count == 2 and xom.lot_count == 1
    assert xom.market_value == Decimal("1200.00") and xom.unrealized == Decimal("300.00")
    assert result.market_value == Decimal("4100.41")
    assert result.cost_basis == Decimal("2700")
    assert result.unrealized == Decimal("1400.41")
    assert result.cash == Decimal("99.59")
    assert result.total == Decimal("4200.00")
    # Weights are of the account's total, cash included: 2,900.41 / 4,200 and 1,200 / 4,200.
    assert aapl.weight == Decimal("2900.41") / Decimal("4200.00")
    assert xom.weight == Decimal("1200") / Decimal("4200.00")


def _text(soup, selector):
    return soup.select_one(selector).get_text(" ", strip=True)


def test_the_page_shows_positions_lots_footer_and_household(client, cast, holdings):
    client.force_login(cast.a.advisor)
    page = client.get(reverse("account-detail", kwargs={"public_id": holdings.account.public_id}))
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    table = soup.select_one("table.positions")
    row = table.select_one('tr[data-position="AAPL"]')
    assert row.select_one("[data-shares]").get_text() == "15.5"
    assert row.select_one("[data-price]").get_text() == "187.123456"
    assert row.select_one("[data-value]").get_text() == "$2,900.41"
    assert row.select_one("[data-unrealized]").get_text() == "$1,100.41"
    assert "69.1%" in row.get_text()  # 2,900.41 / 4,200.00 = 0.69057
    assert "wash-adjusted" in row.get_text()
    toggle = row.select_one("button[data-toggle-rows]")
    assert toggle["aria-expanded"] == "false"
    controlled = toggle["aria-controls"].split()
    lots = table.select('tr.lot[data-lots-of="position-1"]')
    assert [f"{r['id']}" for r in lots] == controlled[1:]
    assert all(r.has_attr("hidden") for r in lots)  # folded by default
    assert [r.select_one("[data-value]").get_text() for r in lots] == ["$1,871.23", "$1,029.18"]
    assert [r.select_one("[data-shares]").get_text() for r in lots] == ["10", "5.5"]
    assert "A1" in lots[0].get_text() and "A2" in lots[1].get_text()
    footer = table.select_one("tfoot")
    assert _text(footer, '[data-total="positions"]') == "$4,100.41"
    assert _text(footer, '[data-total="cash"]') == "$99.59"
    assert _text(footer, '[data-total="account"]') == "$4,200.00"
    assert _text(footer, '[data-total="basis"]') == "$2,700.00"
    assert _text(footer, '[data-total="unrealized"]') == "$1,400.41"
    figures = soup.select_one('[data-testid="key-figures"]')
    assert _text(figures, '[data-key="account-total"]') == "$4,200.00"
    assert _text(figures, '[data-key="cash"]') == "$99.59"
    assert _text(figures, '[data-key="unrealized"]') == "$1,400.41"
    # The household: this account 4,200.00 + the IRA's 800.00 cash; 4,200 / 5,000 = 84.0 %.
    assert _text(figures, '[data-key="household-total"]') == "$5,000.00"
    assert _text(figures, '[data-key="household-share"]') == "84.0%"
    assert "of 2 accounts" in figures.get_text(" ", strip=True)
    # The household page's own total is the same figure.
    household_page = client.get(
        reverse("client-detail", kwargs={"public_id": holdings.account.client.public_id})
    )
    household_soup = BeautifulSoup(household_page.content.decode(), "html.parser")
    assert household_soup.select_one("[data-total]")["data-total"] == "5000.00"
    # The client reads the same numbers.
    client.force_login(cast.a.client_user)
    page = client.get(reverse("account-detail", kwargs={"public_id": holdings.account.public_id}))
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    assert _text(soup, '[data-key="household-total"]') == "$5,000.00"


def test_another_households_accounts_are_not_in_the_household_total(client, cast, holdings):
    other = cast.a.other_account  # another household of the same firm
    other.cash_balance = Decimal("123456.00")
    other.save(update_fields=["cash_balance"])
    client.force_login(cast.a.admin)  # sees the whole firm
    page = client.get(reverse("account-detail", kwargs={"public_id": holdings.account.public_id}))
    soup = BeautifulSoup(page.content.decode(), "html.parser")
    assert _text(soup, '[data-key="household-total"]') == "$5,000.00"


def test_an_unpriced_legacy_lot_keeps_its_note_and_stays_out_of_the_value(client, cast, holdings):
    fund = security_make("OLDFND", firm=cast.a.firm)
    lot(cast, holdings.account, fund, "7", "70", date(2019, 5, 5), "F1")
    result = account_positions(account=holdings.account, as_of=AS_OF)
    fund_position = [p for p in result if p.security == fund][0]
    assert fund_position.market_value is None and fund_position.weight is None
    assert result.market_value == Decimal("4100.41") and result.unpriced == 1
    assert result.cost_basis == Decimal("2770")  # book value counts every lot
    client.force_login(cast.a.advisor)
    body = client.get(
        reverse("account-detail", kwargs={"public_id": holdings.account.public_id})
    ).content.decode()
    assert "1 lot without a price: left out of the market value." in body
    assert "no price" in body


def test_sector_weights_beside_the_stored_target_or_the_strategy(cast, holdings):
    positions = account_positions(account=holdings.account, as_of=AS_OF)
    msft = security_make("MSFT", close="400")
    # Target: IT 0.5 + 0.2 = 0.7, Energy 0.3.
    stored = SimpleNamespace(
        weights=[[holdings.aapl.pk, 0.5], [msft.pk, 0.2], [holdings.xom.pk, 0.3]]
    )
    weights, label = account_target_weights(account=holdings.account, stored_target=stored)
    assert label == "customized target"
    allocation = account_sector_allocation(
        positions=positions, target_weights=weights, target_label=label
    )
    rows = {r.sector: r for r in allocation.rows}
    assert set(rows) == {"Information Technology", "Energy"}
    # Holdings: 2,900.41 and 1,200 of 4,100.41 priced (cash left out).
    assert rows["Information Technology"].holdings == Decimal("2900.41") / Decimal("4100.41")
    assert rows["Energy"].holdings == Decimal("1200") / Decimal("4100.41")
    assert rows["Information Technology"].target == pytest.approx(Decimal("0.7"))
    assert rows["Energy"].target == pytest.approx(Decimal("0.3"))
    # Without a stored target: the strategy's current model weights.
    strategy = Strategy.objects.create(slug="test-core", name="Test core", kind=StrategyKind.CORE)
    version = StrategyVersion.objects.create(
        strategy=strategy, version=1, effective_date=date(2026, 1, 1)
    )
    ModelWeight.objects.create(version=version, security=msft, weight=Decimal("1"))
    holdings.account.strategy = strategy
    holdings.account.save(update_fields=["strategy"])
    weights, label = account_target_weights(account=holdings.account, stored_target=None)
    assert (weights, label) == ({msft.pk: 1.0}, "strategy")
    allocation = account_sector_allocation(
        positions=positions, target_weights=weights, target_label=label
    )
    assert {r.sector: r.target for r in allocation.rows} == {
        "Information Technology": Decimal("1"),
        "Energy": Decimal("0"),
    }


def test_the_page_draws_the_sector_chart_with_a_table(client, cast, holdings):
    client.force_login(cast.a.advisor)
    body = client.get(
        reverse("account-detail", kwargs={"public_id": holdings.account.public_id})
    ).content.decode()
    soup = BeautifulSoup(body, "html.parser")
    section = soup.select_one('[data-testid="sector-allocation"]')
    assert section.select_one("svg")["aria-label"] == "Sector weights of the holdings"
    cells = {
        tr.th.get_text(): tr.td.get_text() for tr in section.select("table.sector-table tbody tr")
    }
    assert cells == {"Information Technology": "70.7%", "Energy": "29.3%"}  # 0.70734, 0.29266
