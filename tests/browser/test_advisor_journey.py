"""The main journey in headless Chromium: sign in, see the dashboard, create a client, sign out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Client
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_advisor_signs_in_creates_a_client_and_signs_out(page, cast):
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    expect(page.locator("h1")).to_have_text("Clients")
    expect(page.get_by_role("link", name=cast.a.client.name)).to_be_visible()
    assert page.get_by_text(cast.a.other_client.name).count() == 0

    page.get_by_role("link", name="New client").click()
    page.fill("#id_name", "")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.fill("#id_name", "The Browser Household")
    page.select_option("#id_filing_status", "married_joint")
    page.get_by_role("button", name="Create client").click()
    page.wait_for_selector("text=Client The Browser Household created.")
    expect(page.locator("h1")).to_have_text("The Browser Household")
    assert Client.objects.get(name="The Browser Household").advisor == cast.a.advisor

    page.get_by_role("link", name="Clients").click()
    expect(page.get_by_role("link", name="The Browser Household")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/")
    page.goto("/")
    assert "/login/" in page.url


def test_export_job_progress_bar_reaches_done(page, cast):
    browser_login(page, cast.a.admin.username)
    page.wait_for_url("**/")
    page.get_by_role("button", name="Export CSV").click()
    page.wait_for_url("**/jobs/**")
    page.wait_for_selector("[data-status=done]")
    assert page.locator(".progress > div").evaluate("el => el.style.width") == "100%"
    expect(page.get_by_role("link", name="Download")).to_be_visible()


def test_client_login_sees_its_household_read_only(page, cast):
    browser_login(page, cast.a.client_user.username)
    page.wait_for_url(f"**/clients/{cast.a.client.public_id}/")
    expect(page.locator("h1")).to_have_text(cast.a.client.name)
    assert page.get_by_role("link", name="Edit").count() == 0
    assert page.get_by_role("link", name="New account").count() == 0
