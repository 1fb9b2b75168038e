"""Customization: validation (bad input named, nothing saved), merging, storage, history, and
the customized target and its cache."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from esg import selectors, services
from esg.models import (
    AccountExclusion,
    ConcentratedPosition,
    CustomizedTarget,
    Restriction,
    RestrictionMode,
)
from esg.services import ConcentratedPositionInput as Position
from esg.services import CustomizationInput as Custom
from esg.services import RestrictionInput as Rule
from tests.esg.conftest import BY_TICKER, DI_UNHELD, account_with_strategy
from tests.test_isolation import database_fingerprint


@pytest.fixture
def di_account(cast, esg_world):
    return account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _dense_tracking_error(model, weights_by_ticker, benchmark_by_ticker) -> float:
    """Independent check: sqrt(a' Σ a) with the dense covariance."""
    tickers = list(model.tickers)
    active = np.array(
        [weights_by_ticker.get(t, 0.0) - benchmark_by_ticker.get(t, 0.0) for t in tickers]
    )
    return float(np.sqrt(active @ model.covariance_dense() @ active))


def test_save_stores_everything_and_reads_back(cast, di_account, esg_world):
    data = Custom(
        category_slugs=("tobacco", "weapons"),
        restrictions=(
            Rule(scope="security", mode="do_not_hold", ticker="xom", reason="client"),
            Rule(scope="industry", mode="do_not_buy", value="casinos & gaming"),
        ),
        concentrated_positions=(Position(ticker="AAPL", note="employer"),),
    )
    preview = services.customization_save(account=di_account, actor=cast.a.advisor, data=data)
    assert preview.has_figures
    assert set(
        AccountExclusion.objects.filter(account=di_account).values_list("category__slug", flat=True)
    ) == {"tobacco", "weapons"}
    restrictions = {r.target_label: r for r in Restriction.objects.filter(account=di_account)}
    assert set(restrictions) == {"XOM", "industry Casinos & Gaming"}  # canonical spelling
    assert restrictions["XOM"].mode == RestrictionMode.DO_NOT_HOLD
    assert restrictions["XOM"].effective_from == date.today()
    assert ConcentratedPosition.objects.get(account=di_account).security.ticker == "AAPL"
    current = selectors.customization_current(account=di_account)
    assert current.category_slugs == ("tobacco", "weapons")
    assert {r.ticker or r.value for r in current.restrictions} == {"XOM", "Casinos & Gaming"}
    target = CustomizedTarget.objects.get(account=di_account)
    assert target.firm_id == cast.a.firm.pk
    assert target.tracking_error == pytest.approx(preview.total.tracking_error)
    # History: who changed what.
    history = Restriction.history.filter(account_id=di_account.pk)
    assert history.count() == 2
    assert {h.history_user_id for h in history} == {cast.a.advisor.pk}


def test_target_zeroes_excluded_names_and_reweights_for_least_tracking_error(di_account, esg_world):
    data = Custom(
        category_slugs=("tobacco", "fossil-fuels"),
        restrictions=(Rule(scope="sector", mode="do_not_buy", value="Financials"),),
        concentrated_positions=(Position(ticker="MSFT"),),
    )
    preview = services.customization_preview(account=di_account, data=data)
    weights = {esg_world.securities[t].pk: t for t in BY_TICKER}
    by_ticker = {weights[pk]: w for pk, w in preview.weights.items()}
    excluded = {t for t, row in BY_TICKER.items() if row[3] == "Tobacco"}
    excluded |= {"XOM", "CVX", "COP", "SLB"}  # the fossil fuel industries
    excluded |= {t for t, row in BY_TICKER.items() if row[2] == "Financials"}
    excluded |= {"MSFT", "ORCL"}  # the concentrated position and its industry (Software)
    assert not excluded & set(by_ticker), "an excluded name has weight"
    assert sum(by_ticker.values()) == pytest.approx(1.0, abs=1e-9)
    strategy = {weights[pk]: w for pk, w in preview.strategy_weights.items()}
    total = preview.total
    assert total.names_removed == len(excluded & set(strategy))
    assert total.weight_removed == pytest.approx(sum(strategy[t] for t in excluded & set(strategy)))
    # Reported tracking error matches an independent dense computation.
    dense = _dense_tracking_error(esg_world.model, by_ticker, strategy)
    assert total.tracking_error == pytest.approx(dense, rel=1e-6)
    assert total.tracking_error <= total.pro_rata_tracking_error + 1e-12
    # Costs alone: each line, and the combined cost is not below any single one.
    labels = [line.label for line in preview.lines]
    assert labels[:2] == ["Tobacco", "Fossil fuels"]
    assert labels[2] == "Do not buy: sector Financials"
    assert labels[3].startswith("Concentrated position: MSFT")
    for line in preview.lines:
        assert line.tracking_error <= total.tracking_error + 1e-9
        assert line.tracking_error <= line.pro_rata_tracking_error + 1e-9


def test_direct_indexing_candidates_take_weight_active_stays_in_its_names(cast, esg_world):
    di = account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])
    preview = services.customization_preview(account=di, data=Custom(category_slugs=("gambling",)))
    unheld = {esg_world.securities[t].pk for t in DI_UNHELD}
    assert not unheld & set(preview.strategy_weights)
    assert unheld & set(preview.weights), "unheld index members never used"
    active = account_with_strategy(cast.a.ira, esg_world.strategies["esg-active"])
    preview = services.customization_preview(
        account=active, data=Custom(category_slugs=("gambling",))
    )
    assert set(preview.weights) <= set(preview.strategy_weights)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (
            Custom(restrictions=(Rule(scope="security", mode="do_not_buy", ticker="ZZZZ"),)),
            "restrictions",
            ["Restriction row 1", "ticker", "ZZZZ"],
        ),
        (
            Custom(
                restrictions=(
                    Rule(scope="security", mode="do_not_buy", ticker="XOM"),
                    Rule(scope="industry", mode="do_not_buy", value="Tobaco"),
                )
            ),
            "restrictions",
            ["Restriction row 2", "value", "Tobaco", "did you mean Tobacco"],
        ),
        (
            Custom(restrictions=(Rule(scope="sector", mode="do_not_buy", value="Crypto"),)),
            "restrictions",
            ["Restriction row 1", "no sector called", "Crypto"],
        ),
        (
            Custom(
                restrictions=(
                    Rule(
                        scope="security",
                        mode="do_not_hold",
                        ticker="XOM",
                        effective_from=date(2026, 3, 1),
                        effective_to=date(2026, 2, 1),
                    ),
                )
            ),
            "restrictions",
            ["Restriction row 1", "effective_to", "before it starts"],
        ),
        (Custom(category_slugs=("tobacco", "no-such")), "categories", ["no-such"]),
        (
            Custom(concentrated_positions=(Position(ticker="NOPE"),)),
            "concentrated_positions",
            ["Concentrated position row 1", "ticker", "NOPE"],
        ),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(cast, di_account, data, field, words):
    # A valid part alongside the bad one: all or nothing.
    services.customization_save(
        account=di_account, actor=cast.a.advisor, data=Custom(category_slugs=("gambling",))
    )
    before = database_fingerprint()
    with pytest.raises(ValidationError) as caught:
        services.customization_save(account=di_account, actor=cast.a.advisor, data=data)
    assert field in caught.value.message_dict
    text = _error_text(caught.value)
    for word in words:
        assert word in text, (word, text)
    assert database_fingerprint() == before


