"""Forms of the proposal pages and the firm's branding page (parsing only; checks are in
the services)."""

from __future__ import annotations

from django import forms

from accounts.branding import LOGO_MAX_BYTES
from pma_engine.transition import scenario_parse
from transitions.analysis.scenarios import scenario_label


class ProposalGenerateForm(forms.Form):
    recommended_scenario = forms.ChoiceField(label="Recommended scenario", widget=forms.RadioSelect)
    shown_scenarios = forms.MultipleChoiceField(
        label="Scenarios shown side by side",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The recommended scenario is always shown.",
    )
    advisor_note = forms.CharField(
        label="A note to the client",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, analysis, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, scenario_label(scenario_parse(n))) for n in analysis.scenario_names]
        self.fields["recommended_scenario"].choices = choices
        self.fields["shown_scenarios"].choices = choices
        if not self.is_bound:
            default = next(
                (n for n in analysis.scenario_names if n.startswith("timeline")),
                analysis.scenario_names[0] if analysis.scenario_names else None,
            )
            self.initial.setdefault("recommended_scenario", default)
            self.initial.setdefault(
                "shown_scenarios", [n for n in analysis.scenario_names if n != "hold"][:4]
            )


class ProposalShareForm(forms.Form):
    email = forms.EmailField(
        required=False,
        help_text="For a client without a login: where the invitation goes (default: the "
        "household's email).",
    )


class ProposalRespondForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("reviewed", "Reviewed"), ("accepted", "Accepted")])


class FirmBrandingForm(forms.Form):
    display_name = forms.CharField(label="Name shown to clients", max_length=200, required=False)
    color = forms.CharField(
        label="Colour",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="Used for headings and charts in proposals.",
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG or JPEG, at most 2 MB and 4,000 px a side (SVG is not accepted).",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload and upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                f"The logo is {upload.size / 1_048_576:.1f} MB; the limit is 2 MB."
            )
        return upload
