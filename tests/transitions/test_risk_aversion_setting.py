"""Risk aversion as a rebalance setting: inherited like the others (account, else firm, else 20),
bounded (0.1 to 1000, the error names the field), carried to the engine's problem and into the
trade list's `settings_used`, in the API as a number with its bounds in the schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from tests.transitions.conftest import propose_now
from transitions.rebalance import selectors, services
from transitions.rebalance.forms import RebalanceSettingsForm
from transitions.rebalance.inputs import _settings_digested, inputs_load
from transitions.rebalance.models import RebalanceSettings
from transitions.rebalance.settings import settings_effective


def _problem(account):
    from esg.services import customized_target_refresh

    customized_target_refresh(account=account)
    return inputs_load(account=account, with_risk_model=False).problem


def test_built_in_default_is_20_and_inherited(world):
    effective = settings_effective(account=world.account)
    assert effective.risk_aversion == Decimal("20")
    assert "risk_aversion" in effective.inherited
    assert _problem(world.account).risk_aversion == 20.0


def test_account_overrides_firm_default_overrides_built_in(world, cast):
    firm = world.account.firm
    RebalanceSettings.objects.create(firm=firm, budget_kind="none", risk_aversion=Decimal("50"))
    effective = settings_effective(account=world.account)
    assert effective.risk_aversion == Decimal("50") and "risk_aversion" in effective.inherited
    # another account of the firm inherits the firm's 50 too
    assert settings_effective(account=cast.a.ira).risk_aversion == Decimal("50")
    RebalanceSettings.objects.create(firm=firm, account=world.account, risk_aversion=Decimal("7.5"))
    effective = settings_effective(account=world.account)
    assert effective.risk_aversion == Decimal("7.5") and "risk_aversion" not in effective.inherited
    assert settings_effective(account=cast.a.ira).risk_aversion == Decimal("50")
    assert _problem(world.account).risk_aversion == 7.5


def test_it_reaches_the_engine_and_the_trade_lists_settings_used(world, cast):
    RebalanceSettings.objects.create(
        firm=world.account.firm, account=world.account, risk_aversion=Decimal("35")
    )
    trade_list = propose_now(world.account, cast.a.advisor)
    assert trade_list.status == "proposed", trade_list.error
    assert Decimal(trade_list.settings_used["risk_aversion"]) == Decimal("35")
    api = APIClient()
    api.force_authenticate(cast.a.advisor)
    body = api.get(f"/api/trade-lists/{trade_list.public_id}/").json()
    assert body["settings_used"]["risk_aversion"] == 35.0


@pytest.mark.parametrize("value", ["0.05", "1000.01", "-1"])
def test_out_of_bounds_is_refused_naming_the_field(world, cast, value):
    with pytest.raises(ValidationError) as refused:
        services.rebalance_settings_save(
            firm=world.account.firm,
            actor=cast.a.advisor,
            account=world.account,
            values={"risk_aversion": Decimal(value)},
        )
    assert "risk_aversion" in refused.value.message_dict
    assert "Risk aversion" in " ".join(refused.value.message_dict["risk_aversion"])
    assert not RebalanceSettings.objects.filter(account=world.account).exists()


@pytest.mark.parametrize("value", ["0.1", "1000"])
def test_the_bounds_themselves_are_allowed(world, cast, value):
    row = services.rebalance_settings_save(
        firm=world.account.firm,
        actor=cast.a.advisor,
        account=world.account,
        values={"risk_aversion": Decimal(value)},
    )
    row.refresh_from_db()
    assert row.risk_aversion == Decimal(value)


def test_form_refuses_out_of_bounds_and_cleans_in_bounds(world):
    form = RebalanceSettingsForm({"budget_kind": "inherit", "risk_aversion": "2000"}, is_firm=False)
    assert not form.is_valid() and "risk_aversion" in form.errors
    form = RebalanceSettingsForm({"budget_kind": "inherit", "risk_aversion": "45"}, is_firm=False)
    assert form.is_valid(), form.errors
    assert form.values()["risk_aversion"] == Decimal("45")


def test_settings_page_says_what_it_does_and_saves_it(world, cast, client):
    client.force_login(cast.a.advisor)
    url = reverse("rebalance-settings", kwargs={"public_id": world.account.public_id})
    body = client.get(url).content.decode()
    assert "how much tax you would pay to cut tracking error" in body.lower()
    assert "higher follows the target more closely" in body.lower()
    assert "<span data-risk-aversion>20</span>" in body
    response = client.post(url, {"budget_kind": "inherit", "risk_aversion": "60"})
    assert response.status_code == 302
    assert settings_effective(account=world.account).risk_aversion == Decimal("60")
    response = client.post(url, {"budget_kind": "inherit", "risk_aversion": "0.01"})
    assert response.status_code == 200 and "risk_aversion" in response.context["form"].errors
    assert settings_effective(account=world.account).risk_aversion == Decimal("60")


def test_api_number_with_bounds_in_the_schema_and_400_naming_the_field(world, cast, client):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in ("Settings", "PatchedSettingsRequest", "EffectiveSettings"):
        prop = schema[name]["properties"]["risk_aversion"]
        assert prop["type"] == "number"
        assert (prop["minimum"], prop["maximum"]) == (0.1, 1000)
    api = APIClient()
    api.force_authenticate(cast.a.advisor)
    url = f"/api/rebalance-settings/{world.account.public_id}/"
    response = api.patch(url, {"risk_aversion": 5000}, format="json")
    assert response.status_code == 400 and "risk_aversion" in response.json()
    response = api.patch(url, {"risk_aversion": 12.5}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["overrides"]["risk_aversion"] == 12.5
    assert body["effective"]["risk_aversion"] == 12.5
    assert "risk_aversion" not in body["effective"]["inherited"]


def test_the_default_leaves_open_proposals_current_and_a_change_makes_them_stale(world, cast):
    trade_list = propose_now(world.account, cast.a.advisor)
    firm_row = RebalanceSettings.objects.create(
        firm=world.account.firm, budget_kind="none", risk_aversion=Decimal("20")
    )
    assert selectors.trade_list_stale_reasons(trade_list=trade_list) == []
    firm_row.risk_aversion = Decimal("30")
    firm_row.save()
    assert selectors.trade_list_stale_reasons(trade_list=trade_list) == [
        "the rebalance settings or restrictions changed"
    ]


def test_the_digest_leaves_the_default_risk_aversion_out(world):
    """Proposals made before risk aversion was a setting digested settings without it: at the
    default it stays out of the digest so that they are not made stale by the upgrade."""
    effective = settings_effective(account=world.account)
    assert "risk_aversion" in effective.as_json()
    assert "risk_aversion" not in _settings_digested(effective)
    RebalanceSettings.objects.create(
        firm=world.account.firm, account=world.account, risk_aversion=Decimal("30")
    )
    changed = _settings_digested(settings_effective(account=world.account))
    assert Decimal(changed["risk_aversion"]) == Decimal("30")


def test_a_higher_risk_aversion_follows_the_target_more_closely_and_pays_more_tax(world, cast):
    """The same account proposed at 0.5 and at 500 (fractional shares, so that rounding does
    not blur the comparison)."""
    row = RebalanceSettings.objects.create(
        firm=world.account.firm,
        account=world.account,
        whole_shares=False,
        risk_aversion=Decimal("0.5"),
    )
    low = propose_now(world.account, cast.a.advisor)
    row.risk_aversion = Decimal("500")
    row.save()
    high = propose_now(world.account, cast.a.advisor)
    assert low.status == high.status == "proposed"
    assert high.tracking_error_after < low.tracking_error_after
    assert high.estimated_tax >= low.estimated_tax
