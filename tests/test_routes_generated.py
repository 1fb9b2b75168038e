"""Generated from the route tables (tests/routes*.py):

- a GET on every page and API route leaves the database as it was (a fingerprint of every row
  of our apps), for the firm's own users, not only for outsiders;
- every list endpoint and every page runs a fixed number of queries: the same with one row of
  each kind as with several (measured at both sizes; a difference is an N+1 query).
"""

# ruff: noqa: F811  (`world` is the isolation tests' fixture, imported to be shared)
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AccountFactory, ClientFactory
from tests.routes import ROUTES, Route
from tests.test_isolation import (
    _send,
    _url,
    database_fingerprint,
    world,  # noqa: F401  (the fixture)
)

READABLE = [route for route in ROUTES if route.readable]
WRITES_ON_GET: dict[str, str] = {}  # none: the customized target is read, never computed
# Routes whose query count still grows with the rows (owned by another engineer).
GROWS: dict[str, str] = {}  # routes whose query count is known to grow: none


def _viewer(route: Route, firm_cast):
    if "advisor" in route.roles:
        return firm_cast.advisor
    if "firm_admin" in route.roles:
        return firm_cast.admin
    return firm_cast.client_user


def _marks(route: Route, known: dict[str, str]):
    reason = known.get(route.name)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.fixture
def target_inputs(world):
    """The primary account follows a strategy with a risk model, so that the customized target
    has something to compute (a GET must show the stored one, or none, and compute nothing)."""
    from tests.esg.conftest import account_with_strategy, esg_world_build

    esg = esg_world_build()
    account_with_strategy(world.a.account, esg.strategies["esg-di"])
    return esg


@pytest.mark.parametrize(
    "route", [pytest.param(r, id=r.name, marks=_marks(r, WRITES_ON_GET)) for r in READABLE]
)
def test_a_get_changes_nothing(client, world, target_inputs, route):
    client.force_login(_viewer(route, world.a))
    url = _url(route, world.a, "primary")  # first: the kwargs builders may create rows
    before = database_fingerprint()
    response = _send(client, "get", url, route)
    assert response.status_code < 500, (url, response.status_code)
    assert database_fingerprint() == before, f"GET {url} wrote to the database"


# ------------------------------------------------------------------------------ query counts


def _grow(world, *, copies: int, tag: str) -> None:
    """More of every kind of row the pages and lists show, for the firm under test: households
    of the advisor, accounts in the primary household, lots and trades in every account,
    uploads and jobs."""
    from esg.models import TargetRecomputation
    from jobs.models import Job
    from portfolios.models import (
        ImportBatch,
        ImportStatus,
        Price,
        PriceSource,
        Security,
        TaxLot,
        Trade,
    )

    a = world.a
    households = [a.client] + [
        ClientFactory(advisor=a.advisor, firm=a.firm, name=f"Grown household {tag}{n}")
        for n in range(copies)
    ]
    accounts = [a.account]
    for n, household in enumerate(households):
        accounts += [
            AccountFactory(client=household, firm=a.firm, name=f"Grown account {tag}{n}-{k}")
            for k in range(1 if household is not a.client else copies)
        ]
    securities = []
    for n in range(copies):
        security, _ = Security.objects.get_or_create(
            ticker=f"QC{tag}{n}",
            firm=None,
            defaults={"name": f"Query Count {tag}{n}", "sector": "Energy"},
        )
        Price.objects.get_or_create(
            security=security,
            date=date(2026, 11, 20),
            defaults={"close": Decimal("10"), "source": PriceSource.SYNTHETIC},
        )
        securities.append(security)
    for account in accounts:
        for n, security in enumerate(securities):
            day = date(2024, 1, 2 + n)
            Trade.objects.create(
                firm=a.firm,
                account=account,
                security=security,
                action="BUY",
                trade_date=day,
                shares=Decimal("5"),
                amount=Decimal("50"),
                lot_ref=f"QC{tag}{n}",
                source="opening",
            )
            TaxLot.objects.create(
                firm=a.firm,
                account=account,
                security=security,
                lot_ref=f"QC{tag}{n}",
                shares=Decimal("5"),
                cost_basis=Decimal("50"),
                acquired_on=day,
                adjusted_acquired_on=day,
            )
    for n in range(copies):
        ImportBatch.objects.create(
            firm=a.firm,
            client=a.client,
            uploaded_by=a.advisor,
            filename=f"grown-{tag}{n}.csv",
            status=ImportStatus.REJECTED,
        )
        Job.objects.create(firm=a.firm, created_by=a.advisor, kind="noop", title=f"Grown {tag}{n}")
        TargetRecomputation.objects.create(
            firm=a.firm,
            account=a.account,
            cause_kind="manual",
            cause=f"Grown {tag}{n}",
            names_removed=["QC"],
            tracking_error_before=0.01,
            tracking_error_after=0.02,
        )


def _queries(client, url: str, route: Route) -> tuple[int, int]:
    _send(client, "get", url, route)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        response = _send(client, "get", url, route)
    return len(captured), response.status_code


LISTS_AND_PAGES = [route for route in READABLE if route.kwargs is None or not route.is_api]


@pytest.mark.parametrize(
    "route", [pytest.param(r, id=r.name, marks=_marks(r, GROWS)) for r in LISTS_AND_PAGES]
)
def test_query_count_does_not_grow_with_the_rows(client, world, route):
    client.force_login(_viewer(route, world.a))
    _grow(world, copies=1, tag="s")  # at least one row of every kind: prefetches run
    url = _url(route, world.a, "primary")
    small, status = _queries(client, url, route)
    assert status < 500
    _grow(world, copies=3, tag="l")
    url = _url(route, world.a, "primary")
    large, status = _queries(client, url, route)
    assert status < 500
    assert large == small, (
        f"GET {url}: {small} queries with 1 row of each kind, {large} with 4 or more"
    )
