"""The admin pages of the reference data open for platform staff; weights import there too."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolios.models import Price, StrategyVersion


@pytest.fixture
def staff_client(client, django_user_model, reference_small):
    staff = django_user_model.objects.create_superuser("staffer", "s@example.com", "x" * 20)
    client.force_login(staff)
    return client


def test_changelists_and_change_pages_open(staff_client, reference_small):
    strategy = reference_small.strategies["core-equity"]
    version = StrategyVersion.objects.filter(strategy=strategy).first()
    price = Price.objects.first()
    urls = [
        reverse("admin:portfolios_security_changelist") + "?q=MO&sector=Consumer+Staples",
        reverse("admin:portfolios_security_changelist") + "?index=S%26P+600&firm__isempty=1",
        reverse("admin:portfolios_security_change", args=[reference_small.security("MO").pk]),
        reverse("admin:portfolios_price_changelist") + "?source__exact=synthetic",
        reverse("admin:portfolios_price_change", args=[price.pk]),
        reverse("admin:portfolios_strategy_changelist"),
        reverse("admin:portfolios_strategy_change", args=[strategy.pk]),
        reverse("admin:portfolios_strategyversion_changelist"),
        reverse("admin:portfolios_strategyversion_change", args=[version.pk]),
        reverse("admin:portfolios_riskmodel_changelist"),
        reverse("admin:portfolios_riskmodel_change", args=[reference_small.risk_model.pk]),
        reverse("admin:portfolios_strategy_import_weights", args=[strategy.pk]),
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
    body = staff_client.get(urls[6]).content.decode()
    assert "Import model weights (CSV)" in body


def test_weights_import_in_the_admin(staff_client, reference_small):
    strategy = reference_small.strategies["di-large-cap"]
    url = reverse("admin:portfolios_strategy_import_weights", args=[strategy.pk])
    bad = SimpleUploadedFile("w.csv", b"ticker,weight\nMO,0.5\nNOPE,0.5\n")
    response = staff_client.post(url, {"file": bad, "effective_date": "2025-06-02"})
    assert "row 3, ticker: unknown ticker &#x27;NOPE&#x27;" in response.content.decode()
    assert strategy.versions.count() == 1
    good = SimpleUploadedFile("w.csv", b"ticker,weight\nMO,0.5\nPM,0.5\n")
    response = staff_client.post(url, {"file": good, "effective_date": "2025-06-02", "note": "x"})
    assert response.status_code == 302
    latest = strategy.versions.order_by("-version").first()
    assert (latest.version, latest.weights.count(), latest.is_synthetic) == (2, 2, False)
    assert latest.created_by.username == "staffer"


def test_firm_users_have_no_admin(client, cast):
    client.force_login(cast.a.admin)
    response = client.get(reverse("admin:portfolios_riskmodel_changelist"))
    assert response.status_code == 302
    response = client.post(reverse("admin:portfolios_riskmodel_build"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_prices_import_in_the_admin(staff_client, reference_small):
    listing = staff_client.get(reverse("admin:portfolios_price_changelist"))
    url = reverse("admin:portfolios_price_import")
    assert url in listing.content.decode() and "Import prices (CSV)" in listing.content.decode()
    assert staff_client.get(url).status_code == 200
    before = Price.objects.count()
    bad = SimpleUploadedFile(
        "p.csv", b"date,ticker,close\n2025-06-02,MO,50\n2025-06-02,NOPE,1\n2025-06-03,MO,-2\n"
    )
    body = staff_client.post(url, {"file": bad}).content.decode()
    assert "nothing was imported: 2 problem(s)" in body
    assert "row 3, ticker: unknown ticker &#x27;NOPE&#x27;" in body
    assert "row 4, close: -2 is not positive" in body
    assert Price.objects.count() == before
    not_utf8 = SimpleUploadedFile("p.csv", b"date,ticker,close\n2025-06-02,MO,5\xff\n")
    body = staff_client.post(url, {"file": not_utf8}).content.decode()
    assert "row 2: not UTF-8 text (byte 0xff)" in body
    good = SimpleUploadedFile("p.csv", b"date,ticker,close\n2000-01-03,MO,12.5\n")
    response = staff_client.post(url, {"file": good}, follow=True)
    assert "Imported 1 prices of 1 securities" in response.content.decode()
    stored = Price.objects.get(security__ticker="MO", date="2000-01-03")
    assert (str(stored.close), stored.source) == ("12.500000", "imported")


def test_firm_users_cannot_import_prices(client, cast):
    client.force_login(cast.a.admin)
    response = client.post(reverse("admin:portfolios_price_import"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
