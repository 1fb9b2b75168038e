"""Security master sync: idempotent, leaves legacy firm securities alone, deactivates leavers."""

from __future__ import annotations

from dataclasses import replace

from django.core.management import call_command

from pma_engine.securities import GICS_SECTORS, security_master_load
from portfolios.models import Security
from portfolios.services import security_master_sync
from tests.fixtures_reference import small_universe


def snapshot() -> list[tuple]:
    return list(
        Security.objects.order_by("firm_id", "ticker").values_list(
            "ticker",
            "name",
            "sector",
            "industry",
            "country",
            "isin",
            "indices",
            "is_active",
            "firm_id",
        )
    )


def test_full_sync_is_idempotent_and_covers_both_indices(db, capsys):
    call_command("load_security_master")
    assert "1106 created" in capsys.readouterr().out or Security.objects.count() > 1000
    first = snapshot()
    result = security_master_sync()
    assert (result.created, result.updated, result.deactivated) == (0, 0, 0)
    assert result.unchanged == len(first)
    assert snapshot() == first
    records = security_master_load()
    assert len(first) == len(records) > 1000
    assert set(Security.objects.values_list("sector", flat=True)) == set(GICS_SECTORS)
    assert Security.objects.filter(indices__contains="S&P 500").count() > 490
    assert Security.objects.filter(indices__contains="S&P 600").count() > 590
    msft = Security.objects.get(ticker="MSFT")
    assert (msft.sector, msft.country, msft.isin) == (
        "Information Technology",
        "United States",
        "US5949181045",
    )


def test_legacy_securities_are_untouched(db, cast):
    records = small_universe()
    legacy_same_ticker = Security.objects.create(
        ticker=records[0].ticker, name="Firm A's own copy", firm=cast.a.firm, sector=""
    )
    legacy_fund = Security.objects.create(
        ticker="OLDFUND", name="Old mutual fund", firm=cast.b.firm
    )
    security_master_sync(records=records)
    security_master_sync(records=records[1:])  # even when the master drops that ticker
    for legacy in (legacy_same_ticker, legacy_fund):
        stored = Security.objects.get(pk=legacy.pk)
        assert (stored.name, stored.is_active, stored.firm_id) == (
            legacy.name,
            True,
            legacy.firm_id,
        )
    assert Security.objects.get(ticker=records[0].ticker, firm=None).is_active is False


def test_leavers_are_deactivated_not_deleted_and_come_back(db):
    records = list(small_universe())
    security_master_sync(records=records)
    leaver = records.pop(3)
    renamed = replace(records[0], name="A New Name Inc.")
    records[0] = renamed
    result = security_master_sync(records=records)
    assert (result.created, result.updated, result.deactivated) == (0, 1, 1)
    assert Security.objects.get(ticker=leaver.ticker).is_active is False
    assert Security.objects.get(ticker=renamed.ticker).name == "A New Name Inc."
    back = security_master_sync(records=[*records, leaver])
    assert (back.created, back.updated, back.deactivated) == (0, 1, 0)
    assert Security.objects.get(ticker=leaver.ticker).is_active is True
