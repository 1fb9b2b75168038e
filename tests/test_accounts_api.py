"""The REST API for clients, accounts and advisors: writes, field errors, filters, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Account, Client
from tests.factories import AccountFactory, ClientFactory


@pytest.fixture
def api():
    return APIClient()


def test_advisor_creates_a_client_and_an_account(api, cast):
    api.force_authenticate(cast.a.advisor)
    response = api.post("/api/clients/", {"name": "New Household", "filing_status": "single"})
    assert response.status_code == 201, response.json()
    client = Client.objects.get(public_id=response.json()["id"])
    assert client.firm == cast.a.firm and client.advisor == cast.a.advisor
    response = api.post(
        "/api/accounts/",
        {
            "client": str(client.public_id),
            "name": "Brokerage",
            "account_type": "taxable",
            "custodian": "Schwab",
            "account_number": "99887766",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["account_number_masked"] == "••••7766"
    assert "account_number" not in body  # write-only: the full number never comes back
    assert Account.objects.get(public_id=body["id"]).firm == cast.a.firm


def test_missing_name_is_a_field_error_and_changes_nothing(api, cast):
    api.force_authenticate(cast.a.advisor)
    before = Client.objects.count()
    response = api.post("/api/clients/", {"filing_status": "single"})
    assert response.status_code == 400
    assert "name" in response.json()
    assert Client.objects.count() == before


def test_foreign_advisor_id_is_refused_like_a_missing_one(api, cast):
    api.force_authenticate(cast.a.admin)
    before = Client.objects.count()
    foreign = api.post("/api/clients/", {"name": "X", "advisor": str(cast.b.advisor.public_id)})
    missing = api.post(
        "/api/clients/", {"name": "X", "advisor": "00000000-0000-0000-0000-000000000000"}
    )
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json() == {"advisor": ["No such advisor in your firm."]}
    assert Client.objects.count() == before


def test_foreign_client_id_on_an_account_is_refused(api, cast):
    api.force_authenticate(cast.a.advisor)
    response = api.post(
        "/api/accounts/",
        {
            "client": str(cast.b.client.public_id),
            "name": "X",
            "custodian": "Schwab",
            "account_number": "1234",
        },
    )
    assert response.status_code == 400
    assert response.json()["client"] == ["No such client in your firm."]


def test_account_number_already_used_in_the_firm(api, cast):
    api.force_authenticate(cast.a.advisor)
    before = Account.objects.count()
    response = api.post(
        "/api/accounts/",
        {
            "client": str(cast.a.client.public_id),
            "name": "Dup",
            "custodian": "Schwab",
            "account_number": cast.a.account.account_number,
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "account_number": ["This account number is already used in your firm."]
    }
    assert Account.objects.count() == before


def test_same_account_number_in_another_firm_is_fine(api, cast):
    api.force_authenticate(cast.b.advisor)
    response = api.post(
        "/api/accounts/",
        {
            "client": str(cast.b.client.public_id),
            "name": "Same number",
            "custodian": "Schwab",
            "account_number": cast.a.account.account_number,
        },
    )
    assert response.status_code == 201


def test_advisor_cannot_hand_a_client_to_a_colleague_but_admin_can(api, cast):
    api.force_authenticate(cast.a.advisor)
    url = f"/api/clients/{cast.a.client.public_id}/"
    response = api.patch(url, {"advisor": str(cast.a.other_advisor.public_id)})
    assert response.status_code == 400 and "advisor" in response.json()
    api.force_authenticate(cast.a.admin)
    response = api.patch(url, {"advisor": str(cast.a.other_advisor.public_id)})
    assert response.status_code == 200
    cast.a.client.refresh_from_db()
    assert cast.a.client.advisor == cast.a.other_advisor


def test_client_login_reads_its_household_only(api, cast):
    api.force_authenticate(cast.a.client_user)
    response = api.get("/api/clients/")
    assert [row["name"] for row in response.json()["results"]] == [cast.a.client.name]
    names = {row["name"] for row in api.get("/api/accounts/").json()["results"]}
    assert names == {cast.a.account.name, cast.a.ira.name}
    assert api.patch(f"/api/clients/{cast.a.client.public_id}/", {"name": "x"}).status_code == 403


def test_filters_and_search(api, cast):
    api.force_authenticate(cast.a.admin)
    by_type = api.get("/api/accounts/", {"account_type": "traditional_ira"}).json()
    assert [row["name"] for row in by_type["results"]] == [cast.a.ira.name]
    by_client = api.get("/api/accounts/", {"client": str(cast.a.other_client.public_id)}).json()
    assert [row["name"] for row in by_client["results"]] == [cast.a.other_account.name]
    search = api.get("/api/clients/", {"search": "Two"}).json()
    assert [row["name"] for row in search["results"]] == [cast.a.other_client.name]
    advisor = api.get("/api/clients/", {"advisor": str(cast.a.advisor.public_id)}).json()
    assert [row["name"] for row in advisor["results"]] == [cast.a.client.name]


def test_advisors_endpoint_is_for_firm_admins(api, cast):
    api.force_authenticate(cast.a.advisor)
    assert api.get("/api/advisors/").status_code == 403
    api.force_authenticate(cast.a.admin)
    rows = api.get("/api/advisors/").json()["results"]
    assert {row["id"] for row in rows} == {
        str(u.public_id) for u in (cast.a.admin, cast.a.advisor, cast.a.other_advisor)
    }
    counts = {row["id"]: row["client_count"] for row in rows}
    assert counts[str(cast.a.advisor.public_id)] == 1


def test_token_authentication(api, cast):
    response = api.post(
        reverse("api-token"),
        {"username": cast.a.advisor.username, "password": "correct-horse-battery-9"},
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == cast.a.advisor
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    rows = fresh.get("/api/clients/").json()["results"]
    assert [row["name"] for row in rows] == [cast.a.client.name]
    anonymous = APIClient().get("/api/clients/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("url", ["/api/clients/", "/api/accounts/", "/api/advisors/", "/"])
def test_list_query_counts_do_not_grow_with_rows(client, cast, url):
    """No N+1: the same number of queries for 2 households as for 12, and pinned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.a.admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context.captured_queries)

    small = count()
    for _ in range(10):
        household = ClientFactory(advisor=cast.a.advisor)
        AccountFactory(client=household)
        AccountFactory(client=household, account_type="roth_ira")
    large = count()
    assert small == large
    assert large <= 8, f"{url} takes {large} queries"


