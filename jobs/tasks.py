"""One Celery task runs every job, through the `JobTask` base: it claims the row, checks that
the firm, the actor and the object worked on still go together, runs the registered service
with a progress callback, and records the outcome. The firm comes from the job row, never from
the message.

Delivery: acks_late + reject_on_worker_lost, so a message whose worker process died goes back
to the queue; the claim takes a job that is queued or whose lease expired. A worker killed
outright (SIGKILL of the whole worker) leaves its message unacknowledged until the broker's
visibility timeout, so `jobs_reap_expired` (Celery beat, every JOBS_REAP_EVERY_SECONDS)
requeues running jobs whose lease ran out. Transient errors (database or broker connection) are
retried with exponential backoff; a `JobError` fails at once with its message.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from kombu.exceptions import OperationalError as BrokerOperationalError

from jobs import services
from jobs.models import Job
from jobs.progress import Heartbeat, ProgressWriter
from jobs.registry import JobError, runner_for

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    BrokerOperationalError,
    ConnectionError,
)


def job_access_check(job: Job) -> None:
    """The firm/actor/target checks every job passes before its runner starts (JobError)."""
    actor = job.created_by
    if job.firm_id is not None:
        if actor is None or actor.firm_id != job.firm_id:
            raise JobError("The job's owner no longer belongs to this firm.")
        if not actor.is_active:
            raise JobError("The job's owner is no longer active.")
    elif actor is not None and actor.firm_id is not None:
        raise JobError("A platform job cannot be run for a firm user.")
    if job.target_type_id is None:
        return
    model = job.target_type.model_class()
    rows = model._default_manager.filter(pk=job.target_id) if model else None
    if rows is None or not rows.exists():
        raise JobError(f"{job.target_label or 'What this job works on'} no longer exists.")
    is_scoped = job.firm_id is not None and hasattr(rows, "visible_to")
    if is_scoped and not rows.visible_to(actor).exists():
        raise JobError(f"You may no longer see {job.target_label or 'this job’s object'}.")


class JobTask(Task):
    """Base of job tasks (see the module docstring)."""

    acks_late = True
    reject_on_worker_lost = True
    soft_time_limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
    time_limit = settings.CELERY_TASK_TIME_LIMIT

    def run_job(self, job_id: str) -> str:
        if not services.job_claim(job_id=job_id):
            return "skipped: not queued"
        job = Job.objects.select_related("firm", "created_by", "target_type").get(public_id=job_id)
        writer = ProgressWriter()
        try:
            job_access_check(job)
            runner = runner_for(job.kind)
            with Heartbeat(pk=job.pk, lease_seconds=services.lease_seconds()):
                result = runner(
                    job=job,
                    progress=lambda pct, msg="": services.job_progress(
                        job=job, percent=pct, message=msg, writer=writer
                    ),
                )
        except services.JobCancelled:
            services.job_mark_cancelled(job=job)
            return "cancelled"
        except JobError as exc:
            services.job_fail(job=job, reason=str(exc))
            return "failed"
        except SoftTimeLimitExceeded:
            services.job_fail(job=job, reason="The job took too long and was stopped.")
            return "failed"
        except TRANSIENT_ERRORS as exc:
            return self._retry_transient(job=job, exc=exc)
        except Exception as exc:  # record, then let Celery log it
            logger.exception("job %s (%s) failed", job_id, job.kind)
            services.job_fail(job=job, reason=f"Unexpected error: {exc.__class__.__name__}: {exc}")
            return "failed"
        finally:
            writer.close()
        job.refresh_from_db(fields=["status"])
        if job.status == "running":
            payload = result or {}
            output = payload.pop("_output", None)
            output_name = payload.pop("_output_name", "")
            services.job_finish(job=job, result=payload, output=output, output_name=output_name)
        return "done"

    def _retry_transient(self, *, job: Job, exc: BaseException) -> str:
        reason = f"{exc.__class__.__name__}: {exc}".strip()
        logger.warning(
            "job %s: transient error, attempt %s: %s", job.public_id, job.attempts, reason
        )
        for conn in connections.all(initialized_only=True):
            if not conn.in_atomic_block:  # a broken connection is replaced before writing
                conn.close_if_unusable_or_obsolete()
        if job.attempts >= services.max_attempts():
            services.job_fail(
                job=job,
                reason=f"Gave up after {job.attempts} attempts; the last error was {reason}",
            )
            return "failed"
        countdown = settings.JOBS_RETRY_BACKOFF_SECONDS * 2 ** (job.attempts - 1)
        try:
            services.job_release_for_retry(job=job, reason=reason, countdown=countdown)
            services.job_enqueue(job=job, countdown=countdown)
        except TRANSIENT_ERRORS:
            # Database or broker still away: the lease runs out and the reaper takes it up.
            logger.warning("job %s: could not queue its retry", job.public_id, exc_info=True)
        return "retrying"


@shared_task(bind=True, base=JobTask, name="jobs.tasks.job_execute")
def job_execute(self: JobTask, job_id: str) -> str:
    return self.run_job(job_id)


@shared_task(
    name="jobs.tasks.jobs_reap_expired",
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def jobs_reap_expired() -> int:
    """Celery beat: take up again the jobs whose worker died (lease expired)."""
    return len(services.jobs_reap_expired())
