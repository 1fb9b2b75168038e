"""Pages of proposals, the client's portal home and the firm's branding page. Thin: parse,
check access, call one service or selector, render. GETs never write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import branding
from accounts.models import Role
from accounts.tenancy import ALL_FIRM_ROLES, firm_view
from transitions.analysis.selectors import access_analysis_for_write
from transitions.proposals import selectors, services
from transitions.proposals.forms import (
    FirmBrandingForm,
    ProposalGenerateForm,
    ProposalRespondForm,
    ProposalShareForm,
)

CLIENT_ONLY = (Role.CLIENT,)
# A transparent 1 × 1 PNG: the answer when the firm has no logo (nothing to hide, no 404).
NO_LOGO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@firm_view
@require_POST
def proposal_generate(request, public_id):
    """From an analysis: a new proposal, or the next version of the account's open one."""
    analysis = access_analysis_for_write(user=request.user, id=public_id)
    form = ProposalGenerateForm(request.POST, analysis=analysis)
    if not form.is_valid():
        messages.error(request, "Pick the recommended scenario (and the others to show).")
        return redirect("analysis-detail", public_id=analysis.public_id)
    proposal = None
    if request.POST.get("proposal"):
        proposal = selectors.access_proposal_for_write(
            user=request.user, id=request.POST["proposal"]
        )
    try:
        proposal, _job = services.proposal_generate(
            analysis=analysis,
            actor=request.user,
            recommended=form.cleaned_data["recommended_scenario"],
            shown=form.cleaned_data["shown_scenarios"],
            note=form.cleaned_data["advisor_note"],
            proposal=proposal,
        )
    except ValidationError as error:
        messages.error(request, f"No proposal generated: {_error_text(error)}")
        return redirect("analysis-detail", public_id=analysis.public_id)
    messages.success(request, "Rendering the proposal…")
    return redirect("proposal-detail", public_id=proposal.public_id)


@firm_view(roles=ALL_FIRM_ROLES, write_roles=())
def proposal_detail(request, public_id):
    proposal = selectors.access_proposal(user=request.user, id=public_id)
    versions = selectors.proposal_versions(proposal=proposal)
    is_client = request.user.is_client_user
    context = {
        "proposal": proposal,
        "client": proposal.client,
        "versions": versions,
        "current": proposal.current_version,
        "is_client": is_client,
        "history": selectors.proposal_history(proposal=proposal),
    }
    if not is_client:
        job = selectors.proposal_render_job(proposal=proposal)
        # Regenerate from the account's newest finished analysis (a stale one is refused).
        latest = (
            selectors.analyses_ready_for_account(account=proposal.account).first()
            or proposal.analysis
        )
        invitation = selectors.proposal_share_invitation(proposal=proposal)
        context.update(
            {
                "share_invitation": invitation if invitation and invitation.is_open else None,
                "share_invitation_link": (
                    request.build_absolute_uri(f"/invite/{invitation.token}/") if invitation else ""
                ),
                "job": job if job and not job.is_finished else None,
                "failed_job": job if job and job.status == "failed" else None,
                "share_form": ProposalShareForm(),
                "latest_analysis": latest,
                "generate_form": ProposalGenerateForm(
                    analysis=latest,
                    initial={
                        "recommended_scenario": proposal.recommended_scenario,
                        "shown_scenarios": proposal.shown_scenarios,
                        "advisor_note": proposal.advisor_note,
                    },
                ),
            }
        )
    return render(request, "transitions/proposals/detail.html", context)


@firm_view
@require_POST
def proposal_share(request, public_id):
    proposal = selectors.access_proposal_for_write(user=request.user, id=public_id)
    form = ProposalShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That email address is not valid.")
        return redirect("proposal-detail", public_id=proposal.public_id)
    try:
        outcome = services.proposal_share(
            proposal=proposal, actor=request.user, email=form.cleaned_data["email"]
        )
    except ValidationError as error:
        messages.error(request, f"Not shared: {_error_text(error)}")
        return redirect("proposal-detail", public_id=proposal.public_id)
    messages.success(request, _share_message(proposal=proposal, outcome=outcome, request=request))
    return redirect("proposal-detail", public_id=proposal.public_id)


