"""Browser check of the upload typo prompt (issue 9): a ticker one edit away from a master
ticker is asked about ("did you mean AAPL?"), not turned into a legacy holding."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portfolios.models import Security
from tests.conftest import browser_login
from tests.lots.conftest import security_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_with_a_typo_asks_did_you_mean(page, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    security_make("AAPL", close="200")
    number = cast.a.account.account_number
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/clients/{cast.a.client.public_id}/holdings/upload/")
    content = f"account,ticker,shares,acquired_on,cost_basis\n{number},APPL,5,2020-01-15,750\n"
    page.set_input_files(
        "#id_file", {"name": "holdings.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/holdings/imports/**")
    assert "did you mean AAPL?" in page.locator("table.problems tbody tr").first.inner_text()
    expect(page.locator("[data-suggestion=APPL]")).to_be_visible()
    assert page.get_by_role("button", name="Import these").count() == 0
    assert not Security.objects.filter(ticker="APPL").exists()
