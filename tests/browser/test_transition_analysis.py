"""The transition-analysis journey in headless Chromium: start from the account page, watch the
progress bar finish, see the side-by-side table, the charts and the frontier."""

from __future__ import annotations

import functools

import pytest
from playwright.sync_api import expect

from jobs.services import job_create
from tests.conftest import browser_login
from tests.transitions.analysis.conftest import analysis_world_build
from transitions.analysis import services
from transitions.analysis.models import TransitionAnalysis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_advisor_starts_an_analysis_and_reads_it(page, cast, reference_small, monkeypatch):
    world = analysis_world_build(cast=cast, reference=reference_small)
    # The job is queued, not run at commit (eager mode would finish it inside the POST), so the
    # page shows its progress bar; the test then runs it as a worker would.
    monkeypatch.setattr(services, "job_create", functools.partial(job_create, enqueue=False))
    browser_login(page, cast.a.advisor.username)
    page.wait_for_url("**/")
    page.goto(f"/accounts/{world.account.public_id}/")
    page.get_by_role("link", name="New analysis").click()
    page.wait_for_selector("form[data-analysis-start]")
    assert page.get_by_label("Zero net gain a year").is_checked()
    page.get_by_label("Timeline, 5 years").uncheck()
    page.fill("#id_years", "2")
    page.fill("#id_paths", "3")
    page.get_by_role("button", name="Start analysis").click()
    page.wait_for_selector("[data-analysis-progress]")
    assert page.locator("[data-analysis-progress]").get_attribute("data-status") == "queued"

    from jobs.tasks import job_execute

    analysis = TransitionAnalysis.objects.get(account=world.account)
    job_execute.apply(args=[str(analysis.job.public_id)])

    page.wait_for_selector("[data-side-by-side]", timeout=60_000)  # the bar's poll reloads
    table = page.locator("[data-side-by-side]")
    for label in ("Immediate", "Timeline, 3 years", "Zero net gain", "Hold (reference)"):
        assert table.get_by_text(label, exact=False).count() >= 1, label
    expect(table.get_by_text("After-tax value at the horizon")).to_be_visible()
    assert page.locator('[data-chart="tax"] svg polygon.band').count() == 4
    assert page.locator('[data-chart="tracking-error"] svg polyline').count() >= 4
    assert page.locator('[data-chart="frontier"] svg circle.named-point').count() == 4
    assert page.locator("[data-frontier] tbody tr").count() == 6
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
