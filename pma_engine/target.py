"""The customized target: a strategy after exclusions, re-weighted for least tracking error.

An advisor removes names from a strategy (ESG categories, restricted securities, industries or
sectors, names similar to a concentrated position). Scaling the remaining weights up pro rata
ignores correlation; instead the customized target solves

    min (w - b)' Σ (w - b)   s.t.  sum w = 1,  0 <= w <= u,

with Σ = B F B' + diag(D) from a factor risk model, u_i = 0 for excluded names and names outside
the candidate universe, and u_i = ``max_weight`` (or 1) otherwise. The problem is solved in factor
form (n + K variables, never the dense n x n covariance) with Clarabel, SCS as the fallback; each
solve's status and constraint residuals are checked and the weights cleaned up explicitly.

Weights are fractions of the account (sum to 1); tracking error is a fraction per year, in the
units of the risk model (annualized covariance in, annualized tracking error out).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cvxpy as cp
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_SOLVERS: tuple[str, ...] = ("CLARABEL", "SCS")
"""Solvers tried in order; the first whose answer passes the status and residual checks wins."""

OBJECTIVE_SCALE = 1e4
"""Variances of weight differences are ~1e-4; scaling to ~1 keeps the solvers' tolerances useful."""

RESIDUAL_TOLERANCE = 1e-6
"""Largest constraint violation (sum, bounds) accepted from a solver before the explicit cleanup."""

BENCHMARK_SUM_TOLERANCE = 1e-3
"""Benchmark weights may miss 1 by this much (rounding in stored model weights); they are then
normalized. A larger gap is an input error, not something to paper over."""

SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "CLARABEL": {},
    # SCS is first-order: its default 1e-4 tolerances are far too loose for weights.
    "SCS": {"eps_abs": 1e-8, "eps_rel": 1e-8, "max_iters": 50_000},
}

_ACCEPTED_STATUSES = (cp.OPTIMAL, cp.OPTIMAL_INACCURATE)


class TargetInfeasibleError(ValueError):
    """The customization leaves no feasible target (e.g. every name is excluded)."""


class TargetSolveError(RuntimeError):
    """No solver produced an answer that passed the status and residual checks."""


@dataclass(frozen=True, eq=False)
class TargetResult:
    """An optimized customized target and how it was obtained.

    ``weights`` has one entry per name of the risk model (read-only); excluded names and names
    outside the candidate universe are exactly 0 and the weights sum to 1.
    ``pro_rata_tracking_error`` is the tracking error of the naive renormalization, for
    comparison; ``None`` when every name the benchmark holds is excluded (pro rata undefined).
    ``solver`` is ``"none"`` when the benchmark itself is feasible (it is then the optimum).
    ``max_residual`` is the solver's largest constraint violation before the cleanup.
    """

    weights: FloatArray
    tracking_error: float
    pro_rata_tracking_error: float | None
    solver: str
    status: str
    iterations: int | None
    solve_seconds: float
    max_residual: float


@dataclass(frozen=True, eq=False)
class ExclusionCost:
    """What one exclusion (or all of them together) costs in tracking error.

    ``removed_indices`` are the benchmark holdings (b > 0) the exclusion takes out;
    ``benchmark_weight_removed`` their total benchmark weight.
    """

    name: str
    removed_indices: tuple[int, ...]
    benchmark_weight_removed: float
    target: TargetResult

    @property
    def names_removed(self) -> int:
        return len(self.removed_indices)

    @property
    def tracking_error(self) -> float:
        return self.target.tracking_error

    @property
    def pro_rata_tracking_error(self) -> float | None:
        return self.target.pro_rata_tracking_error


@dataclass(frozen=True, eq=False)
class ExclusionCostReport:
    """Tracking-error cost of each exclusion alone, and of all of them together.

    ``baseline_tracking_error`` is the optimized target's tracking error with no exclusion at all
    (0 unless ``max_weight`` or the candidate universe already keeps the benchmark out of reach).
    ``combined`` is never below any single exclusion's cost: its feasible set is the intersection.
    """

    baseline_tracking_error: float
    by_exclusion: tuple[ExclusionCost, ...]
    combined: ExclusionCost


