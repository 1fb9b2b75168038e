"""Jobs: leases and the reaper, attempts, transient errors retried (user errors not), cancel,
the task base's firm/actor/target checks. Eager Celery; the killed-worker test is in
tests/lots/test_import_job_recovery.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Firm
from jobs import registry
from jobs.models import Job, JobStatus
from jobs.services import job_cancel, job_claim, job_create, jobs_reap_expired
from jobs.tasks import job_execute


@pytest.fixture
def runner(settings):
    """Register a test runner under kind "test"; `calls` counts its runs."""
    settings.JOBS_RETRY_BACKOFF_SECONDS = 0
    state = {"calls": 0, "body": None}

    def run(*, job, progress):
        state["calls"] += 1
        return state["body"](job=job, progress=progress, call=state["calls"])

    registry._RUNNERS["test"] = run
    yield state
    registry._RUNNERS.pop("test", None)


def _job(cast, **extra) -> Job:
    return job_create(
        kind="test",
        title="Test",
        firm=cast.a.firm,
        created_by=cast.a.advisor,
        enqueue=False,
        **extra,
    )


def _run(job: Job) -> Job:
    job_execute.apply(args=[str(job.public_id)]).get()
    job.refresh_from_db()
    return job


def test_a_transient_error_is_retried_and_the_job_finishes(cast, runner):
    def body(*, job, progress, call):
        if call == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return {"ok": call}

    runner["body"] = body
    job = _run(_job(cast))
    assert (job.status, job.result, job.attempts, runner["calls"]) == ("done", {"ok": 2}, 2, 2)


def test_a_transient_error_that_persists_fails_after_max_attempts(cast, runner, settings):
    settings.JOBS_MAX_ATTEMPTS = 3

    def body(*, job, progress, call):
        raise OperationalError("could not connect to server")

    runner["body"] = body
    job = _run(_job(cast))
    assert job.status == JobStatus.FAILED and runner["calls"] == 3 and job.attempts == 3
    assert job.error.startswith("Gave up after 3 attempts") and "could not connect" in job.error


def test_a_user_error_fails_at_once_with_its_message(cast, runner):
    def body(*, job, progress, call):
        raise registry.JobError("Row 3: the ticker ZZZZ is not in the security master.")

    runner["body"] = body
    job = _run(_job(cast))
    assert (job.status, job.attempts, runner["calls"]) == ("failed", 1, 1)
    assert job.error == "Row 3: the ticker ZZZZ is not in the security master."


def test_a_running_job_with_a_live_lease_is_not_taken_twice(cast, runner):
    job = _job(cast)
    assert job_claim(job_id=str(job.public_id)) is True
    assert job_claim(job_id=str(job.public_id)) is False  # second delivery, worker alive
    assert job_execute.apply(args=[str(job.public_id)]).get() == "skipped: not queued"
    assert runner["calls"] == 0


def test_an_expired_lease_is_reaped_and_run_again(cast, runner):
    runner["body"] = lambda *, job, progress, call: {"call": call}
    job = _job(cast)
    job_claim(job_id=str(job.public_id))
    # Its worker died: nothing renews the lease any more.
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs_reap_expired() == [str(job.public_id)]  # requeued, and (eager) run at once
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == ("done", 2, {"call": 1})


def test_a_redelivered_message_takes_an_expired_lease(cast, runner):
    runner["body"] = lambda *, job, progress, call: {}
    job = _job(cast)
    job_claim(job_id=str(job.public_id))
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    job = _run(job)
    assert (job.status, job.attempts) == ("done", 2)


def test_a_job_out_of_attempts_fails_with_a_reason(cast, runner, settings):
    settings.JOBS_MAX_ATTEMPTS = 2
    job = _job(cast)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=2, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert jobs_reap_expired() == []
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "stopped 2 times" in job.error
    assert runner["calls"] == 0


def test_live_leases_are_left_alone_by_the_reaper(cast, runner):
    job = _job(cast)
    job_claim(job_id=str(job.public_id))
    assert jobs_reap_expired() == []
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.lease_until > timezone.now()


def test_progress_renews_the_lease(cast, runner, settings):
    settings.JOBS_LEASE_SECONDS = 600
    seen = {}

    def body(*, job, progress, call):
        Job.objects.filter(pk=job.pk).update(lease_until=timezone.now())
        progress(50, "half way")
        seen["lease"] = Job.objects.get(pk=job.pk).lease_until
        return {}

    runner["body"] = body
    _run(_job(cast))
    assert seen["lease"] > timezone.now() + timedelta(seconds=500)


def test_cancelling_a_queued_job_stops_it_before_it_starts(cast, runner):
    job = _job(cast)
    job = job_cancel(job=job, actor=cast.a.advisor)
    assert job.status == JobStatus.CANCELLED
    assert job_execute.apply(args=[str(job.public_id)]).get() == "skipped: not queued"
    assert runner["calls"] == 0


def test_a_running_job_stops_at_its_next_progress_call_and_keeps_nothing(cast, runner):
    def body(*, job, progress, call):
        with transaction.atomic():
            Firm.objects.filter(pk=job.firm_id).update(name="Half-written")
            job_cancel(job=Job.objects.get(pk=job.pk), actor=job.created_by)  # the user clicks
            progress(50, "still going")
            raise AssertionError("the runner should have been stopped")

    runner["body"] = body
    job = _run(_job(cast))
    assert job.status == JobStatus.CANCELLED and job.finished_at is not None
    assert Firm.objects.get(pk=cast.a.firm.pk).name == "Alpha Advisors"


def test_only_whoever_started_a_job_may_cancel_it(client, cast, runner):
    job = _job(cast)
    client.force_login(cast.a.admin)  # sees the firm's jobs, did not start this one
    assert client.post(reverse("api-job-cancel", args=[job.public_id])).status_code == 404
    client.force_login(cast.a.other_advisor)
    assert client.post(reverse("api-job-cancel", args=[job.public_id])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    client.force_login(cast.a.advisor)
    response = client.post(reverse("api-job-cancel", args=[job.public_id]))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = client.post(reverse("api-job-cancel", args=[job.public_id]))
    assert again.status_code == 400 and "already cancelled" in str(again.json())


def test_the_job_page_has_a_cancel_button_that_works(client, cast, runner):
    job = _job(cast)
    client.force_login(cast.a.advisor)
    page = client.get(reverse("job-detail", args=[job.public_id])).content.decode()
    assert reverse("job-cancel", args=[job.public_id]) in page
    response = client.post(reverse("job-cancel", args=[job.public_id]), follow=True)
    assert "Cancelled." in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    page = client.get(reverse("job-detail", args=[job.public_id])).content.decode()
    assert "Cancel this job" not in page


def test_the_task_base_checks_the_actor(cast, runner):
    runner["body"] = lambda *, job, progress, call: {}
    job = _job(cast)
    cast.a.advisor.is_active = False
    cast.a.advisor.save(update_fields=["is_active"])
    job = _run(job)
    assert job.status == JobStatus.FAILED and job.error == "The job's owner is no longer active."
    assert runner["calls"] == 0


def test_the_task_base_checks_the_object_worked_on(cast, runner):
    runner["body"] = lambda *, job, progress, call: {}
    job = _job(cast, target=cast.a.other_client, target_label="the household Two")
    job = _run(job)  # cast.a.advisor does not advise the other advisor's household
    assert (job.status, job.error) == ("failed", "You may no longer see the household Two.")
    assert runner["calls"] == 0
    assert (job.target, job.target_label) == (cast.a.other_client, "the household Two")


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_runners_transaction_is_open(cast, runner):
    if connection.vendor == "sqlite":
        pytest.skip(
            "on SQLite progress goes through the runner's connection (a second writer would wait)"
        )
    from django.db import connections

    seen = {}

    def body(*, job, progress, call):
        with transaction.atomic():
            Firm.objects.filter(pk=job.firm_id).update(name="Importing")
            progress(42, "Importing 10 lots")
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT progress, message FROM jobs_job WHERE id = %s", [job.pk])
                    seen["progress"] = cursor.fetchone()
            finally:
                other.close()
        return {}

    runner["body"] = body
    job = job_create(
        kind="test", title="Test", firm=cast.a.firm, created_by=cast.a.advisor, enqueue=False
    )
    _run(job)
    assert seen["progress"] == (42, "Importing 10 lots")
