"""Creating, claiming, advancing and finishing jobs. Tasks call these; views only read."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jobs.models import Job, JobStatus


def job_create(
    *,
    kind: str,
    title: str,
    firm=None,
    created_by=None,
    params: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> Job:
    """Record a job and queue its Celery task once the surrounding transaction commits."""
    job = Job.objects.create(
        kind=kind, title=title, firm=firm, created_by=created_by, params=params or {}
    )
    if enqueue:
        from jobs.tasks import job_execute

        transaction.on_commit(lambda: job_execute.delay(str(job.public_id)))
    return job


def job_claim(*, job_id: str) -> bool:
    """Move a queued job to running. False when another delivery already took it."""
    claimed = Job.objects.filter(public_id=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        progress=0,
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def job_progress(*, job: Job, percent: int, message: str = "") -> None:
    percent = max(0, min(100, int(percent)))
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        progress=percent, message=message[:300]
    )
    job.progress, job.message = percent, message[:300]


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
    fields = ["status", "progress", "message", "result", "finished_at"]
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
    job.save(update_fields=["status", "error", "message", "finished_at"])
