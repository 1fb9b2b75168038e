"""Cash to raise (a withdrawal) and cash to invest (a deposit): raised from lots, paid out or
put in when the list is executed, through the cash ledger."""

from __future__ import annotations

from decimal import Decimal

from portfolios.models import CashEntry
from tests.transitions.conftest import propose_now
from transitions.rebalance import services
from transitions.rebalance.models import RebalanceSettings


def test_a_withdrawal_is_raised_from_lots_and_paid_out_on_execution(world, cast):
    RebalanceSettings.objects.create(
        firm=world.account.firm,
        account=world.account,
        withdrawal=Decimal("20000"),
        cash_target=Decimal("500"),
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    assert trade_list.status == "proposed", trade_list.error
    assert trade_list.withdrawal == Decimal("20000.00")
    sells = list(trade_list.lines.filter(side="SELL"))
    buys = list(trade_list.lines.filter(side="BUY"))
    proceeds = sum(line.amount for line in sells)
    cost = sum(line.amount for line in buys)
    # The account starts with $1,000: the sales pay the withdrawal and keep the cash target.
    assert trade_list.cash_after == Decimal(
        "1000.00"
    ) + proceeds - cost - trade_list.fees - Decimal("20000")
    assert trade_list.cash_after >= Decimal("500") - Decimal("0.01")
    assert proceeds - cost >= Decimal("19500") - trade_list.fees - Decimal("0.01")
    services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)
    world.account.refresh_from_db()
    assert world.account.cash_balance == trade_list.cash_after  # fees are paid on execution
    paid = CashEntry.objects.get(account=world.account, kind="withdrawal")
    assert paid.amount == Decimal("-20000.00")


def test_a_deposit_is_invested(world, cast):
    RebalanceSettings.objects.create(
        firm=world.account.firm, account=world.account, deposit=Decimal("50000")
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    assert trade_list.withdrawal == Decimal("-50000.00")
    buys = list(trade_list.lines.filter(side="BUY"))
    sells = list(trade_list.lines.filter(side="SELL"))
    assert sum(line.amount for line in buys) - sum(line.amount for line in sells) > Decimal("40000")
    assert any(line.reason == "cash_invest" for line in buys)
    services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)
    assert CashEntry.objects.get(account=world.account, kind="deposit").amount == Decimal(
        "50000.00"
    )
    world.account.refresh_from_db()
    assert world.account.cash_balance == trade_list.cash_after  # fees are paid on execution
