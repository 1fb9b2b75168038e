"""Stable lot ids across replays, batches of trades (one replay, all or nothing), and cash.

Numbers worked by hand as in test_trades.py: 100 XYZ bought 2025-01-10 for 5,000.00 and sold
2026-03-02 for 4,000.00 lose 1,000.00; 40 bought in the IRA on 2026-03-20 (42/sh) and 30 in
the taxable account on 2026-03-25 (43/sh) replace them, in that order: the taxable lot's basis
becomes 1,290.00 + 300.00 = 1,590.00 and its holding period starts 2025-02-02.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portfolios.lots import services
from portfolios.lots.trades import TradesRefused
from portfolios.lots.types import TradeInput
from portfolios.models import CashEntry, TaxLot, Trade
from portfolios.selectors import account_cash, accounts_cash
from tests.lots.test_trades import opening, trade


def buy(account, security, shares, on, amount, **kw) -> TradeInput:
    return TradeInput(account, security, "BUY", on, Decimal(shares), Decimal(amount), **kw)


def sell(account, security, shares, on, amount, **kw) -> TradeInput:
    return TradeInput(account, security, "SELL", on, Decimal(shares), Decimal(amount), **kw)


def test_a_wash_adjustment_keeps_the_lots_public_id(cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},XYZ,100,2025-01-10,5000.00,X1")
    trade(cast, a.ira, "BUY", "XYZ", "40", date(2026, 3, 20), price="42")
    trade(cast, a.account, "BUY", "XYZ", "30", date(2026, 3, 25), price="43")
    replacement = TaxLot.objects.get(account=a.account, acquired_on=date(2026, 3, 25))
    ira_lot = TaxLot.objects.get(account=a.ira)
    assert (replacement.cost_basis, replacement.adjusted_acquired_on) == (
        Decimal("1290.00"),
        date(2026, 3, 25),
    )
    # the loss sale, entered afterwards and backdated, washes into the existing replacement lot
    trade(cast, a.account, "SELL", "XYZ", "100", date(2026, 3, 2), amount="4000")
    replacement.refresh_from_db()
    assert (
        replacement.shares,
        replacement.cost_basis,
        replacement.wash_adjustment,
        replacement.adjusted_acquired_on,
    ) == (Decimal("30"), Decimal("1590.00"), Decimal("300.00"), date(2025, 2, 2))
    assert TaxLot.objects.filter(public_id=ira_lot.public_id).exists()
    assert TaxLot.objects.filter(account=a.account).count() == 1
    # an API client that kept the lot's id still finds it, with its new basis
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(a.advisor)
    found = api.get(f"/api/tax-lots/{replacement.public_id}/")
    assert found.status_code == 200
    assert found.json()["cost_basis"] == "1590.00"


def test_a_partly_washed_purchase_keeps_its_id_on_the_piece_with_its_date(cast, securities):
    """10 shares sold at a 10/sh loss within 30 days of a 30-share purchase: 10 of those 30
    are replacements (basis 430 + 100, date tacked back), the other 20 keep 860 and the date."""
    a = cast.a
    opening(cast, f"{a.account.account_number},XYZ,10,2025-01-10,530.00,X1")
    trade(cast, a.account, "BUY", "XYZ", "30", date(2026, 3, 25), price="43")
    lot = TaxLot.objects.get(account=a.account, acquired_on=date(2026, 3, 25))
    trade(cast, a.account, "SELL", "XYZ", "10", date(2026, 3, 2), amount="430", lot="X1")
    pieces = list(
        TaxLot.objects.filter(account=a.account)
        .order_by("adjusted_acquired_on")
        .values_list("public_id", "shares", "cost_basis", "adjusted_acquired_on")
    )
    assert pieces[1] == (lot.public_id, Decimal("20"), Decimal("860.00"), date(2026, 3, 25))
    assert pieces[0][1:] == (Decimal("10"), Decimal("530.00"), date(2025, 2, 2))
    assert pieces[0][0] != lot.public_id


def test_a_sale_naming_a_lot_by_public_id_survives_later_replays(cast, securities):
    a, xyz = cast.a, securities["XYZ"]
    opening(
        cast,
        f"{a.account.account_number},XYZ,10,2024-01-10,400.00,OLD",
        f"{a.account.account_number},XYZ,10,2025-06-10,600.00,NEW",
    )
    new_lot = TaxLot.objects.get(lot_ref="NEW")
    result = services.trades_record(
        trades=[
            sell(a.account, xyz, "4", date(2026, 3, 2), "200", lot_public_id=new_lot.public_id)
        ],
        actor=a.advisor,
    )
    sale = result.trades[0]
    assert sale.lot_ref == "NEW"
    new_lot.refresh_from_db()
    assert (new_lot.shares, new_lot.cost_basis) == (Decimal("6"), Decimal("360.00"))
    # a later trade replays the household: the named sale still relieves NEW (FIFO would not)
    trade(cast, a.account, "BUY", "XYZ", "5", date(2026, 6, 1), price="50")
    old = TaxLot.objects.get(lot_ref="OLD")
    assert old.shares == Decimal("10")
    assert TaxLot.objects.get(public_id=new_lot.public_id).shares == Decimal("6")


def test_the_api_sells_a_lot_named_by_its_id(cast, securities):
    from rest_framework.test import APIClient

    a = cast.a
    opening(
        cast,
        f"{a.account.account_number},XYZ,10,2024-01-10,400.00,OLD",
        f"{a.account.account_number},XYZ,10,2025-06-10,600.00,NEW",
    )
    new_lot = TaxLot.objects.get(lot_ref="NEW")
    api = APIClient()
    api.force_authenticate(a.advisor)
    body = {
        "account": str(a.account.public_id),
        "ticker": "XYZ",
        "action": "SELL",
        "trade_date": "2026-03-02",
        "shares": "4",
        "amount": "200.00",
        "lot": str(new_lot.public_id),
    }
    answer = api.post("/api/trades/", body, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["lot_id"] == "NEW"
    assert TaxLot.objects.get(public_id=new_lot.public_id).shares == Decimal("6")
    body["lot"] = str(TaxLot.objects.get(lot_ref="OLD").public_id)
    body["ticker"] = "AAPL"
    refused = api.post("/api/trades/", body, format="json")
    assert refused.status_code == 400 and "lot" in refused.json(), refused.content


def test_a_batch_may_sell_a_lot_it_buys(cast, securities):
    a, xyz = cast.a, securities["XYZ"]
    result = services.trades_record(
        trades=[
            buy(a.account, xyz, "10", date(2026, 3, 2), "450", lot_ref="NEWBUY"),
            sell(a.account, xyz, "4", date(2026, 3, 3), "184", lot_ref="NEWBUY"),
        ],
        actor=a.advisor,
    )
    assert [t.lot_ref for t in result.trades] == ["NEWBUY", "NEWBUY"]
    assert TaxLot.objects.get(lot_ref="NEWBUY").shares == Decimal("6")


def test_a_batch_replays_once_and_moves_cash(cast, securities, django_assert_max_num_queries):
    a, aapl, msft = cast.a, securities["AAPL"], securities["MSFT"]
    opening(cast, f"{a.account.account_number},AAPL,10,2024-01-10,1500.00,A1")
    start = account_cash(account=a.account)
    ira_start = account_cash(account=a.ira)
    calls = []
    original = services.household_replay

    def counting(**kw):
        calls.append(kw)
        return original(**kw)

    import portfolios.lots.trades as trades_module

    trades_module.household_replay = counting
    try:
        result = services.trades_record(
            trades=[
                sell(a.account, aapl, "10", date(2026, 3, 2), "2000.00"),
                buy(a.account, msft, "3", date(2026, 3, 2), "1200.00"),
                buy(a.ira, msft, "1", date(2026, 3, 3), "401.50"),
            ],
            actor=a.advisor,
        )
    finally:
        trades_module.household_replay = original
    assert len(calls) == 1
    assert len(result.trades) == 3
    assert account_cash(account=a.account) == start + Decimal("2000.00") - Decimal("1200.00")
    assert accounts_cash(account_ids=[a.account.pk, a.ira.pk])[a.ira.pk] == ira_start - Decimal(
        "401.50"
    )
    a.account.refresh_from_db()
    assert a.account.cash_balance == account_cash(account=a.account)
    kinds = sorted(CashEntry.objects.filter(trade__isnull=False).values_list("kind", "amount"))
    assert kinds == [
        ("cost", Decimal("-1200.00")),
        ("cost", Decimal("-401.50")),
        ("proceeds", Decimal("2000.00")),
    ]


def test_a_bad_trade_refuses_the_whole_batch_naming_index_and_field(cast, securities):
    a, aapl = cast.a, securities["AAPL"]
    opening(cast, f"{a.account.account_number},AAPL,10,2024-01-10,1500.00,A1")
    before = (Trade.objects.count(), CashEntry.objects.count(), TaxLot.objects.count())
    with pytest.raises(TradesRefused) as refused:
        services.trades_record(
            trades=[
                buy(a.account, aapl, "1", date(2026, 3, 2), "200"),
                buy(a.account, aapl, "-1", date(2026, 3, 2), "200"),
            ],
            actor=a.advisor,
        )
    assert [(p.index, p.field) for p in refused.value.problems] == [(1, "shares")]
    assert "trades[1].shares" in refused.value.message_dict
    # the ledger refuses the third trade (more than held): nothing of the batch stays
    with pytest.raises(TradesRefused) as refused:
        services.trades_record(
            trades=[
                buy(a.account, aapl, "1", date(2026, 3, 2), "200"),
                sell(a.account, aapl, "5", date(2026, 3, 3), "1000"),
                sell(a.account, aapl, "7", date(2026, 3, 4), "1400"),
            ],
            actor=a.advisor,
        )
    problem = refused.value.problems[0]
    assert (problem.index, problem.field) == (2, "shares")
    assert "holds only 6" in problem.message
    assert (Trade.objects.count(), CashEntry.objects.count(), TaxLot.objects.count()) == before


def test_a_sale_naming_an_unknown_or_foreign_lot_is_refused(cast, securities):
    a, aapl = cast.a, securities["AAPL"]
    opening(cast, f"{a.account.account_number},AAPL,10,2024-01-10,1500.00,A1")
    lot = TaxLot.objects.get(lot_ref="A1")
    with pytest.raises(TradesRefused) as refused:
        services.trades_record(
            trades=[sell(a.ira, aapl, "1", date(2026, 3, 2), "200", lot_public_id=lot.public_id)],
            actor=a.advisor,
        )
    assert refused.value.problems[0].field == "lot_public_id"
    with pytest.raises(ValidationError):
        services.trades_record(
            trades=[sell(cast.b.account, aapl, "1", date(2026, 3, 2), "200")],
            actor=a.advisor,
            client=a.client,
        )


def test_deposits_and_withdrawals(cast):
    from portfolios.lots.cash import cash_entry_record

    a = cast.a
    start = account_cash(account=a.account)
    cash_entry_record(account=a.account, actor=a.advisor, kind="deposit", amount=Decimal("500"))
    cash_entry_record(
        account=a.account, actor=a.advisor, kind="withdrawal", amount=Decimal("120.5")
    )
    assert account_cash(account=a.account) == start + Decimal("379.50")
    with pytest.raises(ValidationError) as refused:
        cash_entry_record(
            account=a.account, actor=a.advisor, kind="withdrawal", amount=Decimal("1e9")
        )
    assert "amount" in refused.value.message_dict
    with pytest.raises(ValidationError):
        cash_entry_record(
            account=a.account, actor=a.advisor, kind="deposit", amount=Decimal("1.001")
        )
    assert account_cash(account=a.account) == start + Decimal("379.50")


def test_a_cash_row_of_a_holdings_file_sets_the_opening_balance(cast, securities):
    a = cast.a
    start = account_cash(account=a.account)
    opening(cast, f"{a.account.account_number},CASH,2500.25,,,")
    assert account_cash(account=a.account) == Decimal("2500.25")
    entry = CashEntry.objects.get(account=a.account)
    assert (entry.kind, entry.amount) == ("opening", Decimal("2500.25") - start)


def test_the_account_page_records_a_deposit_and_lists_cash_movements(client, cast, securities):
    from django.urls import reverse

    a = cast.a
    start = account_cash(account=a.account)
    client.force_login(a.advisor)
    url = reverse("cash-entry-create", kwargs={"public_id": a.account.public_id})
    refused = client.post(url, {"kind": "withdrawal", "amount": "99999999", "date": "2026-01-05"})
    assert refused.status_code == 200 and "holds only" in refused.content.decode()
    answer = client.post(
        url, {"kind": "deposit", "amount": "1234.56", "date": "2026-01-05", "note": "Rollover"}
    )
    assert answer.status_code == 302
    assert account_cash(account=a.account) == start + Decimal("1234.56")
    trade(cast, a.account, "BUY", "AAPL", "2", date(2026, 2, 2), price="200")
    page = client.get(reverse("account-detail", kwargs={"public_id": a.account.public_id}))
    body = page.content.decode()
    assert "Rollover" in body and "$1,234.56" in body
    assert "−$400.00" in body  # the purchase took its cost
    # market value: 2 AAPL at the latest close (200) plus the cash
    assert f"${start + Decimal('1234.56') - 400 + 400:,.2f}" in body


def test_accounts_and_securities_may_be_given_by_key(cast, securities):
    a, msft = cast.a, securities["MSFT"]
    result = services.trades_record(
        trades=[buy(a.account.pk, msft.pk, "2", date(2026, 3, 2), "800")], actor=a.advisor
    )
    assert result.trades[0].account_id == a.account.pk
    with pytest.raises(TradesRefused) as refused:
        services.trades_record(
            trades=[buy(a.account.pk, 10**9, "2", date(2026, 3, 2), "800")], actor=a.advisor
        )
    assert [(p.index, p.field) for p in refused.value.problems] == [(0, "security")]
