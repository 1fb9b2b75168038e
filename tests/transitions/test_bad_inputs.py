"""Bad input gets a clear message naming what to fix, and changes nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jobs.models import Job
from portfolios.models import Price, TaxLot, Trade
from tests.transitions.conftest import propose_now
from transitions.rebalance import services
from transitions.rebalance.inputs import InputsRefused
from transitions.rebalance.models import RebalanceSettings, TradeList


def test_no_strategy_or_no_lots_is_refused_before_queueing(world, cast):
    other = cast.a.other_account  # no strategy, no lots
    with pytest.raises(ValidationError, match="has no strategy"):
        services.trade_list_propose(account=other, actor=cast.a.admin)
    other.strategy = world.strategy
    other.save(update_fields=["strategy"])
    with pytest.raises(ValidationError, match="holds no tax lots"):
        services.trade_list_propose(account=other, actor=cast.a.admin)
    assert not Job.objects.exists()
    with pytest.raises(InputsRefused, match="holds no tax lots"):
        propose_now(other, cast.a.admin)
    assert not TradeList.objects.exists()


def test_negative_budget_is_refused(world, cast):
    with pytest.raises(ValidationError) as caught:
        services.rebalance_settings_save(
            firm=world.account.firm,
            actor=cast.a.advisor,
            account=world.account,
            values={"budget_kind": "gain", "budget_amount": Decimal("-1")},
        )
    assert "budget_amount" in caught.value.message_dict
    assert not RebalanceSettings.objects.exists()


def test_advisors_may_not_change_firm_defaults(world, cast):
    with pytest.raises(ValidationError, match="firm admin"):
        services.rebalance_settings_save(
            firm=world.account.firm, actor=cast.a.advisor, values={"budget_kind": "none"}
        )
    row = services.rebalance_settings_save(
        firm=world.account.firm,
        actor=cast.a.admin,
        values={"budget_kind": "tax", "budget_amount": Decimal("0")},
    )
    assert row.account is None and row.budget_amount == 0


def test_withdrawal_larger_than_the_account_is_refused(world, cast):
    RebalanceSettings.objects.create(
        firm=world.account.firm,
        account=world.account,
        withdrawal=Decimal("99999999"),
    )
    with pytest.raises(InputsRefused, match=r"withdrawal of \$99,999,999.00 .* larger than"):
        propose_now(world.account, cast.a.advisor)
    assert not TradeList.objects.exists()


def test_a_held_name_without_a_price_is_named(world, cast):
    Price.objects.filter(security__ticker__in=["XOM", "CAT"]).delete()
    with pytest.raises(InputsRefused, match="No price for held names: CAT, XOM"):
        propose_now(world.account, cast.a.advisor)


def test_an_unknown_lot_in_a_specific_id_sale_is_refused_and_nothing_recorded(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    line = trade_list.lines.filter(side="SELL").first()
    line.lot_public_id = str(uuid.uuid4())
    line.save(update_fields=["lot_public_id"])
    counts = (Trade.objects.count(), TaxLot.objects.count(), world.account.cash_balance)
    with pytest.raises(ValidationError) as caught:
        services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)
    text = " ".join(caught.value.messages)
    assert f"Line {line.position + 1}, Sell" in text and line.security.ticker in text
    assert "No open lot" in text and "Nothing was recorded." in text
    world.account.refresh_from_db()
    assert (Trade.objects.count(), TaxLot.objects.count(), world.account.cash_balance) == counts
    trade_list.refresh_from_db()
    assert trade_list.status == "approved"


def test_unapproved_lists_cannot_be_exported_or_executed(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    with pytest.raises(ValidationError, match="approve it before exporting"):
        services.trade_list_export_csv(trade_list=trade_list, actor=cast.a.advisor)
    with pytest.raises(ValidationError, match="only an approved"):
        services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)
    trade_list.refresh_from_db()
    assert trade_list.status == "proposed" and trade_list.exported_at is None
    services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    with pytest.raises(ValidationError, match="only a proposed one"):
        services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)


def test_a_clients_login_may_not_approve(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    with pytest.raises(ValidationError, match="advisor or a firm admin"):
        services.trade_list_approve(trade_list=trade_list, actor=cast.a.client_user)
    trade_list.refresh_from_db()
    assert trade_list.status == "proposed"
