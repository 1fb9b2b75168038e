"""Stored files are never served by a catch-all (issue 9): with DEBUG on, holdings uploads and
job outputs are not reachable by URL; they leave only through access-checked views, and are
stored under names that a URL does not reveal."""

from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from jobs.services import job_create, job_finish
from portfolios.lots import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The URLconf as built with DEBUG=1 (urls.py reads DEBUG when it is imported)."""
    import pma_portal.urls

    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(DEBUG=True):
        importlib.reload(pma_portal.urls)
        clear_url_caches()
        yield
    importlib.reload(pma_portal.urls)
    clear_url_caches()


def _stored_files(root) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]


def test_no_stored_file_is_reachable_by_url_in_debug(client, cast, settings, debug_urls):
    acct = cast.a.account.account_number
    batch = services.holdings_upload(
        client=cast.a.client,
        actor=cast.a.advisor,
        filename="h.csv",
        content=f"account,ticker,shares,acquired_on,cost_basis\n{acct},ZZZ,1,2020-01-02,1\n".encode(),
    )
    job = job_create(
        kind="noop", title="t", firm=cast.a.firm, created_by=cast.a.advisor, enqueue=False
    )
    job_finish(job=job, output=b"secret,report\n", output_name="report.csv")
    root = settings.MEDIA_ROOT
    paths = _stored_files(root)
    assert any(p.startswith("holdings/") for p in paths) and any(
        p.startswith("jobs/") for p in paths
    )
    for path in paths:
        # Not under the root, not under MEDIA_URL, anonymous or signed in as another firm.
        for url in (f"/{path}", f"{settings.MEDIA_URL}{path}", f"/media/{path}"):
            assert client.get(url).status_code in (302, 404), url
        client.force_login(cast.b.advisor)
        assert client.get(f"/{path}").status_code == 404
        client.logout()
    # Names a URL does not reveal: neither the batch's nor the job's public id.
    assert all(str(batch.public_id) not in p and batch.public_id.hex not in p for p in paths)
    assert all(str(job.public_id) not in p for p in paths)


def test_a_job_output_leaves_through_the_access_checked_view(client, cast):
    job = job_create(
        kind="noop", title="t", firm=cast.a.firm, created_by=cast.a.advisor, enqueue=False
    )
    job_finish(job=job, output=b"a,b\n1,2\n", output_name="report.csv")
    url = reverse("job-download", kwargs={"public_id": job.public_id})
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(cast.b.advisor)
    assert client.get(url).status_code == 404  # another firm's
    client.force_login(cast.a.advisor)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert 'filename="report.csv"' in response["Content-Disposition"]
