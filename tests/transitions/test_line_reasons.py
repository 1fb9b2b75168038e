"""Each trade line says why in a sentence with its numbers: the name's weight before the trades
(of positions plus cash, from the lots and prices stored), its target, its weight after every
line of the list (from the stored lines), and for a harvested loss the loss and its share of the
basis. The numbers are worked out here from the database, not read from the engine."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse

from accounts.templatetags.portal import money
from esg.services import customized_target_refresh
from tests.transitions.conftest import propose_now
from transitions.rebalance.inputs import inputs_load
from transitions.rebalance.models import RebalanceSettings

WEIGHTS = re.compile(r"(-?[\d.]+)% held, target ([\d.]+)%, (-?[\d.]+)% after")
BEFORE_AFTER = re.compile(r"(-?[\d.]+)% of the account before, (-?[\d.]+)% after")
PP = 0.011  # two-place percentages of weights computed from 6-place shares


def _weights_by_hand(world, trade_list):
    account = world.account
    held = defaultdict(Decimal)
    for lot in account.tax_lots.select_related("security"):
        held[lot.security.ticker] += lot.shares
    prices = world.prices
    equity = sum(s * prices[t] for t, s in held.items()) + account.cash_balance
    after = dict(held)
    for line in trade_list.lines.select_related("security"):
        sign = -1 if line.side == "SELL" else 1
        after[line.security.ticker] = (
            after.get(line.security.ticker, Decimal(0)) + sign * line.shares
        )
    before_w = {t: float(s * prices[t] / equity) for t, s in held.items()}
    after_w = {t: float(s * prices[t] / equity) for t, s in after.items()}
    return before_w, after_w


def _close(text: str, expected: float) -> bool:
    return abs(float(text) - expected * 100) <= PP


def test_every_line_says_why_with_weights_that_reconcile(world, cast):
    RebalanceSettings.objects.create(
        firm=world.account.firm, account=world.account, loss_harvest_min_value=Decimal("1")
    )
    customized_target_refresh(account=world.account)
    inputs = inputs_load(account=world.account)
    target = {
        t: float(w) for t, w in zip(inputs.tickers, inputs.problem.target_weights, strict=True)
    }
    trade_list = propose_now(world.account, cast.a.advisor)
    lines = list(trade_list.lines.select_related("security"))
    assert lines, "the drifted account trades"
    before, after = _weights_by_hand(world, trade_list)
    seen = set()
    for line in lines:
        ticker, detail = line.security.ticker, line.reason_detail
        seen.add(line.reason)
        assert detail, (ticker, line.reason)
        if line.reason == "harvest" and line.side == "SELL":
            loss = -line.realized_gain
            share = f"{loss / line.cost_basis:.1%}"
            term = "long-term" if line.term == "LT" else "short-term"
            assert detail == (
                f"Harvests a {term} loss of {money(loss)} ({share} of its basis), to offset gains"
            )
            continue
        if line.reason == "transition":
            found = BEFORE_AFTER.search(detail)
            assert detail.startswith("Not in the target: ") and found, detail
            assert _close(found[1], before[ticker]) and _close(found[2], after[ticker]), detail
            assert target.get(ticker, 0) == 0
            continue
        found = WEIGHTS.search(detail)
        assert found, detail
        assert _close(found[1], before.get(ticker, 0.0)), (detail, before.get(ticker))
        assert _close(found[2], target[ticker]), (detail, target[ticker])
        assert _close(found[3], after[ticker]), (detail, after[ticker])
        if line.reason == "drift":
            word = "Overweight" if line.side == "SELL" else "Underweight"
            assert detail.startswith(f"{word}: "), detail
            if line.side == "SELL":
                assert before[ticker] > target[ticker]
            else:
                assert before.get(ticker, 0.0) < target[ticker]
    assert "drift" in seen


def test_the_trade_list_page_and_api_show_the_sentence(world, cast, client):
    trade_list = propose_now(world.account, cast.a.advisor)
    line = trade_list.lines.first()
    client.force_login(cast.a.advisor)
    url = reverse("rebalance-trade-list", args=[trade_list.public_id])
    page = client.get(url).content.decode()
    assert "data-reason-detail" in page
    assert line.reason_detail in page.replace("&#x27;", "'")
    api_url = reverse("api-rebalance-trade-list-detail", args=[trade_list.public_id])
    api = client.get(api_url).json()
    assert api["lines"][0]["reason_detail"] == line.reason_detail


def test_settings_used_is_exactly_the_documented_object(world, cast, client):
    """A real trade list's settings_used: every key documented (SettingsUsed), rates as
    fractions, none left out of the schema."""
    from tests.contract.exact import assert_exact, response_schema

    trade_list = propose_now(world.account, cast.a.advisor)
    client.force_login(cast.a.advisor)
    schema = client.get("/api/schema/?format=json").json()
    url = reverse("api-rebalance-trade-list-detail", args=[trade_list.public_id])
    body = client.get(url).json()
    assert set(body["settings_used"]) >= {"budget_kind", "risk_aversion", "te_max", "inherited"}
    node = schema["components"]["schemas"]["SettingsUsed"]
    assert set(body["settings_used"]) == set(node["properties"])
    assert_exact(schema, node, body["settings_used"], where="settings_used")
    detail = response_schema(schema, "/api/trade-lists/{public_id}/", "get")
    assert_exact(schema, detail, body, where=url)
