"""Regressions of the API's hygiene (issue 9), each one failing before its fix."""

from __future__ import annotations

import os

import pytest
from rest_framework.test import APIClient

from portfolios.models import Security


@pytest.fixture
def api(cast):
    api = APIClient()
    api.force_authenticate(cast.a.advisor)
    return api


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


@pytest.mark.parametrize("field", ["end", "start"])
def test_a_date_before_1900_answers_400_naming_the_field(api, field):
    Security.objects.create(ticker="ADI", name="Analog Devices")
    response = api.get("/api/securities/ADI/prices/", {field: "0001-01-01"})
    assert response.status_code == 400
    assert field in response.json() and "before 1900-01-01" in response.json()[field]


def test_strategy_benchmark_is_documented_as_nullable(schema):
    benchmark = schema["components"]["schemas"]["Strategy"]["properties"]["benchmark"]
    assert benchmark.get("nullable") is True or "null" in str(benchmark.get("type"))


def test_post_on_the_customization_collection_is_not_documented(schema, api):
    assert "post" not in schema["paths"]["/api/customizations/"]
    assert api.post("/api/customizations/", {}, format="json").status_code == 405


def test_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "404"} <= codes or path == "/api/auth/token/", (method, path)
            if path == "/api/auth/token/":
                assert {"400", "429"} <= codes
            else:
                assert {"401", "403"} <= codes, (method, path)


def test_an_api_url_that_matches_no_route_answers_json_404(api):
    response = api.get("/api/strategies/0.0000000001/versions/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_url_that_matches_no_route_is_still_the_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_the_schema_generates_without_a_warning():
    """drf-spectacular warns where the schema would be guessed (an untyped field, two choice
    sets under one name): a warning is a place where the schema stops being exact."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)