def _share_message(*, proposal, outcome: dict, request) -> str:
    """What became of the share's e-mail (the task has run when no broker queues it)."""
    invitation = outcome["invitation"]
    if invitation is not None:
        invitation.refresh_from_db()
        link = request.build_absolute_uri(f"/invite/{invitation.token}/")
        head = f"Shared. {proposal.client.name} has no login yet:"
        if invitation.email_state == "failed":
            return (
                f"{head} the invitation e-mail was not sent ({invitation.email_error}); send "
                f"this link to {invitation.email}: {link}"
            )
        done = "e-mailed" if invitation.email_state == "sent" else "is being e-mailed"
        return f"{head} an invitation {done} to {invitation.email} (its link: {link})."
    proposal.refresh_from_db()
    name = outcome["login"].display_name
    to = proposal.share_email_to
    if proposal.share_email_state == "failed":
        return f"Shared with {name}. The e-mail to {to} was not sent: {proposal.share_email_error}"
    if proposal.share_email_state == "sent":
        return f"Shared with {name}. E-mailed to {to}."
    return f"Shared with {name}. An e-mail to {to} is on its way."


@firm_view(roles=ALL_FIRM_ROLES, write_roles=CLIENT_ONLY)
@require_POST
def proposal_respond(request, public_id):
    """The client marks the current version reviewed or accepted."""
    proposal = selectors.access_proposal(user=request.user, id=public_id)
    form = ProposalRespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose reviewed or accepted for a version.")
        return redirect("proposal-detail", public_id=proposal.public_id)
    try:
        services.proposal_respond(
            proposal=proposal,
            actor=request.user,
            version_number=form.cleaned_data["version"],
            decision=form.cleaned_data["decision"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        word = "accepted" if form.cleaned_data["decision"] == "accepted" else "marked reviewed"
        messages.success(
            request,
            f"Thank you: version {form.cleaned_data['version']} {word}. Your advisor sees it.",
        )
    return redirect("proposal-detail", public_id=proposal.public_id)


@firm_view(roles=ALL_FIRM_ROLES, write_roles=())
def proposal_version_download(request, public_id):
    """The PDF, only through here: the version must be visible to the user."""
    version = selectors.access_proposal_version(user=request.user, id=public_id)
    if not version.file:
        raise Http404("This version has no file.")
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=f"proposal-v{version.number}-{version.created_at:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@firm_view(roles=CLIENT_ONLY, write_roles=())
def client_portal(request):
    """A client's home: the household's accounts (holdings, gains, customizations in plain
    words) and its shared proposals, read-only."""
    from transitions.proposals.portal import client_portal_context

    return render(
        request, "transitions/proposals/client_home.html", client_portal_context(user=request.user)
    )


@firm_view(roles=(Role.FIRM_ADMIN,))
@require_http_methods(["GET", "POST"])
def firm_branding(request):
    row = branding.firm_branding_get(firm=request.firm)
    form = FirmBrandingForm(
        request.POST or None,
        request.FILES or None,
        initial={"display_name": row.display_name, "color": row.color},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("logo")
        try:
            branding.firm_branding_update(
                firm=request.firm,
                actor=request.user,
                display_name=form.cleaned_data["display_name"],
                color=form.cleaned_data["color"],
                logo=upload.read() if upload else None,
                logo_filename=upload.name if upload else "",
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Branding saved; new proposals use it.")
            return redirect("firm-branding")
    return render(request, "transitions/proposals/firm_branding.html", {"form": form, "row": row})


@firm_view(roles=ALL_FIRM_ROLES, write_roles=())
def firm_branding_logo(request):
    """The signed-in user's own firm's logo (never another firm's: no id in the URL)."""
    row = branding.firm_branding_get(firm=request.firm)
    logo = bytes(row.logo_png) if row.pk and row.logo_png else NO_LOGO_PNG
    response = HttpResponse(logo, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
