"""The first year's trades of a scenario become a trade list of the rebalancing workflow.

This module gathers the scenario's stored first-year trades by security id and lot public id
and refuses a stale analysis; the rebalancing portal (transitions/rebalance/) stores them with
`trade_list_store`, so its loader, line builder, tax estimate, staleness and approval flow
apply unchanged.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from transitions.analysis.models import AnalysisScenario, AnalysisStatus, TransitionAnalysis
from transitions.analysis.selectors import analysis_stale_reason

SHARES = Decimal("0.000001")


def first_year_trades(*, analysis: TransitionAnalysis, scenario: AnalysisScenario) -> dict:
    """{"buy": {security_id: shares}, "sell": {lot_public_id: shares}} of the stored result."""
    result = analysis.result or {}
    item = result["scenarios"][scenario.position]
    buys = result.get("first_year_buys_by_id", [{}] * len(result["scenarios"]))[scenario.position]
    return {
        "buy": {int(k): Decimal(str(v)).quantize(SHARES) for k, v in buys.items()},
        "sell": {
            lot: Decimal(str(v)).quantize(SHARES)
            for lot, v in item["first_year_trades"]["sell"].items()
        },
    }


def scenario_trade_list_create(*, analysis: TransitionAnalysis, scenario: AnalysisScenario, actor):
    """Hand the scenario's first-year trades to the rebalancing workflow as a trade list."""
    if analysis.status != AnalysisStatus.DONE or not analysis.result:
        raise ValidationError("Only a finished, current analysis can become a trade list.")
    stale = analysis_stale_reason(analysis=analysis)
    if stale:
        raise ValidationError(f"This analysis is stale: {stale}")
    trades = first_year_trades(analysis=analysis, scenario=scenario)
    if not trades["buy"] and not trades["sell"]:
        raise ValidationError(f"{scenario.name} trades nothing in its first year.")
    return _trade_list_store(analysis=analysis, scenario=scenario, trades=trades, actor=actor)


def _trade_list_store(*, analysis, scenario, trades: dict, actor):
    """Store the trades as a proposed TradeList through the rebalancing portal's own loader and
    storer (`inputs_load`, `trade_list_store`). The trades are handed over as an engine
    `RebalanceResult` on the portal's own problem, aligned by security id and lot public id."""
    import numpy as np

    from pma_engine.rebalance.types import RebalanceResult
    from transitions.rebalance.compute import trade_list_store
    from transitions.rebalance.inputs import InputsRefused, inputs_load

    try:
        inputs = inputs_load(account=analysis.account)
    except InputsRefused as error:
        raise ValidationError(error.messages) from None
    position = {int(sid): i for i, sid in enumerate(inputs.security_ids.tolist())}
    lot_position = {pid: i for i, pid in enumerate(inputs.lot_public_ids)}
    buy = np.zeros(len(position))
    sell = np.zeros(len(lot_position))
    for security_id, shares in trades["buy"].items():
        if security_id not in position:
            raise ValidationError(
                "The account's target changed since the analysis: re-run it before making "
                "a trade list."
            )
        buy[position[security_id]] = float(shares)
    for lot, shares in trades["sell"].items():
        if lot not in lot_position:
            raise ValidationError(
                "A lot the analysis sells is no longer open: re-run it before making a trade list."
            )
        sell[lot_position[lot]] = float(shares)
    result_json = analysis.result
    year = result_json["scenarios"][scenario.position]["years"][0]
    result = RebalanceResult(
        status="optimal",
        buy_shares=buy,
        sell_shares=sell,
        realized_st=float(year["realized_st"]),
        realized_lt=float(year["realized_lt"]),
        harvested_losses=float(year["harvested_losses"]),
        tax=float(year["tax"]),
        fees=0.0,
        cash_after=0.0,
        tracking_error_before=float(result_json["initial_tracking_error"]),
        tracking_error=float(year["tracking_error"]),
        turnover=float(year["turnover"]),
        trade_count=int(year["trades"]),
        objective=0.0,
        seconds=0.0,
        solve_seconds=0.0,
        rounding_te_cost=0.0,
        messages=(f"From transition analysis {analysis.public_id}: {scenario.name}, year 1.",),
        conflict=None,
        wash_sale_flags=(),
        solver="none",
        equity_before=float(result_json.get("initial_value") or 0.0),
    )
    return trade_list_store(inputs, result, [], actor=actor)
