"""A trade list's life: proposed (by a job) -> approved -> exported -> executed, against the
lots and prices the test set up (figures recomputed here from the lot rows, not the code's)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jobs.models import Job
from pma_engine.csv_safe import cell_safe
from portfolios.models import Price, PriceSource, TaxLot, Trade
from tests.transitions.conftest import propose_now
from transitions.rebalance import selectors, services
from transitions.rebalance.models import TradeList, TradeListStatus

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def test_propose_runs_as_a_job_and_stores_a_lot_level_list(
    world, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.trade_list_propose(account=world.account, actor=cast.a.advisor)
    job = Job.objects.get(pk=job.pk)  # eager Celery ran it on commit
    assert job.status == "done", job.error
    trade_list = TradeList.objects.get(public_id=job.result["trade_list"])
    assert job.result["url"].endswith(f"/rebalance/trade-lists/{trade_list.public_id}/")
    assert trade_list.status == TradeListStatus.PROPOSED and trade_list.job_id == job.pk
    lots = {str(lot.public_id): lot for lot in TaxLot.objects.filter(account=world.account)}
    sells = list(trade_list.lines.filter(side="SELL"))
    buys = list(trade_list.lines.filter(side="BUY"))
    assert sells and buys
    st = lt = Decimal("0")
    for line in sells:
        lot = lots[line.lot_public_id]  # every sale names one of the account's lots
        assert line.lot_id == lot.pk and Decimal("0") < line.shares <= lot.shares
        price = world.prices[line.security.ticker]
        assert line.amount == _cents(line.shares * price)
        basis = _cents(lot.cost_basis * line.shares / lot.shares)
        assert line.realized_gain == line.amount - basis
        held_days = (world.today - lot.adjusted_acquired_on).days
        assert line.days_held == held_days
        assert line.term == ("LT" if held_days > 365 else "ST")
        if line.term == "ST":
            st += line.realized_gain
        else:
            lt += line.realized_gain
        if line.realized_gain < 0 and line.reason == "harvest":
            assert -line.realized_gain >= 250  # the default loss worth taking, in dollars
    assert (trade_list.realized_st, trade_list.realized_lt) == (st, lt)
    # Whole shares (the default) and the client's rates, losses credited.
    assert all(line.shares == line.shares.to_integral_value() for line in buys + sells)
    rates = (cast.a.client.short_term_rate, cast.a.client.long_term_rate)
    net = st + lt
    if st >= 0 and lt >= 0 or st < 0 and lt < 0:
        expected_tax = st * rates[0] + lt * rates[1]
    elif st < 0:
        expected_tax = net * (rates[1] if net >= 0 else rates[0])
    else:
        expected_tax = net * (rates[0] if net >= 0 else rates[1])
    assert trade_list.estimated_tax == _cents(expected_tax)
    proceeds = sum(line.amount for line in sells)
    cost = sum(line.amount for line in buys)
    assert trade_list.cash_after == trade_list.cash_before + proceeds - cost - trade_list.fees
    assert trade_list.cash_after >= 0
    assert trade_list.trade_count == len(sells) + len(buys)
    assert trade_list.tracking_error_after < trade_list.tracking_error_before


def test_approve_export_execute_updates_lots_and_realized_gains(world, cast):
    from portfolios.lots.selectors import realized_gains_report

    trade_list = propose_now(world.account, cast.a.advisor)
    lines = list(trade_list.lines.select_related("security"))
    before = {
        str(lot.public_id): lot.shares for lot in TaxLot.objects.filter(account=world.account)
    }
    with pytest.raises(ValidationError, match="approve it before exporting"):
        services.trade_list_export_csv(trade_list=trade_list, actor=cast.a.advisor)
    approved = services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    assert approved.status == "approved" and approved.approved_by == cast.a.advisor
    assert approved.approved_at is not None
    content, name = services.trade_list_export_csv(trade_list=trade_list, actor=cast.a.advisor)
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [(r["ticker"], r["side"], Decimal(r["shares"]), r["lot_id"]) for r in rows] == [
        (line.security.ticker, line.side, line.shares, line.lot_public_id) for line in lines
    ]
    assert {r["account_number"] for r in rows} == {world.account.account_number}
    trade_list.refresh_from_db()
    assert trade_list.status == "exported" and trade_list.exported_at is not None

    executed = services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)
    assert executed.status == "executed" and executed.executed_by == cast.a.advisor
    after = {str(lot.public_id): lot.shares for lot in TaxLot.objects.filter(account=world.account)}
    for line in lines:
        if line.side == "SELL":
            left = before[line.lot_public_id] - line.shares
            assert after.get(line.lot_public_id, Decimal("0")) == left
    trades = Trade.objects.filter(account=world.account, source="rebalance")
    assert trades.count() == len(lines)
    bought = {line.security.ticker: line.shares for line in lines if line.side == "BUY"}
    new_lots = TaxLot.objects.filter(account=world.account, acquired_on=world.today)
    assert {lot.security.ticker: lot.shares for lot in new_lots} == bought
    report = realized_gains_report(client=world.account.client, year=world.today.year)
    reported = sum((item.row.gain_loss for item in report.part_one + report.part_two), Decimal("0"))
    assert _cents(reported) == trade_list.realized_st + trade_list.realized_lt

    counts = (Trade.objects.count(), TaxLot.objects.count())
    with pytest.raises(ValidationError, match="already marked executed"):
        services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)
    assert (Trade.objects.count(), TaxLot.objects.count()) == counts


def test_a_stale_proposal_cannot_be_approved_and_stays_proposed(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    assert selectors.trade_list_stale_reasons(trade_list=trade_list) == []
    xom = world.securities["XOM"]
    Price.objects.create(
        security=xom, date=world.today, close=Decimal("99.99"), source=PriceSource.SYNTHETIC
    )
    assert selectors.trade_list_stale_reasons(trade_list=trade_list) == ["prices changed"]
    with pytest.raises(ValidationError, match="stale and cannot be approved: prices changed"):
        services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    trade_list.refresh_from_db()
    assert trade_list.status == "proposed" and trade_list.approved_at is None


def test_a_new_proposal_supersedes_the_open_one(world, cast):
    first = propose_now(world.account, cast.a.advisor)
    second = propose_now(world.account, cast.a.advisor)
    first.refresh_from_db()
    assert (first.status, second.status) == ("stale", "proposed")
    with pytest.raises(ValidationError, match="only a proposed one can be approved"):
        services.trade_list_approve(trade_list=first, actor=cast.a.advisor)


def test_another_firms_list_is_not_found(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    for user in (cast.b.admin, cast.b.advisor, cast.a.other_advisor):
        with pytest.raises(Http404):
            selectors.access_trade_list(user=user, id=trade_list.public_id)
    assert selectors.access_trade_list(user=cast.a.client_user, id=trade_list.public_id)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        selectors.access_trade_list_for_write(user=cast.a.client_user, id=trade_list.public_id)


def test_order_file_cells_never_run_as_formulas(world, cast):
    world.account.account_number = "=HYPERLINK(1)"
    world.account.save(update_fields=["account_number"])
    trade_list = propose_now(world.account, cast.a.advisor)
    services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    content, _ = services.trade_list_export_csv(trade_list=trade_list, actor=cast.a.advisor)
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert rows and {r["account_number"] for r in rows} == {"'=HYPERLINK(1)"}
    assert cell_safe("-1+2") == "'-1+2" and cell_safe("@x") == "'@x"
    assert cell_safe("\tx") == "'\tx" and cell_safe("AAPL") == "AAPL"


def test_execution_date_in_the_future_is_refused_and_nothing_changes(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    counts = (Trade.objects.count(), TaxLot.objects.count())
    with pytest.raises(ValidationError, match="future"):
        services.trade_list_mark_executed(
            trade_list=trade_list, actor=cast.a.advisor, trade_date=world.today + timedelta(days=2)
        )
    trade_list.refresh_from_db()
    assert trade_list.status == "approved"
    assert (Trade.objects.count(), TaxLot.objects.count()) == counts
