"""Jobs: claimed once, progress recorded, failures readable; a round trip through a real Celery
worker over Redis when CELERY_BROKER_URL is set (CI), eagerly otherwise."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse

from jobs.models import Job, JobStatus
from jobs.services import job_create
from jobs.tasks import job_execute


def _wait_for(job: Job, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job still {job.status} after {seconds} s")


@pytest.mark.celery_worker
def test_export_round_trip_through_the_worker(celery_worker_or_eager, cast):
    job = job_create(
        kind="client_book_export", title="Export", firm=cast.a.firm, created_by=cast.a.advisor
    )
    job = _wait_for(job)
    assert job.status == JobStatus.DONE, job.error
    assert job.progress == 100 and job.attempts == 1
    assert job.result == {"households": 1}
    text = job.output.read().decode()
    assert cast.a.client.name in text
    assert cast.a.other_client.name not in text and cast.b.client.name not in text
    assert cast.a.account.account_number not in text  # masked in exports too
    if settings.CELERY_BROKER_URL:
        assert celery_worker_or_eager.real


def test_a_second_delivery_does_nothing(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(
            kind="client_book_export", title="Export", firm=cast.a.firm, created_by=cast.a.advisor
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    finished_at = job.finished_at
    assert job_execute.apply(args=[str(job.public_id)]).get() == "skipped: not queued"
    job.refresh_from_db()
    assert job.attempts == 1 and job.finished_at == finished_at


def test_unknown_kind_fails_with_a_reason(cast):
    job = job_create(
        kind="nope", title="Mystery", firm=cast.a.firm, created_by=cast.a.advisor, enqueue=False
    )
    assert job_execute.apply(args=[str(job.public_id)]).get() == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Unknown job kind 'nope'" in job.error


def test_export_page_shows_progress_and_download(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.a.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("client-book-export"))
    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.public_id])
    page = client.get(response["Location"]).content.decode()
    assert 'role="progressbar"' in page
    status = client.get(reverse("job-status", args=[job.public_id])).json()
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download_url"])
    assert download["Content-Disposition"].startswith('attachment; filename="clients.csv"')
