"""Properties of the customized target over random customizations (hypothesis).

The excluded set is computed here from the fixture's table (ticker -> sector, industry), not
from the service's masks: no excluded or restricted name may have weight, and the optimized
tracking error is never above the pro-rata renormalization's. A customization is refused as
contradictory exactly when the independent reading finds a name both kept and sold.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esg import services
from esg.services import ConcentratedPositionInput as Position
from esg.services import CustomizationInput as Custom
from esg.services import RestrictionInput as Rule
from tests.esg.conftest import ACTIVE_NAMES, BY_TICKER, CATEGORY_RULES, SP500, account_with_strategy

TICKERS = sorted(BY_TICKER)
INDUSTRIES = sorted({row[3] for row in BY_TICKER.values()})
SECTORS = sorted({row[2] for row in BY_TICKER.values()})

restriction = st.one_of(
    st.builds(
        Rule,
        scope=st.just("security"),
        mode=st.sampled_from(["do_not_buy", "do_not_hold"]),
        ticker=st.sampled_from(TICKERS),
    ),
    st.builds(
        Rule,
        scope=st.just("industry"),
        mode=st.sampled_from(["do_not_buy", "do_not_hold"]),
        value=st.sampled_from(INDUSTRIES),
    ),
    st.builds(
        Rule,
        scope=st.just("sector"),
        mode=st.sampled_from(["do_not_buy", "do_not_hold"]),
        value=st.sampled_from(SECTORS),
    ),
)
customization = st.builds(
    Custom,
    category_slugs=st.lists(st.sampled_from(sorted(CATEGORY_RULES)), unique=True, max_size=4).map(
        tuple
    ),
    restrictions=st.lists(restriction, max_size=4).map(tuple),
    concentrated_positions=st.lists(
        st.builds(Position, ticker=st.sampled_from(TICKERS)), max_size=1
    ).map(tuple),
)


def excluded_tickers(data: Custom) -> set[str]:
    """Independent reading of a customization: every name that must have zero weight."""
    excluded: set[str] = set()
    for slug in data.category_slugs:
        rule_industries = {value for _, value in CATEGORY_RULES[slug][1]}
        excluded |= {t for t, row in BY_TICKER.items() if row[3] in rule_industries}
    for rule in data.restrictions:
        if rule.scope == "security":
            excluded.add(rule.ticker)
        else:
            column = 3 if rule.scope == "industry" else 2
            excluded |= {t for t, row in BY_TICKER.items() if row[column] == rule.value}
    for position in data.concentrated_positions:
        industry = BY_TICKER[position.ticker][3]
        excluded |= {position.ticker} | {t for t, row in BY_TICKER.items() if row[3] == industry}
    return excluded


def covered(rule: Rule, universe: set[str]) -> set[str]:
    """The names a restriction covers: its ticker, or the universe's names of its industry or
    sector."""
    if rule.scope == "security":
        return {rule.ticker}
    column = 3 if rule.scope == "industry" else 2
    return {t for t in universe if BY_TICKER[t][column] == rule.value}


def is_contradictory(data: Custom, universe: set[str]) -> bool:
    """Independent reading: some name is both kept (do not buy) and sold (a do-not-hold, an
    excluded category's member, a concentrated position itself), or one thing is restricted
    in both modes. Every generated restriction starts today with no end, so all overlap."""
    modes: dict[tuple[str, str], set[str]] = {}
    for rule in data.restrictions:
        modes.setdefault((rule.scope, rule.ticker or rule.value), set()).add(rule.mode)
    if any(len(found) > 1 for found in modes.values()):
        return True
    kept: set[str] = set()
    sold = {position.ticker for position in data.concentrated_positions}
    for slug in data.category_slugs:
        rule_industries = {value for _, value in CATEGORY_RULES[slug][1]}
        sold |= {t for t in universe if BY_TICKER[t][3] in rule_industries}
    for rule in data.restrictions:
        (kept if rule.mode == "do_not_buy" else sold).update(covered(rule, universe))
    return bool(kept & sold)


UNIVERSES = {
    "esg-di": {t for t, row in BY_TICKER.items() if row[4] == SP500},  # index members
    "esg-active": set(ACTIVE_NAMES),
}


@pytest.mark.parametrize("strategy", ["esg-di", "esg-active"])
def test_random_customizations(cast, esg_world, strategy):
    account = account_with_strategy(cast.a.account, esg_world.strategies[strategy])
    ticker_of = {security.pk: ticker for ticker, security in esg_world.securities.items()}
    outcomes = {"solved": 0, "refused": 0, "contradictory": 0}
    universe = UNIVERSES[strategy]

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=customization)
    def check(data):
        excluded = excluded_tickers(data)
        try:
            preview = services.customization_preview(account=account, data=data)
        except ValidationError as error:
            if any("contradict" in message for message in error.messages):
                assert is_contradictory(data, universe), error.messages
                outcomes["contradictory"] += 1
                return
            # Otherwise refused only when nothing of the strategy would be left.
            held = {ticker_of[pk] for pk in services_strategy_weights(account)}
            assert held <= excluded, error.messages
            outcomes["refused"] += 1
            return
        assert not is_contradictory(data, universe), "a contradiction was accepted"
        outcomes["solved"] += 1
        weighted = {ticker_of[pk] for pk, weight in preview.weights.items() if weight > 0}
        assert not weighted & excluded, weighted & excluded
        assert sum(preview.weights.values()) == pytest.approx(1.0, abs=1e-9)
        total = preview.total
        if total.pro_rata_tracking_error is not None:
            assert total.tracking_error <= total.pro_rata_tracking_error + 1e-9
        for line in preview.lines:
            assert line.tracking_error <= line.pro_rata_tracking_error + 1e-9

    check()
    assert outcomes["solved"] >= 15 and outcomes["contradictory"] >= 3, outcomes


def services_strategy_weights(account) -> dict[int, float]:
    preview = services.customization_preview(account=account, data=Custom())
    return preview.strategy_weights