@dataclass(frozen=True, eq=False)
class _RiskInputs:
    """Validated benchmark and factor model arrays (Σ = B F B' + diag(D))."""

    benchmark_weights: FloatArray
    exposures: FloatArray
    factor_cov: FloatArray
    factor_cov_root: FloatArray  # L with F = L L'; robust to a singular F
    specific_var: FloatArray

    @property
    def name_count(self) -> int:
        return int(self.benchmark_weights.shape[0])


def target_pro_rata(benchmark_weights: npt.ArrayLike, excluded: npt.ArrayLike) -> FloatArray:
    """The naive customized target: zero the excluded names and scale the rest up to sum 1."""
    weights = np.asarray(benchmark_weights, dtype=np.float64)
    excluded_mask = _mask_validate(excluded, weights.shape[0], "excluded")
    kept = np.where(excluded_mask, 0.0, weights)
    kept_total = float(kept.sum())
    if kept_total <= 0.0:
        raise TargetInfeasibleError(
            "every name the benchmark holds is excluded: no pro-rata target exists"
        )
    return kept / kept_total


def target_optimize(
    *,
    benchmark_weights: npt.ArrayLike,
    excluded: npt.ArrayLike,
    exposures: npt.ArrayLike,
    factor_cov: npt.ArrayLike,
    specific_var: npt.ArrayLike,
    max_weight: float | None = None,
    candidates: npt.ArrayLike | None = None,
    solvers: Sequence[str] = DEFAULT_SOLVERS,
) -> TargetResult:
    """The customized target with least ex-ante tracking error to the benchmark.

    ``excluded`` and ``candidates`` are boolean masks over the risk model's names (the order of
    ``exposures`` rows). Only candidates that are not excluded may receive weight; candidates
    default to the benchmark's holdings (b > 0), so an active model stays within its own names,
    while direct indexing passes the whole index.
    """
    inputs = _risk_inputs_validate(
        benchmark_weights=benchmark_weights,
        exposures=exposures,
        factor_cov=factor_cov,
        specific_var=specific_var,
    )
    candidate_mask = _candidates_resolve(candidates, inputs)
    excluded_mask = _mask_validate(excluded, inputs.name_count, "excluded")
    _max_weight_validate(max_weight)
    problem = _TargetProblem(inputs, candidate_mask, tuple(solvers))
    return problem.target_solve(excluded_mask, max_weight)


def exclusion_costs(
    *,
    benchmark_weights: npt.ArrayLike,
    exclusions: Mapping[str, npt.ArrayLike],
    exposures: npt.ArrayLike,
    factor_cov: npt.ArrayLike,
    specific_var: npt.ArrayLike,
    max_weight: float | None = None,
    candidates: npt.ArrayLike | None = None,
    solvers: Sequence[str] = DEFAULT_SOLVERS,
) -> ExclusionCostReport:
    """Tracking-error cost of each exclusion alone and of all together, for the advisor's screen.

    ``exclusions`` maps the caller's key of each exclusion (an id such as "category:12", not a
    display label) to a boolean mask; the report's costs carry the same keys as `name`.
    One compiled problem is re-solved with a different upper-bound parameter per exclusion, so a
    dozen exclusions cost little more than one solve each.
    """
    inputs = _risk_inputs_validate(
        benchmark_weights=benchmark_weights,
        exposures=exposures,
        factor_cov=factor_cov,
        specific_var=specific_var,
    )
    candidate_mask = _candidates_resolve(candidates, inputs)
    _max_weight_validate(max_weight)
    masks = {
        label: _mask_validate(mask, inputs.name_count, f"exclusions[{label!r}]")
        for label, mask in exclusions.items()
    }
    problem = _TargetProblem(inputs, candidate_mask, tuple(solvers))
    nothing_excluded = np.zeros(inputs.name_count, dtype=bool)
    baseline = problem.target_solve(nothing_excluded, max_weight)

    def cost_compute(label: str, mask: BoolArray) -> ExclusionCost:
        try:
            target = problem.target_solve(mask, max_weight)
        except TargetInfeasibleError as error:
            raise TargetInfeasibleError(f"{label}: {error}") from error
        removed = np.flatnonzero(mask & (inputs.benchmark_weights > 0.0))
        return ExclusionCost(
            name=label,
            removed_indices=tuple(int(index) for index in removed),
            benchmark_weight_removed=float(inputs.benchmark_weights[removed].sum()),
            target=target,
        )

    by_exclusion = tuple(cost_compute(label, mask) for label, mask in masks.items())
    all_excluded = nothing_excluded.copy()
    for mask in masks.values():
        all_excluded |= mask
    combined = cost_compute("all exclusions", all_excluded)
    return ExclusionCostReport(
        baseline_tracking_error=baseline.tracking_error,
        by_exclusion=by_exclusion,
        combined=combined,
    )


