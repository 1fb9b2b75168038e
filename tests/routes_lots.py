"""Isolation table of the tax-lot pages and API (see tests/routes.py).

The kwargs builders create, on first use, one lot (with its opening trade) per account and one
holdings upload per household, so that object routes point at rows of the firm under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.routes import ALL, Route, account_kw, client_id_kw, client_kw

ADVISORS = ("firm_admin", "advisor")


def _security():
    from portfolios.models import Security

    security, _ = Security.objects.get_or_create(
        ticker="ZZLOT", firm=None, defaults={"name": "Isolation Lot Corp", "sector": "Utilities"}
    )
    return security


def _account(f, side):
    return f.account if side == "primary" else f.other_account


def _household(f, side):
    return f.client if side == "primary" else f.other_client


def trade_kw(f, side):
    from portfolios.models import Trade

    account = _account(f, side)
    trade, _ = Trade.objects.get_or_create(
        account=account,
        lot_ref="ISO-1",
        defaults={
            "firm": account.firm,
            "security": _security(),
            "action": "BUY",
            "trade_date": date(2024, 1, 2),
            "shares": Decimal("10"),
            "amount": Decimal("1000"),
            "source": "opening",
        },
    )
    return {"public_id": trade.public_id}


def lot_kw(f, side):
    from portfolios.models import TaxLot

    trade_kw(f, side)
    account = _account(f, side)
    lot, _ = TaxLot.objects.get_or_create(
        account=account,
        lot_ref="ISO-1",
        defaults={
            "firm": account.firm,
            "security": _security(),
            "shares": Decimal("10"),
            "cost_basis": Decimal("1000"),
            "acquired_on": date(2024, 1, 2),
            "adjusted_acquired_on": date(2024, 1, 2),
        },
    )
    return {"public_id": lot.public_id}


def batch_kw(f, side):
    from portfolios.models import ImportBatch

    household = _household(f, side)
    batch, _ = ImportBatch.objects.get_or_create(
        client=household,
        filename="isolation.csv",
        defaults={"firm": household.firm, "status": "previewed", "row_count": 1},
    )
    return {"public_id": batch.public_id}


TRADE_FORM = {
    "action": "BUY",
    "ticker": "ZZLOT",
    "shares": "1",
    "price": "10",
    "trade_date": "2025-01-02",
}

ROUTES: list[Route] = [
    Route("holdings-upload", client_id_kw, payload={"mode": "add"}),
    Route("holdings-preview", batch_kw, payload={"mode": "replace"}),
    Route("holdings-confirm", batch_kw, readable=False),
    Route("trade-create", account_kw, payload=TRADE_FORM),
    Route(
        "cash-entry-create",
        account_kw,
        payload={"kind": "deposit", "amount": "10", "date": "2025-01-02"},
    ),
    Route("realized-gains", client_kw, roles=ALL, write_methods=()),
    Route("realized-gains-csv", client_kw, roles=ALL, write_methods=()),
    Route("realized-gains-pdf", client_kw, roles=ALL, write_methods=()),
    # API
    Route("api-tax-lot-list", is_api=True, roles=ALL, write_methods=("post",)),
    Route(
        "api-tax-lot-detail",
        lot_kw,
        is_api=True,
        roles=ALL,
        write_methods=("put", "patch", "delete"),
        payload={"shares": "1"},
    ),
    Route("api-trade-list", is_api=True, roles=ALL, payload=TRADE_FORM),
    Route(
        "api-trade-detail",
        trade_kw,
        is_api=True,
        roles=ALL,
        write_methods=("put", "patch", "delete"),
        payload={"shares": "1"},
    ),
    Route(
        "api-realized-gains-detail",
        client_kw,
        is_api=True,
        roles=ALL,
        write_methods=("put", "patch", "delete"),
    ),
    Route("api-holdings-import-list", is_api=True, roles=ADVISORS, write_methods=("post",)),
    Route(
        "api-holdings-import-detail",
        batch_kw,
        is_api=True,
        roles=ADVISORS,
        write_methods=("put", "patch", "delete"),
    ),
    Route(
        "api-holdings-import-confirm",
        batch_kw,
        is_api=True,
        roles=ADVISORS,
        readable=False,
        payload={"mode": "replace"},
    ),
]
