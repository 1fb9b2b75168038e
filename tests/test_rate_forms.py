"""Rates in forms (issue 9): one convention everywhere. The advisor types a percent, a "%" is
shown next to the input, the form cleans it to the stored unit, and a value out of bounds is
refused with the field named."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.fields import PercentField
from accounts.forms import ClientForm
from transitions.analysis.forms import AnalysisStartForm
from transitions.rebalance.forms import RebalanceSettingsForm, settings_initial
from transitions.rebalance.models import RebalanceSettings


def _client_form(**kwargs) -> ClientForm:
    from accounts.models import User

    return ClientForm(advisor_queryset=User.objects.none(), **kwargs)


RATE_INPUT = re.compile(r"rate|_pct$|_bps$|turnover|tracking|te_|drift")


def _forms():
    return {
        "client": _client_form(),
        "rebalance settings": RebalanceSettingsForm(is_firm=True),
        "analysis": AnalysisStartForm(strategy_kind="direct_index"),
    }


def test_every_rate_typed_in_a_form_is_a_percent_field():
    seen = 0
    for form_name, form in _forms().items():
        for name, field in form.fields.items():
            if RATE_INPUT.search(name):
                assert isinstance(field, PercentField), (form_name, name)
                assert "%" not in str(field.label), (form_name, name)  # the suffix says it
                seen += 1
    assert seen == 8  # 2 tax rates, 4 rebalance rates, the TE goal and the expected return


def test_a_rate_input_shows_its_percent_sign():
    html = str(_client_form()["short_term_rate"])
    assert 'class="input-suffix">%</span>' in html
    assert 'value="40.8"' in html  # the stored 0.4080, shown as typed


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("40.8", Decimal("0.4080")), ("0", Decimal("0")), ("37.25", Decimal("0.3725"))],
)
def test_a_tax_rate_typed_in_percent_is_stored_as_a_fraction(typed, stored):
    field = _client_form().fields["short_term_rate"]
    assert field.clean(typed) == stored


@pytest.mark.parametrize("typed", ["90.5", "-1", "4O"])
def test_a_tax_rate_out_of_bounds_is_refused_naming_the_field(typed):
    form = _client_form(data={"name": "X", "filing_status": "single", "short_term_rate": typed})
    assert not form.is_valid()
    (message,) = form.errors["short_term_rate"]
    assert message.startswith("Short-term rate:") and "0 % to 90 %" in message


def test_rebalance_rates_are_typed_in_percent_and_kept_in_their_columns_units():
    form = RebalanceSettingsForm(
        data={
            "budget_kind": "none",
            "whole_shares": "whole",
            "loss_harvest_min_pct": "3",
            "max_turnover_pct": "40",
            "te_max_pct": "1.5",
            "trading_cost_pct": "0.05",
        },
        is_firm=True,
    )
    assert form.is_valid(), form.errors
    values = form.values()
    # 3 % and 40 % and 1.5 % stay percent; 0.05 % of the amount traded is 5 basis points.
    assert values["loss_harvest_min_pct"] == Decimal("3")
    assert values["max_turnover_pct"] == Decimal("40")
    assert values["te_max_pct"] == Decimal("1.5")
    assert values["trading_cost_bps"] == Decimal("5") and "trading_cost_pct" not in values


def test_rebalance_initial_values_show_in_percent(cast):
    row = RebalanceSettings(firm=cast.a.firm, trading_cost_bps=Decimal("12.5"))
    row.te_max_pct = Decimal("2.00")
    form = RebalanceSettingsForm(initial=settings_initial(row), is_firm=True)
    assert 'value="0.125"' in str(form["trading_cost_pct"])  # 12.5 bps = 0.125 %
    assert 'value="2"' in str(form["te_max_pct"])


@pytest.mark.parametrize(
    ("field", "typed", "label"),
    [
        ("te_max_pct", "0", "Tracking-error ceiling, a year:"),
        ("loss_harvest_min_pct", "101", "Harvest losses of at least (of the lot's basis):"),
        ("trading_cost_pct", "6", "Trading cost (of the amount traded):"),
    ],
)
def test_a_rebalance_rate_out_of_bounds_is_refused_naming_the_field(field, typed, label):
    form = RebalanceSettingsForm(
        data={"budget_kind": "none", "whole_shares": "whole", field: typed}, is_firm=True
    )
    assert not form.is_valid()
    assert form.errors[field][0].startswith(label)


def test_the_analysis_form_gives_the_service_fractions():
    form = AnalysisStartForm(
        data={
            "scenarios": ["hold"],
            "years": "5",
            "te_goal_pct": "0.5",
            "drift_pct": "6",
            "paths": "0",
            "seed": "7",
        },
        strategy_kind="direct_index",
    )
    assert form.is_valid(), form.errors
    arguments = form.start_arguments()
    assert arguments["te_goal"] == pytest.approx(0.005)
    assert arguments["drift"] == pytest.approx(0.06)
    assert 'value="0.5"' in str(AnalysisStartForm(strategy_kind="direct_index")["te_goal_pct"])


def test_the_analysis_form_refuses_a_fraction_typed_as_a_percent_of_60():
    form = AnalysisStartForm(
        data={
            "scenarios": ["hold"],
            "years": "5",
            "te_goal_pct": "0.5",
            "drift_pct": "60",
            "paths": "0",
            "seed": "7",
        },
        strategy_kind="direct_index",
    )
    assert not form.is_valid()
    assert form.errors["drift_pct"][0].startswith("Expected return, a year:")


def test_the_client_page_names_the_rate_out_of_bounds(client, cast):
    client.force_login(cast.a.advisor)
    url = reverse("client-edit", args=[cast.a.client.public_id])
    response = client.post(
        url,
        {
            "name": cast.a.client.name,
            "advisor": cast.a.advisor.pk,
            "filing_status": "single",
            "short_term_rate": "95",
            "long_term_rate": "23.8",
        },
    )
    assert response.status_code == 200
    assert "Short-term rate: give a percent from 0 % to 90 %." in response.content.decode()
    cast.a.client.refresh_from_db()
    assert cast.a.client.short_term_rate == Decimal("0.4080")


def test_the_settings_page_states_the_threshold_with_the_percent_filter(cast, client):
    client.force_login(cast.a.advisor)
    url = reverse("rebalance-settings", kwargs={"public_id": cast.a.account.public_id})
    html = client.get(url).content.decode()
    # The built-in 5 % threshold and $250 (transitions.rebalance.settings), formatted.
    assert "harvest losses of at least 5.0% and $250.00" in " ".join(html.split())