def test_do_not_hold_on_the_strategys_whole_sector_is_refused(cast, esg_world):
    tech = account_with_strategy(cast.a.account, esg_world.strategies["esg-tech"])
    before = database_fingerprint()
    data = Custom(
        category_slugs=("tobacco",),
        restrictions=(Rule(scope="sector", mode="do_not_hold", value="Information Technology"),),
    )
    with pytest.raises(ValidationError) as caught:
        services.customization_save(account=tech, actor=cast.a.advisor, data=data)
    text = _error_text(caught.value)
    assert "Do not hold: sector Information Technology covers the whole of" in text
    assert "ESG test tech leaders" in text
    assert database_fingerprint() == before
    # The same restriction on a diversified strategy is accepted.
    di = account_with_strategy(cast.a.ira, esg_world.strategies["esg-di"])
    services.customization_save(account=di, actor=cast.a.advisor, data=data)
    assert Restriction.objects.filter(account=di).count() == 1


def test_excluding_everything_the_strategy_holds_is_refused(cast, esg_world):
    tech = account_with_strategy(cast.a.account, esg_world.strategies["esg-tech"])
    before = database_fingerprint()
    data = Custom(
        restrictions=tuple(
            Rule(scope="security", mode="do_not_buy", ticker=t) for t in ("AAPL", "NVDA")
        ),
        concentrated_positions=(Position(ticker="MSFT"),),  # takes ORCL (Software) too
    )
    with pytest.raises(ValidationError) as caught:
        services.customization_save(account=tech, actor=cast.a.advisor, data=data)
    assert "Together these settings exclude every name ESG test tech leaders holds" in (
        _error_text(caught.value)
    )
    assert database_fingerprint() == before


