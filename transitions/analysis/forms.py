"""The start form: a scenario picker with the defaults, extra scenarios by name, the horizon,
the goal and the market assumptions. It parses; the service validates."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from accounts.fields import PercentField
from transitions.analysis.scenarios import budget_why_not, default_scenarios

PRESETS = (
    ("immediate", "Immediate: sell all that is not in the target now"),
    ("timeline:2", "Timeline, 2 years"),
    ("timeline:3", "Timeline, 3 years"),
    ("timeline:5", "Timeline, 5 years"),
    ("timeline:7", "Timeline, 7 years"),
    ("gain_budget:0", "Zero net gain a year"),
    ("gain_budget:10000", "Gain budget $10,000 a year"),
    ("gain_budget:25000", "Gain budget $25,000 a year"),
    ("tax_budget:5000", "Tax budget $5,000 a year"),
    ("hold", "Hold: do nothing (reference)"),
)


class AnalysisStartForm(forms.Form):
    scenarios = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Scenarios"
    )
    extra = forms.CharField(
        required=False,
        max_length=300,
        label="More scenarios",
        help_text="Comma-separated, e.g. timeline:4, gain_budget:15000, tax_budget:8000",
    )
    years = forms.IntegerField(initial=5, label="Horizon (years)", help_text="1 to 10 years.")
    # Typed in percent (accounts.fields), cleaned to fractions of 1 as the service takes them.
    te_goal_pct = PercentField(
        initial=Decimal("0.005"),
        decimal_places=3,
        min_value="0.01",
        max_value=50,
        label="Tracking-error goal, a year",
        help_text="In target once the tracking error is at or below this.",
    )
    drift_pct = PercentField(
        initial=Decimal("0.06"), min_value=-49, max_value=49, label="Expected return, a year"
    )
    paths = forms.IntegerField(
        initial=100, label="Simulated market paths", help_text="0 for the expected path only."
    )
    seed = forms.IntegerField(initial=7, label="Seed", help_text="Same seed, same numbers.")

    def __init__(self, *args, strategy_kind: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        why = budget_why_not(strategy_kind)
        self.budget_why_not = why
        self.fields["scenarios"].choices = [
            (value, label) for value, label in PRESETS if not (why and "budget" in value)
        ]
        self.fields["scenarios"].initial = list(default_scenarios(strategy_kind))

    def scenario_names(self) -> list[str]:
        names = list(self.cleaned_data.get("scenarios") or [])
        extra = self.cleaned_data.get("extra") or ""
        names += [part.strip() for part in extra.split(",") if part.strip()]
        return names

    def start_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "scenarios": self.scenario_names(),
            "years": data["years"],
            "te_goal": float(data["te_goal_pct"]),
            "drift": float(data["drift_pct"]),
            "paths": data["paths"],
            "seed": data["seed"],
        }
