"""A risk model build runs as a platform job through the Celery worker (Redis in CI)."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings

from jobs.services import job_create
from portfolios.models import RiskModel
from portfolios.selectors import risk_model_current, risk_model_load
from tests.test_jobs import _wait_for


@pytest.mark.celery_worker
def test_risk_model_build_job_round_trip(celery_worker_or_eager, reference_small):
    before = set(RiskModel.objects.values_list("pk", flat=True))
    job = job_create(kind="risk_model_build", title="Build a risk model")
    job = _wait_for(job)
    assert job.status == "done", job.error
    assert job.firm_id is None and job.progress == 100
    (new_id,) = set(RiskModel.objects.values_list("pk", flat=True)) - before
    assert job.result["risk_model_id"] == new_id and job.result["is_synthetic"] is True
    model = risk_model_load(row_id=new_id)
    assert risk_model_current().tickers == model.tickers
    # The stored model is a usable covariance: symmetric and positive definite.
    sigma = model.covariance_dense()
    assert np.allclose(sigma, sigma.T)
    assert np.linalg.eigvalsh(sigma).min() > 0
    if settings.CELERY_BROKER_URL:
        assert celery_worker_or_eager.real
