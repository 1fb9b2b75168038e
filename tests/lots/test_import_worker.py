"""A large holdings file goes through the Celery worker: over Redis in CI, eagerly otherwise."""

from __future__ import annotations

import pytest
from django.conf import settings

from jobs.models import Job
from portfolios.lots import holdings_import as import_writes
from portfolios.lots import services
from portfolios.models import TaxLot
from tests.lots.test_import import csv_bytes, upload
from tests.test_jobs import _wait_for


@pytest.mark.celery_worker
def test_holdings_import_job_round_trip(celery_worker_or_eager, cast, securities, monkeypatch):
    monkeypatch.setattr(import_writes, "INLINE_IMPORT_MAX_ROWS", 2)
    account = cast.a.account.account_number
    rows = [f"{account},AAPL,2,2020-02-{day:02d},{200 + day}.50,W{day}" for day in range(3, 9)]
    batch = upload(cast, csv_bytes(*rows))
    job = services.holdings_confirm(batch=batch, actor=cast.a.advisor)
    assert isinstance(job, Job)
    job = _wait_for(job)
    assert job.status == "done", job.error
    assert (job.progress, job.result["lots"]) == (100, 6)
    lots = TaxLot.objects.filter(account=cast.a.account).order_by("acquired_on")
    # Six lots of 2 shares, bought Feb 3..8 for 203.50..208.50: basis as written.
    assert [(lot.lot_ref, lot.shares, str(lot.cost_basis)) for lot in lots] == [
        (f"W{day}", 2, f"{200 + day}.50") for day in range(3, 9)
    ]
    if settings.CELERY_BROKER_URL:
        assert celery_worker_or_eager.real
