"""Writes of transition analyses: start (validated before anything is queued), run (the job),
save a frontier point as a scenario, and the first year's trades as a trade list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jobs.registry import JobError
from jobs.services import JobCancelled, job_create
from pma_engine.tax import money_round
from pma_engine.transition import (
    Scenario,
    ScenarioKind,
    TransitionInputError,
    plan_json,
    scenario_parse,
    transition_check,
    transition_plan,
)
from pma_engine.transition.engine import TE_FLOOR_SLACK
from pma_engine.transition.planner import opening_plan
from portfolios.selectors import account_values
from transitions.analysis.inputs import AccountSnapshot, AnalysisInputError, account_snapshot
from transitions.analysis.models import (
    AnalysisScenario,
    AnalysisStatus,
    TransitionAnalysis,
)
from transitions.analysis.paths import PathFanOut
from transitions.analysis.scenarios import (
    BUDGET_KINDS,
    budget_why_not,
    frontier_sweep,
    scenario_label,
)

JOB_KIND = "transition_analysis"
MAX_PATHS = 1000
DEFAULT_PATHS = 100


def _money(value: float | None) -> Decimal | None:
    return None if value is None else money_round(Decimal(str(value)))


def _scenarios_parse(texts: Sequence[str], *, strategy_kind: str | None) -> list[Scenario]:
    """Parse and check the scenario names; errors name the field `scenarios`."""
    if not texts:
        raise ValidationError({"scenarios": "Pick at least one scenario."})
    parsed: list[Scenario] = []
    for text in texts:
        try:
            scenario = scenario_parse(str(text))
        except TransitionInputError as error:
            raise ValidationError({"scenarios": str(error).replace("--scenario ", "")}) from None
        if scenario.kind in BUDGET_KINDS and budget_why_not(strategy_kind):
            raise ValidationError(
                {"scenarios": f"{scenario_label(scenario)}: {budget_why_not(strategy_kind)}"}
            )
        if scenario not in parsed:
            parsed.append(scenario)
    return parsed


def _numbers_check(*, years, te_goal, drift, paths, seed) -> None:
    errors: dict[str, str] = {}
    if not isinstance(years, int) or not 1 <= years <= 10:
        errors["years"] = f"The horizon must be 1 to 10 years (got {years})."
    if not te_goal or te_goal <= 0 or te_goal >= 1:
        errors["te_goal"] = "The tracking-error goal must be above 0 % and below 100 %."
    if drift is None or not -0.5 < drift < 0.5:
        errors["drift"] = "The expected return must be between -50 % and 50 % a year."
    if not isinstance(paths, int) or not 0 <= paths <= MAX_PATHS:
        errors["paths"] = f"Simulated paths: 0 to {MAX_PATHS}."
    if not isinstance(seed, int) or seed < 0:
        errors["seed"] = "The seed must be a whole number, 0 or more."
    if errors:
        raise ValidationError(errors)


def _floor_check(inp) -> None:
    """A goal below what the exclusions allow, refused as the engine would, without solving:
    the floor comes from the immediate move (no solver)."""
    timelines = [s for s in inp.scenarios if s.kind is ScenarioKind.TIMELINE]
    if not timelines:
        return
    probe = opening_plan(replace(inp, scenarios=(Scenario(ScenarioKind.IMMEDIATE),)))
    if inp.te_goal + TE_FLOOR_SLACK < probe.te_floor:
        raise ValidationError(
            {
                "te_goal": f"A tracking-error goal of {inp.te_goal:.2%} is below the lowest the "
                f"account's exclusions and restrictions allow ({probe.te_floor:.2%}); "
                "raise it, or drop the timeline scenarios."
            }
        )
    if any(s.value == 1 for s in timelines) and inp.te_goal + TE_FLOOR_SLACK < probe.te_floor_now:
        raise ValidationError(
            {
                "scenarios": f"Timeline, 1 year cannot reach {inp.te_goal:.2%} this year (at "
                f"best {probe.te_floor_now:.2%}: loss lots frozen by 30-day wash windows); "
                "use 2 years or more."
            }
        )


def analysis_prepare(
    *,
    account,
    scenarios: Sequence[str],
    years: int,
    te_goal: float,
    drift: float,
    paths: int,
    seed: int,
) -> tuple[AccountSnapshot, list[Scenario]]:
    """Every check of a start, before anything is written (ValidationError naming the field)."""
    _numbers_check(years=years, te_goal=te_goal, drift=drift, paths=paths, seed=seed)
    strategy_kind = account.strategy.kind if account.strategy_id else None
    parsed = _scenarios_parse(scenarios, strategy_kind=strategy_kind)
    try:
        snapshot = account_snapshot(account=account)
    except AnalysisInputError as error:
        raise ValidationError({error.field.replace(" ", "_"): error.message}) from None
    inp = snapshot.transition_input(scenarios=parsed, years=years, te_goal=te_goal, drift=drift)
    try:
        transition_check(inp)
    except TransitionInputError as error:
        raise ValidationError({"__all__": str(error)}) from None
    _floor_check(inp)
    return snapshot, parsed


def transition_analysis_start(
    *,
    account,
    actor,
    scenarios: Sequence[str],
    years: int = 5,
    te_goal: float = 0.005,
    drift: float = 0.06,
    paths: int = DEFAULT_PATHS,
    seed: int = 7,
    saved_from_frontier: Sequence[str] = (),
) -> TransitionAnalysis:
    """Validate, then record the analysis with its scenarios and queue its job.

    Earlier finished analyses of the account that ran on other inputs are marked stale (they
    stay, with the reason)."""
    snapshot, parsed = analysis_prepare(
        account=account,
        scenarios=scenarios,
        years=years,
        te_goal=te_goal,
        drift=drift,
        paths=paths,
        seed=seed,
    )
    saved = {scenario_parse(s).name for s in saved_from_frontier}
    with transaction.atomic():
        analysis = TransitionAnalysis.objects.create(
            firm_id=account.firm_id,
            account=account,
            created_by=actor,
            inputs_digest=snapshot.digest,
            as_of=snapshot.as_of,
            years=years,
            te_goal=Decimal(str(round(te_goal, 6))),
            drift=Decimal(str(round(drift, 4))),
            paths=paths,
            seed=seed,
            scenario_names=[s.name for s in parsed],
        )
        AnalysisScenario.objects.bulk_create(
            [
                AnalysisScenario(
                    firm_id=account.firm_id,
                    analysis=analysis,
                    position=i,
                    name=s.name,
                    kind=s.kind.value,
                    parameter=_money(s.value),
                    is_saved_from_frontier=s.name in saved,
                )
                for i, s in enumerate(parsed)
            ]
        )
        older = TransitionAnalysis.objects.filter(
            account=account, status=AnalysisStatus.DONE
        ).exclude(pk=analysis.pk)
        older.exclude(inputs_digest=snapshot.digest).update(
            status=AnalysisStatus.STALE,
            stale_reason="The account's inputs (lots, prices, target, risk model or tax rates) "
            f"changed; re-run on {timezone.localdate():%Y-%m-%d}.",
            superseded_by=analysis,
        )
        job = job_create(
            kind=JOB_KIND,
            title=f"Transition analysis: {account.name}",
            firm=account.firm,
            created_by=actor,
            params={"analysis": str(analysis.public_id)},
            target=analysis,
            target_label=f"Transition analysis of {account.name}",
        )
        analysis.job = job
        analysis.save(update_fields=["job"])
    return analysis


def _frontier(*, inp, snapshot: AccountSnapshot, result_json: dict) -> dict:
    """Total tax against tracking error and years to target across a sweep (expected path)."""
    gains = snapshot.problem.lot_shares * (
        snapshot.problem.prices[snapshot.problem.lot_asset] - snapshot.problem.lot_basis_per_share
    )
    unlimited = float(max(gains.clip(min=0).sum() * 2.0, 1_000_000.0))
    sweep = frontier_sweep(
        strategy_kind=snapshot.strategy_kind, years=inp.years, unlimited=unlimited
    )
    points: list[dict] = []
    if sweep:
        sweep_inp = replace(inp, scenarios=tuple(s for s, _ in sweep))
        try:
            plan = plan_json(sweep_inp, transition_plan(sweep_inp, paths=0))
        except TransitionInputError as error:  # e.g. timeline:1 below today's floor
            sweep = tuple((s, lbl) for s, lbl in sweep if s.value != 1)
            sweep_inp = replace(inp, scenarios=tuple(s for s, _ in sweep))
            plan = plan_json(sweep_inp, transition_plan(sweep_inp, paths=0)) if sweep else None
            if plan is None:
                return {"points": [], "named": [], "note": str(error)}
        for (scenario, label), item in zip(sweep, plan["scenarios"], strict=True):
            points.append({**_point(item), "label": label, "scenario": scenario.name})
    named = [
        {
            **_point(item),
            "label": scenario_label(scenario_parse(item["name"])),
            "scenario": item["name"],
        }
        for item in result_json["scenarios"]
    ]
    return {"points": points, "named": named, "kind": sweep[0][0].kind.value if sweep else ""}


def _point(item: dict) -> dict:
    years = item["years"]
    return {
        "total_tax": round(sum(y["tax"] for y in years), 2),
        "mean_te": round(sum(y["tracking_error"] for y in years) / len(years), 8),
        "final_te": years[-1]["tracking_error"],
        "years_to_target": item["years_to_target"],
        "after_tax_value": item["after_tax_value"],
    }


def transition_analysis_run(
    *, analysis: TransitionAnalysis, progress: Callable[[int, str], None], dispatch: bool = True
) -> dict:
    """The job: expected path, simulated paths fanned out, percentiles, frontier; store."""
    TransitionAnalysis.objects.filter(pk=analysis.pk).update(
        status=AnalysisStatus.RUNNING, started_at=timezone.now(), error=""
    )
    analysis.status = AnalysisStatus.RUNNING
    try:
        progress(2, "Reading the account")
        snapshot = account_snapshot(account=analysis.account, as_of=analysis.as_of)
        scenarios = [scenario_parse(name) for name in analysis.scenario_names]
        inp = snapshot.transition_input(
            scenarios=scenarios,
            years=analysis.years,
            te_goal=float(analysis.te_goal),
            drift=float(analysis.drift),
        )
        progress(5, "Planning the expected path")
        total = analysis.paths

        def on_path(done: int, _total: int) -> None:
            if total:
                progress(10 + int(80 * done / total), f"Simulated paths: {done} of {total}")

        fan_out = PathFanOut(analysis=analysis, dispatch=dispatch)
        result = transition_plan(
            inp, paths=total, seed=analysis.seed, map_paths=fan_out.map, progress=on_path
        )
        stored = plan_json(inp, result)
        progress(92, "Sweeping budgets for the frontier")
        stored["frontier"] = _frontier(inp=inp, snapshot=snapshot, result_json=stored)
        stored["first_year_buys_by_id"] = [
            {str(snapshot.security_ids[i]): s for i, s in run.first_year_trades.buy.items()}
            for run in result.expected.scenarios
        ]
        # The account's value as its pages show it (each lot's shares x price to the cent,
        # plus cash), so "Value today" reconciles with the account page at the analysis date.
        stored["initial_value"] = str(
            account_values(accounts=[analysis.account]).get(analysis.account.pk, Decimal("0.00"))
        )
        stored["target_source"] = snapshot.target_source
        url = reverse("analysis-detail", kwargs={"public_id": analysis.public_id})
        _store(analysis=analysis, stored=stored, digest=snapshot.digest)
    except AnalysisInputError as error:
        _fail(analysis=analysis, reason=f"{error.field}: {error.message}")
        raise JobError(f"{error.field}: {error.message}") from None
    except TransitionInputError as error:
        _fail(analysis=analysis, reason=str(error))
        raise JobError(str(error)) from None
    except JobCancelled:
        _fail(analysis=analysis, reason="Cancelled before it finished; nothing of it was kept.")
        raise
    except BaseException as error:
        _fail(analysis=analysis, reason=f"{error.__class__.__name__}: {error}")
        raise
    return {"analysis": str(analysis.public_id), "url": url}


def _fail(*, analysis: TransitionAnalysis, reason: str) -> None:
    TransitionAnalysis.objects.filter(pk=analysis.pk).update(
        status=AnalysisStatus.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


@transaction.atomic
def _store(*, analysis: TransitionAnalysis, stored: dict, digest: str) -> None:
    analysis.result = stored
    analysis.status = AnalysisStatus.DONE
    analysis.inputs_digest = digest
    analysis.finished_at = timezone.now()
    analysis.save(update_fields=["result", "status", "inputs_digest", "finished_at"])
    rows = {s.position: s for s in analysis.scenarios.all()}
    for position, item in enumerate(stored["scenarios"]):
        row = rows[position]
        row.total_tax = _money(
            item["total_tax"] if "total_tax" in item else sum(y["tax"] for y in item["years"])
        )
        row.first_year_tax = _money(item["years"][0]["tax"])
        row.years_to_target = item["years_to_target"]
        row.after_tax_value = _money(item["after_tax_value"])
        row.liquidation_value = _money(item["liquidation_value"])
        row.final_tracking_error = item["years"][-1]["tracking_error"]
    AnalysisScenario.objects.bulk_update(
        rows.values(),
        [
            "total_tax",
            "first_year_tax",
            "years_to_target",
            "after_tax_value",
            "liquidation_value",
            "final_tracking_error",
        ],
    )


def frontier_point_save(
    *, analysis: TransitionAnalysis, actor, scenario: str
) -> TransitionAnalysis:
    """Save a frontier point as a scenario: a new run with the analysis' scenarios plus it."""
    frontier = (analysis.result or {}).get("frontier") or {}
    offered = {p["scenario"] for p in frontier.get("points", [])}
    if scenario not in offered:
        raise ValidationError({"scenario": f"{scenario!r} is not a point of this frontier."})
    names = list(analysis.scenario_names)
    if scenario not in names:
        names.append(scenario)
    saved = [s.name for s in analysis.scenarios.filter(is_saved_from_frontier=True)] + [scenario]
    return transition_analysis_start(
        account=analysis.account,
        actor=actor,
        scenarios=names,
        years=analysis.years,
        te_goal=float(analysis.te_goal),
        drift=float(analysis.drift),
        paths=analysis.paths,
        seed=analysis.seed,
        saved_from_frontier=saved,
    )


def transition_analysis_rerun(*, analysis: TransitionAnalysis, actor) -> TransitionAnalysis:
    """The same request on today's inputs (the old result stays; marked stale if they changed)."""
    return transition_analysis_start(
        account=analysis.account,
        actor=actor,
        scenarios=list(analysis.scenario_names),
        years=analysis.years,
        te_goal=float(analysis.te_goal),
        drift=float(analysis.drift),
        paths=analysis.paths,
        seed=analysis.seed,
        saved_from_frontier=[
            s.name for s in analysis.scenarios.filter(is_saved_from_frontier=True)
        ],
    )
