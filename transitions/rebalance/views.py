"""Pages of rebalancing: propose (POST, a job), the trade list with its actions, settings, and
batch rebalances with their progress. Views parse, check access, call one service, answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from accounts.selectors import access_account, access_account_for_write
from accounts.tenancy import ALL_FIRM_ROLES, firm_view
from transitions.rebalance import batch as batch_services
from transitions.rebalance import selectors, services
from transitions.rebalance.forms import BatchForm, RebalanceSettingsForm, settings_initial
from transitions.rebalance.settings import settings_effective


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@firm_view
@require_POST
def rebalance_propose(request, public_id):
    account = access_account_for_write(user=request.user, id=public_id)
    try:
        job = services.trade_list_propose(account=account, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("account-detail", public_id=account.public_id)
    return redirect("job-detail", public_id=job.public_id)


@firm_view(roles=ALL_FIRM_ROLES)
@require_http_methods(["GET"])
def trade_list_detail(request, public_id):
    trade_list = selectors.access_trade_list(user=request.user, id=public_id)
    view = selectors.trade_list_view(trade_list=trade_list)
    return render(
        request,
        "transitions/trade_list.html",
        {
            "view": view,
            "trade_list": trade_list,
            "account": trade_list.account,
            "client": trade_list.account.client,
        },
    )


def _act(request, public_id, action):
    trade_list = selectors.access_trade_list_for_write(user=request.user, id=public_id)
    try:
        outcome = action(trade_list)
    except ValidationError as error:
        _errors(request, error)
        return redirect("rebalance-trade-list", public_id=trade_list.public_id)
    return outcome or redirect("rebalance-trade-list", public_id=trade_list.public_id)


@firm_view
@require_POST
def trade_list_approve(request, public_id):
    def approve(trade_list):
        services.trade_list_approve(trade_list=trade_list, actor=request.user)
        messages.success(request, "Trade list approved.")

    return _act(request, public_id, approve)


@firm_view
@require_POST
def trade_list_export(request, public_id):
    def export(trade_list):
        content, name = services.trade_list_export_csv(trade_list=trade_list, actor=request.user)
        response = HttpResponse(content, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    return _act(request, public_id, export)


@firm_view
@require_POST
def trade_list_execute(request, public_id):
    def execute(trade_list):
        services.trade_list_mark_executed(trade_list=trade_list, actor=request.user)
        messages.success(request, "Trades recorded: the lots and realized gains are updated.")

    return _act(request, public_id, execute)


@firm_view
@require_http_methods(["GET", "POST"])
def account_settings(request, public_id):
    account = access_account(user=request.user, id=public_id)
    row = selectors.settings_row(firm=request.firm, account=account)
    form = RebalanceSettingsForm(request.POST or None, initial=settings_initial(row), is_firm=False)
    if request.method == "POST":
        account = access_account_for_write(user=request.user, id=public_id)
        if form.is_valid():
            try:
                services.rebalance_settings_save(
                    firm=request.firm, actor=request.user, values=form.values(), account=account
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Rebalance settings saved.")
                return redirect("account-detail", public_id=account.public_id)
    return render(
        request,
        "transitions/settings_form.html",
        {
            "form": form,
            "account": account,
            "client": account.client,
            "effective": settings_effective(account=account),
        },
    )


@firm_view(roles=(Role.FIRM_ADMIN,), write_roles=(Role.FIRM_ADMIN,))
@require_http_methods(["GET", "POST"])
def firm_settings(request):
    row = selectors.settings_row(firm=request.firm)
    form = RebalanceSettingsForm(request.POST or None, initial=settings_initial(row), is_firm=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.rebalance_settings_save(
                firm=request.firm, actor=request.user, values=form.values()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Firm defaults saved.")
            return redirect("rebalance-firm-settings")
    return render(request, "transitions/settings_form.html", {"form": form, "account": None})


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@firm_view
@require_http_methods(["GET", "POST"])
def batch_create(request):
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = batch_services.rebalance_batch_create(
                user=request.user,
                scope=data["scope"],
                strategy=data.get("strategy"),
                advisor=data.get("advisor"),
                account_ids=[a.public_id for a in data.get("accounts") or []],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("rebalance-batch", public_id=batch.public_id)
    from transitions.rebalance.models import RebalanceBatch

    recent = RebalanceBatch.objects.visible_to(request.user)[:10]
    return render(request, "transitions/batch_form.html", {"form": form, "recent": recent})


@firm_view
@require_http_methods(["GET"])
def batch_detail(request, public_id):
    batch = selectors.access_batch(user=request.user, id=public_id)
    return render(
        request,
        "transitions/batch_detail.html",
        {
            "batch": batch,
            "items": selectors.batch_items(batch=batch),
            "totals": batch_services.batch_results(batch=batch),
        },
    )


@firm_view
@require_http_methods(["GET"])
def batch_status(request, public_id):
    batch = selectors.access_batch(user=request.user, id=public_id)
    return JsonResponse(
        {
            "status": batch.status,
            "total": batch.total,
            "done": batch.done,
            "failed": batch.failed,
            "progress": batch.progress,
            "message": f"{batch.done} done, {batch.failed} failed of {batch.total}",
            "error": "",
            "result_url": (
                reverse("rebalance-batch", kwargs={"public_id": batch.public_id})
                if batch.status == "done"
                else ""
            ),
        }
    )


@firm_view
@require_POST
def batch_retry(request, public_id):
    batch = selectors.access_batch_for_write(user=request.user, id=public_id)
    try:
        count = batch_services.rebalance_batch_retry(batch=batch, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, f"{count} account{'s' if count != 1 else ''} queued again.")
    return redirect("rebalance-batch", public_id=batch.public_id)
