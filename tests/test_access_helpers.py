"""access_<thing>(user=, id=): the row for its own people, 404 for another firm's and for a
missing id, and 403 from the write variant for a client login that may only read."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import selectors as account_selectors
from esg import selectors as esg_selectors
from jobs import selectors as job_selectors
from jobs.services import job_create
from portfolios.lots import selectors as lot_selectors
from portfolios.models import ImportBatch, ImportStatus, Security, TaxLot, Trade


@pytest.fixture
def rows(cast):
    a = cast.a
    security = Security.objects.create(ticker="ACC", name="Access Inc.")
    lot = TaxLot.objects.create(
        firm=a.firm,
        account=a.account,
        security=security,
        shares=Decimal("1"),
        cost_basis=Decimal("10"),
        acquired_on=date(2024, 1, 2),
        adjusted_acquired_on=date(2024, 1, 2),
    )
    trade = Trade.objects.create(
        firm=a.firm,
        account=a.account,
        security=security,
        action="BUY",
        trade_date=date(2024, 1, 2),
        shares=Decimal("1"),
        amount=Decimal("10"),
        source="manual",
    )
    batch = ImportBatch.objects.create(
        firm=a.firm,
        client=a.client,
        uploaded_by=a.advisor,
        filename="h.csv",
        status=ImportStatus.PREVIEWED,
    )
    job = job_create(kind="x", title="X", firm=a.firm, created_by=a.advisor, enqueue=False)
    return {
        account_selectors.access_client: a.client,
        account_selectors.access_account: a.account,
        esg_selectors.access_customization: a.account,
        lot_selectors.access_tax_lot: lot,
        lot_selectors.access_trade: trade,
        lot_selectors.access_import_batch: batch,
        job_selectors.access_job: job,
    }


WRITE_VARIANTS = {
    "access_client": account_selectors.access_client_for_write,
    "access_account": account_selectors.access_account_for_write,
    "access_customization": esg_selectors.access_customization_for_write,
    "access_import_batch": lot_selectors.access_import_batch_for_write,
    "access_job": job_selectors.access_job_for_write,
}


def test_each_helper_finds_its_own_and_hides_the_rest(cast, rows):
    for helper, row in rows.items():
        assert helper(user=cast.a.advisor, id=row.public_id) == row, helper.__name__
        assert helper(user=cast.a.admin, id=row.public_id) == row  # the firm admin sees all
        for outsider in (cast.b.admin, cast.b.advisor):
            with pytest.raises(Http404):
                helper(user=outsider, id=row.public_id)
        with pytest.raises(Http404):
            helper(user=cast.a.advisor, id=uuid.uuid4())
        with pytest.raises(Http404):
            helper(user=cast.a.advisor, id="not-a-uuid")
        if helper is not job_selectors.access_job:  # jobs: only the ones you started
            with pytest.raises(Http404):
                helper(user=cast.a.other_advisor, id=row.public_id)


def test_write_variants_refuse_what_reading_allows(cast, rows):
    by_name = {helper.__name__: (helper, row) for helper, row in rows.items()}
    for name, write in WRITE_VARIANTS.items():
        read, row = by_name[name]
        assert write(user=cast.a.advisor, id=row.public_id) == row
        with pytest.raises(Http404):
            write(user=cast.b.advisor, id=row.public_id)
    # The client login reads its household but changes nothing.
    client_user = cast.a.client_user
    for name in ("access_client", "access_account", "access_customization", "access_import_batch"):
        read, row = by_name[name]
        assert read(user=client_user, id=row.public_id) == row
        with pytest.raises(PermissionDenied):
            WRITE_VARIANTS[name](user=client_user, id=row.public_id)
    # A firm admin sees a colleague's job but may not cancel it.
    job = by_name["access_job"][1]
    assert job_selectors.access_job(user=cast.a.admin, id=job.public_id) == job
    with pytest.raises(Http404):
        job_selectors.access_job_for_write(user=cast.a.admin, id=job.public_id)
