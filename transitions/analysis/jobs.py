"""The transition analysis job: a thin runner around the service."""

from __future__ import annotations

from jobs.registry import JobError, job_runner
from transitions.analysis.models import TransitionAnalysis
from transitions.analysis.services import JOB_KIND, transition_analysis_run


@job_runner(JOB_KIND)
def transition_analysis_job(*, job, progress) -> dict:
    analysis = (
        TransitionAnalysis.objects.select_related("account__client", "account__strategy")
        .filter(pk=job.target_id, firm_id=job.firm_id)
        .first()
    )
    if analysis is None:
        raise JobError("The analysis no longer exists.")
    return transition_analysis_run(analysis=analysis, progress=progress)
