"""Pages of the tax-lot area. Thin: parse, check access, call one service or selector, render."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import Account
from accounts.selectors import access_account_for_write, access_client, access_client_for_write
from accounts.tenancy import ALL_FIRM_ROLES, firm_view
from jobs.models import Job, JobStatus
from portfolios.lots import holdings_import as import_writes
from portfolios.lots import selectors, services
from portfolios.lots.cash import cash_entry_record
from portfolios.lots.forms import CashEntryForm, HoldingsUploadForm, RecheckForm, TradeForm
from portfolios.lots.reports import (
    realized_gains_csv,
    realized_gains_pdf,
    report_context,
    report_filename,
)
from portfolios.models import ImportBatch, ImportStatus


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@firm_view
@require_http_methods(["GET", "POST"])
def holdings_upload(request, client_id):
    client = access_client_for_write(user=request.user, id=client_id)
    initial = {}
    account_id = request.GET.get("account")
    if account_id:
        accounts = Account.objects.visible_to(request.user).filter(client=client)
        with contextlib.suppress(ValidationError, ValueError):  # a malformed id: no preselection
            initial["default_account"] = accounts.filter(public_id=account_id).first()
    form = HoldingsUploadForm(
        request.POST or None, request.FILES or None, client=client, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.holdings_upload(
                client=client,
                actor=request.user,
                filename=upload.name,
                upload=upload,
                mode=form.cleaned_data["mode"],
                default_account=form.cleaned_data["default_account"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("holdings-preview", public_id=batch.public_id)
    return render(request, "lots/holdings_upload.html", {"form": form, "client": client})


def _batch(request, public_id) -> ImportBatch:
    return selectors.access_import_batch(user=request.user, id=public_id)


@firm_view
@require_http_methods(["GET", "POST"])
def holdings_preview(request, public_id):
    """The parsed lots and every problem; POST re-checks with advisor prices or another mode."""
    batch = _batch(request, public_id)
    preview = services.holdings_preview_load(batch=batch)
    tickers = preview.get("unpriced_tickers", [])
    recheck = RecheckForm(
        request.POST or None,
        tickers=tickers,
        initial={"mode": preview.get("mode", "add")},
    )
    is_open = batch.status not in (ImportStatus.IMPORTED, ImportStatus.CHECKING)
    if request.method == "POST" and is_open and recheck.is_valid():
        try:
            services.holdings_recheck(
                batch=batch,
                actor=request.user,
                prices=recheck.prices(),
                mode=recheck.cleaned_data["mode"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("holdings-preview", public_id=batch.public_id)
    job = None
    if batch.status in (ImportStatus.PREVIEWED, ImportStatus.CHECKING):
        kind = "holdings_check" if batch.status == ImportStatus.CHECKING else "holdings_import"
        job = (
            Job.objects.visible_to(request.user)
            .filter(kind=kind, params__batch=str(batch.public_id))
            .filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .first()
        )
    return render(
        request,
        "lots/holdings_preview.html",
        {
            "batch": batch,
            "client": batch.client,
            "preview": preview,
            "problems": batch.errors,
            "recheck": recheck,
            "job": job,
            "inline_limit": import_writes.INLINE_IMPORT_MAX_ROWS,
        },
    )


@firm_view
@require_http_methods(["POST"])
def holdings_confirm(request, public_id):
    batch = _batch(request, public_id)
    try:
        outcome = services.holdings_confirm(batch=batch, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("holdings-preview", public_id=batch.public_id)
    if isinstance(outcome, Job):
        return redirect("job-detail", public_id=outcome.public_id)
    if not outcome.is_imported:
        messages.error(request, "The file has problems now; nothing was imported.")
        return redirect("holdings-preview", public_id=batch.public_id)
    messages.success(
        request,
        f"Imported {outcome.lots} lots"
        + (f" and {outcome.cash_accounts} cash balance(s)" if outcome.cash_accounts else "")
        + f" from {batch.filename}.",
    )
    return redirect("client-detail", public_id=batch.client.public_id)


@firm_view
@require_http_methods(["GET", "POST"])
def trade_create(request, public_id):
    account = access_account_for_write(user=request.user, id=public_id)
    form = TradeForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            trade = services.trade_record(
                account=account,
                actor=request.user,
                action=data["action"],
                ticker=data["ticker"],
                shares=data["shares"],
                trade_date=data["trade_date"],
                price=data["price"],
                amount=data["amount"],
                lot_ref=data["lot_ref"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Recorded: {trade.get_action_display().lower()} {trade.shares.normalize():f} "
                f"{trade.security.ticker} on {trade.trade_date:%Y-%m-%d}.",
            )
            return redirect("account-detail", public_id=account.public_id)
    return render(
        request,
        "lots/trade_form.html",
        {"form": form, "account": account, "client": account.client},
    )


@firm_view
@require_http_methods(["GET", "POST"])
def cash_entry_create(request, public_id):
    account = access_account_for_write(user=request.user, id=public_id)
    form = CashEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = cash_entry_record(
                account=account,
                actor=request.user,
                kind=data["kind"],
                amount=data["amount"],
                on=data["date"],
                note=data["note"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, f"Recorded: {entry.get_kind_display().lower()} of ${abs(entry.amount):,}."
            )
            return redirect("account-detail", public_id=account.public_id)
    return render(
        request,
        "lots/cash_form.html",
        {"form": form, "account": account, "client": account.client},
    )


def _report(request, public_id):
    client = access_client(user=request.user, id=public_id)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError as exc:
        raise Http404("No such year.") from exc
    if not 1900 <= year <= today.year:
        raise Http404("No such year.")
    try:
        return selectors.realized_gains_report(client=client, year=year)
    except ValidationError as error:  # a ledger that cannot be replayed: say so, plainly
        raise Http404(" ".join(error.messages)) from error


@firm_view(roles=ALL_FIRM_ROLES)
def realized_gains(request, public_id):
    report = _report(request, public_id)
    this_year = timezone.localdate().year
    first = min([*report.years, report.year, this_year - 4])
    return render(
        request,
        "lots/realized_gains.html",
        {
            **report_context(report),
            "year_choices": list(range(this_year, first - 1, -1)),
        },
    )


@firm_view(roles=ALL_FIRM_ROLES)
def realized_gains_csv_download(request, public_id):
    report = _report(request, public_id)
    response = HttpResponse(realized_gains_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report, "csv")}"'
    return response


@firm_view(roles=ALL_FIRM_ROLES)
def realized_gains_pdf_download(request, public_id):
    report = _report(request, public_id)
    pdf = realized_gains_pdf(report, generated_on=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report, "pdf")}"'
    return response
