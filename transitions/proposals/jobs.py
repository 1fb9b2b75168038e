"""The proposal render job: a thin runner around the service."""

from __future__ import annotations

from jobs.registry import job_runner
from transitions.proposals.services import JOB_KIND, proposal_render_run


@job_runner(JOB_KIND)
def proposal_render_job(*, job, progress) -> dict:
    return proposal_render_run(job=job, progress=progress)