def test_same_thing_restricted_twice_is_merged_and_category_overlap_accepted(cast, di_account):
    data = Custom(
        category_slugs=("tobacco",),
        restrictions=(
            Rule(
                scope="security",
                mode="do_not_hold",
                ticker="CAT",
                reason="a",
                effective_to=date.today() + timedelta(days=10),
            ),
            Rule(
                scope="security",
                mode="do_not_hold",
                ticker="cat",
                reason="b",
                effective_from=date.today() + timedelta(days=11),  # the day after: no gap
                effective_to=date.today() + timedelta(days=40),
            ),
            Rule(scope="industry", mode="do_not_hold", value="Tobacco"),  # = the category
        ),
    )
    preview = services.customization_save(account=di_account, actor=cast.a.advisor, data=data)
    assert any("rows 1 and 2" in note and "merged" in note for note in preview.notes)
    cat = Restriction.objects.get(account=di_account, security__ticker="CAT")
    assert cat.mode == RestrictionMode.DO_NOT_HOLD
    assert (cat.effective_from, cat.effective_to) == (
        date.today(),
        date.today() + timedelta(days=40),
    )
    assert cat.reason == "a; b"
    assert Restriction.objects.filter(account=di_account).count() == 2


@pytest.mark.parametrize(
    ("data", "words"),
    [
        # The same name kept (do not buy) and sold (do not hold).
        (
            Custom(
                restrictions=(
                    Rule(scope="security", mode="do_not_buy", ticker="CAT"),
                    Rule(scope="security", mode="do_not_hold", ticker="CAT"),
                )
            ),
            ["Restriction rows 1 and 2", "contradict", "CAT"],
        ),
        # Twice in the same mode with a gap: merging would restrict the gap too.
        (
            Custom(
                restrictions=(
                    Rule(
                        scope="security",
                        mode="do_not_hold",
                        ticker="CAT",
                        effective_to=date.today() + timedelta(days=10),
                    ),
                    Rule(
                        scope="security",
                        mode="do_not_hold",
                        ticker="CAT",
                        effective_from=date.today() + timedelta(days=30),
                    ),
                )
            ),
            ["Restriction rows 1 and 2", "gap", "CAT"],
        ),
        # Keep the oil majors (do not buy) while the category says they are not held.
        (
            Custom(
                category_slugs=("fossil-fuels",),
                restrictions=(
                    Rule(scope="industry", mode="do_not_buy", value="Integrated Oil & Gas"),
                ),
            ),
            ["“Do not buy: industry Integrated Oil & Gas” contradicts “Fossil fuels”", "CVX, XOM"],
        ),
        # Keep XOM while the whole energy sector is sold.
        (
            Custom(
                restrictions=(
                    Rule(scope="sector", mode="do_not_hold", value="Energy"),
                    Rule(scope="security", mode="do_not_buy", ticker="XOM"),
                )
            ),
            ["“Do not buy: XOM” contradicts “Do not hold: sector Energy”", "XOM would be"],
        ),
        # A concentrated position is sold down: it cannot also be kept.
        (
            Custom(
                restrictions=(Rule(scope="security", mode="do_not_buy", ticker="AAPL"),),
                concentrated_positions=(Position(ticker="AAPL"),),
            ),
            ["contradicts “Concentrated position: AAPL”"],
        ),
    ],
)
def test_contradictory_settings_are_refused_and_nothing_is_saved(cast, di_account, data, words):
    before = database_fingerprint()
    with pytest.raises(ValidationError) as caught:
        services.customization_save(account=di_account, actor=cast.a.advisor, data=data)
    assert "restrictions" in caught.value.message_dict
    text = _error_text(caught.value)
    for word in words:
        assert word in text, (word, text)
    assert database_fingerprint() == before


