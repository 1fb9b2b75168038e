"""Outgoing e-mail: invitations (firm users, client logins) and shared proposals.

Each e-mail is a text and an HTML part rendered from templates/emails/<name>.txt|.html, with
absolute links from PORTAL_BASE_URL. Its state lives on the row it is about (Invitation.email_*,
Proposal.share_email_*), so that the admin's list can say "e-mail not sent: <reason>":

- `delivery_queue` (inside the service's transaction) asks for one and queues the Celery task
  with `transaction.on_commit`: a rolled-back change sends nothing;
- `delivery_run` (the task) claims the row with a conditional update (a lease: a second
  delivery, or a second worker, finds it claimed or sent and sends nothing), renders from the
  row as it is now (a resend's new link), sends, and records `sent_at` or the reason. A
  transient failure (server down, timeout) raises `EmailNotSent(transient=True)`, which the task
  retries with backoff when a broker is there.

Nothing sensitive goes by e-mail: no PDF, no numbers, only a link to sign in and read.
"""

from __future__ import annotations

import logging
import smtplib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)

# A claim older than this is taken to be a dead worker's: the e-mail is tried again.
CLAIM_LEASE = timedelta(minutes=5)
ERROR_MAX = 300

# Refusals that a retry does not cure: the address or the message itself is wrong.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    BadHeaderError,
    ValueError,
)
# Anything the mail server or the network answers: tried again.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)


class EmailNotSent(Exception):
    """The send failed; `reason` is what the admin reads, `transient` whether to retry."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


@dataclass(frozen=True)
class Delivery:
    """Where one kind of e-mail keeps its state: the model and its fields' prefix."""

    model: type[models.Model]
    prefix: str  # "email_" → email_queued_at, email_claimed_at, email_sent_at, email_error

    def field(self, name: str) -> str:
        return f"{self.prefix}{name}"


def one_line(text: str) -> str:
    """A header value: control characters and line breaks become spaces, runs of space one.
    No name (a firm, an advisor) can start a header of its own."""
    cleaned = "".join(" " if unicodedata.category(c)[0] in ("C", "Z") else c for c in str(text))
    return " ".join(cleaned.split())


def absolute_url(path: str) -> str:
    """A link for an e-mail: the portal's address as its users reach it, plus the path."""
    return f"{settings.PORTAL_BASE_URL}{path}"


def email_message(
    *, template: str, subject: str, to: str, context: dict, reply_to: str = ""
) -> EmailMultiAlternatives:
    """The message from templates/emails/<template>.txt and .html (escaped there as any
    template; the text part turns escaping off). `reply_to` is used only if it is an address."""
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    replies = []
    if reply_to:
        try:
            validate_email(reply_to)
        except ValidationError:
            pass
        else:
            replies = [reply_to]
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=replies,
    )
    message.attach_alternative(html, "text/html")
    return message


def delivery_queue(*, instance: models.Model, delivery: Delivery, task, **extra) -> None:
    """Ask for the e-mail of `instance` (a new one: a resend or a second share sends again) and
    queue `task(instance.pk)` once the caller's transaction commits. `extra` sets more fields
    (the recipient)."""
    values = {
        delivery.field("queued_at"): timezone.now(),
        delivery.field("claimed_at"): None,
        delivery.field("sent_at"): None,
        delivery.field("error"): "",
        **extra,
    }
    delivery.model.objects.filter(pk=instance.pk).update(**values)
    for name, value in values.items():
        setattr(instance, name, value)
    pk = instance.pk
    transaction.on_commit(lambda: _enqueue(task=task, delivery=delivery, pk=pk))


def _enqueue(*, task, delivery: Delivery, pk: int) -> None:
    """Queue the task; if the broker refuses (or an eager run breaks), say so on the row
    rather than fail a request whose change is already committed."""
    try:
        task.delay(pk)
    except Exception as exc:
        logger.exception("e-mail task %s for %s %s not queued", task.name, delivery.model, pk)
        # An eager run that broke has recorded its own reason already: keep that one.
        delivery.model.objects.filter(pk=pk, **{delivery.field("error"): ""}).update(
            **{
                delivery.field("claimed_at"): None,
                delivery.field("error"): f"Could not be queued: {_describe(exc)}"[:ERROR_MAX],
            }
        )


def delivery_run(
    *,
    delivery: Delivery,
    pk: int,
    still_wanted: Q,
    build: Callable[[models.Model], EmailMultiAlternatives | None],
) -> str:
    """Claim, build, send, record (see the module docstring). Returns sent or skipped; raises
    EmailNotSent with the recorded reason. `build` may return None: nothing to send."""
    claim = timezone.now()
    f = delivery.field
    free = Q(**{f"{f('claimed_at')}__isnull": True}) | Q(
        **{f"{f('claimed_at')}__lt": claim - CLAIM_LEASE}
    )
    wanted = Q(**{f"{f('queued_at')}__isnull": False, f"{f('sent_at')}__isnull": True})
    claimed = (
        delivery.model.objects.filter(pk=pk)
        .filter(wanted & free & still_wanted)
        .update(**{f("claimed_at"): claim})
    )
    if not claimed:
        return "skipped"
    row = delivery.model.objects.get(pk=pk)
    try:
        message = build(row)
        if message is None:
            _record(delivery, pk, claim=claim, error="No e-mail address to send to.")
            raise EmailNotSent("No e-mail address to send to.", transient=False)
        message.send(fail_silently=False)
    except EmailNotSent:
        raise
    except PERMANENT_ERRORS as exc:
        reason = _describe(exc)
        _record(delivery, pk, claim=claim, error=reason)
        raise EmailNotSent(reason, transient=False) from exc
    except TRANSIENT_ERRORS as exc:
        reason = _describe(exc)
        _record(delivery, pk, claim=claim, error=reason)
        raise EmailNotSent(reason, transient=True) from exc
    except Exception as exc:
        _record(delivery, pk, claim=claim, error=f"Unexpected error: {_describe(exc)}")
        raise
    _record(delivery, pk, claim=claim, sent=True)
    return "sent"


