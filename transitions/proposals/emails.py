"""The "your advisor shared a proposal" e-mail, for a client who already has a login (one
without gets the client invitation's e-mail). A link to sign in and read, never the PDF nor a
figure of it: it is sensitive and e-mail is not. Delivery as in accounts/emails.py."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.urls import reverse

from accounts.emails import (
    Delivery,
    absolute_url,
    delivery_queue,
    delivery_run,
    email_message,
    firm_brand_context,
    one_line,
)
from transitions.proposals.models import CLIENT_VISIBLE, Proposal

SHARE_DELIVERY = Delivery(model=Proposal, prefix="share_email_")


def proposal_share_email_queue(*, proposal: Proposal, to: str) -> None:
    """Inside the share's transaction: e-mail `to` once it commits (each share sends one)."""
    from transitions.proposals.tasks import proposal_share_email_send

    delivery_queue(
        instance=proposal,
        delivery=SHARE_DELIVERY,
        task=proposal_share_email_send,
        share_email_to=to,
    )


def proposal_share_email_deliver(*, proposal_id: int) -> str:
    """What the task does: only while the proposal is still shared with the client."""
    return delivery_run(
        delivery=SHARE_DELIVERY,
        pk=proposal_id,
        still_wanted=Q(status__in=CLIENT_VISIBLE),
        build=lambda row: proposal_share_email_message(proposal=row),
    )


def proposal_share_email_gave_up(*, proposal_id: int, reason: str) -> None:
    """The firm's audit trail says the share e-mail was not sent, and why."""
    from accounts.audit import audit_record
    from accounts.models import AuditKind

    proposal = Proposal.objects.select_related("client").filter(pk=proposal_id).first()
    if proposal is None:
        return
    audit_record(
        firm=proposal.firm_id,
        actor=None,
        kind=AuditKind.PROPOSAL,
        client=proposal.client,
        summary=(
            f"Proposal for {proposal.client.name}: e-mail to "
            f"{one_line(proposal.share_email_to)} not sent: {reason}"
        ),
    )


def proposal_share_email_message(*, proposal: Proposal) -> EmailMultiAlternatives | None:
    from accounts.models import Role, User

    if not proposal.share_email_to:
        return None
    client = proposal.client
    login = User.objects.filter(
        role=Role.CLIENT, client=client, email__iexact=proposal.share_email_to
    ).first()
    advisor = client.advisor
    context = {
        **firm_brand_context(proposal.firm),
        "name": login.first_name if login else "",
        "advisor": advisor.display_name,
        "link": absolute_url(reverse("proposal-detail", kwargs={"public_id": proposal.public_id})),
    }
    return email_message(
        template="proposal_shared",
        subject=f"Your advisor at {context['brand']} shared a proposal",
        to=proposal.share_email_to,
        context=context,
        reply_to=advisor.email or "",
    )
