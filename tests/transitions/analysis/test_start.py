"""Bad input is refused before anything is queued: no analysis, no Job row, the field named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jobs.models import Job
from portfolios.models import Price, TaxLot
from transitions.analysis.models import TransitionAnalysis
from transitions.analysis.services import transition_analysis_start


def _refused(world, field: str, text: str, **kwargs) -> None:
    arguments = {"scenarios": ["immediate", "hold"], "years": 3, "paths": 0, **kwargs}
    with pytest.raises(ValidationError) as caught:
        transition_analysis_start(account=world.account, actor=world.cast.a.advisor, **arguments)
    errors = caught.value.message_dict
    assert field in errors, errors
    assert text.lower() in " ".join(errors[field]).lower(), errors
    assert Job.objects.count() == 0
    assert TransitionAnalysis.objects.count() == 0


def test_horizon_beyond_ten_years(analysis_world):
    _refused(analysis_world, "years", "1 to 10", years=11)


def test_horizon_below_one_year(analysis_world):
    _refused(analysis_world, "years", "1 to 10", years=0)


def test_negative_budget(analysis_world):
    _refused(analysis_world, "scenarios", "negative", scenarios=["gain_budget:-5000"])


def test_unknown_scenario(analysis_world):
    _refused(analysis_world, "scenarios", "unknown scenario", scenarios=["sell-it-all"])


def test_no_scenario(analysis_world):
    _refused(analysis_world, "scenarios", "at least one", scenarios=[])


def test_budget_scenario_on_an_active_strategy(analysis_world):
    account = analysis_world.account
    account.strategy = analysis_world.reference.strategies["active-quality-core"]
    account.save(update_fields=["strategy"])
    _refused(analysis_world, "scenarios", "direct-indexing and core", scenarios=["tax_budget:5000"])
    _refused(analysis_world, "scenarios", "direct-indexing and core", scenarios=["gain_budget:0"])


def test_budget_scenario_on_core_is_accepted_at_validation(analysis_world):
    from transitions.analysis.services import analysis_prepare

    account = analysis_world.account
    account.strategy = analysis_world.reference.strategies["core-equity"]
    account.save(update_fields=["strategy"])
    _, parsed = analysis_prepare(
        account=account,
        scenarios=["gain_budget:0"],
        years=2,
        te_goal=0.005,
        drift=0.06,
        paths=0,
        seed=1,
    )
    assert [s.name for s in parsed] == ["gain_budget:0"]


def test_account_without_lots(analysis_world):
    TaxLot.objects.filter(account=analysis_world.account).delete()
    _refused(analysis_world, "lots", "no tax lots")


def test_account_without_strategy(analysis_world):
    account = analysis_world.account
    account.strategy = None
    account.save(update_fields=["strategy"])
    _refused(analysis_world, "strategy", "no strategy")


def test_account_without_prices(analysis_world):
    held = TaxLot.objects.filter(account=analysis_world.account).first().security
    Price.objects.filter(security=held).delete()
    _refused(analysis_world, "prices", held.ticker)


def test_goal_below_what_the_account_allows_this_year(analysis_world):
    """The household sold a large target name (in the IRA) five days ago: buying it now would
    wash that sale, so the immediate move cannot reach the target this year (transition_check's
    floor, te_floor_now > 0). A one-year timeline to a goal below that floor is refused."""
    from datetime import date, timedelta

    from portfolios.models import Trade

    world = analysis_world
    top = next(iter(world.reference.weights("di-large-cap")))
    Trade.objects.create(
        firm=world.account.firm,
        account=world.cast.a.ira,
        security=world.reference.security(top),
        action="SELL",
        trade_date=date.today() - timedelta(days=5),
        shares=Decimal("10"),
        amount=Decimal("1000"),
        source="opening",
        lot_ref="WASH-1",
    )
    _refused(world, "scenarios", "cannot reach", scenarios=["timeline:1"], te_goal=0.0001)


def test_te_goal_must_be_positive(analysis_world):
    _refused(analysis_world, "te_goal", "above 0", te_goal=0)


def test_paths_bounded(analysis_world):
    _refused(analysis_world, "paths", "0 to", paths=100_000)
