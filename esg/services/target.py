"""The customized target: solve (exclusion costs and the target), store, recompute.

Computing happens only here: when a customization is saved or previewed (POST), on an explicit
recompute (POST), and in the job `customized_targets_refresh`, queued when an input changes (a
new strategy version, a new risk model, a category's members). Pages and the API read the
stored result through `esg.selectors.customized_target_state`, which marks it stale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from esg.models import AccountExclusion, CustomizedTarget, RecomputeCause, RestrictionMode
from esg.selectors.customization import customization_stored
from esg.selectors.target import (
    Prepared,
    TargetUniverse,
    target_prepare,
    target_stored,
)
from esg.services.recomputation import target_recomputation_record
from esg.types import (
    ExclusionLine,
    RefreshCause,
    ResolvedCustomization,
    TargetPreview,
    TargetState,
)
from jobs.services import job_create
from jobs.types import ProgressCallback
from pma_engine.customization import Span, contradictions_find, inputs_changes
from pma_engine.target import TargetInfeasibleError, TargetSolveError, exclusion_costs
from pma_engine.universe import risk_model_align
from portfolios.selectors import risk_model_load

WEIGHT_EPSILON = 1e-10
"""Weights below this are treated as zero when stored or reported (solver noise)."""

REFRESH_JOB = "customized_targets_refresh"


def _removed(universe: TargetUniverse, mask: np.ndarray) -> tuple[int, float, tuple[str, ...]]:
    """Strategy holdings inside `mask`: count, total strategy weight, tickers."""
    hit = np.flatnonzero(mask & universe.held)
    tickers = tuple(universe.universe.tickers[row] for row in hit)
    return len(hit), float(universe.benchmark[hit].sum()), tickers


def _removed_rows(prepared: Prepared) -> tuple[tuple[str, str, float, str], ...]:
    """Strategy holdings the customization removes, heaviest first, with the settings that
    remove each one."""
    universe = prepared.universe
    held = universe.held
    because: dict[int, list[str]] = defaultdict(list)
    for setting in prepared.settings:
        if setting.in_force:
            for row in np.flatnonzero(setting.mask & held):
                because[int(row)].append(setting.label)
    rows = [
        (
            universe.universe.tickers[row],
            universe.names[row],
            float(universe.benchmark[row]),
            ", ".join(because[int(row)]),
        )
        for row in np.flatnonzero(prepared.combined & held)
    ]
    rows.sort(key=lambda item: -item[2])
    return tuple(rows)


def _target_solve(*, account, prepared: Prepared, as_of: date, notes=()) -> TargetPreview:
    """The engine's exclusion costs (each setting alone, all together) and the target."""
    universe = prepared.universe
    ids = universe.universe.ids.tolist()
    strategy_weights = {
        security_id: float(weight)
        for security_id, weight in zip(ids, universe.benchmark, strict=True)
        if weight > 0
    }
    report = None
    row = prepared.risk_model_row
    if row is not None:
        risk = risk_model_align(risk_model_load(row_id=row.pk), universe.universe)
        try:
            report = exclusion_costs(
                benchmark_weights=universe.benchmark,
                exclusions={s.key: s.mask for s in prepared.settings if s.in_force},
                exposures=risk.exposures,
                factor_cov=risk.factor_cov,
                specific_var=risk.specific_var,
                candidates=np.ones(len(ids), dtype=bool),
            )
        except TargetInfeasibleError as error:  # the engine names the setting by its key
            text = str(error)
            for setting in prepared.settings:
                text = text.replace(setting.key, setting.label)
            raise ValidationError(f"No customized target is possible: {text}.") from error
        except TargetSolveError as error:  # a solver failure is ours, not the advisor's
            raise RuntimeError(f"customized target of account {account.pk}: {error}") from error
    costs = {cost.name: cost for cost in report.by_exclusion} if report else {}
    lines = []
    for setting in prepared.settings:
        count, weight, removed_tickers = _removed(universe, setting.mask)
        cost = costs.get(setting.key)
        lines.append(
            ExclusionLine(
                label=setting.label,
                kind=setting.kind,
                names_removed=count,
                weight_removed=weight,
                tracking_error=cost.tracking_error if cost else None,
                pro_rata_tracking_error=cost.pro_rata_tracking_error if cost else None,
                removed_tickers=removed_tickers,
                in_force=setting.in_force,
                note=setting.note,
            )
        )
    count, weight, removed_tickers = _removed(universe, prepared.combined)
    target = report.combined.target if report else None
    total = ExclusionLine(
        label="All together",
        kind="total",
        names_removed=count,
        weight_removed=weight,
        tracking_error=target.tracking_error if target else None,
        pro_rata_tracking_error=target.pro_rata_tracking_error if target else None,
        removed_tickers=removed_tickers,
    )
    weights = (
        {
            security_id: float(value)
            for security_id, value in zip(ids, target.weights, strict=True)
            if value > WEIGHT_EPSILON
        }
        if target
        else {}
    )
    return TargetPreview(
        as_of=as_of,
        strategy_version=prepared.version,
        risk_model_id=prepared.risk_model_id,
        lines=tuple(lines),
        total=total,
        weights=weights,
        strategy_weights=strategy_weights,
        removed=_removed_rows(prepared),
        inputs_hash=prepared.inputs_hash,
        inputs=prepared.inputs,
        solver=target.solver if target else "",
        problem=""
        if target
        else "No risk model yet: tracking-error figures need one (platform staff build it).",
        notes=tuple(notes),
    )


