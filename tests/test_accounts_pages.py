"""Portal pages: forms with field errors, roles, audit history, invitations, sign-in throttling."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.models import Account, Client, Invitation, User
from tests.factories import TEST_PASSWORD


def test_dashboard_lists_own_households_only(client, cast):
    client.force_login(cast.a.advisor)
    body = client.get("/").content.decode()
    assert cast.a.client.name in body
    assert cast.a.other_client.name not in body  # the colleague's household
    client.force_login(cast.a.admin)
    body = client.get("/").content.decode()
    assert cast.a.client.name in body and cast.a.other_client.name in body
    assert cast.b.client.name not in body


def test_dashboard_market_value_is_blank_until_lots_exist(client, cast):
    from portfolios.models import Price, Security, TaxLot

    client.force_login(cast.a.advisor)
    cell = re.compile(r'<td class="num"[^>]*>\s*\$?([\d,\.]*)\s*</td>')
    body = client.get("/").content.decode()
    assert cell.findall(body) == [""]
    security = Security.objects.create(ticker="AAPL", name="Apple", sector="Information Technology")
    Price.objects.create(
        security=security, date="2026-11-20", close=Decimal("200"), source="imported"
    )
    TaxLot.objects.create(
        firm=cast.a.firm,
        account=cast.a.account,
        security=security,
        shares=Decimal("10"),
        cost_basis=Decimal("1500"),
        acquired_on="2024-01-02",
        adjusted_acquired_on="2024-01-02",
    )
    body = client.get("/").content.decode()
    # 10 × 200 of stock plus the account's 1,000 of cash (the IRA has no lots: not counted)
    assert cell.findall(body) == ["3,000.00"]


def test_client_form_names_the_missing_field_and_saves_nothing(client, cast):
    client.force_login(cast.a.advisor)
    before = Client.objects.count()
    response = client.post(
        reverse("client-create"),
        {"name": "", "advisor": cast.a.advisor.pk, "filing_status": "single"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Client.objects.count() == before


def test_advisor_cannot_pick_a_colleague_in_the_form(client, cast):
    client.force_login(cast.a.advisor)
    response = client.post(
        reverse("client-create"),
        {
            "name": "X",
            "advisor": cast.a.other_advisor.pk,
            "filing_status": "single",
            "short_term_rate": "40.8",
            "long_term_rate": "23.8",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Client.objects.filter(name="X").exists()


def test_create_client_then_account(client, cast):
    client.force_login(cast.a.advisor)
    response = client.post(
        reverse("client-create"),
        {
            "name": "The Newcomers",
            "advisor": cast.a.advisor.pk,
            "filing_status": "married_joint",
            "short_term_rate": "40.8",
            "long_term_rate": "23.8",
        },
    )
    household = Client.objects.get(name="The Newcomers")
    assert response["Location"] == reverse("client-detail", args=[household.public_id])
    response = client.post(
        reverse("account-create", args=[household.public_id]),
        {
            "name": "Joint",
            "account_type": "taxable",
            "custodian": "Fidelity",
            "account_number": "55554444",
            "lot_relief_method": "hifo",
            "cash_balance": "0",
        },
    )
    account = Account.objects.get(client=household)
    assert account.firm == cast.a.firm and account.lot_relief_method == "hifo"
    body = client.get(reverse("client-detail", args=[household.public_id])).content.decode()
    assert "••••4444" in body and "55554444" not in body


def test_duplicate_account_number_is_a_field_error_on_the_page(client, cast):
    client.force_login(cast.a.advisor)
    before = Account.objects.count()
    response = client.post(
        reverse("account-create", args=[cast.a.client.public_id]),
        {
            "name": "Dup",
            "account_type": "taxable",
            "custodian": "Schwab",
            "account_number": cast.a.other_account.account_number,
            "lot_relief_method": "fifo",
            "cash_balance": "0",
        },
    )
    assert "already used in your firm" in response.content.decode()
    assert Account.objects.count() == before


def test_client_login_is_read_only(client, cast):
    client.force_login(cast.a.client_user)
    assert client.get("/")["Location"] == reverse("client-detail", args=[cast.a.client.public_id])
    page = client.get(reverse("client-detail", args=[cast.a.client.public_id]))
    assert page.status_code == 200 and "Edit" not in page.content.decode()
    response = client.post(reverse("client-edit", args=[cast.a.client.public_id]), {"name": "x"})
    assert response.status_code == 403
    cast.a.client.refresh_from_db()
    assert cast.a.client.name != "x"


def test_audit_history_records_who_changed_what(client, cast):
    client.force_login(cast.a.advisor)
    client.post(
        reverse("client-edit", args=[cast.a.client.public_id]),
        {
            "name": "Renamed Household",
            "advisor": cast.a.advisor.pk,
            "filing_status": "single",
            "short_term_rate": "37",
            "long_term_rate": "20",
        },
    )
    assert client.get(reverse("firm-history")).status_code == 403  # advisors: no
    client.force_login(cast.a.admin)
    body = client.get(reverse("firm-history")).content.decode()
    assert "Renamed Household" in body and cast.a.advisor.display_name in body
    assert "short_term_rate" in body and "0.3700" in body
    client.force_login(cast.b.admin)
    assert "Renamed Household" not in client.get(reverse("firm-history")).content.decode()


def test_invitation_flow(client, cast):
    client.force_login(cast.a.admin)
    response = client.post(
        reverse("invitation-create"),
        {
            "email": "New.Advisor@Example.com",
            "first_name": "Nia",
            "last_name": "Obi",
            "role": "advisor",
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.advisor@example.com")
    client.logout()
    url = reverse("invitation-accept", args=[invitation.token])
    weak = client.post(url, {"password1": "password", "password2": "password"})
    assert "too common" in weak.content.decode() or "too short" in weak.content.decode()
    assert not User.objects.filter(email="new.advisor@example.com").exists()
    ok = client.post(
        url, {"password1": "a-Strong-passphrase-77", "password2": "a-Strong-passphrase-77"}
    )
    assert ok.status_code == 302
    user = User.objects.get(email="new.advisor@example.com")
    assert user.firm == cast.a.firm and user.role == "advisor"
    assert client.get(url).status_code == 404  # used once


def test_invitation_for_existing_email_is_refused(client, cast):
    # issue 9: refused for a login of the admin's own firm; another firm's login is not
    # revealed (tests/test_invitations.py).
    client.force_login(cast.a.admin)
    response = client.post(
        reverse("invitation-create"), {"email": cast.a.other_advisor.email, "role": "advisor"}
    )
    assert "already exists" in response.content.decode()
    assert not Invitation.objects.exists()


def test_admin_deactivates_an_advisor(client, cast):
    client.force_login(cast.a.admin)
    client.post(
        reverse("advisor-set-active", args=[cast.a.other_advisor.public_id]), {"active": "0"}
    )
    cast.a.other_advisor.refresh_from_db()
    assert not cast.a.other_advisor.is_active


def test_sign_in_is_throttled_after_repeated_failures(client, cast, settings):
    # The throttle is django-axes now (issue 9): the 5th failure locks the pair.
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        response = client.post(
            reverse("login"), {"username": cast.a.advisor.username, "password": "wrong"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("login"), {"username": cast.a.advisor.username, "password": "wrong"}
    )
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username=cast.a.advisor.username).failures_since_start == 5
    response = client.post(
        reverse("login"), {"username": cast.a.advisor.username, "password": TEST_PASSWORD}
    )
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_sign_in_clears_failures(client, cast):
    client.post(reverse("login"), {"username": cast.a.advisor.username, "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": cast.a.advisor.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=cast.a.advisor.username).exists()


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_api_schema_and_docs_are_served(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if url == "/api/schema/":
        text = response.content.decode()
        assert "openapi: 3" in text and "/api/clients/" in text and "/api/accounts/" in text


def test_book_total_says_how_many_households_it_counts_of_those_listed(client, cast):
    """Households with nothing yet have a blank value, not $0.00; the footer says so."""
    client.force_login(cast.a.admin)
    body = client.get(reverse("home")).content.decode()
    listed = (
        body.count('href="/clients/')
        - body.count('href="/clients/new/')
        - body.count('href="/clients/export/')
    )
    assert listed == 2
    assert "Book total: total of 0 households" in body
    assert "; 2 listed, the others hold no positions or cash yet" in body
