"""Creating, claiming, advancing, finishing, cancelling and reaping jobs. Tasks call these;
views only read (and cancel).

Leases: a claimed job holds `lease_until` (now + JOBS_LEASE_SECONDS), renewed by every progress
call and by the task's heartbeat. A running job whose lease passed lost its worker: the claim of
a redelivered message takes it (`task_reject_on_worker_lost` + acks_late), and the periodic
`jobs_reap_expired` task requeues it; after JOBS_MAX_ATTEMPTS it fails with a reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from jobs.models import Job, JobStatus
from jobs.progress import ProgressWriter


class JobCancelled(Exception):
    """Raised inside a runner at its next progress call once its job was cancelled."""


def lease_seconds() -> int:
    return int(settings.JOBS_LEASE_SECONDS)


def max_attempts() -> int:
    return int(settings.JOBS_MAX_ATTEMPTS)


def job_create(
    *,
    kind: str,
    title: str,
    firm=None,
    created_by=None,
    params: dict[str, Any] | None = None,
    target=None,
    target_label: str = "",
    enqueue: bool = True,
) -> Job:
    """Record a job (linked to `target`, the object it works on) and queue its Celery task once
    the surrounding transaction commits."""
    job = Job(kind=kind, title=title, firm=firm, created_by=created_by, params=params or {})
    if target is not None:
        job.target_type = ContentType.objects.get_for_model(target)
        job.target_id = target.pk
        job.target_label = (target_label or str(target))[:200]
    job.save()
    if enqueue:
        transaction.on_commit(lambda: job_enqueue(job=job))
    return job


def job_enqueue(*, job: Job, countdown: float | None = None) -> None:
    from jobs.tasks import job_execute

    job_execute.apply_async(args=[str(job.public_id)], countdown=countdown)


def _claimable() -> Q:
    return Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=timezone.now())


def job_claim(*, job_id: str) -> bool:
    """Move a queued job (or a running one whose worker's lease ran out) to running, with a fresh
    lease. False when another delivery holds it or it is finished; a job out of attempts is
    failed here with the reason."""
    now = timezone.now()
    rows = Job.objects.filter(_claimable(), public_id=job_id)
    if rows.filter(attempts__gte=max_attempts()).exists():
        rows.filter(attempts__gte=max_attempts()).update(
            status=JobStatus.FAILED,
            error=_gave_up_reason(),
            message=_gave_up_reason()[:300],
            finished_at=now,
            lease_until=None,
        )
        return False
    claimed = rows.filter(cancel_requested_at__isnull=True).update(
        status=JobStatus.RUNNING,
        started_at=now,
        progress=0,
        lease_until=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def _gave_up_reason() -> str:
    return (
        f"The job was stopped {max_attempts()} times before it could finish (its worker "
        "stopped or the database was unreachable); nothing of the last try was kept. "
        "Start it again, or ask support if it keeps happening."
    )


def job_progress(*, job: Job, percent: int, message: str = "", writer: ProgressWriter) -> None:
    """Record progress and renew the lease on the writer's own connection (visible while the
    runner's transaction is open); stop the runner if its job was cancelled meanwhile."""
    percent = max(0, min(100, int(percent)))
    job.progress, job.message = percent, message[:300]
    lease_until = timezone.now() + timedelta(seconds=lease_seconds())
    if writer.progress(job_pk=job.pk, percent=percent, message=message[:300], until=lease_until):
        raise JobCancelled()


def job_finish(
    *,
    job: Job,
    result: dict[str, Any] | None = None,
    output: bytes | None = None,
    output_name: str = "",
    message: str = "Done",
) -> None:
    job.status = JobStatus.DONE
    job.progress = 100
    job.message = message[:300]
    job.result = result or {}
    job.finished_at = timezone.now()
    job.lease_until = None
    fields = ["status", "progress", "message", "result", "finished_at", "lease_until"]
    if output is not None:
        job.output.save(f"{job.public_id}-{output_name}", ContentFile(output), save=False)
        job.output_name = output_name
        fields += ["output", "output_name"]
    job.save(update_fields=fields)


def job_fail(*, job: Job, reason: str) -> None:
    job.status = JobStatus.FAILED
    job.error = reason
    job.message = reason.splitlines()[0][:300] if reason else "Failed"
    job.finished_at = timezone.now()
    job.lease_until = None
    job.save(update_fields=["status", "error", "message", "finished_at", "lease_until"])


def job_mark_cancelled(*, job: Job) -> None:
    job.status = JobStatus.CANCELLED
    job.message = "Cancelled; nothing of it was kept."
    job.finished_at = timezone.now()
    job.lease_until = None
    job.save(update_fields=["status", "message", "finished_at", "lease_until"])


def job_release_for_retry(*, job: Job, reason: str, countdown: float) -> None:
    """After a transient error: back to queued (no lease) until the retry's message arrives."""
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED,
        lease_until=None,
        message=f"Retrying in {int(countdown)} s after a temporary error: {reason}"[:300],
    )


def job_cancel(*, job: Job, actor) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next progress call. Only
    whoever started the job may cancel it."""
    if job.created_by_id is None or job.created_by_id != getattr(actor, "pk", None):
        raise ValidationError("Only whoever started this job may cancel it.")
    now = timezone.now()
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            raise ValidationError(f"This job is already {locked.get_status_display().lower()}.")
        fields = ["message", "cancel_requested_at"]
        if locked.status == JobStatus.QUEUED:
            locked.status = JobStatus.CANCELLED
            locked.finished_at = now
            locked.message = "Cancelled before it started."
            fields += ["status", "finished_at"]
        else:  # the runner stops at its next progress call (jobs.tasks.JobTask)
            locked.message = "Cancelling…"
        locked.cancel_requested_at = now
        locked.save(update_fields=fields)
    return locked


def jobs_reap_expired(*, now=None) -> list[str]:
    """Requeue running jobs whose lease ran out (their worker died); fail those out of
    attempts. Returns the public ids requeued."""
    now = now or timezone.now()
    expired = Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now)
    expired.filter(cancel_requested_at__isnull=False).update(
        status=JobStatus.CANCELLED, finished_at=now, lease_until=None, message="Cancelled."
    )
    expired.filter(attempts__gte=max_attempts()).update(
        status=JobStatus.FAILED,
        error=_gave_up_reason(),
        message=_gave_up_reason()[:300],
        finished_at=now,
        lease_until=None,
    )
    requeued = []
    for job in expired.filter(attempts__lt=max_attempts()):
        updated = Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, lease_until__lt=now
        ).update(
            status=JobStatus.QUEUED,
            lease_until=None,
            message="Its worker stopped; taken up again.",
        )
        if updated:
            job_enqueue(job=job)
            requeued.append(str(job.public_id))
    return requeued