def test_settings_that_agree_or_do_not_overlap_in_time_are_accepted(cast, di_account):
    later = date.today() + timedelta(days=60)
    data = Custom(
        category_slugs=("fossil-fuels",),
        restrictions=(
            # Stricter and looser on different names of one sector: no name both kept and sold.
            Rule(scope="security", mode="do_not_hold", ticker="XOM"),
            Rule(scope="industry", mode="do_not_buy", value="Tobacco"),
            # CAT sold until `later`; its industry kept (not bought) only from the day after.
            Rule(
                scope="security",
                mode="do_not_hold",
                ticker="CAT",
                effective_to=later,
            ),
            Rule(
                scope="industry",
                mode="do_not_buy",
                value="Machinery",
                effective_from=later + timedelta(days=1),
            ),
        ),
        # Its industry (Software) is only not bought: a do-not-buy on it agrees.
        concentrated_positions=(Position(ticker="MSFT"),),
    )
    preview = services.customization_save(account=di_account, actor=cast.a.advisor, data=data)
    assert preview.has_figures
    assert Restriction.objects.filter(account=di_account).count() == 4


def test_future_restriction_is_listed_but_not_applied(cast, di_account, esg_world):
    starts = date.today() + timedelta(days=30)
    data = Custom(
        restrictions=(
            Rule(scope="security", mode="do_not_hold", ticker="XOM", effective_from=starts),
        )
    )
    preview = services.customization_preview(account=di_account, data=data)
    (line,) = preview.lines
    assert not line.in_force and "not in force" in line.note and line.tracking_error is None
    assert esg_world.securities["XOM"].pk in preview.weights
    assert preview.total.tracking_error == 0.0


def test_saving_again_changes_only_what_changed(cast, di_account):
    first = Custom(
        category_slugs=("tobacco",),
        restrictions=(Rule(scope="security", mode="do_not_buy", ticker="XOM"),),
    )
    services.customization_save(account=di_account, actor=cast.a.advisor, data=first)
    restriction = Restriction.objects.get(account=di_account)
    services.customization_save(account=di_account, actor=cast.a.advisor, data=first)
    assert Restriction.history.filter(id=restriction.pk).count() == 1
    second = Custom(restrictions=(Rule(scope="security", mode="do_not_hold", ticker="XOM"),))
    services.customization_save(account=di_account, actor=cast.a.other_advisor, data=second)
    assert Restriction.objects.get(pk=restriction.pk).mode == RestrictionMode.DO_NOT_HOLD
    assert not AccountExclusion.objects.filter(account=di_account).exists()
    removed = AccountExclusion.history.filter(account_id=di_account.pk, history_type="-").get()
    assert removed.history_user_id == cast.a.other_advisor.pk


def test_target_cache_is_reused_and_recomputed_when_inputs_change(cast, di_account, esg_world):
    services.customization_save(
        account=di_account, actor=cast.a.advisor, data=Custom(category_slugs=("weapons",))
    )
    first = services.customized_target_refresh(account=di_account)
    assert first.preview is None, "fresh cache: no solve"
    computed_at = first.target.computed_at
    # A category's membership changes (staff remove GD by hand): the target is recomputed.
    services.category_override_add(
        category=esg_world.categories["weapons"],
        security=esg_world.securities["GD"],
        action="exclude",
        reason="shipbuilder",
    )
    second = services.customized_target_refresh(account=di_account)
    assert second.preview is not None
    assert second.target.pk == first.target.pk
    assert second.target.computed_at > computed_at
    assert esg_world.securities["GD"].pk in selectors.target_weights(target=second.target)
    assert CustomizedTarget.objects.filter(account=di_account).count() == 1


def test_no_strategy_or_no_risk_model_saves_without_figures(cast, esg_world):
    account = cast.a.account  # no strategy
    preview = services.customization_save(
        account=account, actor=cast.a.advisor, data=Custom(category_slugs=("tobacco",))
    )
    assert "Choose a strategy" in preview.problem
    assert AccountExclusion.objects.filter(account=account).count() == 1
    assert not CustomizedTarget.objects.exists()
    state = services.customized_target_refresh(account=account)
    assert state.target is None and "Choose a strategy" in state.problem


def test_clear_removes_everything(cast, di_account):
    services.customization_save(
        account=di_account,
        actor=cast.a.advisor,
        data=Custom(
            category_slugs=("tobacco",),
            restrictions=(Rule(scope="security", mode="do_not_buy", ticker="XOM"),),
            concentrated_positions=(Position(ticker="AAPL"),),
        ),
    )
    services.customization_clear(account=di_account, actor=cast.a.advisor)
    assert selectors.customization_summary(account=di_account).is_empty
    assert not CustomizedTarget.objects.filter(account=di_account).exists()
