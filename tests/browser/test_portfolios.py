"""In Chromium: an advisor browses a strategy's detail and searches the security master."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("PMA_SCREENSHOTS", "")  # a folder: save what the test saw


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_advisor_opens_a_strategy_and_searches_securities(page, cast, reference_small):
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Strategies", exact=True).first.click()
    page.wait_for_url("**/strategies/")
    expect(page.locator("h1")).to_have_text("Strategies")
    assert page.get_by_text("% a year").count() >= 3  # the active models' tracking errors
    _shot(page, "strategy-list")

    page.get_by_role("link", name="Active Quality Core").click()
    page.wait_for_url("**/strategies/active-quality-core/")
    expect(page.locator("svg.chart[aria-label='Sector weights']")).to_be_visible()
    names = page.get_by_test_id("name-count").inner_text()
    assert names == str(len(reference_small.weights("active-quality-core")))
    expect(page.get_by_role("heading", name="Top holdings")).to_be_visible()
    expect(page.get_by_text("synthetic weights")).to_be_visible()
    _shot(page, "strategy-detail")

    page.get_by_role("link", name="Securities", exact=True).first.click()
    page.wait_for_url("**/securities/")
    page.get_by_label("Sector").select_option("Consumer Staples")
    page.get_by_placeholder("e.g. MSFT or Microsoft").fill("philip")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=philip**")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    _shot(page, "security-search")
    rows.first.get_by_role("link", name="PM").click()
    page.wait_for_url("**/securities/PM/")
    assert "Philip Morris" in page.locator("h1").inner_text()
    expect(page.get_by_test_id("latest-close")).to_be_visible()
    assert page.locator("svg.chart polyline").count() == 1
    expect(page.get_by_text("synthetic").first).to_be_visible()
    _shot(page, "security-detail")