class _TargetProblem:
    """One compiled factor-form QP over the candidate names, re-solved per exclusion mask.

    The upper bounds are a cvxpy Parameter (DPP), so re-solving skips canonicalization.
    Variables: w (weights of the candidates) and y = L' B' (w - b), the active factor exposures
    whitened by F = L L', so that the factor risk is simply |y|^2.
    """

    def __init__(
        self, inputs: _RiskInputs, candidate_mask: BoolArray, solvers: tuple[str, ...]
    ) -> None:
        if not solvers:
            raise ValueError("solvers must name at least one solver")
        self.inputs = inputs
        self.candidate_mask = candidate_mask
        self.candidate_indices = np.flatnonzero(candidate_mask)
        self.solvers = solvers
        candidate_count = self.candidate_indices.size
        factor_count = inputs.factor_cov_root.shape[1]
        self._problem: cp.Problem | None = None
        if candidate_count == 0:
            return  # nothing can be held: every solve is infeasible, reported in target_solve
        whitened_exposures = inputs.exposures @ inputs.factor_cov_root  # n x K
        candidate_benchmark = inputs.benchmark_weights[self.candidate_indices]
        candidate_specific_vol = np.sqrt(inputs.specific_var[self.candidate_indices])
        self._weights = cp.Variable(candidate_count, name="weights")
        self._factor_active = cp.Variable(factor_count, name="factor_active")
        self._upper = cp.Parameter(candidate_count, nonneg=True, name="upper")
        constraints = [
            self._factor_active
            == whitened_exposures[self.candidate_indices].T @ self._weights
            - whitened_exposures.T @ inputs.benchmark_weights,
            cp.sum(self._weights) == 1.0,
            self._weights >= 0.0,
            self._weights <= self._upper,
        ]
        # Specific risk of non-candidates is a constant: left out, it does not move the optimum.
        risk = cp.sum_squares(self._factor_active) + cp.sum_squares(
            cp.multiply(candidate_specific_vol, self._weights - candidate_benchmark)
        )
        self._problem = cp.Problem(cp.Minimize(OBJECTIVE_SCALE * risk), constraints)

    def target_solve(self, excluded: BoolArray, max_weight: float | None) -> TargetResult:
        """Solve for one exclusion mask; clean the weights up and measure tracking error."""
        inputs = self.inputs
        allowed = self.candidate_mask & ~excluded
        allowed_count = int(allowed.sum())
        if allowed_count == 0:
            raise TargetInfeasibleError(
                "every name is excluded or outside the candidate universe: nothing can be held"
            )
        cap = 1.0 if max_weight is None else max_weight
        if allowed_count * cap < 1.0 - 1e-12:
            raise TargetInfeasibleError(
                f"only {allowed_count} names may be held and max_weight is {cap:g}: "
                "their weights cannot reach 100%"
            )
        pro_rata_tracking_error = self._pro_rata_tracking_error(allowed)
        benchmark = inputs.benchmark_weights
        if not benchmark[~allowed].any() and float(benchmark.max()) <= cap:
            # The benchmark itself is feasible, hence optimal (tracking error 0).
            return TargetResult(
                weights=_read_only(benchmark.copy()),
                tracking_error=0.0,
                pro_rata_tracking_error=pro_rata_tracking_error,
                solver="none",
                status=cp.OPTIMAL,
                iterations=0,
                solve_seconds=0.0,
                max_residual=0.0,
            )
        assert self._problem is not None  # some candidate is allowed, so the problem was built
        upper = np.where(allowed[self.candidate_indices], cap, 0.0)
        self._upper.value = upper
        attempts: list[str] = []
        inaccurate: TargetResult | None = None
        for solver in self.solvers:
            started = time.perf_counter()
            try:
                self._problem.solve(solver=solver, **SOLVER_OPTIONS.get(solver, {}))
            except cp.error.SolverError as error:
                attempts.append(f"{solver}: {error}")
                continue
            elapsed = time.perf_counter() - started
            status = str(self._problem.status)
            raw = self._weights.value
            if status not in _ACCEPTED_STATUSES or raw is None:
                attempts.append(f"{solver}: status {status}")
                continue
            raw_weights = np.asarray(raw, dtype=np.float64)
            residual = _residual_max(raw_weights, upper)
            if not residual <= RESIDUAL_TOLERANCE:
                attempts.append(f"{solver}: status {status}, constraint residual {residual:.2e}")
                continue
            weights = self._weights_clean(raw_weights, allowed)
            stats = self._problem.solver_stats
            result = TargetResult(
                weights=_read_only(weights),
                tracking_error=_tracking_error(weights - benchmark, inputs),
                pro_rata_tracking_error=pro_rata_tracking_error,
                solver=solver,
                status=status,
                iterations=None if stats is None else stats.num_iters,
                solve_seconds=elapsed,
                max_residual=residual,
            )
            if status == cp.OPTIMAL:
                return result
            # Feasible but flagged inaccurate: keep it in case no later solver does better.
            attempts.append(f"{solver}: status {status}")
            inaccurate = inaccurate or result
        if inaccurate is not None:
            return inaccurate
        raise TargetSolveError("no solver found the customized target: " + "; ".join(attempts))

    def _weights_clean(self, candidate_weights: FloatArray, allowed: BoolArray) -> FloatArray:
        """Full-length weights: tiny negatives clipped, disallowed names exactly 0, sum 1."""
        weights = np.zeros(self.inputs.name_count)
        weights[self.candidate_indices] = np.clip(candidate_weights, 0.0, None)
        weights[~allowed] = 0.0
        total = float(weights.sum())
        if total <= 0.0:  # unreachable after the residual check; guard against dividing by 0
            raise TargetSolveError("the solver returned all-zero weights")
        return weights / total

    def _pro_rata_tracking_error(self, allowed: BoolArray) -> float | None:
        benchmark = self.inputs.benchmark_weights
        if float(benchmark[allowed].sum()) <= 0.0:
            return None
        pro_rata = target_pro_rata(benchmark, ~allowed)
        return _tracking_error(pro_rata - benchmark, self.inputs)


