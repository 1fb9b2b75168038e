"""A full run in eager mode: stored numbers equal the engine called directly on the same input;
each year's tax is the tax engine's figure; paths count once; staleness after a change."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pma_engine.tax.estimate import tax_estimate
from pma_engine.tax.form8949 import capital_loss_carryover
from pma_engine.tax.models import FilingStatus, TaxRates
from pma_engine.transition import plan_json, scenario_parse, transition_plan
from portfolios.models import TaxLot
from transitions.analysis import paths as fan
from transitions.analysis.inputs import account_snapshot
from transitions.analysis.models import AnalysisPathRun, AnalysisStatus, TransitionAnalysis
from transitions.analysis.selectors import analysis_stale_reason
from transitions.analysis.services import transition_analysis_start

SCENARIOS = ["immediate", "timeline:2", "gain_budget:0", "hold"]


@pytest.fixture
def finished(analysis_world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        analysis = transition_analysis_start(
            account=analysis_world.account,
            actor=analysis_world.cast.a.advisor,
            scenarios=SCENARIOS,
            years=3,
            paths=6,
            seed=11,
        )
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.DONE, analysis.error
    return analysis


def _diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from _diff(a.get(key), b.get(key), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diff(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        # Solver tolerance: the job's paths run on solvers built in another order (fresh per
        # task process) than the direct call's warm cache; re-solves agree to ~1e-8.
        if abs(a - b) > max(1e-6, 1e-9 * abs(b)) + (0.02 if abs(b) > 1 else 0):
            yield (path, a, b)
    elif a != b:
        yield (path, a, b)


def _without_seconds(plan: dict) -> dict:
    return {k: v for k, v in plan.items() if k != "seconds"}


def test_stored_result_equals_the_engine_on_the_same_input(finished, analysis_world):
    snapshot = account_snapshot(account=analysis_world.account, as_of=finished.as_of)
    inp = snapshot.transition_input(
        scenarios=[scenario_parse(s) for s in SCENARIOS], years=3, te_goal=0.005, drift=0.06
    )
    direct = plan_json(inp, transition_plan(inp, paths=6, seed=11))
    stored = {k: v for k, v in finished.result.items() if k in direct}
    diffs = list(_diff(_without_seconds(stored), _without_seconds(direct)))
    assert diffs == [], diffs[:20]
    assert finished.paths_done == 6
    assert finished.job.status == "done" and finished.job.progress == 100
    # Summary rows hold the same figures, rounded to cents.
    for row, item in zip(finished.scenarios.order_by("position"), direct["scenarios"], strict=True):
        assert row.name == item["name"]
        assert row.after_tax_value == Decimal(str(item["after_tax_value"])).quantize(
            Decimal("0.01")
        )
        assert row.years_to_target == item["years_to_target"]
        total = sum(Decimal(str(y["tax"])) for y in item["years"])
        assert row.total_tax == total.quantize(Decimal("0.01"))


def test_each_years_tax_is_the_tax_engines_figure(finished, analysis_world):
    client = analysis_world.account.client
    rates = TaxRates(short_term=client.short_term_rate, long_term=client.long_term_rate)
    checked = 0
    for item in finished.result["scenarios"]:
        st_in = lt_in = Decimal("0")
        for year in item["years"]:
            st, lt = Decimal(str(year["realized_st"])), Decimal(str(year["realized_lt"]))
            carry = capital_loss_carryover(
                short_term_net=st,
                long_term_net=lt,
                short_term_carryover_in=st_in,
                long_term_carryover_in=lt_in,
                filing_status=FilingStatus(client.filing_status),
            )
            expected = tax_estimate(carry.short_term_net, carry.long_term_net, rates).tax
            assert Decimal(str(year["tax"])) == expected.quantize(Decimal("0.01")), (item, year)
            if st >= 0 and lt >= 0 and st_in == lt_in == 0:  # by hand: rate times gain
                hand = st * client.short_term_rate + lt * client.long_term_rate
                assert abs(Decimal(str(year["tax"])) - hand) <= Decimal("0.01")
                checked += st + lt > 0
            st_in = Decimal(str(year["st_carryforward"]))
            lt_in = Decimal(str(year["lt_carryforward"]))
    assert checked >= 1  # immediate's first year realizes net gains here


def test_scenario_properties_on_the_stored_result(finished):
    by_name = {s["name"]: s for s in finished.result["scenarios"]}
    immediate, hold, zero = by_name["immediate"], by_name["hold"], by_name["gain_budget:0"]
    assert immediate["years"][0]["tax"] == max(s["years"][0]["tax"] for s in by_name.values())
    assert immediate["years_to_target"] == 1
    assert all(y["trades"] == 0 and y["tax"] == 0 for y in hold["years"])
    assert all(y["realized_st"] + y["realized_lt"] <= 0.01 for y in zero["years"])
    assert by_name["timeline:2"]["years_to_target"] <= 2
    assert by_name["timeline:2"]["paths"]["years_to_target"]["p90"] <= 2
    assert set(finished.result["frontier"]) >= {"points", "named"}
    assert [p["label"] for p in finished.result["frontier"]["points"]][0] == "Zero net gain"


def test_a_path_delivered_twice_is_counted_once(finished):
    run = AnalysisPathRun.objects.get(analysis=finished, path_index=2)
    before = (finished.paths_done, run.outcome)
    finished.status = AnalysisStatus.RUNNING
    finished.save(update_fields=["status"])
    from transitions.analysis.tasks import analysis_path_run

    assert analysis_path_run.apply(args=[finished.pk, 2]).get() == "skipped"
    # Even if a claim got through (a lease ran out), storing again is refused and not counted.
    outcome = fan.outcome_from_json(run.outcome)
    assert not fan.path_store(analysis_pk=finished.pk, path_index=2, outcome=outcome, runner="x")
    finished.refresh_from_db()
    run.refresh_from_db()
    assert (finished.paths_done, run.outcome) == before
    assert AnalysisPathRun.objects.filter(analysis=finished).count() == 6


def test_outcome_codec_round_trips_exactly(finished):
    for run in AnalysisPathRun.objects.filter(analysis=finished):
        assert fan.outcome_to_json(fan.outcome_from_json(run.outcome)) == run.outcome


def test_stale_after_an_input_change_and_rerun_keeps_the_old(
    finished, analysis_world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    assert analysis_stale_reason(analysis=finished) == ""
    lot = TaxLot.objects.filter(account=analysis_world.account).first()
    lot.shares += 1
    lot.save(update_fields=["shares"])
    reason = analysis_stale_reason(analysis=finished)
    assert "changed" in reason
    finished.refresh_from_db()
    assert finished.status == AnalysisStatus.DONE  # computed on read, never written
    with django_capture_on_commit_callbacks(execute=True):
        again = transition_analysis_start(
            account=analysis_world.account,
            actor=analysis_world.cast.a.advisor,
            scenarios=["hold"],
            years=1,
            paths=0,
        )
    finished.refresh_from_db()
    again.refresh_from_db()
    assert finished.status == AnalysisStatus.STALE and finished.superseded_by == again
    assert finished.result is not None  # the old result stays
    assert again.status == AnalysisStatus.DONE and analysis_stale_reason(analysis=again) == ""
    assert TransitionAnalysis.objects.filter(account=analysis_world.account).count() == 2


def test_save_a_frontier_point_and_compare(
    finished, analysis_world, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from transitions.analysis.services import frontier_point_save

    points = [p["scenario"] for p in finished.result["frontier"]["points"]]
    assert "gain_budget:10000" in points
    with django_capture_on_commit_callbacks(execute=True):
        new = frontier_point_save(
            analysis=finished, actor=analysis_world.cast.a.advisor, scenario="gain_budget:10000"
        )
    new.refresh_from_db()
    assert new.status == AnalysisStatus.DONE, new.error
    assert new.scenario_names == [*SCENARIOS, "gain_budget:10000"]
    saved = new.scenarios.get(name="gain_budget:10000")
    assert saved.is_saved_from_frontier and saved.parameter == Decimal("10000.00")
    # The saved point's total tax is the frontier's figure for it (same expected path).
    point = next(p for p in finished.result["frontier"]["points"] if p["scenario"] == saved.name)
    assert abs(float(saved.total_tax) - point["total_tax"]) <= 0.02
    client.force_login(analysis_world.cast.a.advisor)
    url = reverse("analysis-compare", kwargs={"public_id": new.public_id})
    page = client.get(url, {"with": str(finished.public_id)})
    assert page.status_code == 200
    assert page.content.decode().count("data-compare-side") == 2
    with pytest.raises(ValidationError, match="not a point of this frontier"):
        frontier_point_save(
            analysis=finished, actor=analysis_world.cast.a.advisor, scenario="gain_budget:7"
        )
