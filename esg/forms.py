"""Page forms for an account's customization. They parse; esg.services validates and writes."""

from __future__ import annotations

from django import forms

from esg.models import RestrictionMode, RestrictionScope
from esg.types import ConcentratedPositionInput, CustomizationInput, RestrictionInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CategoriesForm(forms.Form):
    categories = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Exclude these ESG categories"
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [
            (category.slug, f"{category.name} ({category.member_count} names)")
            for category in categories
        ]


class RestrictionRowForm(forms.Form):
    scope = forms.ChoiceField(choices=RestrictionScope.choices, initial=RestrictionScope.SECURITY)
    target = forms.CharField(
        required=False,
        max_length=100,
        label="Ticker, industry or sector",
        widget=forms.TextInput(attrs={"list": "esg-restriction-values", "autocomplete": "off"}),
    )
    mode = forms.ChoiceField(choices=RestrictionMode.choices, initial=RestrictionMode.DO_NOT_BUY)
    effective_from = forms.DateField(required=False, widget=DATE_INPUT, label="From")
    effective_to = forms.DateField(required=False, widget=DATE_INPUT, label="Until")
    reason = forms.CharField(required=False, max_length=300)

    def as_input(self, row: int) -> RestrictionInput | None:
        """None for a blank row (left empty, or marked for removal)."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not (data.get("target") or "").strip():
            return None
        target = data["target"].strip()
        is_security = data["scope"] == RestrictionScope.SECURITY
        return RestrictionInput(
            scope=data["scope"],
            mode=data["mode"],
            ticker=target if is_security else "",
            value="" if is_security else target,
            effective_from=data.get("effective_from"),
            effective_to=data.get("effective_to"),
            reason=data.get("reason") or "",
            row=row,
        )


class ConcentratedRowForm(forms.Form):
    ticker = forms.CharField(required=False, max_length=20)
    note = forms.CharField(required=False, max_length=300)

    def as_input(self, row: int) -> ConcentratedPositionInput | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or not (data.get("ticker") or "").strip():
            return None
        return ConcentratedPositionInput(
            ticker=data["ticker"], note=data.get("note") or "", row=row
        )


RestrictionFormSet = forms.formset_factory(RestrictionRowForm, extra=4, can_delete=True)
ConcentratedFormSet = forms.formset_factory(ConcentratedRowForm, extra=2, can_delete=True)


def customization_forms(*, data, categories, initial: CustomizationInput | None = None):
    """The three parts of the customization page, bound to POST data or filled from `initial`."""
    initial = initial or CustomizationInput()
    return (
        CategoriesForm(
            data,
            categories=categories,
            initial={"categories": list(initial.category_slugs)},
        ),
        RestrictionFormSet(
            data,
            prefix="restrictions",
            initial=[
                {
                    "scope": row.scope,
                    "target": row.ticker or row.value,
                    "mode": row.mode,
                    "effective_from": row.effective_from,
                    "effective_to": row.effective_to,
                    "reason": row.reason,
                }
                for row in initial.restrictions
            ],
        ),
        ConcentratedFormSet(
            data,
            prefix="concentrated",
            initial=[
                {"ticker": row.ticker, "note": row.note} for row in initial.concentrated_positions
            ],
        ),
    )


def customization_input(categories_form, restriction_formset, concentrated_formset):
    """The validated forms as one CustomizationInput (blank rows dropped)."""
    return CustomizationInput(
        category_slugs=tuple(categories_form.cleaned_data.get("categories") or ()),
        restrictions=tuple(
            row
            for row in (
                form.as_input(number)
                for number, form in enumerate(restriction_formset.forms, start=1)
            )
            if row
        ),
        concentrated_positions=tuple(
            row
            for row in (
                form.as_input(number)
                for number, form in enumerate(concentrated_formset.forms, start=1)
            )
            if row
        ),
    )
