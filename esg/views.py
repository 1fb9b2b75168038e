"""ESG pages: the category lists, an account's customization (preview, save) and its target."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.tenancy import ALL_FIRM_ROLES, firm_view
from esg import selectors, services
from esg.forms import customization_forms, customization_input
from esg.models import ExclusionCategory
from pma_engine.securities import GICS_SECTORS, INDUSTRIES


@firm_view
@require_http_methods(["GET"])
def category_list(request):
    return render(request, "esg/category_list.html", {"categories": selectors.categories_list()})


@firm_view
@require_http_methods(["GET"])
def category_detail(request, slug):
    category = get_object_or_404(ExclusionCategory, slug=slug, is_active=True)
    return render(
        request,
        "esg/category_detail.html",
        {
            "category": category,
            "rules": category.rules.order_by("field", "value"),
            "members": selectors.category_members(category=category),
            "overrides": selectors.category_overrides(category=category),
        },
    )


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for problems in error.message_dict.values() for message in problems]
    return list(error.messages)


@firm_view
@require_http_methods(["GET", "POST"])
def account_customize(request, public_id):
    account = selectors.access_customization(user=request.user, id=public_id)
    categories = list(selectors.categories_list())
    initial = selectors.customization_current(account=account)
    data = request.POST if request.method == "POST" else None
    categories_form, restriction_formset, concentrated_formset = customization_forms(
        data=data, categories=categories, initial=initial
    )
    preview, problems = None, []
    if request.method == "POST":
        forms_valid = (
            categories_form.is_valid()
            and restriction_formset.is_valid()
            and concentrated_formset.is_valid()
        )
        if forms_valid:
            proposed = customization_input(
                categories_form, restriction_formset, concentrated_formset
            )
            try:
                if request.POST.get("action") == "save":
                    services.customization_save(account=account, actor=request.user, data=proposed)
                    messages.success(request, "Customization saved.")
                    return redirect("esg-account-target", public_id=account.public_id)
                preview = services.customization_preview(account=account, data=proposed)
            except ValidationError as error:
                problems = _error_messages(error)
        else:
            problems = ["Some rows are not filled in correctly: see the marked fields."]
    return render(
        request,
        "esg/customize.html",
        {
            "account": account,
            "client": account.client,
            "categories_form": categories_form,
            "restriction_formset": restriction_formset,
            "concentrated_formset": concentrated_formset,
            "preview": preview,
            "preview_rows": _preview_rows(preview),
            "problems": problems,
            "value_choices": [*GICS_SECTORS, *INDUSTRIES],
        },
    )


def _preview_rows(preview):
    """The names that gain most from the customization (where the removed weight goes)."""
    if preview is None or not preview.weights:
        return []
    rows = selectors.target_weight_rows(
        weights=preview.weights, strategy_weights=preview.strategy_weights, limit=None
    )
    gainers = sorted((row for row in rows if row.difference > 0), key=lambda row: -row.difference)
    return gainers[:15]


@firm_view(roles=ALL_FIRM_ROLES)
@require_http_methods(["GET", "POST"])
def account_target(request, public_id):
    """GET shows the stored target (stale, with the reasons, if its inputs changed); POST
    (advisors) recomputes it now."""
    account = selectors.access_customization(user=request.user, id=public_id)
    if request.method == "POST":
        state = services.customized_target_refresh(account=account)
        if state.target is not None:
            messages.success(request, "Customized target recomputed.")
        else:
            messages.error(request, state.problem or "No customized target could be computed.")
        return redirect("esg-account-target", public_id=account.public_id)
    state = selectors.customized_target_state(account=account)
    rows, costs = [], []
    if state.target is not None:
        rows = selectors.target_weight_rows(
            weights=selectors.target_weights(target=state.target),
            strategy_weights=selectors.target_strategy_weights(target=state.target),
            limit=30,
        )
        costs = state.target.costs
    return render(
        request,
        "esg/target.html",
        {
            "account": account,
            "client": account.client,
            "state": state,
            "target": state.target,
            "rows": rows,
            "costs": costs,
            "summary": selectors.customization_summary(account=account),
        },
    )
