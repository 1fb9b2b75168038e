"""The proposal journey in headless Chromium: the advisor generates a proposal from a finished
analysis and shares it; the client signs in, opens it and accepts it; the advisor sees the
acceptance. A client of another household gets 404 for its page and its file."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.conftest import browser_login
from tests.factories import UserFactory
from tests.transitions.analysis.conftest import analysis_world  # noqa: F401  (fixture)
from tests.transitions.proposals.conftest import analysis_run
from transitions.proposals.models import Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")


def test_advisor_generates_and_shares_client_accepts_advisor_sees_it(page, analysis_world):  # noqa: F811
    cast = analysis_world.cast
    analysis = analysis_run(account=analysis_world.account, actor=cast.a.advisor, paths=2)
    assert analysis.status == "done", analysis.error
    page.set_default_timeout(60000)

    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/analyses/{analysis.public_id}/")
    page.get_by_label("A note to the client").fill("Two years keeps the tax bill even.")
    page.locator("[data-generate-proposal]").click()
    page.wait_for_url("**/proposals/**")
    page.wait_for_selector("[data-current-version='1']")
    proposal = Proposal.objects.get(account=analysis_world.account)
    assert proposal.recommended_scenario == "timeline:2"
    page.locator("[data-share]").click()
    page.wait_for_selector(f"text=Shared with {cast.a.client_user.display_name}.")
    assert page.locator("[data-proposal-status]").get_attribute("data-proposal-status") == "shared"
    _sign_out(page)

    browser_login(page, cast.a.client_user.username)
    page.wait_for_url(f"**/clients/{cast.a.client.public_id}/")
    page.locator("[data-client-proposals]").get_by_role("link", name=proposal.title).click()
    page.wait_for_url(f"**/proposals/{proposal.public_id}/")
    with page.expect_download() as download:
        page.locator("[data-download]").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    page.locator("[data-accept]").click()
    page.wait_for_selector("text=Thank you: version 1 accepted.")
    assert "accepted" in page.locator("[data-accepted]").inner_text() or page.locator(
        "[data-accepted]"
    ).inner_text().startswith("20")
    _sign_out(page)

    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/clients/{cast.a.client.public_id}/")
    status = page.locator("[data-household-proposals] [data-status]")
    assert status.get_attribute("data-status") == "accepted"
    assert "Accepted by the client" in status.inner_text()
    page.goto(f"/proposals/{proposal.public_id}/")
    assert cast.a.client_user.display_name in page.locator("[data-accepted]").inner_text()
    assert "Accepted by the client" in page.locator("[data-history]").inner_text()
    _sign_out(page)

    # A client of another household of the same firm: 404 for the page and the file.
    outsider = UserFactory(
        firm=cast.a.firm, role=Role.CLIENT, client=cast.a.other_client, username="hh2-client"
    )
    browser_login(page, outsider.username)
    page.wait_for_url(f"**/clients/{cast.a.other_client.public_id}/")
    version = proposal.versions.get()
    for url in (f"/proposals/{proposal.public_id}/", f"/proposal-files/{version.public_id}/"):
        response = page.request.get(url)
        assert response.status == 404, url
