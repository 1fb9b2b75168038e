"""Forms of the rebalance pages: settings (firm defaults or one account's) and a batch."""

from __future__ import annotations

from django import forms

from accounts.fields import BASIS_POINTS, PERCENT, PercentField
from transitions.rebalance.models import (
    RISK_AVERSION_MAX,
    RISK_AVERSION_MIN,
    BatchScope,
    BudgetKind,
)

MONEY = {"max_digits": 18, "decimal_places": 2, "min_value": 0, "required": False}
# Rates are typed in percent (accounts.fields); these columns keep percent (basis points for
# the trading cost), so the form cleans to those units.
IN_PERCENT = {"stored_per_percent": PERCENT, "required": False}
# Form field -> stored column where they differ (the trading cost is typed in %, kept in bps).
STORED_NAMES = {"trading_cost_pct": "trading_cost_bps"}
RISK_AVERSION_HELP = (
    "How much tax you would pay to cut tracking error: higher follows the target more "
    "closely (and pays more tax), lower pays less tax and drifts more. From 0.1 to 1000; "
    "built in: 20 (at 20, cutting tracking error from 2 % to 1 % is worth 0.6 % of the "
    "account in tax)."
)


class RebalanceSettingsForm(forms.Form):
    """Empty fields of an account inherit the firm's defaults."""

    budget_kind = forms.ChoiceField(label="Budget for the period")
    budget_amount = forms.DecimalField(
        label="Budget amount ($)", help_text="Zero allowed: no net gain / no tax.", **MONEY
    )
    loss_harvest_min_pct = PercentField(
        label="Harvest losses of at least (of the lot's basis)", max_value=100, **IN_PERCENT
    )
    loss_harvest_min_value = forms.DecimalField(label="... and at least ($ per lot)", **MONEY)
    withdrawal = forms.DecimalField(label="Cash to raise: withdrawal ($)", **MONEY)
    deposit = forms.DecimalField(label="Cash to invest: deposit ($)", **MONEY)
    cash_target = forms.DecimalField(label="Cash to keep after trades ($)", **MONEY)
    min_trade_value = forms.DecimalField(label="Smallest trade ($)", **MONEY)
    max_turnover_pct = PercentField(
        label="Turnover cap (buys plus sells, of the account)", max_value=2000, **IN_PERCENT
    )
    whole_shares = forms.ChoiceField(label="Shares")
    trading_cost_pct = PercentField(
        label="Trading cost (of the amount traded)",
        help_text="0.05 % is 5 basis points.",
        max_value=5,
        decimal_places=4,
        stored_per_percent=BASIS_POINTS,
        required=False,
    )
    te_max_pct = PercentField(
        label="Tracking-error ceiling, a year", min_value="0.01", max_value=50, **IN_PERCENT
    )
    risk_aversion = forms.DecimalField(
        label="Risk aversion",
        help_text=RISK_AVERSION_HELP,
        min_value=RISK_AVERSION_MIN,
        max_value=RISK_AVERSION_MAX,
        max_digits=8,
        decimal_places=2,
        required=False,
    )

    def __init__(self, *args, is_firm: bool, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [(k, label) for k, label in BudgetKind.choices if not is_firm or k != "inherit"]
        self.fields["budget_kind"].choices = kinds
        shares = [("whole", "Whole shares"), ("fractional", "Fractional shares")]
        if not is_firm:
            shares.insert(0, ("", "As the firm's default"))
        self.fields["whole_shares"].choices = shares
        self.fields["whole_shares"].required = is_firm
        if is_firm:
            del self.fields["withdrawal"]
            del self.fields["deposit"]
        else:
            for name, field in self.fields.items():
                if name == "risk_aversion":
                    field.help_text = f"{RISK_AVERSION_HELP} Empty: the firm's default."
                elif name not in ("budget_kind", "budget_amount", "withdrawal", "deposit"):
                    field.help_text = field.help_text or "Empty: the firm's default."

    def values(self) -> dict:
        """The cleaned values under the stored columns' names, in their units."""
        data = {STORED_NAMES.get(name, name): value for name, value in self.cleaned_data.items()}
        shares = data.pop("whole_shares", "")
        data["whole_shares"] = {"whole": True, "fractional": False}.get(shares)
        return data


def settings_initial(row) -> dict:
    if row is None:
        return {}
    initial = {
        name: getattr(row, STORED_NAMES.get(name, name))
        for name in RebalanceSettingsForm.base_fields
    }
    initial["whole_shares"] = {True: "whole", False: "fractional"}.get(row.whole_shares, "")
    return initial


class BatchForm(forms.Form):
    scope = forms.ChoiceField(choices=BatchScope.choices, widget=forms.RadioSelect)
    strategy = forms.ModelChoiceField(queryset=None, required=False)
    advisor = forms.ModelChoiceField(queryset=None, required=False)
    accounts = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Account
        from accounts.selectors import advisor_choices
        from portfolios.models import Strategy

        self.fields["strategy"].queryset = Strategy.objects.filter(is_active=True)
        self.fields["advisor"].queryset = advisor_choices(user=user)
        self.fields["accounts"].queryset = (
            Account.objects.visible_to(user)
            .filter(is_active=True, strategy__isnull=False)
            .select_related("client")
            .order_by("client__name", "name")
        )
        self.fields["accounts"].label_from_instance = lambda a: f"{a.client.name} · {a.name}"
