"""Small page promises of issue 9: platform staff land on the admin after signing in; a refused
request is logged in one line; ESG curation picks a security by ticker or name (autocomplete);
a favicon."""

from __future__ import annotations

import logging
import sys

from django.urls import reverse

from portfolios.models import Security
from tests.factories import TEST_PASSWORD


def test_platform_staff_land_on_the_admin_after_signing_in(client, db, django_user_model):
    django_user_model.objects.create_user("staffer", password=TEST_PASSWORD, is_staff=True)
    response = client.post(reverse("login"), {"username": "staffer", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_advisors_still_land_on_their_clients(client, cast):
    response = client.post(
        reverse("login"), {"username": cast.a.advisor.username, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("home")


def test_a_refused_request_is_logged_in_one_line(client, cast, capsys):
    handler = next(
        h for h in logging.getLogger("django.request").handlers if h.filters
    )  # the console handler with the one-line filter
    handler.setStream(sys.stderr)
    client.force_login(cast.b.advisor)
    client.get(reverse("client-detail", kwargs={"public_id": cast.a.client.public_id}))
    client.force_login(cast.a.client_user)
    client.get(reverse("firm-advisors"))
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert any("Not Found" in line or "Forbidden" in line for line in lines), err
    assert "Traceback" not in err


def test_category_curation_picks_a_security_by_ticker_or_name(client, db, django_user_model):
    Security.objects.create(ticker="AAPL", name="Apple Inc.")
    Security.objects.create(ticker="OLDX", name="Apple Orchards", is_active=False)
    staff = django_user_model.objects.create_superuser("root", "r@example.com", TEST_PASSWORD)
    client.force_login(staff)
    form = client.get(reverse("admin:esg_categoryoverride_add")).content.decode()
    assert "admin-autocomplete" in form
    answer = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "esg",
            "model_name": "categoryoverride",
            "field_name": "security",
            "term": "apple",
        },
    ).json()
    assert [r["text"] for r in answer["results"]] == [str(Security.objects.get(ticker="AAPL"))]


def test_a_favicon_is_linked_and_served(client):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in page
    assert client.get("/static/favicon.svg").status_code == 200
