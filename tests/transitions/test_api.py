"""The rebalance API: propose (a job), read, approve, export, execute; batches; settings."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.contract.exact import assert_exact, response_schema
from transitions.rebalance.models import TradeList


@pytest.fixture
def api():
    return APIClient()


def test_trade_list_life_through_the_api(world, cast, api, django_capture_on_commit_callbacks):
    api.force_authenticate(cast.a.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/trade-lists/propose/", {"account": str(world.account.public_id)}, format="json"
        )
    assert response.status_code == 202, response.content
    job = api.get(f"/api/jobs/{response.json()['job']}/").json()
    assert job["status"] == "done", job
    trade_list = TradeList.objects.get(account=world.account)
    url = f"/api/trade-lists/{trade_list.public_id}/"
    body = api.get(url).json()
    assert body["status"] == "proposed" and body["stale_reasons"] == []
    schema = api.get("/api/schema/?format=json").json()
    assert_exact(schema, response_schema(schema, "/api/trade-lists/{public_id}/", "get"), body)
    assert len(body["lines"]) == trade_list.trade_count
    sells = [line for line in body["lines"] if line["side"] == "SELL"]
    assert sells and all(line["lot_id"] for line in sells)
    listed = api.get("/api/trade-lists/", {"account": str(world.account.public_id)}).json()
    assert [row["id"] for row in listed["results"]] == [str(trade_list.public_id)]

    # A client login reads but never acts; another firm does not see it at all.
    client_api = APIClient()
    client_api.force_authenticate(cast.a.client_user)
    assert client_api.get(url).status_code == 200
    assert client_api.post(url + "approve/").status_code == 403
    other = APIClient()
    other.force_authenticate(cast.b.admin)
    assert other.get(url).status_code == 404
    assert other.post(url + "approve/").status_code == 404

    response = api.post(url + "export/")
    assert response.status_code == 400
    assert "approve it before exporting" in response.json()["non_field_errors"][0]
    assert api.post(url + "approve/").json()["status"] == "approved"
    response = api.post(url + "export/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines()[0].startswith("account_number,ticker,side")
    assert api.post(url + "execute/", {}, format="json").json()["status"] == "executed"
    response = api.post(url + "execute/", {}, format="json")
    assert response.status_code == 400 and "already marked executed" in str(response.json())


def test_settings_and_batches_through_the_api(world, cast, api, django_capture_on_commit_callbacks):
    api.force_authenticate(cast.a.advisor)
    url = f"/api/rebalance-settings/{world.account.public_id}/"
    body = api.get(url).json()
    assert body["effective"]["budget_kind"] == "none" and body["overrides"] == {}
    response = api.patch(url, {"budget_kind": "gain", "budget_amount": "-5"}, format="json")
    assert response.status_code == 400 and "budget_amount" in response.json()
    response = api.patch(url, {"budget_kind": "gain", "budget_amount": "0"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["effective"]["budget_amount"] == "0.00"
    assert (
        api.patch("/api/rebalance-settings/defaults/", {"budget_kind": "none"}).status_code == 403
    )
    admin = APIClient()
    admin.force_authenticate(cast.a.admin)
    response = admin.patch(
        "/api/rebalance-settings/defaults/", {"loss_harvest_min": 0.03}, format="json"
    )
    assert response.status_code == 200 and response.json()["loss_harvest_min"] == 0.03

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/rebalance-batches/",
            {"scope": "selection", "accounts": [str(world.account.public_id)]},
            format="json",
        )
    assert response.status_code == 201, response.content
    detail = api.get(f"/api/rebalance-batches/{response.json()['id']}/").json()
    assert (detail["total"], detail["done"], detail["status"]) == (1, 1, "done")
    assert detail["items"][0]["trade_list"]["realized_st"] is not None


def test_the_schema_lists_the_rebalance_api(client, cast):
    client.force_login(cast.a.advisor)
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/trade-lists/propose/",
        "/api/trade-lists/{public_id}/approve/",
        "/api/trade-lists/{public_id}/export/",
        "/api/trade-lists/{public_id}/execute/",
        "/api/rebalance-batches/{public_id}/retry/",
        "/api/rebalance-settings/defaults/",
    ):
        assert path in schema, path
