"""Rates use one unit in the API (issue 9): a fraction of 1, with its bounds in the schema.

The schema walk finds rate fields by name; out-of-bounds rates answer 400 naming the field; a
rate the database keeps in percent or basis points still travels as a fraction.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from transitions.rebalance.models import RebalanceSettings

RATE_NAME = re.compile(
    r"(^|_)rate$|tracking_error|(^|_)weight(_removed)?$|(^|_)drift$|turnover|^te_goal$"
    r"|^te_max$|^loss_harvest_min$|^trading_cost$"
)
PERCENT_NAME = re.compile(r"(_pct|_percent|_bps)$")
# Rate fields the walk must meet (so that a renamed field cannot make it pass vacuously).
EXPECTED = {
    ("Client", "short_term_rate"),
    ("Client", "long_term_rate"),
    ("Weight", "weight"),
    ("TradeList", "tracking_error_before"),
    ("TradeList", "tracking_error_after"),
    ("TradeList", "turnover"),
    ("AnalysisStartRequest", "te_goal"),
    ("AnalysisStartRequest", "drift"),
    ("TransitionAnalysis", "te_goal"),
    ("TransitionAnalysis", "drift"),
    ("AnalysisScenario", "final_tracking_error"),
    ("Settings", "loss_harvest_min"),
    ("Settings", "max_turnover"),
    ("Settings", "trading_cost"),
    ("Settings", "te_max"),
    ("PatchedSettingsRequest", "te_max"),
    ("StoredTarget", "tracking_error"),
    ("StoredTarget", "pro_rata_tracking_error"),
    ("StoredTarget", "weight_removed"),
    ("TargetWeight", "target_weight"),
    ("TargetWeight", "strategy_weight"),
    ("ExclusionLine", "weight_removed"),
    ("RemovedName", "strategy_weight"),
}


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def _scalar_properties(schema):
    """(component, property name, property schema) of every scalar property, nested too."""

    def walk(component, node):
        for name, prop in (node.get("properties") or {}).items():
            if prop.get("type") in ("number", "integer", "string"):
                yield component, name, prop
            yield from walk(component, prop)
            if isinstance(prop.get("items"), dict):
                yield from walk(component, prop["items"])

    for component, node in schema["components"]["schemas"].items():
        yield from walk(component, node)


def test_every_rate_in_the_schema_is_a_bounded_fraction_of_1(schema):
    seen = set()
    for component, name, prop in _scalar_properties(schema):
        assert not PERCENT_NAME.search(name), f"{component}.{name}: a rate in percent"
        if not RATE_NAME.search(name):
            continue
        seen.add((component, name))
        where = f"{component}.{name}"
        assert prop["type"] == "number", where
        assert "minimum" in prop and "maximum" in prop, where
        assert prop["minimum"] < prop["maximum"], where
        assert "fraction of 1: 0.05 = 5 %" in prop.get("description", ""), where
    assert seen >= EXPECTED, EXPECTED - seen


def test_the_tax_rates_bounds_are_the_databases(schema):
    # The database refuses a rate above 90 % (client_rates_in_range); the schema says so.
    prop = schema["components"]["schemas"]["ClientRequest"]["properties"]["short_term_rate"]
    assert (prop["minimum"], prop["maximum"]) == (0, 0.9)


@pytest.fixture
def advisor_api(cast):
    api = APIClient()
    api.force_authenticate(cast.a.advisor)
    return api


@pytest.fixture
def admin_api(cast):
    api = APIClient()
    api.force_authenticate(cast.a.admin)
    return api


@pytest.mark.parametrize(
    ("field", "value"),
    [("short_term_rate", 40.8), ("long_term_rate", -0.01), ("short_term_rate", 0.95)],
)
def test_a_tax_rate_out_of_bounds_answers_400_naming_it(advisor_api, cast, field, value):
    url = f"/api/clients/{cast.a.client.public_id}/"
    response = advisor_api.patch(url, {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    cast.a.client.refresh_from_db()
    assert getattr(cast.a.client, field) in (Decimal("0.408"), Decimal("0.238"))  # unchanged


def test_a_tax_rate_is_written_and_read_as_a_fraction(advisor_api, cast):
    url = f"/api/clients/{cast.a.client.public_id}/"
    response = advisor_api.patch(url, {"short_term_rate": 0.37}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["short_term_rate"] == 0.37
    cast.a.client.refresh_from_db()
    assert cast.a.client.short_term_rate == Decimal("0.3700")


@pytest.mark.parametrize(("field", "value"), [("te_goal", 0.5), ("te_goal", 0), ("drift", 6)])
def test_an_analysis_rate_out_of_bounds_answers_400_naming_it(advisor_api, cast, field, value):
    body = {"account": str(cast.a.account.public_id), "scenarios": ["hold"], field: value}
    if value == 0.5:
        body[field] = 0.51  # just past the bound
    response = advisor_api.post("/api/transition-analyses/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("te_max", 2),
        ("te_max", 0),
        ("max_turnover", -0.1),
        ("trading_cost", 5),
        ("loss_harvest_min", 3),
    ],
)
def test_a_settings_rate_out_of_bounds_answers_400_naming_it(admin_api, field, value):
    response = admin_api.patch("/api/rebalance-settings/defaults/", {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not RebalanceSettings.objects.exists()


def test_settings_rates_travel_as_fractions_and_are_kept_in_their_stored_units(
    admin_api, advisor_api, cast
):
    response = admin_api.patch(
        "/api/rebalance-settings/defaults/",
        {"te_max": 0.02, "trading_cost": 0.0005, "max_turnover": 0.4, "loss_harvest_min": 0.03},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["te_max"], body["trading_cost"], body["max_turnover"]) == (0.02, 0.0005, 0.4)
    assert body["loss_harvest_min"] == 0.03
    row = RebalanceSettings.objects.get(account=None)
    # 2 % a year, 5 basis points, 40 %, 3 %: the stored units, worked out by hand.
    assert (row.te_max_pct, row.trading_cost_bps) == (Decimal("2.00"), Decimal("5.00"))
    assert (row.max_turnover_pct, row.loss_harvest_min_pct) == (Decimal("40.00"), Decimal("3.00"))

    # An account inherits them: its settings in force speak fractions too, under API names.
    url = f"/api/rebalance-settings/{cast.a.account.public_id}/"
    response = advisor_api.patch(url, {"te_max": 0.015}, format="json")
    assert response.status_code == 200, response.content
    effective = response.json()["effective"]
    assert effective["te_max"] == 0.015 and effective["trading_cost"] == 0.0005
    assert effective["short_term_rate"] == 0.408
    assert not [key for key in effective if PERCENT_NAME.search(key)]
    assert response.json()["overrides"]["te_max"] == 0.015
    assert RebalanceSettings.objects.get(account=cast.a.account).te_max_pct == Decimal("1.50")