def _contradictions_check(
    *, resolved: ResolvedCustomization, as_of: date, prepared: Prepared | None
) -> None:
    """Refuse a customization that both keeps and sells the same name in the same period.

    Keeping: a do-not-buy restriction (keep what is held, buy no more). Selling: a do-not-hold
    restriction, an excluded category (its members are not held) and a concentrated position
    itself (sold down); a concentrated position's industry is only not bought, so it never
    contradicts. Names are those of the strategy's universe that each setting covers, plus the
    security a security restriction or a concentrated position names (held outside the
    strategy, e.g. employer stock). Categories and concentrated positions apply from `as_of`.
    """
    tickers: dict[int, str] = {}
    covered_by_restriction: dict[int, set[int]] = {}  # id(restriction) -> universe ids
    sells: list[Span] = []
    keeps: list[Span] = []
    if prepared is not None:
        universe = prepared.universe.universe
        tickers = dict(zip(universe.ids.tolist(), universe.tickers, strict=True))
        for setting in prepared.settings:
            ids = set(universe.ids[setting.mask].tolist())
            if setting.restriction is not None:
                covered_by_restriction[id(setting.restriction)] = ids
            elif setting.kind == "category":
                sells.append(Span(setting.label, as_of, None, frozenset(ids)))
    for restriction in resolved.restrictions:
        ids = set(covered_by_restriction.get(id(restriction), ()))
        if restriction.security is not None:
            ids.add(restriction.security.pk)
            tickers[restriction.security.pk] = restriction.security.ticker
        span = Span(
            restriction.label,
            restriction.effective_from,
            restriction.effective_to,
            frozenset(ids),
        )
        (keeps if restriction.mode == RestrictionMode.DO_NOT_BUY else sells).append(span)
    for position in resolved.concentrated_positions:
        tickers[position.security.pk] = position.security.ticker
        label = f"Concentrated position: {position.security.ticker}"
        sells.append(Span(label, as_of, None, frozenset({position.security.pk})))
    errors = contradictions_find(keeps=keeps, sells=sells, tickers=tickers)
    if errors:
        raise ValidationError({"restrictions": errors})


def customized_target_compute(
    *, account, resolved: ResolvedCustomization, as_of: date
) -> TargetPreview:
    """Masks from the customization, the engine's exclusion costs, the target. No writes.

    Raises ValidationError when the customization leaves nothing of the strategy or no
    feasible target; the message names the setting responsible.
    """
    prepared = target_prepare(account=account, resolved=resolved, as_of=as_of)
    _contradictions_check(
        resolved=resolved,
        as_of=as_of,
        prepared=None if isinstance(prepared, TargetPreview) else prepared,
    )
    if isinstance(prepared, TargetPreview):
        return prepared
    return _target_solve(account=account, prepared=prepared, as_of=as_of, notes=resolved.notes)


def target_store(*, account, preview: TargetPreview) -> CustomizedTarget:
    """Store a computed target with its figures and the digest (and parts) of its inputs."""
    total = preview.total
    assert total is not None and total.tracking_error is not None
    target, _ = CustomizedTarget.objects.update_or_create(
        account=account,
        strategy_version=preview.strategy_version,
        defaults={
            "firm_id": account.firm_id,
            "risk_model_id": preview.risk_model_id,
            "inputs_hash": preview.inputs_hash,
            "inputs": preview.inputs,
            "as_of": preview.as_of,
            "weights": [
                [security_id, round(weight, 10)]
                for security_id, weight in sorted(preview.weights.items(), key=lambda i: -i[1])
            ],
            "tracking_error": total.tracking_error,
            "pro_rata_tracking_error": total.pro_rata_tracking_error,
            "costs": [line.as_dict() for line in preview.lines],
            "names_removed": total.names_removed,
            "weight_removed": total.weight_removed,
            "solver": preview.solver,
            "computed_at": timezone.now(),
        },
    )
    return target


