"""Trades and the household replay, with numbers worked by hand.

The wash sale across the taxable account and the IRA (Rev. Rul. 2008-5 for the IRA part):
100 XYZ bought 2025-01-10 for 5,000.00 are sold 2026-03-02 for 4,000.00: a 1,000.00 loss.
40 XYZ are bought in the IRA on 2026-03-20 (42/sh) and 30 in the taxable account on 2026-03-25
(43/sh), in the order acquired. 40 % of the loss (400.00) is lost for good (IRA: no basis
increase); 30 % (300.00) goes into the taxable replacement: basis 1,290.00 + 300.00 = 1,590.00,
and its holding period starts 416 days (2025-01-10 .. 2026-03-02) before 2026-03-25: 2025-02-02.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from portfolios.lots import services
from portfolios.models import TaxLot, Trade

HEADER = "account,ticker,shares,acquired_on,cost_basis,lot_id"


def opening(cast, *rows: str) -> None:
    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    batch = services.holdings_upload(
        client=cast.a.client, actor=cast.a.advisor, filename="h.csv", content=content
    )
    assert batch.status == "previewed", batch.errors
    services.holdings_import(batch=batch, actor=cast.a.advisor)


def trade(cast, account, action, ticker, shares, on, *, price=None, amount=None, lot=""):
    return services.trade_record(
        account=account,
        actor=cast.a.advisor,
        action=action,
        ticker=ticker,
        shares=Decimal(shares),
        trade_date=on,
        price=None if price is None else Decimal(price),
        amount=None if amount is None else Decimal(amount),
        lot_ref=lot,
    )


def lots(account) -> list[tuple]:
    return list(
        TaxLot.objects.filter(account=account)
        .order_by("security__ticker", "acquired_on")
        .values_list(
            "security__ticker",
            "shares",
            "cost_basis",
            "acquired_on",
            "adjusted_acquired_on",
            "wash_adjustment",
        )
    )


@pytest.fixture
def washed(cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},XYZ,100,2025-01-10,5000.00,X1")
    trade(cast, a.account, "SELL", "XYZ", "100", date(2026, 3, 2), amount="4000")
    trade(cast, a.ira, "BUY", "XYZ", "40", date(2026, 3, 20), price="42")
    trade(cast, a.account, "BUY", "XYZ", "30", date(2026, 3, 25), price="43")
    return cast


def test_wash_sale_across_taxable_and_ira_adjusts_basis_as_worked_by_hand(washed):
    a = washed.a
    assert lots(a.account) == [
        (
            "XYZ",
            Decimal("30"),
            Decimal("1590.00"),
            date(2026, 3, 25),
            date(2025, 2, 2),
            Decimal("300.00"),
        )
    ]
    assert lots(a.ira) == [
        ("XYZ", Decimal("40"), Decimal("1680.00"), date(2026, 3, 20), date(2026, 3, 20), 0)
    ]


def test_the_account_page_shows_the_carried_adjustment_and_tacked_date(client, washed):
    client.force_login(washed.a.advisor)
    page = client.get(reverse("account-detail", kwargs={"public_id": washed.a.account.public_id}))
    body = page.content.decode()
    assert "2025-02-02" in body and "bought 2026-03-25" in body
    assert "$300.00" in body  # wash adjustment carried
    assert "$1,590.00" in body  # basis
    assert "$1,350.00" in body  # 30 × 45 (latest close)
    assert "−$240.00" in body  # unrealized 1,350 − 1,590
    assert "Record a trade" in body and "Upload holdings" in body


def test_a_replay_is_idempotent(washed):
    before = list(TaxLot.objects.values_list("public_id", "shares", "cost_basis"))
    result = services.household_replay(client=washed.a.client)
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)
    assert list(TaxLot.objects.values_list("public_id", "shares", "cost_basis")) == before


def test_selling_more_than_held_is_refused_and_nothing_is_saved(cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},AAPL,10,2020-01-15,1500,A1")
    count = Trade.objects.count()
    with pytest.raises(ValidationError) as caught:
        trade(cast, a.account, "SELL", "AAPL", "12", date(2026, 3, 2), price="180")
    assert caught.value.message_dict == {
        "shares": [
            "The ledger cannot apply the sale of 12 AAPL on 2026-03-02 in alpha brokerage: "
            "selling 12 shares of AAPL but account alpha brokerage holds only 10."
        ]
    }
    assert Trade.objects.count() == count
    assert lots(a.account)[0][1] == Decimal("10")


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"on": date(2999, 1, 1)}, "trade_date", "in the future"),
        ({"ticker": "NOPE"}, "ticker", "Unknown ticker 'NOPE'"),
        ({"shares": "0"}, "shares", "greater than zero"),
        ({"price": None}, "price", "Give either a price per share or a total amount"),
    ],
)
def test_trade_validation_names_the_field(cast, securities, kwargs, field, fragment):
    values = {"ticker": "AAPL", "shares": "1", "on": date(2026, 1, 5), "price": "150"}
    values.update(kwargs)
    with pytest.raises(ValidationError) as caught:
        trade(
            cast,
            cast.a.account,
            "BUY",
            values["ticker"],
            values["shares"],
            values["on"],
            price=values["price"],
        )
    assert fragment in " ".join(caught.value.message_dict[field])
    assert Trade.objects.count() == 0


def test_a_backdated_trade_that_breaks_a_later_sale_is_refused(cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},AAPL,10,2020-01-15,1500,A1")
    trade(cast, a.account, "SELL", "AAPL", "10", date(2026, 5, 1), price="190")
    with pytest.raises(ValidationError) as caught:
        trade(cast, a.account, "SELL", "AAPL", "5", date(2026, 2, 1), price="170")
    message = " ".join(caught.value.messages)
    assert "the sale of 10 AAPL on 2026-05-01" in message and "not recorded" in message
    assert Trade.objects.filter(source="manual").count() == 1


def test_specific_lot_and_account_relief_method(cast, securities):
    a = cast.a
    opening(
        cast,
        f"{a.account.account_number},AAPL,10,2020-01-15,1500,A1",  # 150.00 a share
        f"{a.account.account_number},AAPL,2.5,2024-03-04,400,A2",  # 160.00 a share
    )
    # Specific identification: 1 share of A2 leaves 1.5 shares with 1.5/2.5 of 400 = 240.
    trade(cast, a.account, "SELL", "AAPL", "1", date(2026, 2, 2), price="190", lot="A2")
    assert lots(a.account) == [
        ("AAPL", Decimal("10"), Decimal("1500.00"), date(2020, 1, 15), date(2020, 1, 15), 0),
        ("AAPL", Decimal("1.5"), Decimal("240.00"), date(2024, 3, 4), date(2024, 3, 4), 0),
    ]
    # FIFO (the default) would take A1; highest cost first takes what is left of A2 (160/sh).
    a.account.lot_relief_method = "hifo"
    a.account.save()
    trade(cast, a.account, "SELL", "AAPL", "2", date(2026, 2, 3), price="190")
    assert lots(a.account) == [
        ("AAPL", Decimal("9.5"), Decimal("1425.00"), date(2020, 1, 15), date(2020, 1, 15), 0),
    ]
    with pytest.raises(ValidationError) as caught:
        trade(cast, a.account, "SELL", "AAPL", "1", date(2026, 2, 4), price="190", lot="A2")
    assert caught.value.message_dict == {"lot_ref": ["No open lot 'A2' in this account."]}


def test_trade_form_page(client, cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},AAPL,10,2020-01-15,1500,A1")
    client.force_login(a.advisor)
    url = reverse("trade-create", kwargs={"public_id": a.account.public_id})
    page = client.get(url).content.decode()
    assert "AAPL · A1 · 10 sh" in page
    response = client.post(
        url,
        {
            "action": "SELL",
            "ticker": "aapl",
            "shares": "20",
            "price": "190",
            "trade_date": "2026-02-02",
        },
    )
    assert "holds only 10" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "SELL",
            "ticker": "aapl",
            "shares": "4",
            "amount": "760",
            "trade_date": "2026-02-02",
            "lot_ref": "A1",
        },
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Recorded: sell 4 AAPL on 2026-02-02." in body
    assert lots(a.account)[0][1:3] == (Decimal("6"), Decimal("900.00"))


def test_trades_api_creates_with_the_same_validation(cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},AAPL,10,2020-01-15,1500,A1")
    api = APIClient()
    api.force_authenticate(a.advisor)
    body = {
        "account": str(a.account.public_id),
        "ticker": "AAPL",
        "action": "SELL",
        "trade_date": "2026-02-02",
        "shares": "11",
        "price": "190",
    }
    response = api.post("/api/trades/", body, format="json")
    assert response.status_code == 400
    assert "holds only 10" in response.json()["shares"][0]
    body["shares"] = "4"
    response = api.post("/api/trades/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["ticker"], data["amount"], data["source"]) == ("AAPL", "760.00", "manual")
    listed = api.get("/api/trades/", {"account": str(a.account.public_id)}).json()
    assert [t["action"] for t in listed["results"]] == ["SELL", "BUY"]  # newest first
    # Another firm's account is refused like a missing one.
    body["account"] = str(cast.b.account.public_id)
    response = api.post("/api/trades/", body, format="json")
    assert response.json() == {"account": ["No such account in your firm."]}
    lots_api = api.get("/api/tax-lots/", {"account": str(a.account.public_id)}).json()
    assert [(lot["lot_id"], lot["shares"], lot["cost_basis"]) for lot in lots_api["results"]] == [
        ("A1", "6.000000", "900.00")
    ]


def test_household_lot_arrays_for_optimizers(washed):
    import numpy as np

    from portfolios.lots.selectors import household_lots_load

    universe, arrays = household_lots_load(client=washed.a.client)
    assert list(universe.tickers) == ["XYZ"]
    assert arrays.shares.tolist() == [30.0, 40.0]
    assert arrays.basis.tolist() == [1590.0, 1680.0]
    assert [date.fromordinal(int(d)) for d in arrays.acquired_adjusted] == [
        date(2025, 2, 2),
        date(2026, 3, 20),
    ]
    assert (~arrays.lot_is_taxable).tolist() == [False, True]
    assert np.array_equal(arrays.lot_security, [0, 0])


def test_a_lot_made_without_a_trade_survives_the_replay(cast, securities):
    """Lots written directly (an older loader, another area's fixture) are adopted as opening
    purchases, then relieved like any other."""
    a = cast.a
    TaxLot.objects.create(
        firm=a.firm,
        account=a.account,
        security=securities["MSFT"],
        shares=Decimal("8"),
        cost_basis=Decimal("2400"),
        acquired_on=date(2019, 5, 6),
        adjusted_acquired_on=date(2019, 5, 6),
    )
    trade(cast, a.account, "SELL", "MSFT", "2", date(2026, 2, 2), price="400")
    assert lots(a.account) == [
        ("MSFT", Decimal("6"), Decimal("1800.00"), date(2019, 5, 6), date(2019, 5, 6), 0)
    ]
    assert Trade.objects.filter(account=a.account, source="opening").count() == 1