def test_token_endpoint_is_throttled(api, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        response = api.post(
            reverse("api-token"), {"username": cast.a.advisor.username, "password": "wrong"}
        )
        assert response.status_code == 400
    third = api.post(reverse("api-token"), {"username": cast.a.advisor.username, "password": "x"})
    assert third.status_code == 429  # the failure that reaches the limit locks the pair
    response = api.post(
        reverse("api-token"),
        {"username": cast.a.advisor.username, "password": "correct-horse-battery-9"},
    )
    assert response.status_code == 429
    assert "token" not in response.json()


def test_admin_invites_and_deactivates_through_the_api(api, cast):
    api.force_authenticate(cast.a.admin)
    response = api.post("/api/invitations/", {"email": "Next.One@example.com", "role": "advisor"})
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "next.one@example.com"
    assert "/invite/" in response.json()["accept_url"]
    again = api.post("/api/invitations/", {"email": cast.a.advisor.email, "role": "advisor"})
    assert again.status_code == 400 and "email" in again.json()
    url = f"/api/advisors/{cast.a.other_advisor.public_id}/"
    assert api.patch(url, {"is_active": False}).status_code == 200
    cast.a.other_advisor.refresh_from_db()
    assert not cast.a.other_advisor.is_active
    own = api.patch(f"/api/advisors/{cast.a.admin.public_id}/", {"is_active": False})
    assert own.status_code == 400
    api.force_authenticate(cast.a.advisor)
    assert api.post("/api/invitations/", {"email": "z@example.com"}).status_code == 403
