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
