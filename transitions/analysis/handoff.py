"""The first year's trades of a scenario become a trade list of the rebalancing workflow.

The one door to the rebalancing portal (issue 10): its service builds and stores the trade
list; this module only gathers the scenario's stored first-year trades by security id and lot
public id, and refuses a stale analysis.

TODO(integration): `transitions.rebalance.services.trade_list_from_trades` had not landed on
the `portal` branch by this branch's deadline. The call below is the agreed shape; until it
exists the hand-off answers with a clear "not available yet" message and changes nothing.
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
    try:
        from transitions.rebalance.services import trade_list_from_trades  # type: ignore
    except ImportError:
        raise ValidationError(
            "Trade lists of the rebalancing workflow are not available on this installation "
            "yet; export the analysis as CSV instead."
        ) from None
    return trade_list_from_trades(
        account=analysis.account,
        actor=actor,
        buys=trades["buy"],
        sells=trades["sell"],
        source=f"transition analysis {analysis.public_id}: {scenario.name}",
    )
