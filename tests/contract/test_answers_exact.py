"""Every API GET in the route tables, answered for real (the firm's own objects, so 200s, not
the 404s random ids get in the generated contract test), carries exactly the fields the schema
documents for that operation: nothing undocumented, nothing required left out."""

# ruff: noqa: F811  (`world` is the isolation tests' fixture, imported to be shared)
from __future__ import annotations

import re

import pytest
from django.urls import resolve

from tests.contract.exact import assert_exact, response_schema
from tests.routes import ROUTES, Route
from tests.test_isolation import _send, _url, world  # noqa: F401  (the fixture)
from tests.test_routes_generated import _grow, _viewer

API_READS = [route for route in ROUTES if route.is_api and route.readable]


def _schema_path(url: str) -> str:
    """The schema's path template of a URL's pattern: `^api/x/(?P<public_id>[^/.]+)/$` and
    `api/x/<uuid:public_id>/` both give `/api/x/{public_id}/`."""
    route = resolve(url).route
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + route.lstrip("^").rstrip("$").replace("\\.", ".")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/schema/?format=json").json()


@pytest.mark.parametrize("route", API_READS, ids=lambda route: route.name)
def test_the_answer_has_exactly_the_documented_fields(client, world, schema, route: Route):
    _grow(world, copies=1, tag="x")  # a row of every kind, so lists have items to check
    client.force_login(_viewer(route, world.a))
    url = _url(route, world.a, "primary")
    response = _send(client, "get", url, route)
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code != 200 or not response["Content-Type"].startswith("application/json"):
        return  # a CSV download, or a role that may not read it: other tests cover those
    path = _schema_path(url)
    operations = schema["paths"]
    assert path in operations, f"{url}: {path} is not in the schema"
    assert_exact(schema, response_schema(schema, path, "get"), response.json(), where=url)
