"""ESG pages: category lists, the customization page (preview, save, errors), the target page,
the account page's section, and the admin for platform staff."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from esg.models import (
    AccountExclusion,
    CategoryMember,
    CategoryOverride,
    CustomizedTarget,
    Restriction,
)
from tests.esg.conftest import account_with_strategy
from tests.test_isolation import database_fingerprint


@pytest.fixture
def di_account(cast, esg_world):
    return account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])


def _form(**extra):
    data = {
        "restrictions-TOTAL_FORMS": "2",
        "restrictions-INITIAL_FORMS": "0",
        "restrictions-0-scope": "security",
        "restrictions-0-target": "",
        "restrictions-0-mode": "do_not_buy",
        "restrictions-1-scope": "security",
        "restrictions-1-target": "",
        "restrictions-1-mode": "do_not_buy",
        "concentrated-TOTAL_FORMS": "1",
        "concentrated-INITIAL_FORMS": "0",
        "concentrated-0-ticker": "",
    }
    data.update(extra)
    return data


def test_category_pages_show_members_and_why(client, cast, esg_world):
    client.force_login(cast.a.advisor)
    page = client.get(reverse("esg-category-list")).content.decode()
    assert "Tobacco" in page and "industry is Tobacco" in page
    detail = client.get(reverse("esg-category-detail", args=["tobacco"])).content.decode()
    assert "Altria" in detail and "industry is Tobacco" in detail
    client.force_login(cast.a.client_user)
    assert client.get(reverse("esg-category-list")).status_code == 403


def test_preview_shows_costs_and_saves_nothing(client, cast, di_account):
    client.force_login(cast.a.advisor)
    url = reverse("esg-account-customize", args=[di_account.public_id])
    assert client.get(url).status_code == 200
    before = database_fingerprint()
    response = client.post(
        url,
        _form(
            action="preview",
            categories=["tobacco", "weapons"],
            **{
                "restrictions-1-scope": "security",
                "restrictions-1-target": "XOM",
                "restrictions-1-mode": "do_not_hold",
            },
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview" in page and "not saved" in page
    for label in ("Tobacco", "Weapons", "Do not hold: XOM", "All together", "TE alone, optimized"):
        assert label in page, label
    preview = response.context["preview"]
    assert preview.total.tracking_error <= preview.total.pro_rata_tracking_error
    assert database_fingerprint() == before


def test_save_persists_and_shows_the_target(client, cast, di_account):
    client.force_login(cast.a.advisor)
    url = reverse("esg-account-customize", args=[di_account.public_id])
    response = client.post(
        url,
        _form(
            action="save",
            categories=["gambling"],
            **{"concentrated-0-ticker": "aapl", "concentrated-0-note": "employer stock"},
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("esg-account-target", args=[di_account.public_id])
    assert AccountExclusion.objects.get(account=di_account).category.slug == "gambling"
    target_page = client.get(response["Location"]).content.decode()
    assert "Customization saved." in target_page
    assert "Concentrated position: AAPL" in target_page
    assert "a year optimized" in target_page
    # The cost table ends with all settings together, the figures of the saved target.
    target = CustomizedTarget.objects.get(account=di_account)
    total_row = re.search(r"<tr data-cost-total>(.*?)</tr>", target_page, re.S).group(1)
    assert "All together" in total_row
    assert f"{100 * target.tracking_error:.2f}%" in total_row
    assert f"{100 * target.pro_rata_tracking_error:.2f}%" in total_row
    account_page = client.get(reverse("account-detail", args=[di_account.public_id]))
    assert "Gambling" in account_page.content.decode()
    # The form shows what is saved.
    form_page = client.get(url).content.decode()
    assert 'value="AAPL"' in form_page
    assert re.search(r'value="gambling"[^>]*\bchecked', form_page)
    assert not re.search(r'value="tobacco"[^>]*\bchecked', form_page)


def test_errors_name_the_row_and_nothing_is_saved(client, cast, di_account):
    client.force_login(cast.a.advisor)
    url = reverse("esg-account-customize", args=[di_account.public_id])
    before = database_fingerprint()
    response = client.post(
        url,
        _form(
            action="save",
            categories=["tobacco"],
            **{
                "restrictions-1-scope": "security",
                "restrictions-1-target": "ZZZZ",
                "restrictions-1-mode": "do_not_hold",
            },
        ),
    )
    assert response.status_code == 200
    assert "Restriction row 2, ticker: no security with ticker “ZZZZ”." in response.content.decode()
    assert database_fingerprint() == before
    assert not Restriction.objects.exists()


def test_contradictory_settings_are_named_in_the_page_and_nothing_is_saved(
    client, cast, di_account
):
    client.force_login(cast.a.advisor)
    url = reverse("esg-account-customize", args=[di_account.public_id])
    before = database_fingerprint()
    response = client.post(
        url,
        _form(
            action="save",
            **{
                "restrictions-0-scope": "sector",
                "restrictions-0-target": "Energy",
                "restrictions-0-mode": "do_not_hold",
                "restrictions-1-target": "XOM",
                "restrictions-1-mode": "do_not_buy",
            },
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved" in page
    assert "“Do not buy: XOM” contradicts “Do not hold: sector Energy”" in page
    assert database_fingerprint() == before


def test_client_reads_the_target_but_cannot_customize(client, cast, di_account):
    client.force_login(cast.a.client_user)
    assert client.get(reverse("esg-account-target", args=[di_account.public_id])).status_code == 200
    url = reverse("esg-account-customize", args=[di_account.public_id])
    assert client.get(url).status_code == 403
    account_page = client.get(reverse("account-detail", args=[di_account.public_id]))
    assert url not in account_page.content.decode()


def test_admin_curates_categories_with_history_and_rebuild(client, esg_world, django_user_model):
    staff = django_user_model.objects.create_superuser("staffer", "s@example.com", "pw-long-123")
    client.force_login(staff)
    tobacco = esg_world.categories["tobacco"]
    change_url = reverse("admin:esg_exclusioncategory_change", args=[tobacco.pk])
    page = client.get(change_url).content.decode()
    assert "2 members, with the reason for each" in page
    members_url = (
        reverse("admin:esg_categorymember_changelist") + f"?category__id__exact={tobacco.pk}"
    )
    assert "industry is Tobacco" in client.get(members_url).content.decode()
    # Add a hand override through the inline; the member list is rebuilt.
    data = {
        "slug": "tobacco",
        "name": "Tobacco",
        "description": "",
        "is_active": "on",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "1",
        "rules-0-id": str(tobacco.rules.get().pk),
        "rules-0-category": str(tobacco.pk),
        "rules-0-field": "industry",
        "rules-0-value": "Tobacco",
        "overrides-TOTAL_FORMS": "1",
        "overrides-INITIAL_FORMS": "0",
        "overrides-0-category": str(tobacco.pk),
        "overrides-0-security": str(esg_world.securities["KO"].pk),
        "overrides-0-action": "include",
        "overrides-0-reason": "",
    }
    response = client.post(change_url, data)
    assert response.status_code == 200  # the reason is required
    assert "Say why this name is added or removed by hand." in response.content.decode()
    data["overrides-0-reason"] = "sugar is the new tobacco"
    response = client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    override = CategoryOverride.objects.get(category=tobacco)
    assert override.created_by == staff
    assert override.history.get().history_user == staff
    member = CategoryMember.objects.get(category=tobacco, security__ticker="KO")
    assert member.reason == "added by hand: sugar is the new tobacco"
    history = client.get(reverse("admin:esg_exclusioncategory_history", args=[tobacco.pk]))
    assert history.status_code == 200
    # The rebuild action.
    CategoryMember.objects.all().delete()
    response = client.post(
        reverse("admin:esg_exclusioncategory_changelist"),
        {"action": "rebuild_members", "_selected_action": [tobacco.pk]},
        follow=True,
    )
    assert "Rebuilt 1 categories" in response.content.decode()
    assert CategoryMember.objects.filter(category=tobacco).count() == 3