def _tracking_error(active_weights: FloatArray, inputs: _RiskInputs) -> float:
    """sqrt(a' (B F B' + diag D) a), computed in factor form."""
    factor_active = inputs.exposures.T @ active_weights
    variance = float(factor_active @ inputs.factor_cov @ factor_active) + float(
        inputs.specific_var @ active_weights**2
    )
    return float(np.sqrt(max(variance, 0.0)))


def _residual_max(candidate_weights: FloatArray, upper: FloatArray) -> float:
    """Largest violation of sum w = 1 and 0 <= w <= u in a solver's raw answer."""
    return max(
        abs(float(candidate_weights.sum()) - 1.0),
        float(np.max(-candidate_weights, initial=0.0)),
        float(np.max(candidate_weights - upper, initial=0.0)),
    )


def _read_only(array: FloatArray) -> FloatArray:
    array.setflags(write=False)
    return array


def _mask_validate(mask: npt.ArrayLike, name_count: int, label: str) -> BoolArray:
    """A boolean mask of the right length; integer index arrays are refused, not reinterpreted."""
    array = np.asarray(mask)
    if array.dtype != np.bool_:
        raise TypeError(f"{label} must be a boolean mask, got dtype {array.dtype}")
    if array.shape != (name_count,):
        raise ValueError(f"{label} must have shape ({name_count},), got {array.shape}")
    return array


