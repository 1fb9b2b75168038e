"""One Celery task runs every job: it claims the row, calls the registered service, records the
outcome. The firm comes from the job row, never from the message."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from jobs.models import Job
from jobs.registry import JobError, runner_for
from jobs.services import job_claim, job_fail, job_finish, job_progress

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=1700,
    time_limit=1800,
)
def job_execute(self, job_id: str) -> str:
    if not job_claim(job_id=job_id):
        return "skipped: not queued"
    job = Job.objects.select_related("firm", "created_by").get(public_id=job_id)
    try:
        runner = runner_for(job.kind)
        result = runner(
            job=job, progress=lambda pct, msg="": job_progress(job=job, percent=pct, message=msg)
        )
    except JobError as exc:
        job_fail(job=job, reason=str(exc))
        return "failed"
    except SoftTimeLimitExceeded:
        job_fail(job=job, reason="The job took too long and was stopped.")
        return "failed"
    except Exception as exc:  # record, then let Celery log it
        logger.exception("job %s (%s) failed", job_id, job.kind)
        job_fail(job=job, reason=f"Unexpected error: {exc.__class__.__name__}: {exc}")
        return "failed"
    if job.status == "running":
        payload = result or {}
        output = payload.pop("_output", None)
        output_name = payload.pop("_output_name", "")
        job_finish(job=job, result=payload, output=output, output_name=output_name)
    return "done"
