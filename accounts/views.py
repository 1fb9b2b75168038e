"""Portal pages for households, accounts and the firm. Thin: parse, check, call, render."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import (
    AcceptInvitationForm,
    AccountForm,
    AuditFilterForm,
    ClientForm,
    InvitationForm,
)
from accounts.models import Invitation, Role
from accounts.sections import account_sections_context
from accounts.tenancy import ALL_FIRM_ROLES, firm_view
from jobs.services import job_create
from pma_engine.csv_safe import csv_safe_writer


class PortalLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Platform staff have no portal (no firm): they land on the admin site."""
        user = self.request.user
        if user.is_authenticated and user.is_staff and not getattr(user, "firm_id", None):
            return resolve_url("admin:index")
        return super().get_default_redirect_url()


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@firm_view(roles=ALL_FIRM_ROLES)
def home(request):
    if request.user.is_client_user:
        return redirect("client-detail", public_id=request.user.client.public_id)
    search = request.GET.get("q", "").strip()
    rows = selectors.client_dashboard_rows(user=request.user, search=search)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "rows": rows,
            "search": search,
            "book_total": selectors.values_total([row.market_value for row in rows]),
            "valued_count": sum(1 for row in rows if row.market_value is not None),
        },
    )


@firm_view
@require_http_methods(["POST"])
def client_book_export(request):
    job = job_create(
        kind="client_book_export",
        title="Export of clients and accounts",
        firm=request.firm,
        created_by=request.user,
    )
    return redirect("job-detail", public_id=job.public_id)


@firm_view
@require_http_methods(["GET", "POST"])
def client_create(request):
    advisors = selectors.advisor_choices(user=request.user)
    form = ClientForm(request.POST or None, advisor_queryset=advisors)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                firm=request.firm, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Client {client.name} created.")
            return redirect("client-detail", public_id=client.public_id)
    return render(request, "accounts/client_form.html", {"form": form, "creating": True})


@firm_view(roles=ALL_FIRM_ROLES)
def client_detail(request, public_id):
    client = selectors.access_client(user=request.user, id=public_id)
    return render(
        request,
        "accounts/client_detail.html",
        {
            "client": client,
            "household": selectors.household_values(user=request.user, client=client),
            "history": selectors.audit_history(user=request.user, client=client, limit=20),
        },
    )


@firm_view
@require_http_methods(["GET", "POST"])
def client_edit(request, public_id):
    client = selectors.access_client_for_write(user=request.user, id=public_id)
    advisors = selectors.advisor_choices(user=request.user)
    form = ClientForm(request.POST or None, instance=client, advisor_queryset=advisors)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Client saved.")
            return redirect("client-detail", public_id=client.public_id)
    return render(
        request, "accounts/client_form.html", {"form": form, "client": client, "creating": False}
    )


@firm_view
@require_http_methods(["GET", "POST"])
def account_create(request, client_id):
    client = selectors.access_client_for_write(user=request.user, id=client_id)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(
                client=client, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Account {account.name} created.")
            return redirect("account-detail", public_id=account.public_id)
    return render(
        request, "accounts/account_form.html", {"form": form, "client": client, "creating": True}
    )


@firm_view(roles=ALL_FIRM_ROLES)
def account_detail(request, public_id):
    account = selectors.access_account(user=request.user, id=public_id)
    from portfolios.charts import sector_allocation_svg
    from portfolios.lots.positions import (
        account_positions,
        account_sector_allocation,
        account_target_weights,
        household_total,
    )
    from portfolios.lots.selectors import account_trades
    from portfolios.selectors import account_cash_entries

    positions = account_positions(account=account)
    sections = account_sections_context(account=account, user=request.user)
    # The stored customized target the ESG section read; never computed here.
    target_weights, target_label = account_target_weights(
        account=account, stored_target=getattr(sections.get("esg"), "target", None)
    )
    sectors = account_sector_allocation(
        positions=positions, target_weights=target_weights, target_label=target_label
    )
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "client": account.client,
            "positions": positions,
            "trades": account_trades(account=account),
            "cash_entries": account_cash_entries(account=account),
            "total_value": positions.total,
            "household": household_total(
                account=account, user=request.user, account_total=positions.total
            ),
            "sectors": sectors,
            "sector_chart": sector_allocation_svg(sectors),
            **sections,
        },
    )


