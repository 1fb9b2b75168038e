"""The rebalance journey in Chromium: propose trades from the account page (a job with a
progress bar), read the lot-level trade list, approve it, export the order file, mark it
executed, and see the account's lots change."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portfolios.models import TaxLot
from tests.conftest import browser_login
from tests.transitions.conftest import world_build
from transitions.rebalance.models import TradeList

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_approve_export_execute_and_see_the_lots_change(page, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = world_build(cast)
    before = {
        str(lot.public_id): lot.shares for lot in TaxLot.objects.filter(account=world.account)
    }
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/accounts/{world.account.public_id}/")
    page.get_by_role("button", name="Propose trades").click()
    page.wait_for_url("**/rebalance/trade-lists/**", timeout=60000)  # the job page moves on
    trade_list = TradeList.objects.get(account=world.account)
    expect(page.locator("[data-status]").first).to_have_text("Proposed")
    sells = page.locator("table[data-sells] tbody tr")
    assert sells.count() == trade_list.lines.filter(side="SELL").count() > 0
    first_sale = trade_list.lines.filter(side="SELL").select_related("security").first()
    assert first_sale.security.ticker in sells.first.inner_text()
    assert (
        "Tracking error to the customized target"
        in page.locator("table[data-before-after]").inner_text()
    )
    page.screenshot(path="/tmp/rebalance-trade-list.png", full_page=True)

    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector("text=Trade list approved.")
    expect(page.locator("[data-status]").first).to_have_text("Approved")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export order file (CSV)").click()
    content = Path(download_info.value.path()).read_text()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == trade_list.trade_count
    assert {r["lot_id"] for r in rows if r["side"] == "SELL"} == {
        line.lot_public_id for line in trade_list.lines.filter(side="SELL")
    }

    page.reload()
    expect(page.locator("[data-status]").first).to_have_text("Exported")
    page.get_by_role("button", name="Mark executed").click()
    page.wait_for_selector("text=Trades recorded")
    expect(page.locator("[data-status]").first).to_have_text("Executed")
    after = {str(lot.public_id): lot.shares for lot in TaxLot.objects.filter(account=world.account)}
    assert after != before
    page.goto(f"/accounts/{world.account.public_id}/")
    lots_table = page.locator("table.lots tbody").inner_text()
    bought = trade_list.lines.filter(side="BUY").select_related("security").first()
    assert bought.security.ticker in lots_table
    assert page.locator("[data-rebalance-section]").inner_text().count("Executed") == 1
