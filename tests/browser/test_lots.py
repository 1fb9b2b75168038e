"""The holdings journey in Chromium: upload a CSV with a problem, see it named by row and column,
upload the corrected file, import it, see the lots on the account page; then the gains report."""

from __future__ import annotations

import pytest

from portfolios.models import TaxLot
from tests.conftest import browser_login
from tests.lots.conftest import security_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_fix_import_and_see_the_lots(page, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the uploaded files go there
    security_make("AAPL", close="200")
    security_make("MSFT", close="400")
    number = cast.a.account.account_number
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/accounts/{cast.a.account.public_id}/")
    page.get_by_role("link", name="Upload holdings").click()
    page.wait_for_url("**/holdings/upload/**")

    bad = f"account,ticker,shares,acquired_on,cost_basis\n{number},AAPL,-5,2020-01-15,1500\n"
    page.set_input_files(
        "#id_file", {"name": "holdings.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/holdings/imports/**")
    problem = page.locator("table.problems tbody tr").first
    assert problem.locator("td").all_inner_texts() == [
        "2",
        "shares",
        "must be greater than zero (got -5)",
    ]
    assert page.get_by_role("button", name="Import 0 lots").count() == 0
    assert TaxLot.objects.count() == 0

    page.get_by_role("link", name="Upload a corrected file").click()
    good = (
        "account,ticker,shares,acquired_on,cost_basis,lot_id\n"
        f"{number},AAPL,5,2020-01-15,750,A1\n"
        f"{number},MSFT,2,2021-03-01,500,M1\n"
    )
    page.set_input_files(
        "#id_file", {"name": "holdings.csv", "mimeType": "text/csv", "buffer": good.encode()}
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/holdings/imports/**")
    assert page.locator("table.preview tbody tr").count() == 2
    page.get_by_role("button", name="Import 2 lots").click()
    page.wait_for_selector("text=Imported 2 lots from holdings.csv.")

    page.goto(f"/accounts/{cast.a.account.public_id}/")
    rows = page.locator("table.lots tbody tr[data-position]")  # one row per security
    assert rows.count() == 2
    assert "AAPL" in rows.nth(0).inner_text() and "$1,000.00" in rows.nth(0).inner_text()
    footer = page.locator("table.lots tfoot").inner_text()
    assert "$1,250.00" in footer and "$1,800.00" in footer  # basis; value 5×200 + 2×400
    page.screenshot(path="/tmp/lots-account.png", full_page=True)

    page.goto(f"/clients/{cast.a.client.public_id}/")
    page.get_by_role("link", name="Realized gains").click()
    page.wait_for_url("**/realized-gains/**")
    assert "Part I: Short-term" in page.content()