@firm_view
@require_http_methods(["GET", "POST"])
def account_edit(request, public_id):
    account = selectors.access_account_for_write(user=request.user, id=public_id)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(account=account, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Account saved.")
            return redirect("account-detail", public_id=account.public_id)
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "client": account.client, "account": account, "creating": False},
    )


@firm_view(roles=(Role.FIRM_ADMIN,))
def firm_advisors(request):
    return render(
        request,
        "accounts/firm_advisors.html",
        {
            "advisors": selectors.advisors_of_firm(user=request.user),
            "invitations": Invitation.objects.visible_to(request.user)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by"),
        },
    )


def invitation_email_note(invitation: Invitation) -> str:
    """What became of the invitation's e-mail, for the message after a create or resend (the
    task has run when no broker queues it)."""
    invitation.refresh_from_db(fields=["email_sent_at", "email_error", "email_queued_at"])
    if invitation.email_state == "sent":
        return f"e-mailed to {invitation.email}"
    if invitation.email_state == "failed":
        return f"e-mail not sent: {invitation.email_error}; copy its link below"
    return f"an e-mail to {invitation.email} is on its way"


@firm_view(roles=(Role.FIRM_ADMIN,))
@require_http_methods(["GET", "POST"])
def invitation_create(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                firm=request.firm, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            note = invitation_email_note(invitation)
            messages.success(request, f"Invitation for {invitation.email} created; {note}.")
            return redirect("firm-advisors")
    return render(request, "accounts/invitation_form.html", {"form": form})


@firm_view(roles=(Role.FIRM_ADMIN,))
@require_http_methods(["POST"])
def invitation_revoke(request, public_id):
    invitation = selectors.access_invitation(user=request.user, id=public_id)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation of {invitation.email} is revoked.")
    return redirect("firm-advisors")


@firm_view(roles=(Role.FIRM_ADMIN,))
@require_http_methods(["POST"])
def invitation_resend(request, public_id):
    invitation = selectors.access_invitation(user=request.user, id=public_id)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"A new link for {invitation.email} (the old one no longer works), valid until "
            f"{timezone.localtime(invitation.expires_at):%Y-%m-%d %H:%M}; "
            f"{invitation_email_note(invitation)}.",
        )
    return redirect("firm-advisors")


@firm_view(roles=(Role.FIRM_ADMIN,))
@require_http_methods(["POST"])
def advisor_set_active(request, public_id):
    advisor = selectors.access_advisor(user=request.user, id=public_id)
    try:
        services.user_set_active(
            user=advisor, actor=request.user, is_active=request.POST.get("active") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("firm-advisors")


@firm_view(roles=(Role.FIRM_ADMIN,))
def firm_history(request):
    return render(
        request, "accounts/history.html", {"entries": selectors.audit_history(user=request.user)}
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Public by design: the token is the credential. Expired or used tokens answer 404."""
    invitation = get_object_or_404(Invitation.objects.select_related("firm"), token=token)
    if not invitation.is_open:
        raise Http404("This invitation has expired or was already used.")
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            form.add_error("password1", error.messages)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {user.firm.name}.")
            return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


invitation_accept.is_public = True  # type: ignore[attr-defined]


@firm_view(roles=(Role.FIRM_ADMIN,))
def audit_trail(request):
    """Who changed what, when: filter by person, household, kind and dates; export as CSV."""
    form = AuditFilterForm(request.GET or None, user=request.user)
    events = selectors.audit_events(user=request.user, **form.filters())
    query = request.GET.urlencode()
    return render(
        request, "accounts/audit_trail.html", {"form": form, "events": events, "query": query}
    )


@firm_view(roles=(Role.FIRM_ADMIN,))
def audit_trail_csv(request):
    form = AuditFilterForm(request.GET or None, user=request.user)
    events = selectors.audit_events(user=request.user, limit=None, **form.filters())
    out = io.StringIO()
    writer = csv_safe_writer(out)
    writer.writerow(["when", "who", "kind", "household", "account", "what"])
    for event in events.iterator():
        writer.writerow(
            [
                timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_name,
                event.get_kind_display(),
                event.client.name if event.client else "",
                event.account.name if event.account else "",
                event.summary,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
