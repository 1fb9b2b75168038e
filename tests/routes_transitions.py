"""Isolation table of the rebalance pages and API (see tests/routes.py).

The kwargs builders create, on first use, a stored trade list per account and a batch per
advisor (made directly, nothing solved), so that object routes point at the firm's rows.
"""

from __future__ import annotations

from datetime import date

from tests.routes import ADMIN, ALL, Route, account_kw

ADVISORS = ("firm_admin", "advisor")


def _account(f, side):
    return f.account if side == "primary" else f.other_account


def trade_list_kw(f, side):
    from transitions.rebalance.models import TradeList

    account = _account(f, side)
    trade_list, _ = TradeList.objects.get_or_create(
        account=account,
        defaults={"firm": account.firm, "as_of": date(2026, 1, 2), "inputs_digest": "iso"},
    )
    return {"public_id": trade_list.public_id}


def batch_kw(f, side):
    from transitions.rebalance.models import RebalanceBatch

    owner = f.advisor if side == "primary" else f.other_advisor
    batch, _ = RebalanceBatch.objects.get_or_create(
        created_by=owner,
        defaults={"firm": owner.firm, "scope": "selection", "scope_label": "isolation", "total": 1},
    )
    return {"public_id": batch.public_id}


SETTINGS_FORM = {"budget_kind": "gain", "budget_amount": "0", "whole_shares": "whole"}

ROUTES: list[Route] = [
    Route("rebalance-propose", account_kw, readable=False),
    Route("rebalance-settings", account_kw, payload=SETTINGS_FORM),
    Route("rebalance-trade-list", trade_list_kw, roles=ALL, write_methods=()),
    Route("rebalance-approve", trade_list_kw, readable=False),
    Route("rebalance-export", trade_list_kw, readable=False),
    Route("rebalance-execute", trade_list_kw, readable=False),
    Route("rebalance-firm-settings", roles=ADMIN, payload=SETTINGS_FORM),
    Route("rebalance-batch-create", payload={"scope": "selection"}),
    Route("rebalance-batch", batch_kw, write_methods=()),
    Route("rebalance-batch-status", batch_kw, write_methods=()),
    Route("rebalance-batch-retry", batch_kw, readable=False),
    # API
    Route("api-rebalance-trade-list-list", is_api=True, roles=ALL, write_methods=("post",)),
    Route(
        "api-rebalance-trade-list-detail",
        trade_list_kw,
        is_api=True,
        roles=ALL,
        write_methods=("put", "patch", "delete"),
    ),
    Route("api-rebalance-trade-list-propose", is_api=True, roles=ADVISORS, readable=False),
    Route("api-rebalance-trade-list-approve", trade_list_kw, is_api=True, readable=False),
    Route("api-rebalance-trade-list-export", trade_list_kw, is_api=True, readable=False),
    Route("api-rebalance-trade-list-execute", trade_list_kw, is_api=True, readable=False),
    Route("api-rebalance-batch-list", is_api=True, roles=ADVISORS, payload={"scope": "selection"}),
    Route(
        "api-rebalance-batch-detail",
        batch_kw,
        is_api=True,
        roles=ADVISORS,
        write_methods=("put", "patch", "delete"),
    ),
    Route("api-rebalance-batch-retry", batch_kw, is_api=True, readable=False),
    Route(
        "api-rebalance-settings-detail",
        account_kw,
        is_api=True,
        roles=ADVISORS,
        write_methods=("patch", "put"),
        payload={"budget_kind": "none"},
    ),
    Route(
        "api-rebalance-settings-defaults",
        is_api=True,
        roles=ADVISORS,
        write_methods=("patch",),
        payload={"budget_kind": "none"},
    ),
]
