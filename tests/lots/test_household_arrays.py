"""household_lots_load: the household's lots as the engine's arrays, checked lot by lot against
a plain ORM reading of the same rows (random household, legacy security included)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pma_engine.tax.holding import days_until_long_term
from portfolios.lots.selectors import household_lots_load
from portfolios.models import Security, TaxLot, Trade
from portfolios.selectors import universe_load
from tests.factories import AccountFactory

AS_OF = date(2026, 5, 15)


def _random_household(cast, seed: int):
    rng = random.Random(seed)
    a = cast.a
    ira = a.ira
    third = AccountFactory(firm=a.firm, client=a.client, account_type="roth_ira")
    masters = [
        Security.objects.create(ticker=f"R{n}", name=f"Random {n}", sector="Energy")
        for n in range(6)
    ]
    legacy = Security.objects.create(ticker="R0", name="Firm's old R0", firm=a.firm)
    securities = [*masters, legacy]
    for _ in range(60):
        acquired = AS_OF - timedelta(days=rng.randrange(0, 800))
        adjusted = acquired - timedelta(days=rng.choice([0, 0, 17]))
        shares = Decimal(rng.randint(1, 300)) / 4
        TaxLot.objects.create(
            firm=a.firm,
            account=rng.choice([a.account, ira, third]),
            security=rng.choice(securities),
            shares=shares,
            cost_basis=(shares * Decimal(str(rng.uniform(5, 90)))).quantize(Decimal("0.01")),
            acquired_on=acquired,
            adjusted_acquired_on=adjusted,
        )
    for _ in range(12):
        Trade.objects.create(
            firm=a.firm,
            account=rng.choice([a.account, ira, third]),
            security=rng.choice(securities),
            action=rng.choice(["BUY", "SELL"]),
            trade_date=AS_OF - timedelta(days=rng.randrange(0, 45)),
            shares=Decimal(1),
            amount=Decimal(10),
            source="manual",
        )
    # Another household's lot never shows up.
    TaxLot.objects.create(
        firm=a.firm,
        account=a.other_account,
        security=masters[0],
        shares=Decimal(1),
        cost_basis=Decimal(1),
        acquired_on=AS_OF,
        adjusted_acquired_on=AS_OF,
    )
    return masters, legacy


def test_household_lots_equal_a_per_lot_orm_reading(cast):
    masters, legacy = _random_household(cast, seed=11)
    client = cast.a.client
    with CaptureQueriesContext(connection) as queries:
        universe, arrays = household_lots_load(client=client, as_of=AS_OF)
    assert len(queries) == 4  # accounts, lots, trades, securities

    expected = list(TaxLot.objects.filter(account__client=client).select_related("account"))
    assert arrays.lot_count == len(expected) == 60
    by_public_id = {str(lot.public_id): lot for lot in expected}
    account_ids = arrays.account_ids.tolist()
    for i, public_id in enumerate(arrays.lot_public_ids):
        lot = by_public_id.pop(public_id)
        assert account_ids[arrays.lot_account[i]] == lot.account_id
        assert arrays.account_is_taxable[arrays.lot_account[i]] == (
            lot.account.account_type == "taxable"
        )
        assert int(universe.ids[arrays.lot_security[i]]) == lot.security_id
        assert arrays.shares[i] == float(lot.shares)
        assert arrays.basis[i] == float(lot.cost_basis)
        assert arrays.acquired_adjusted[i] == lot.adjusted_acquired_on.toordinal()
        days = days_until_long_term(lot.adjusted_acquired_on, AS_OF)
        assert arrays.days_to_long_term[i] == days
        assert arrays.is_long_term[i] == (days == 0)
    assert not by_public_id
    # The legacy R0 has its own place, apart from the master R0.
    assert legacy.pk in universe and masters[0].pk in universe
    assert universe.is_legacy[universe.index_of(legacy.pk)]
    assert not universe.is_legacy[universe.index_of(masters[0].pk)]

    # Wash windows from the trades, worked per security from the rows.
    window = [
        t
        for t in Trade.objects.filter(account__client=client)
        if AS_OF - timedelta(days=30) <= t.trade_date <= AS_OF
    ]
    for position, security_id in enumerate(universe.ids.tolist()):
        sells = [
            t.trade_date for t in window if t.security_id == security_id and t.action == "SELL"
        ]
        buys = [t.trade_date for t in window if t.security_id == security_id and t.action == "BUY"]
        expect_sell = (max(sells) + timedelta(days=30)).toordinal() if sells else 0
        expect_buy = (max(buys) + timedelta(days=30)).toordinal() if buys else 0
        assert arrays.recent_loss_sale_until[position] == expect_sell
        assert arrays.recent_buy_until[position] == expect_buy


def test_a_given_universe_comes_first_and_grows_by_the_held_names(cast):
    masters, legacy = _random_household(cast, seed=3)
    unheld = Security.objects.create(ticker="ZZZ", name="Not held", sector="Utilities")
    given = universe_load(security_ids=[unheld.pk, masters[2].pk])
    universe, arrays = household_lots_load(client=cast.a.client, as_of=AS_OF, universe=given)
    assert universe.ids[:2].tolist() == [unheld.pk, masters[2].pk]
    held = set(
        TaxLot.objects.filter(account__client=cast.a.client).values_list("security_id", flat=True)
    )
    assert set(universe.ids.tolist()) == held | {unheld.pk}
    rest = universe.tickers[2:]
    assert list(rest) == sorted(rest)
    assert np.all(arrays.lot_security < len(universe))


def test_an_empty_household_gives_empty_arrays(cast):
    universe, arrays = household_lots_load(client=cast.b.client, as_of=AS_OF)
    assert arrays.lot_count == 0 and len(universe) == 0
    assert arrays.shares.shape == (0,)


def test_the_risk_model_is_read_onto_the_universe_of_a_household(cast):
    """risk_model_for: master names keep their rows, a legacy one gets a sector proxy."""
    from datetime import date as _date

    from pma_engine.risk import FactorRiskModel
    from portfolios.selectors import risk_model_for
    from portfolios.services import risk_model_store

    masters, legacy = _random_household(cast, seed=5)
    stored = FactorRiskModel(
        tickers=("R0", "R1", "R2"),
        exposures=np.array([[1.0], [2.0], [4.0]]),
        factor_cov=np.array([[0.01]]),
        specific_var=np.array([0.04, 0.09, 0.16]),
        as_of=_date(2026, 5, 1),
        sectors=("Energy", "Energy", "Energy"),
    )
    risk_model_store(model=stored, is_synthetic=True)
    universe, _ = household_lots_load(client=cast.a.client, as_of=AS_OF)
    aligned = risk_model_for(universe=universe)
    assert aligned.n_names == len(universe)
    for position, security_id in enumerate(universe.ids.tolist()):
        ticker = universe.tickers[position]
        if security_id == legacy.pk or ticker not in stored:
            # The Energy peers R0, R1, R2: mean exposure 7/3, 90th percentile of D = 0.146.
            assert aligned.is_proxy[position]
            assert aligned.exposures[position, 0] == pytest.approx(7 / 3)
            assert aligned.specific_var[position] == pytest.approx(0.146)
        else:
            row = stored.index_of(ticker)
            assert not aligned.is_proxy[position]
            assert aligned.specific_var[position] == stored.specific_var[row]
    assert legacy.pk in universe
