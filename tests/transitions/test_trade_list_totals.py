"""The trade list adds up: each line's amount is shares × its shown price to the cent, the
price is shown at its stored precision, and each table's footer is the sum of its lines."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse

from tests.transitions.conftest import propose_now

LINE = re.compile(
    r'<td class="num" data-shares="([\d.]+)">([^<]*)</td>\s*'
    r'<td class="num" data-price="([\d.]+)">([^<]*)</td>\s*'
    r'<td class="num" data-value="([-\d.]+)">([^<]*)</td>'
)


def _shown_money(text: str) -> Decimal:
    sign = -1 if text.startswith("−") else 1
    return sign * Decimal(text.lstrip("−").lstrip("$").replace(",", ""))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_trade_list_lines_and_totals_reconcile(world, cast, client):
    trade_list = propose_now(world.account, cast.a.advisor)
    client.force_login(cast.a.advisor)
    url = reverse("rebalance-trade-list", kwargs={"public_id": trade_list.public_id})
    body = client.get(url).content.decode()
    tables = dict(re.findall(r"<table data-(sells|buys)>(.*?)</table>", body, re.S))
    assert tables, "the proposal has trades"
    for side, table in tables.items():
        lines = LINE.findall(table)
        assert (
            len(lines)
            == trade_list.lines.filter(side={"sells": "SELL", "buys": "BUY"}[side]).count()
        )
        for shares, shares_shown, price, price_shown, value, value_shown in lines:
            # what is shown is what is stored: no share or price digit rounded away
            assert Decimal(shares_shown.replace(",", "")) == Decimal(shares)
            assert Decimal(price_shown.replace(",", "")) == Decimal(price)
            # shares × shown price = shown value, to the cent
            assert _cents(Decimal(shares) * Decimal(price)) == Decimal(value)
            assert _shown_money(value_shown) == Decimal(value)
        total, total_shown = re.search(r'data-total="([-\d.]+)">([^<]*)<', table).groups()
        assert Decimal(total) == sum(Decimal(line[4]) for line in lines)
        assert _shown_money(total_shown) == Decimal(total)
