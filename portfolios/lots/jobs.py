"""Long work of the tax-lot area, run by the Celery job task: importing a large holdings file."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jobs.registry import JobError, job_runner


@job_runner("holdings_import")
def holdings_import_job(*, job, progress) -> dict:
    """Import a previewed file whose batch id is in the job's params (firm from the job row)."""
    from accounts.models import Client
    from portfolios.lots.services import holdings_import
    from portfolios.models import ImportBatch

    batch = (
        ImportBatch.objects.filter(public_id=job.params.get("batch"), firm_id=job.firm_id)
        .select_related("client")
        .first()
    )
    user = job.created_by
    if batch is None or user is None or user.firm_id != job.firm_id:
        raise JobError("The upload or its owner no longer belongs to this firm.")
    if not Client.objects.visible_to(user).filter(pk=batch.client_id).exists():
        raise JobError("You no longer advise this household.")
    try:
        result = holdings_import(batch=batch, actor=user, progress=progress)
    except ValidationError as error:
        raise JobError(" ".join(error.messages)) from error
    if not result.is_imported:
        raise JobError(
            f"The file has {len(result.problems)} problem(s) now; nothing was imported. "
            "Open the preview to see them."
        )
    return {
        "lots": result.lots,
        "url": f"/clients/{batch.client.public_id}/",
    }


@job_runner("holdings_check")
def holdings_check_job(*, job, progress) -> dict:
    """Check a large uploaded file (never in the request); a file refused whole leaves nothing."""
    from portfolios.lots.services import holdings_check_run
    from portfolios.models import ImportBatch

    batch = (
        ImportBatch.objects.filter(public_id=job.params.get("batch"), firm_id=job.firm_id)
        .select_related("client")
        .first()
    )
    if batch is None:
        raise JobError("The upload no longer exists.")
    try:
        holdings_check_run(batch=batch, progress=progress)
    except ValidationError as error:
        raise JobError(" ".join(error.messages)) from error
    batch.refresh_from_db()
    return {
        "status": batch.status,
        "problems": len(batch.errors),
        "url": f"/holdings/imports/{batch.public_id}/",
    }
