"""The customization journey in Chromium: account page → Customize → Preview → Save → target."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from esg.models import AccountExclusion, Restriction
from tests.conftest import browser_login
from tests.esg.conftest import account_with_strategy, esg_world_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ESG_SCREENSHOTS")  # a directory: save PNGs of each page


@pytest.fixture
def esg_world(transactional_db):
    return esg_world_build()


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_advisor_previews_then_saves_a_customization(page, cast, esg_world):
    account = account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/accounts/{account.public_id}/")
    page.locator("[data-esg-section]").get_by_role("link", name="Customize", exact=True).click()
    page.wait_for_url("**/customize/")

    page.get_by_label("Tobacco (2 names)").check()
    page.get_by_label("Weapons (3 names)").check()
    row = page.locator("[data-restrictions] tbody tr").first
    row.locator("select[name$='-scope']").select_option("security")
    row.locator("input[name$='-target']").fill("XOM")
    row.locator("select[name$='-mode']").select_option("do_not_hold")
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("#preview")
    preview.wait_for()
    lines = preview.locator("[data-preview-lines]")
    expect(lines.get_by_role("cell", name="Tobacco")).to_be_visible()
    expect(lines.get_by_role("cell", name="Do not hold: XOM")).to_be_visible()
    assert "%" in preview.locator("[data-total-te]").inner_text()
    expect(preview.locator("[data-total-names]")).to_have_text("6")  # MO PM LMT NOC GD XOM
    assert not AccountExclusion.objects.filter(account=account).exists(), "preview saved"
    # The form kept what was entered.
    assert page.get_by_label("Tobacco (2 names)").is_checked()
    _shot(page, "esg-customize-preview")

    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/target/")
    expect(page.get_by_text("Customization saved.")).to_be_visible()
    assert "%" in page.locator("[data-target-te]").inner_text()
    assert page.locator("[data-target-rows] tbody tr").count() > 10
    _shot(page, "esg-target")
    assert set(
        AccountExclusion.objects.filter(account=account).values_list("category__slug", flat=True)
    ) == {"tobacco", "weapons"}
    assert Restriction.objects.get(account=account).security.ticker == "XOM"


def test_bad_ticker_is_named_in_the_page(page, cast, esg_world):
    account = account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/esg/accounts/{account.public_id}/customize/")
    row = page.locator("[data-restrictions] tbody tr").nth(1)
    row.locator("input[name$='-target']").fill("ZZZZ")
    page.get_by_role("button", name="Save").click()
    problems = page.locator("[data-problems]")
    problems.wait_for()
    assert "Restriction row 2, ticker: no security with ticker “ZZZZ”." in problems.inner_text()
    _shot(page, "esg-customize-error")
    page.goto("/esg/categories/")
    page.get_by_role("link", name="Tobacco").first.click()
    expect(page.get_by_role("cell", name="industry is Tobacco").first).to_be_visible()
    _shot(page, "esg-category")
