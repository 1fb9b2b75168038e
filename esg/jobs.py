"""Long work of the ESG area, run by the Celery job task."""

from __future__ import annotations

from esg.services.target import REFRESH_JOB, customized_targets_refresh
from esg.types import RefreshCause
from jobs.registry import job_runner


@job_runner(REFRESH_JOB)
def customized_targets_refresh_job(*, job, progress) -> dict:
    """A platform job (no firm): recompute the listed accounts' targets whose inputs changed,
    recording each recomputation with the job's cause (a retry records nothing twice)."""
    return customized_targets_refresh(
        account_ids=job.params.get("account_ids", []),
        progress=progress,
        cause=RefreshCause.from_params(job.params.get("cause")),
        job=job,
    )
