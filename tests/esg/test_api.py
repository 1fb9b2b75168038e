"""The ESG API: categories with members, customizations (same validation as the page), the
preview and the customized target; query counts of the lists are pinned."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from esg import services
from esg.models import AccountExclusion, Restriction
from tests.esg.conftest import account_with_strategy
from tests.test_isolation import database_fingerprint


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def di_account(cast, esg_world):
    return account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])


def test_categories_list_and_members_with_reasons(api, cast, esg_world, django_assert_num_queries):
    api.force_authenticate(cast.b.client_user)  # reference data: any firm user reads it
    with django_assert_num_queries(3):  # count, page, rules prefetch
        response = api.get("/api/esg-categories/")
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()["results"]}
    assert rows["tobacco"]["member_count"] == 2
    assert rows["tobacco"]["rules"] == [{"field": "industry", "value": "Tobacco"}]
    detail = api.get("/api/esg-categories/tobacco/").json()
    assert [(m["ticker"], m["reason"]) for m in detail["members"]] == [
        ("MO", "industry is Tobacco"),
        ("PM", "industry is Tobacco"),
    ]
    assert api.post("/api/esg-categories/", {"name": "x"}).status_code in {403, 405}
    assert api.delete("/api/esg-categories/tobacco/").status_code in {403, 405}


def test_put_get_patch_delete_a_customization(api, cast, di_account):
    api.force_authenticate(cast.a.advisor)
    url = f"/api/customizations/{di_account.public_id}/"
    body = {
        "categories": ["tobacco"],
        "restrictions": [
            {"scope": "security", "ticker": "XOM", "mode": "do_not_hold", "reason": "client"},
            {"scope": "sector", "value": "Financials", "mode": "do_not_buy"},
        ],
        "concentrated_positions": [{"ticker": "AAPL", "note": "employer"}],
    }
    response = api.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    saved = response.json()
    assert saved["categories"] == ["tobacco"]
    assert {r["ticker"] or r["value"] for r in saved["restrictions"]} == {"XOM", "Financials"}
    assert saved["total"]["tracking_error"] > 0
    assert api.get(url).json()["concentrated_positions"] == [{"ticker": "AAPL", "note": "employer"}]
    # PATCH replaces only the parts sent.
    response = api.patch(url, {"categories": ["tobacco", "gambling"]}, format="json")
    assert response.status_code == 200
    assert Restriction.objects.filter(account=di_account).count() == 2
    assert AccountExclusion.objects.filter(account=di_account).count() == 2
    listing = api.get("/api/customizations/").json()
    assert [row["account"] for row in listing["results"]] == [str(di_account.public_id)]
    assert api.delete(url).status_code == 204
    assert not Restriction.objects.filter(account=di_account).exists()


def test_bad_input_answers_400_naming_the_row_and_saves_nothing(api, cast, di_account):
    api.force_authenticate(cast.a.advisor)
    before = database_fingerprint()
    response = api.put(
        f"/api/customizations/{di_account.public_id}/",
        {
            "categories": ["tobacco"],
            "restrictions": [
                {"scope": "security", "ticker": "XOM", "mode": "do_not_buy"},
                {"scope": "security", "ticker": "NOPE", "mode": "do_not_buy"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "restrictions": ["Restriction row 2, ticker: no security with ticker “NOPE”."]
    }
    assert database_fingerprint() == before


def test_contradictory_settings_answer_400_and_save_nothing(api, cast, di_account):
    api.force_authenticate(cast.a.advisor)
    before = database_fingerprint()
    response = api.patch(
        f"/api/customizations/{di_account.public_id}/",
        {
            "categories": ["tobacco"],
            "restrictions": [{"scope": "industry", "value": "Tobacco", "mode": "do_not_buy"}],
        },
        format="json",
    )
    assert response.status_code == 400
    (message,) = response.json()["restrictions"]
    assert message.startswith("“Do not buy: industry Tobacco” contradicts “Tobacco”: MO, PM ")
    assert database_fingerprint() == before


def test_preview_computes_without_saving(api, cast, di_account):
    api.force_authenticate(cast.a.advisor)
    before = database_fingerprint()
    response = api.post(
        f"/api/customizations/{di_account.public_id}/preview/",
        {"categories": ["tobacco", "fossil-fuels"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [line["label"] for line in body["lines"]] == ["Tobacco", "Fossil fuels"]
    assert body["total"]["tracking_error"] <= body["total"]["pro_rata_tracking_error"]
    assert {row["ticker"] for row in body["removed"]} >= {"MO", "XOM"}
    assert not {"MO", "PM", "XOM"} & {row["ticker"] for row in body["weights"]}
    assert database_fingerprint() == before


def test_target_endpoint_gives_weights_and_tracking_error(api, cast, di_account, esg_world):
    services.customization_save(
        account=di_account,
        actor=cast.a.advisor,
        data=services.CustomizationInput(category_slugs=("weapons",)),
    )
    api.force_authenticate(cast.a.client_user)  # the household's client reads its target
    body = api.get(f"/api/customizations/{di_account.public_id}/target/").json()
    target = body["target"]
    assert target["strategy"] == "esg-di"
    assert 0 < target["tracking_error"] <= target["pro_rata_tracking_error"]
    assert target["costs"][0]["label"] == "Weapons"
    weights = {row["ticker"]: row["target_weight"] for row in target["weights"]}
    assert weights["LMT"] == weights["NOC"] == weights["GD"] == 0.0
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-8)
    # Clients read, never write.
    response = api.put(
        f"/api/customizations/{di_account.public_id}/", {"categories": []}, format="json"
    )
    assert response.status_code == 403


def test_another_firms_account_is_not_found_and_unchanged(api, cast, di_account):
    api.force_authenticate(cast.b.admin)
    before = database_fingerprint()
    url = f"/api/customizations/{di_account.public_id}/"
    assert api.get(url).status_code == 404
    assert api.put(url, {"categories": ["tobacco"]}, format="json").status_code == 404
    assert api.post(url + "preview/", {"categories": []}, format="json").status_code == 404
    assert database_fingerprint() == before


def test_customization_list_query_count_does_not_grow(
    api, cast, esg_world, django_assert_max_num_queries
):
    for account in (cast.a.account, cast.a.ira, cast.a.other_account):
        services.customization_save(
            account=account,
            actor=cast.a.admin,
            data=services.CustomizationInput(
                category_slugs=("tobacco",),
                restrictions=(services.RestrictionInput("security", "do_not_buy", ticker="XOM"),),
                concentrated_positions=(services.ConcentratedPositionInput("AAPL"),),
            ),
        )
    api.force_authenticate(cast.a.admin)
    with django_assert_max_num_queries(8):
        response = api.get("/api/customizations/")
    assert response.json()["count"] == 3


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_saved_customizations_answer_has_exactly_the_documented_fields(
    api, client, cast, di_account, method
):
    """The schema is exact: what PUT/PATCH answer (the customization, the notes and the
    total's figures) is what the schema documents for their 200, field for field."""
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/customizations/{public_id}/"][method]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    api.force_authenticate(cast.a.advisor)
    response = getattr(api, method)(
        f"/api/customizations/{di_account.public_id}/", {"categories": ["tobacco"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == set(component["properties"])
    assert {"notes", "total"} <= set(body)
