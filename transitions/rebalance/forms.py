"""Forms of the rebalance pages: settings (firm defaults or one account's) and a batch."""

from __future__ import annotations

from django import forms

from transitions.rebalance.models import BatchScope, BudgetKind

MONEY = {"max_digits": 18, "decimal_places": 2, "min_value": 0, "required": False}
PERCENT = {"max_digits": 6, "decimal_places": 2, "min_value": 0, "required": False}


class RebalanceSettingsForm(forms.Form):
    """Empty fields of an account inherit the firm's defaults."""

    budget_kind = forms.ChoiceField(label="Budget for the period")
    budget_amount = forms.DecimalField(
        label="Budget amount ($)", help_text="Zero allowed: no net gain / no tax.", **MONEY
    )
    loss_harvest_min_pct = forms.DecimalField(
        label="Harvest losses of at least (% of basis)", **PERCENT
    )
    loss_harvest_min_value = forms.DecimalField(label="... and at least ($ per lot)", **MONEY)
    withdrawal = forms.DecimalField(label="Cash to raise: withdrawal ($)", **MONEY)
    deposit = forms.DecimalField(label="Cash to invest: deposit ($)", **MONEY)
    cash_target = forms.DecimalField(label="Cash to keep after trades ($)", **MONEY)
    min_trade_value = forms.DecimalField(label="Smallest trade ($)", **MONEY)
    max_turnover_pct = forms.DecimalField(label="Turnover cap (% of the account)", **PERCENT)
    whole_shares = forms.ChoiceField(label="Shares")
    trading_cost_bps = forms.DecimalField(label="Trading cost (basis points)", **PERCENT)
    te_max_pct = forms.DecimalField(label="Tracking-error ceiling (% a year)", **PERCENT)

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
                if name not in ("budget_kind", "budget_amount", "withdrawal", "deposit"):
                    field.help_text = field.help_text or "Empty: the firm's default."

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        shares = data.pop("whole_shares", "")
        data["whole_shares"] = {"whole": True, "fractional": False}.get(shares)
        return data


def settings_initial(row) -> dict:
    if row is None:
        return {}
    initial = {name: getattr(row, name) for name in RebalanceSettingsForm.base_fields}
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
