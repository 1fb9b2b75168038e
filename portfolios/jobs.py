"""Long work of the portfolios area, run by the Celery job task."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse

from jobs.registry import JobError, job_runner
from portfolios.listeners import reference_data_changed
from portfolios.services import risk_model_build


@job_runner("risk_model_build")
def risk_model_build_job(*, job, progress) -> dict:
    """A platform job (no firm): estimate and store a risk model; params may give `as_of`."""
    as_of = job.params.get("as_of")
    try:
        model = risk_model_build(
            as_of=date.fromisoformat(as_of) if as_of else None, progress=progress
        )
    except ValidationError as error:
        raise JobError(" ".join(error.messages)) from error
    reference_data_changed(reason=f"risk model of {model.as_of}")
    return {
        "risk_model_id": model.pk,
        "as_of": model.as_of.isoformat(),
        "n_securities": model.n_securities,
        "is_synthetic": model.is_synthetic,
        "url": reverse("admin:portfolios_riskmodel_change", args=[model.pk]),
    }