def target_store_recorded(
    *, account, preview: TargetPreview, cause: RefreshCause, job=None
) -> CustomizedTarget:
    """Store a computed target and record why it was recomputed (in the caller's transaction)."""
    previous = target_stored(account=account)  # read before the store replaces it
    target = target_store(account=account, preview=preview)
    target_recomputation_record(
        account=account, previous=previous, target=target, cause=cause, job=job
    )
    return target


def _cause_on_request(*, previous: CustomizedTarget | None, prepared: Prepared) -> RefreshCause:
    """A recomputation nobody gave a cause for (a POST, a rebalance): say what changed."""
    if previous is None:
        return RefreshCause(kind=RecomputeCause.MANUAL, text="First customized target computed")
    changes = inputs_changes(stored=previous.inputs, current=prepared.inputs)
    text = "Recomputed on request" + (f": {'; '.join(changes)}" if changes else "")
    return RefreshCause(kind=RecomputeCause.MANUAL, text=text)


def customized_target_refresh(
    *, account, today: date | None = None, cause: RefreshCause | None = None, job=None
) -> TargetState:
    """Recompute and store the account's target if its inputs changed (a POST or a job).

    The inputs digest (strategy version, risk model, the names each setting removes) is
    computed without solving; the solver runs only when it differs from the stored one.
    Nothing is written without a strategy and a risk model. A recomputation is recorded with
    `cause` (default: on request, with what changed) and the job that ran it.
    """
    as_of = today or timezone.localdate()
    resolved = customization_stored(account=account)
    try:
        prepared = target_prepare(account=account, resolved=resolved, as_of=as_of)
        if isinstance(prepared, TargetPreview):
            return TargetState(target=None, preview=prepared, problem=prepared.problem)
        cached = CustomizedTarget.objects.filter(
            account=account, strategy_version=prepared.version
        ).first()
        if cached is not None and cached.inputs_hash == prepared.inputs_hash:
            return TargetState(target=cached, preview=None)
        preview = _target_solve(account=account, prepared=prepared, as_of=as_of)
    except ValidationError as error:
        return TargetState(target=None, preview=None, problem=" ".join(error.messages))
    if not preview.has_figures:
        return TargetState(target=None, preview=preview, problem=preview.problem)
    if cause is None:
        cause = _cause_on_request(previous=target_stored(account=account), prepared=prepared)
    target = target_store_recorded(account=account, preview=preview, cause=cause, job=job)
    return TargetState(target=target, preview=preview)


def customized_targets_refresh_queue(
    *,
    reason: str,
    account_ids: Iterable[int] | None = None,
    category_ids: Iterable[int] = (),
    cause: RefreshCause | None = None,
):
    """Queue one job that brings the affected accounts' targets up to date (after commit).

    Affected: the given accounts; or those excluding one of `category_ids`; or, with neither,
    every account that has a stored target. Returns the Job, or None when nothing is affected.
    `cause` travels in the job's params to each recomputation's record.
    """
    if account_ids is not None:
        ids = sorted(set(account_ids))
    elif category_ids:
        ids = sorted(
            set(
                AccountExclusion.objects.filter(category_id__in=list(category_ids)).values_list(
                    "account_id", flat=True
                )
            )
        )
    else:
        ids = sorted(set(CustomizedTarget.objects.values_list("account_id", flat=True)))
    if not ids:
        return None
    return job_create(
        kind=REFRESH_JOB,
        title=f"Customized targets: recompute ({reason})"[:200],
        params={
            "account_ids": ids,
            "reason": reason,
            "cause": cause.as_params() if cause is not None else None,
        },
    )


def customized_targets_refresh(
    *,
    account_ids: Iterable[int],
    progress: ProgressCallback | None = None,
    cause: RefreshCause | None = None,
    job=None,
) -> dict:
    """Recompute each account's target whose inputs changed; one transaction per account.

    Each recomputation is recorded with `cause` and `job`; a retried job recomputes only what
    is still stale and records nothing twice."""
    accounts = list(Account.objects.filter(pk__in=list(account_ids)).select_related("strategy"))
    counts = {"recomputed": 0, "current": 0, "without_target": 0}
    for done, account in enumerate(accounts, start=1):
        with transaction.atomic():
            state = customized_target_refresh(account=account, cause=cause, job=job)
        if state.preview is not None and state.target is not None:
            counts["recomputed"] += 1
        elif state.target is not None:
            counts["current"] += 1
        else:
            counts["without_target"] += 1
        if progress is not None:
            progress(int(100 * done / len(accounts)), f"{done} of {len(accounts)} accounts")
    return counts
