"""Long work of the tax-lot area, run by the Celery job task: importing a large holdings file.

The firm, the actor and whether the actor may still see the batch (its household) are checked
by the task base (`jobs.tasks.job_access_check`) before this runs."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from jobs.registry import JobError, job_runner


def _batch_of(job):
    from portfolios.models import ImportBatch

    return (
        ImportBatch.objects.filter(public_id=job.params.get("batch"), firm_id=job.firm_id)
        .select_related("client")
        .first()
    )


def _already_imported(batch) -> dict:
    """A re-run after the import committed (its worker died before recording "done"): the
    import is not repeated; the job reports the lots that import opened."""
    from portfolios.models import TaxLot

    return {
        "lots": TaxLot.objects.filter(import_batch=batch).count(),
        "url": f"/clients/{batch.client.public_id}/",
        "already_imported": True,
    }


@job_runner("holdings_import")
def holdings_import_job(*, job, progress) -> dict:
    """Import a previewed file whose batch id is in the job's params (firm from the job row);
    idempotent: a batch already imported is reported, not imported again."""
    from portfolios.lots.holdings_import import holdings_import
    from portfolios.models import ImportStatus

    batch = _batch_of(job)
    if batch is None:
        raise JobError("The upload no longer belongs to this firm.")
    if batch.status == ImportStatus.IMPORTED:
        return _already_imported(batch)
    try:
        result = holdings_import(batch=batch, actor=job.created_by, progress=progress)
    except ValidationError as error:
        batch.refresh_from_db(fields=["status"])
        if batch.status == ImportStatus.IMPORTED:  # another delivery committed it meanwhile
            return _already_imported(batch)
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
    from portfolios.lots.holdings_upload import holdings_check_run
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
