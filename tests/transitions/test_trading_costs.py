"""Trading costs recorded on execution, the way the IRS counts a commission: a sale's proceeds
are reduced by it (Form 8949 column (d)), a buy's basis includes it (column (e)), and the cash
pays it. Hand numbers: 10 bps on 100 sh x $50 = $5.00."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import timezone

from portfolios.models import TaxLot, Trade
from tests.transitions.conftest import propose_now, trade_input, trades_add
from transitions.rebalance import services
from transitions.rebalance.models import (
    RebalanceSettings,
    TradeLine,
    TradeList,
    TradeListStatus,
)

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _hand_list(world, cast, *, lot, buy_security) -> TradeList:
    """An approved list, written by hand: sell the 100-share lot at $50 and buy 10 shares at
    $50, each with its 10 bps fee ($5.00 and $0.50)."""
    account = world.account
    trade_list = TradeList.objects.create(
        firm=account.firm,
        account=account,
        as_of=world.today,
        inputs_digest="hand",
        status=TradeListStatus.APPROVED,
        approved_by=cast.a.advisor,
        approved_at=timezone.now(),
        fees=Decimal("5.50"),
    )
    TradeLine.objects.create(
        firm=account.firm,
        trade_list=trade_list,
        position=0,
        side="SELL",
        security=lot.security,
        lot=lot,
        lot_public_id=str(lot.public_id),
        shares=Decimal("100"),
        price=Decimal("50"),
        amount=Decimal("5000.00"),
        fee=Decimal("5.00"),
        cost_basis=Decimal("4000.00"),
        realized_gain=Decimal("995.00"),
        term="LT",
        reason="drift",
    )
    TradeLine.objects.create(
        firm=account.firm,
        trade_list=trade_list,
        position=1,
        side="BUY",
        security=buy_security,
        shares=Decimal("10"),
        price=Decimal("50"),
        amount=Decimal("500.00"),
        fee=Decimal("0.50"),
        reason="drift",
    )
    return trade_list


def test_executing_records_the_fee_in_proceeds_basis_and_cash(world, cast):
    from portfolios.lots.selectors import realized_gains_report

    goog, xom = world.securities["GOOG"], world.securities["XOM"]
    account = world.account
    trades_add(
        account,
        [trade_input(account, goog, shares=100, price=40, on=world.today - timedelta(days=800))],
        cash=Decimal("1000"),
    )
    lot = TaxLot.objects.get(account=account, security=goog)
    assert lot.cost_basis == Decimal("4000.00")
    trade_list = _hand_list(world, cast, lot=lot, buy_security=xom)
    xom_lots_before = set(
        TaxLot.objects.filter(account=account, security=xom).values_list("pk", flat=True)
    )

    services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)

    sale = Trade.objects.get(account=account, security=goog, action="SELL")
    buy = Trade.objects.get(account=account, security=xom, action="BUY", source="rebalance")
    assert sale.amount == Decimal("4995.00")  # 5,000 less the $5.00 fee
    assert buy.amount == Decimal("500.50")  # 500 plus the $0.50 fee
    report = realized_gains_report(client=account.client, year=world.today.year)
    rows = [
        item.row for item in report.part_one + report.part_two if "GOOG" in item.row.description
    ]
    assert [(r.proceeds, r.cost_basis, r.gain_loss) for r in rows] == [
        (Decimal("4995.00"), Decimal("4000.00"), Decimal("995.00"))  # 1,000 gain less 5
    ]
    new_lot = TaxLot.objects.filter(account=account, security=xom).exclude(pk__in=xom_lots_before)
    assert [lot.cost_basis for lot in new_lot] == [Decimal("500.50")]
    account.refresh_from_db()
    assert account.cash_balance == Decimal("1000") + Decimal("4995.00") - Decimal("500.50")


def test_a_proposal_prices_each_lines_fee_and_execution_matches_its_cash_after(world, cast):
    RebalanceSettings.objects.create(
        firm=world.account.firm, account=world.account, trading_cost_bps=Decimal("10")
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    assert trade_list.status == "proposed", trade_list.error
    lines = list(trade_list.lines.select_related("security").order_by("position"))
    assert lines
    for line in lines:
        gross = line.shares * line.price
        assert line.amount == _cents(gross)
        assert line.fee == _cents(gross * Decimal("0.001"))  # 10 bps of shares x price
        if line.side == "SELL":
            assert line.realized_gain == line.amount - line.fee - line.cost_basis
    assert sum(line.fee for line in lines) > 0
    assert trade_list.fees == sum(line.fee for line in lines)
    sells = sum(line.amount for line in lines if line.side == "SELL")
    buys = sum(line.amount for line in lines if line.side == "BUY")
    assert trade_list.cash_after == trade_list.cash_before + sells - buys - trade_list.fees
    st = sum(line.realized_gain for line in lines if line.term == "ST")
    lt = sum(line.realized_gain for line in lines if line.term == "LT")
    assert (trade_list.realized_st, trade_list.realized_lt) == (st, lt)

    services.trade_list_approve(trade_list=trade_list, actor=cast.a.advisor)
    content, _ = services.trade_list_export_csv(trade_list=trade_list, actor=cast.a.advisor)
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [Decimal(r["estimated_fee"]) for r in rows] == [line.fee for line in lines]
    services.trade_list_mark_executed(trade_list=trade_list, actor=cast.a.advisor)
    world.account.refresh_from_db()
    assert world.account.cash_balance == trade_list.cash_after  # the fees were paid


def test_trade_list_page_shows_each_lines_fee_and_the_totals(world, cast, client):
    RebalanceSettings.objects.create(
        firm=world.account.firm, account=world.account, trading_cost_bps=Decimal("10")
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    client.force_login(cast.a.advisor)
    url = reverse("rebalance-trade-list", kwargs={"public_id": trade_list.public_id})
    body = client.get(url).content.decode()
    tables = dict(re.findall(r"<table data-(sells|buys)>(.*?)</table>", body, re.S))
    for side, table in tables.items():
        stored = list(trade_list.lines.filter(side=side[:-1].upper()).order_by("position"))
        shown = [Decimal(v) for v in re.findall(r'<td class="num" data-fee="([\d.]+)">', table)]
        assert shown == [line.fee for line in stored]
        total = re.search(r'data-total-fee="([\d.]+)"', table).group(1)
        assert Decimal(total) == sum(shown)
    assert '<th class="num">Fee</th>' in body


def test_no_trading_cost_no_fee_column(world, cast, client):
    trade_list = propose_now(world.account, cast.a.advisor)
    assert trade_list.fees == 0
    assert all(line.fee == 0 for line in trade_list.lines.all())
    client.force_login(cast.a.advisor)
    url = reverse("rebalance-trade-list", kwargs={"public_id": trade_list.public_id})
    assert "data-fee=" not in client.get(url).content.decode()
