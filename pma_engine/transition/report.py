"""The plan as JSON ("transition-plan/1"): the command's output and the portal's stored result.

Money in cents, tracking error and fractions to 8 decimals, shares to 6. Each scenario's
top-level figures are the expected path; with simulated paths it also has "paths", the same
per-year figures as {"p10", "p50", "p90"} over the paths.
"""

from __future__ import annotations

from typing import Any

from pma_engine.transition.types import (
    Band,
    ScenarioPath,
    ScenarioPaths,
    TransitionInput,
    TransitionResult,
    YearFigures,
)

FORMAT = "transition-plan/1"
MONEY = {
    "realized_st",
    "realized_lt",
    "harvested_losses",
    "tax",
    "loss_deduction",
    "loss_carryforward",
    "st_carryforward",
    "lt_carryforward",
    "unrealized_gain",
    "value_end",
    "after_tax_value",
    "liquidation_value",
}
YEAR_FIELDS = (
    "year",
    "realized_st",
    "realized_lt",
    "harvested_losses",
    "tax",
    "loss_deduction",
    "loss_carryforward",
    "st_carryforward",
    "lt_carryforward",
    "tracking_error",
    "in_target",
    "unrealized_gain",
    "turnover",
    "trades",
    "value_end",
)


def _number(name: str, value: float | int | None) -> float | int | None:
    if value is None:
        return None
    if name in ("year", "trades"):
        return int(value)
    if name in MONEY:
        return round(float(value), 2)
    return round(float(value), 8)


def _band(name: str, band: Band) -> dict[str, float | int | None]:
    return {
        "p10": _number(name, band.p10),
        "p50": _number(name, band.p50),
        "p90": _number(name, band.p90),
    }


def year_json(year: YearFigures) -> dict[str, Any]:
    out: dict[str, Any] = {name: _number(name, getattr(year, name)) for name in YEAR_FIELDS}
    out["messages"] = list(year.messages)
    return out


def paths_json(summary: ScenarioPaths) -> dict[str, Any]:
    return {
        "count": summary.count,
        "years_to_target": _band("years_to_target", summary.years_to_target),
        "reached_share": round(summary.reached_share, 4),
        "after_tax_value": _band("after_tax_value", summary.after_tax_value),
        "liquidation_value": _band("liquidation_value", summary.liquidation_value),
        "years": [
            {"year": i + 1, **{name: _band(name, b) for name, b in bands.items()}}
            for i, bands in enumerate(summary.years)
        ],
    }


def scenario_json(
    run: ScenarioPath, *, labels: tuple[str, ...], summary: ScenarioPaths | None
) -> dict[str, Any]:
    trades = run.first_year_trades
    out: dict[str, Any] = {
        "name": run.scenario.name,
        "years_to_target": run.years_to_target,
        "after_tax_value": _number("after_tax_value", run.after_tax_value),
        "liquidation_value": _number("liquidation_value", run.liquidation_value),
        "total_tax": _number("tax", run.total_tax),
        "first_year_trades": {
            "buy": {labels[i]: round(s, 6) for i, s in sorted(trades.buy.items())},
            "sell": {lot: round(s, 6) for lot, s in trades.sell.items()},
        },
        "years": [year_json(y) for y in run.years],
    }
    if summary is not None:
        out["paths"] = paths_json(summary)
    return out


def plan_json(inp: TransitionInput, result: TransitionResult) -> dict[str, Any]:
    """The whole plan; `seconds` is the engine's time from load to answer."""
    summaries = result.paths or (None,) * len(result.expected.scenarios)
    return {
        "format": FORMAT,
        "seconds": round(result.seconds, 4),
        "as_of": inp.as_of.isoformat(),
        "years": inp.years,
        "te_goal": inp.te_goal,
        "drift": inp.drift,
        "initial_tracking_error": round(result.initial_tracking_error, 8),
        "te_floor": round(result.te_floor, 8),
        "te_floor_now": round(result.te_floor_now, 8),
        "paths": {"count": result.path_count, "seed": result.seed} if result.path_count else None,
        "scenarios": [
            scenario_json(run, labels=inp.problem.labels, summary=summary)
            for run, summary in zip(result.expected.scenarios, summaries, strict=True)
        ],
    }
