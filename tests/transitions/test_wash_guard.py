"""The household wash-sale guard: a name (share-class group) sold at a loss in any account of
the household in the last 30 days is never bought; a name bought in the last 30 days is never
sold at a loss; never a buy and a loss sale of one name in one proposal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.transitions.conftest import propose_now, trade_input, trades_add


def test_a_name_loss_sold_in_the_ira_is_not_bought_in_the_taxable_account(world, cast):
    goog = world.securities["GOOG"]
    price = world.prices["GOOG"]
    sold_on = world.today - timedelta(days=10)
    trades_add(
        world.ira,
        [
            trade_input(
                world.ira, goog, shares=50, price=price * 2, on=world.today - timedelta(days=200)
            ),
            trade_input(
                world.ira, goog, shares=50, price=price, on=sold_on, action="SELL", source="manual"
            ),
        ],
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    bought = set(trade_list.lines.filter(side="BUY").values_list("security__ticker", flat=True))
    assert bought  # the account does buy (other names)
    assert not bought & {"GOOG", "GOOGL"}
    blocked = {b.security.ticker: b.reason for b in trade_list.blocked_trades.filter(blocked="buy")}
    assert blocked["GOOG"] == f"wash sale: GOOG sold at a loss on {sold_on} in alpha IRA"
    assert blocked["GOOGL"].startswith(f"wash sale: GOOG sold at a loss on {sold_on}")
    assert "same company: GOOG/GOOGL" in blocked["GOOGL"]


def test_a_gain_sale_in_the_ira_does_not_block_buying(world, cast):
    goog = world.securities["GOOG"]
    price = world.prices["GOOG"]
    trades_add(
        world.ira,
        [
            trade_input(
                world.ira, goog, shares=50, price=price / 2, on=world.today - timedelta(days=400)
            ),
            trade_input(
                world.ira,
                goog,
                shares=50,
                price=price,
                on=world.today - timedelta(days=10),
                action="SELL",
                source="manual",
            ),
        ],
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    bought = set(trade_list.lines.filter(side="BUY").values_list("security__ticker", flat=True))
    assert bought & {"GOOG", "GOOGL"}  # the target wants them and nothing washes
    assert not trade_list.blocked_trades.filter(security__ticker__in=["GOOG", "GOOGL"]).exists()


def test_a_name_bought_recently_in_the_household_is_not_sold_at_a_loss(world, cast):
    jnj = world.securities["JNJ"]
    bought_on = world.today - timedelta(days=5)
    trades_add(
        world.ira, [trade_input(world.ira, jnj, shares=5, price=world.prices["JNJ"], on=bought_on)]
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    # The taxable JNJ lot is at a loss (basis 1.2 x price): frozen, not harvested.
    assert not trade_list.lines.filter(side="SELL", security=jnj).exists()
    reasons = list(
        trade_list.blocked_trades.filter(security=jnj, blocked="loss_sale").values_list(
            "reason", flat=True
        )
    )
    assert reasons == [
        f"wash sale: JNJ bought on {bought_on} in alpha IRA; a loss sale now would be washed"
    ]


def test_no_name_is_both_bought_and_sold_at_a_loss(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    groups = {"GOOG": "Alphabet", "GOOGL": "Alphabet"}
    bought = {
        groups.get(t, t)
        for t in trade_list.lines.filter(side="BUY").values_list("security__ticker", flat=True)
    }
    loss_sold = {
        groups.get(line.security.ticker, line.security.ticker)
        for line in trade_list.lines.filter(side="SELL", realized_gain__lt=Decimal("0"))
    }
    assert loss_sold  # the account harvests some losses
    assert not bought & loss_sold
