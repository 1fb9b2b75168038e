"""The account page in Chromium: positions grouped by security with their lots folded
underneath (toggle by mouse and keyboard), sorting by a column, no horizontal scroll at
1280 px, and the key numbers visible on a 390 px phone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portfolios.lots.cash import cash_entry_note
from portfolios.models import TaxLot
from tests.conftest import browser_login
from tests.lots.conftest import security_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _lot(cast, security, shares, basis, acquired, ref, wash="0"):
    TaxLot.objects.create(
        firm=cast.a.firm,
        account=cast.a.account,
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
    """AAPL 10 + 5.5 at 187.123456 (1,871.23 + 1,029.18 = 2,900.41), MSFT 3 at 400 (1,200.00),
    XOM 1 at 45 (45.00): by ticker AAPL, MSFT, XOM; by value XOM, MSFT, AAPL."""
    aapl = security_make("AAPL", close="187.123456")
    aapl.name = "Apple Incorporated Common Stock of a Rather Long Registered Name"
    aapl.save(update_fields=["name"])
    msft = security_make("MSFT", close="400")
    xom = security_make("XOM", close="45")
    _lot(cast, aapl, "10", "1000", date(2020, 1, 15), "A1")
    _lot(cast, aapl, "5.5", "800", date(2026, 6, 1), "A2-WASH-REPLACEMENT", wash="123456.78")
    _lot(cast, msft, "3", "900", date(2021, 3, 1), "M1")
    _lot(cast, xom, "1", "50", date(2022, 2, 2), "X1")
    # The IRA's 1,000.00 of cash, recorded in its cash ledger as the product records cash.
    cash_entry_note(account=cast.a.ira, actor=cast.a.advisor, delta=cast.a.ira.cash_balance)
    return cast.a.account


def _order(page) -> list[str]:
    return page.locator("table.positions tr[data-position]").evaluate_all(
        "rows => rows.map(r => r.dataset.position)"
    )


def test_positions_fold_their_lots_sort_and_fit_at_1280(page, cast, holdings):
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/accounts/{holdings.public_id}/")
    aapl = page.locator('tr[data-position="AAPL"]')
    expect(aapl.locator("[data-shares]")).to_have_text("15.5")
    expect(aapl.locator("[data-value]")).to_have_text("$2,900.41")
    lots = page.locator('tr.lot[data-lots-of="position-1"]')
    assert lots.count() == 2
    expect(lots.first).to_be_hidden()
    toggle = page.get_by_role("button", name="Lots of AAPL")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(lots.nth(0)).to_be_visible()
    expect(lots.nth(0).locator("[data-value]")).to_have_text("$1,871.23")  # 10 x 187.123456
    expect(lots.nth(1).locator("[data-value]")).to_have_text("$1,029.18")  # 5.5 x 187.123456
    toggle.click()
    expect(lots.first).to_be_hidden()
    # The keyboard opens it too.
    page.get_by_role("button", name="Lots of MSFT").focus()
    page.keyboard.press("Enter")
    expect(page.locator('tr.lot[data-lots-of="position-2"]')).to_be_visible()

    assert _order(page) == ["AAPL", "MSFT", "XOM"]
    heading = page.locator("table.positions thead th", has_text="Market value")
    heading.get_by_role("button").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    assert _order(page) == ["XOM", "MSFT", "AAPL"]
    heading.get_by_role("button").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    assert _order(page) == ["AAPL", "MSFT", "XOM"]
    # Lots stay under their position: each row after a position row belongs to it.
    pairs = page.locator("table.positions tbody tr").evaluate_all(
        """rows => { let owner = null; return rows.map(r => {
             if (r.dataset.position) { owner = r.querySelector('[data-toggle-rows]')
               .getAttribute('aria-controls').split(' ')[0].replace('-head', ''); return true; }
             return r.dataset.lotsOf === owner; }); }"""
    )
    assert all(pairs) and len(pairs) == 3 + 3 + 4  # positions, their lot headings, the lots
    expect(page.locator('tr.lot[data-lots-of="position-2"]')).to_be_visible()  # still open

    # 1280 px: the table fits its container, no horizontal scroll, with every lot open.
    page.get_by_role("button", name="Lots of AAPL").click()
    page.get_by_role("button", name="Lots of XOM").click()
    widths = page.locator("table.positions").evaluate(
        "t => [t.scrollWidth, t.parentElement.clientWidth, document.documentElement.scrollWidth,"
        " document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    assert widths[2] <= widths[3], widths


def test_key_numbers_are_visible_on_a_phone(chromium, live_server, cast, holdings):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        browser_login(page, cast.a.advisor.username)
        page.wait_for_url("**/")
        page.goto(f"/accounts/{holdings.public_id}/")
        # 2,900.41 + 1,200.00 + 45.00 + the cast's 1,000.00 cash; the IRA adds its 1,000.00.
        expected = {
            "account-total": "$5,145.41",
            "cash": "$1,000.00",
            "unrealized": "$1,395.41",  # 4,145.41 - (1,000 + 800 + 900 + 50)
            "household-total": "$6,145.41",
        }
        for key, text in expected.items():
            figure = page.locator(f'[data-testid="key-figures"] [data-key="{key}"]')
            expect(figure).to_have_text(text)
            box = figure.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (key, box)
            assert box["y"] + box["height"] <= 844, (key, box)  # above the fold
        page_width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert page_width[0] <= page_width[1], page_width
    finally:
        context.close()
