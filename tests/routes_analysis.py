"""Isolation table of the transition-analysis pages and API (see tests/routes.py).

The kwargs builder creates, on first use, one finished analysis (with one scenario and a tiny
stored result) per account, so that object routes point at rows of the firm under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.routes import Route, account_kw

ADVISORS = ("firm_admin", "advisor")

TINY_RESULT = {
    "format": "transition-plan/1",
    "years": 1,
    "te_goal": 0.005,
    "drift": 0.06,
    "initial_tracking_error": 0.02,
    "te_floor": 0.0,
    "te_floor_now": 0.0,
    "paths": None,
    "scenarios": [
        {
            "name": "hold",
            "years_to_target": None,
            "after_tax_value": 1000.0,
            "liquidation_value": 990.0,
            "total_tax": 0.0,
            "first_year_trades": {"buy": {}, "sell": {}},
            "years": [
                {
                    "year": 1,
                    "realized_st": 0.0,
                    "realized_lt": 0.0,
                    "harvested_losses": 0.0,
                    "tax": 0.0,
                    "loss_deduction": 0.0,
                    "loss_carryforward": 0.0,
                    "st_carryforward": 0.0,
                    "lt_carryforward": 0.0,
                    "tracking_error": 0.02,
                    "in_target": 0.5,
                    "unrealized_gain": 10.0,
                    "turnover": 0.0,
                    "trades": 0,
                    "value_end": 1000.0,
                    "messages": [],
                }
            ],
        }
    ],
    "frontier": {"points": [], "named": [], "kind": ""},
    "first_year_buys_by_id": [{}],
    "initial_value": 950.0,
    "target_source": "strategy",
}


def analysis_make(account):
    from transitions.analysis.models import AnalysisScenario, TransitionAnalysis

    analysis = TransitionAnalysis.objects.filter(account=account).first()
    if analysis is None:
        analysis = TransitionAnalysis.objects.create(
            firm=account.firm,
            account=account,
            created_by=account.client.advisor,
            status="done",
            inputs_digest="0" * 64,
            as_of=date(2026, 1, 2),
            years=1,
            te_goal=Decimal("0.005"),
            drift=Decimal("0.06"),
            paths=0,
            seed=7,
            scenario_names=["hold"],
            result=TINY_RESULT,
        )
        AnalysisScenario.objects.create(
            firm=account.firm, analysis=analysis, position=0, name="hold", kind="hold"
        )
    return analysis


def analysis_kw(f, side):
    account = f.account if side == "primary" else f.other_account
    return {"public_id": analysis_make(account).public_id}


ROUTES: list[Route] = [
    Route("analysis-list", account_kw, write_methods=()),
    Route(
        "analysis-start",
        account_kw,
        payload={
            "scenarios": ["hold"],
            "years": "2",
            "te_goal_pct": "0.5",
            "drift_pct": "6",
            "paths": "0",
            "seed": "1",
        },
    ),
    Route("analysis-detail", analysis_kw, write_methods=()),
    Route("analysis-status", analysis_kw, write_methods=()),
    Route("analysis-export", analysis_kw, write_methods=()),
    Route("analysis-compare", analysis_kw, write_methods=()),
    Route("analysis-rerun", analysis_kw, readable=False),
    Route("analysis-frontier-save", analysis_kw, readable=False, payload={"scenario": "hold"}),
    Route("analysis-trade-list", analysis_kw, readable=False),
    # API
    Route(
        "api-transition-analysis-list",
        is_api=True,
        payload={"scenarios": ["hold"], "years": 2, "paths": 0},
    ),
    Route("api-transition-analysis-detail", analysis_kw, is_api=True, write_methods=()),
    Route("api-transition-analysis-export", analysis_kw, is_api=True, write_methods=()),
    Route(
        "api-transition-analysis-frontier-save",
        analysis_kw,
        is_api=True,
        readable=False,
        payload={"scenario": "hold"},
    ),
    Route(
        "api-transition-analysis-trade-list",
        analysis_kw,
        is_api=True,
        readable=False,
        payload={"scenario": "hold"},
    ),
]
