"""The render job through a real Celery worker (over the broker when CELERY_BROKER_URL is set,
eagerly otherwise): one version, its PDF stored privately and readable, and a second delivery
of the same task making no second version."""

from __future__ import annotations

import pytest

from tests.test_jobs import _wait_for
from tests.transitions.proposals.conftest import generate, pdf_text


@pytest.mark.celery_worker
def test_render_job_through_the_worker(celery_worker_or_eager, request):
    from jobs.tasks import job_execute
    from pma_portal.celery import app

    # The analysis it renders from is made eagerly (its own worker tests are elsewhere); only
    # the render job goes through the worker.
    worker_mode = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        finished_analysis = request.getfixturevalue("finished_analysis")
    finally:
        app.conf.task_always_eager = worker_mode
    advisor = finished_analysis.created_by
    proposal, job = generate(finished_analysis, actor=advisor, note="Through the worker.")
    job = _wait_for(job, seconds=180)
    assert job.status == "done", job.error
    proposal.refresh_from_db()
    versions = list(proposal.versions.all())
    assert [v.number for v in versions] == [1]
    with versions[0].file.open("rb") as handle:
        text = pdf_text(handle.read(), first=1, last=1)
    assert proposal.client.name in text
    job_execute.apply(args=[str(job.public_id)])  # the same message delivered again
    assert proposal.versions.count() == 1