def _max_weight_validate(max_weight: float | None) -> None:
    if max_weight is not None and not 0.0 < max_weight <= 1.0:
        raise ValueError(f"max_weight must be in (0, 1], got {max_weight}")


def _candidates_resolve(candidates: npt.ArrayLike | None, inputs: _RiskInputs) -> BoolArray:
    if candidates is None:
        return np.asarray(inputs.benchmark_weights > 0.0)
    return _mask_validate(candidates, inputs.name_count, "candidates")


def _risk_inputs_validate(
    *,
    benchmark_weights: npt.ArrayLike,
    exposures: npt.ArrayLike,
    factor_cov: npt.ArrayLike,
    specific_var: npt.ArrayLike,
) -> _RiskInputs:
    """Check shapes and signs; normalize a benchmark off by rounding; factor F = L L'."""
    benchmark = np.asarray(benchmark_weights, dtype=np.float64)
    loadings = np.asarray(exposures, dtype=np.float64)
    covariance = np.asarray(factor_cov, dtype=np.float64)
    specific = np.asarray(specific_var, dtype=np.float64)
    if benchmark.ndim != 1:
        raise ValueError(f"benchmark_weights must be 1-D, got shape {benchmark.shape}")
    name_count = benchmark.shape[0]
    if loadings.ndim != 2 or loadings.shape[0] != name_count:
        raise ValueError(f"exposures must be {name_count} x K, got shape {loadings.shape}")
    factor_count = loadings.shape[1]
    if covariance.shape != (factor_count, factor_count):
        raise ValueError(
            f"factor_cov must be {factor_count} x {factor_count}, got shape {covariance.shape}"
        )
    if specific.shape != (name_count,):
        raise ValueError(f"specific_var must have shape ({name_count},), got {specific.shape}")
    for label, array in (
        ("benchmark_weights", benchmark),
        ("exposures", loadings),
        ("factor_cov", covariance),
        ("specific_var", specific),
    ):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{label} contains NaN or infinite values")
    if np.any(benchmark < 0.0):
        raise ValueError("benchmark_weights must be non-negative (long-only strategy)")
    benchmark_total = float(benchmark.sum())
    if abs(benchmark_total - 1.0) > BENCHMARK_SUM_TOLERANCE:
        raise ValueError(f"benchmark_weights must sum to 1, got {benchmark_total:.6f}")
    if np.any(specific < 0.0):
        raise ValueError("specific_var must be non-negative")
    symmetric = (covariance + covariance.T) / 2.0
    if not np.allclose(covariance, symmetric, rtol=1e-8, atol=1e-12):
        raise ValueError("factor_cov must be symmetric")
    eigenvalues, eigenvectors = np.linalg.eigh(symmetric)
    scale = max(1.0, float(np.abs(eigenvalues).max(initial=0.0)))
    if eigenvalues.size and float(eigenvalues.min()) < -1e-10 * scale:
        raise ValueError("factor_cov must be positive semidefinite")
    factor_cov_root = eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    return _RiskInputs(
        benchmark_weights=benchmark / benchmark_total,
        exposures=loadings,
        factor_cov=symmetric,
        factor_cov_root=factor_cov_root,
        specific_var=specific,
    )