def _record(delivery: Delivery, pk: int, *, claim, error: str = "", sent: bool = False) -> int:
    """Release our claim with the outcome. Matches only while the claim is ours: a resend that
    asked for a new e-mail meanwhile is not marked sent by the old one."""
    f = delivery.field
    rows = delivery.model.objects.filter(pk=pk)
    if claim is not None:
        rows = rows.filter(**{f("claimed_at"): claim})
    values = {f("claimed_at"): None, f("error"): error[:ERROR_MAX]}
    if sent:
        values[f("sent_at")] = timezone.now()
    return rows.update(**values)


def _describe(exc: BaseException) -> str:
    """A reason an admin can read: the server's answer, or the kind of failure."""
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        text = f"the mail server answered {exc.smtp_code} {detail}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "the mail server refused the address"
    else:
        text = str(exc) or exc.__class__.__name__
        if isinstance(exc, OSError | smtplib.SMTPException):
            text = f"{exc.__class__.__name__}: {text}"
    return one_line(text)


def email_task_run(
    task, deliver: Callable[[], str], gave_up: Callable[[str], object] | None = None
) -> str:
    """The body of every e-mail task: deliver, and retry a transient failure with exponential
    backoff while retries remain (never in-process: without a broker the failure is recorded
    and the request goes on). When no retry is left, `gave_up(reason)` writes it to the firm's
    audit trail: an e-mail the client never got is a fact the firm must be able to find."""
    try:
        return deliver()
    except EmailNotSent as exc:
        eager = task.request.is_eager or task.app.conf.task_always_eager
        retries = task.request.retries or 0
        if not exc.transient or eager or retries >= settings.EMAIL_MAX_RETRIES:
            logger.warning("e-mail not sent (%s): %s", task.name, exc.reason)
            if gave_up is not None:
                gave_up(exc.reason)
            return "failed"
        countdown = settings.EMAIL_RETRY_BACKOFF_SECONDS * 2**retries
        raise task.retry(countdown=countdown, max_retries=settings.EMAIL_MAX_RETRIES) from exc


# Invitations ---------------------------------------------------------------------------------


def _invitation_delivery() -> Delivery:
    from accounts.models import Invitation

    return Delivery(model=Invitation, prefix="email_")


def invitation_email_queue(*, invitation) -> None:
    """Inside the service's transaction: e-mail this invitation once it commits."""
    from accounts.tasks import invitation_email_send

    delivery_queue(instance=invitation, delivery=_invitation_delivery(), task=invitation_email_send)


def invitation_email_deliver(*, invitation_id: int) -> str:
    """What the task does for one invitation (only while it is open)."""
    now = timezone.now()
    open_now = Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    return delivery_run(
        delivery=_invitation_delivery(),
        pk=invitation_id,
        still_wanted=open_now,
        build=lambda row: invitation_email_message(invitation=row),
    )


def invitation_email_gave_up(*, invitation_id: int, reason: str) -> None:
    """The firm's audit trail says an invitation's e-mail was not sent, and why."""
    from accounts.audit import audit_record
    from accounts.models import AuditKind, Invitation

    invitation = Invitation.objects.select_related("firm", "client").filter(pk=invitation_id)
    row = invitation.first()
    if row is None:
        return
    audit_record(
        firm=row.firm_id,
        actor=None,
        kind=AuditKind.INVITATION,
        client=row.client,
        summary=f"Invitation e-mail to {one_line(row.email)} not sent: {reason}",
    )


def firm_brand_context(firm) -> dict:
    """The firm's name as its clients see it (its branding, else its own name) and its colour
    (a checked #rrggbb: safe in an inline style)."""
    from accounts.branding import firm_branding_get

    row = firm_branding_get(firm=firm)
    return {"brand": row.name_shown, "color": row.color}


def invitation_email_message(*, invitation) -> EmailMultiAlternatives:
    """A firm user's invitation (who invited, the link, the expiry, the username rule) or a
    client's (plain words: your advisor invites you to read your accounts and proposals)."""
    from accounts.models import Role

    inviter = invitation.invited_by
    branding = firm_brand_context(invitation.firm)
    brand = branding["brand"]
    context = {
        **branding,
        "inviter": inviter.display_name if inviter else "",
        "invitation": invitation,
        "role": "a firm admin" if invitation.role == Role.FIRM_ADMIN else "an advisor",
        "link": absolute_url(reverse("invitation-accept", args=[invitation.token])),
        "expires": timezone.localtime(invitation.expires_at),
        "username": invitation.email,
    }
    if invitation.role == Role.CLIENT:
        template, subject = "client_invitation", f"{brand}: read your accounts and proposals online"
    else:
        template, subject = "firm_invitation", f"You are invited to join {brand} on the portal"
    return email_message(
        template=template,
        subject=subject,
        to=invitation.email,
        context=context,
        reply_to=getattr(inviter, "email", "") or "",
    )
