"""The rebalance pages: the account page's button, the trade list with its stale banner, the
settings forms (account and firm defaults) and a batch with its progress."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from portfolios.models import Price, PriceSource
from tests.transitions.conftest import propose_now
from transitions.rebalance.models import RebalanceBatch, RebalanceSettings


def test_account_page_offers_propose_to_advisors_only(world, cast, client):
    url = reverse("account-detail", kwargs={"public_id": world.account.public_id})
    client.force_login(cast.a.advisor)
    assert "Propose trades" in client.get(url).content.decode()
    client.force_login(cast.a.client_user)
    body = client.get(url).content.decode()
    assert "data-rebalance-section" in body and "Propose trades" not in body


def test_propose_button_queues_a_job(world, cast, client, django_capture_on_commit_callbacks):
    client.force_login(cast.a.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rebalance-propose", kwargs={"public_id": world.account.public_id})
        )
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    assert (
        client.get(
            reverse("rebalance-propose", kwargs={"public_id": world.account.public_id})
        ).status_code
        == 405
    )


def test_trade_list_page_shows_lots_and_the_stale_banner(world, cast, client):
    trade_list = propose_now(world.account, cast.a.advisor)
    url = reverse("rebalance-trade-list", kwargs={"public_id": trade_list.public_id})
    client.force_login(cast.a.advisor)
    body = client.get(url).content.decode()
    assert "data-approve" in body and "data-stale" not in body
    first = trade_list.lines.filter(side="SELL").select_related("security").first()
    assert first.security.ticker in body and first.get_reason_display() in body
    for description in (cost["description"] for cost in trade_list.constraint_costs):
        assert description in body
    Price.objects.create(
        security=world.securities["AAPL"],
        date=world.today,
        close=Decimal("1.23"),
        source=PriceSource.SYNTHETIC,
    )
    body = client.get(url).content.decode()
    assert "data-stale" in body and "prices changed" in body and "data-approve" not in body
    response = client.post(reverse("rebalance-approve", kwargs={"public_id": trade_list.public_id}))
    assert response.status_code == 302
    trade_list.refresh_from_db()
    assert trade_list.status == "proposed"


def test_settings_forms(world, cast, client):
    client.force_login(cast.a.advisor)
    url = reverse("rebalance-settings", kwargs={"public_id": world.account.public_id})
    assert client.get(url).status_code == 200
    response = client.post(url, {"budget_kind": "gain", "budget_amount": "0", "whole_shares": ""})
    assert response.status_code == 302
    row = RebalanceSettings.objects.get(account=world.account)
    assert (row.budget_kind, row.budget_amount, row.whole_shares) == ("gain", 0, None)
    response = client.post(url, {"budget_kind": "tax", "budget_amount": ""})
    assert "Give the budget" in response.content.decode()
    firm_url = reverse("rebalance-firm-settings")
    assert client.get(firm_url).status_code == 403
    client.force_login(cast.a.admin)
    response = client.post(
        firm_url, {"budget_kind": "none", "whole_shares": "fractional", "min_trade_value": "10"}
    )
    assert response.status_code == 302
    firm_row = RebalanceSettings.objects.get(firm=cast.a.firm, account=None)
    assert (firm_row.whole_shares, firm_row.min_trade_value) == (False, 10)


def test_batch_page_and_progress(world, cast, client, django_capture_on_commit_callbacks):
    client.force_login(cast.a.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rebalance-batch-create"),
            {"scope": "selection", "accounts": [str(world.account.public_id)]},
        )
    batch = RebalanceBatch.objects.get()
    assert response["Location"] == reverse("rebalance-batch", kwargs={"public_id": batch.public_id})
    status = client.get(
        reverse("rebalance-batch-status", kwargs={"public_id": batch.public_id})
    ).json()
    assert (status["done"], status["total"], status["progress"], status["status"]) == (
        1,
        1,
        100,
        "done",
    )
    body = client.get(response["Location"]).content.decode()
    assert "1 done, 0 failed of 1 accounts" in body and world.account.name in body


def test_platform_staff_keep_the_share_class_table_in_the_admin(world, client, django_user_model):
    from transitions.rebalance.models import ShareClassGroup

    staff = django_user_model.objects.create_superuser("staff-rb", password="x-long-enough-pw-1")
    client.force_login(staff)
    group = ShareClassGroup.objects.get(name="Alphabet")
    response = client.get(reverse("admin:transitions_shareclassgroup_changelist"))
    assert response.status_code == 200 and "GOOG, GOOGL" in response.content.decode()
    response = client.get(reverse("admin:transitions_shareclassgroup_change", args=[group.pk]))
    assert response.status_code == 200


def test_share_class_seed_groups_only_present_tickers(db):
    from portfolios.models import Security
    from transitions.rebalance.models import ShareClassGroup, ShareClassMember
    from transitions.rebalance.share_classes import share_class_groups_seed

    for ticker in ("FOX", "FOXA", "NWS"):
        Security.objects.create(ticker=ticker, name=ticker)
    assert share_class_groups_seed() == 1
    assert share_class_groups_seed() == 1  # idempotent
    assert sorted(ShareClassMember.objects.values_list("security__ticker", flat=True)) == [
        "FOX",
        "FOXA",
    ]
    assert ShareClassGroup.objects.get().name == "Fox Corporation"
