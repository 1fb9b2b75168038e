"""The top bar in a real browser: a firm admin's bar stays on one line at 1280 px, the firm's
pages sit in one "Firm" menu that opens, leads to its pages and closes on Escape or a click
elsewhere; an advisor has no such menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRM_PAGES = ["Advisors", "Rebalance defaults", "Branding", "History", "Audit trail"]


def _bar_lines(page) -> int:
    """How many rows the bar's items take: items whose vertical centres are within 12 px of
    each other share a row."""
    centres = page.evaluate(
        """() => [document.querySelector('header.top .brand'),
            ...document.querySelectorAll('header.top nav > *')].map(e => {
              const box = e.getBoundingClientRect(); return box.top + box.height / 2; })"""
    )
    rows: list[float] = []
    for centre in sorted(centres):
        if not rows or centre - rows[-1] > 12:
            rows.append(centre)
    return len(rows)


def test_firm_admin_bar_is_one_line_and_the_firm_menu_works(page, cast):
    browser_login(page, cast.a.admin.username)
    page.wait_for_url("**/")
    assert _bar_lines(page) == 1
    menu = page.locator("header.top details.menu")
    items = menu.locator(".menu-items a")
    expect(items.first).to_be_hidden()
    menu.locator("summary").click()
    expect(items).to_have_text(FIRM_PAGES)
    page.keyboard.press("Escape")
    expect(items.first).to_be_hidden()
    menu.locator("summary").click()
    expect(items.first).to_be_visible()
    page.locator("main").click()
    expect(items.first).to_be_hidden()
    menu.locator("summary").click()
    menu.get_by_role("link", name="Audit trail").click()
    page.wait_for_url("**/audit/**")
    expect(page.locator("h1")).to_contain_text("Audit")


def test_an_advisor_has_no_firm_menu(page, cast):
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    expect(page.get_by_role("link", name="Batch rebalance")).to_be_visible()
    assert page.locator("header.top details.menu").count() == 0
    assert _bar_lines(page) == 1
