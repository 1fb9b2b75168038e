"""Writes for firms, users, clients, accounts and invitations."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_record
from accounts.emails import invitation_email_queue
from accounts.models import (
    INVITATION_LIFETIME,
    Account,
    AuditKind,
    Client,
    Invitation,
    Role,
    User,
)
from accounts.models import _invitation_token as _new_invitation_token  # noqa: PLC2701
from pma_portal.text_safety import text_fields_check

CLIENT_TEXT_FIELDS = ("name", "email", "phone")
ACCOUNT_TEXT_FIELDS = ("name", "custodian", "account_number")


def _check_advisor_in_firm(*, firm, advisor: User) -> None:
    if advisor.firm_id != firm.pk or advisor.role not in (Role.ADVISOR, Role.FIRM_ADMIN):
        raise ValidationError({"advisor": "Choose an advisor of your firm."})


def client_create(*, firm, advisor: User, actor: User, **fields) -> Client:
    _check_advisor_in_firm(firm=firm, advisor=advisor)
    if actor.role == Role.ADVISOR and advisor.pk != actor.pk:
        raise ValidationError({"advisor": "Advisors create clients for themselves."})
    client = Client(firm=firm, advisor=advisor, **fields)
    text_fields_check(client, CLIENT_TEXT_FIELDS, multiline=("notes",))
    client.full_clean()
    client._history_user = actor
    client.save()
    audit_record(
        firm=firm,
        actor=actor,
        kind=AuditKind.CLIENT,
        client=client,
        summary=f"Created household {client.name}",
    )
    return client


def client_update(*, client: Client, actor: User, **fields) -> Client:
    advisor = fields.get("advisor")
    if advisor is not None:
        _check_advisor_in_firm(firm=client.firm, advisor=advisor)
        if actor.role == Role.ADVISOR and advisor.pk != actor.pk:
            raise ValidationError({"advisor": "Only a firm admin can reassign a client."})
    changed = _changed_labels(client, fields)
    for name, value in fields.items():
        setattr(client, name, value)
    client.last_activity_at = timezone.now()
    text_fields_check(client, CLIENT_TEXT_FIELDS, multiline=("notes",))
    client.full_clean()
    client._history_user = actor
    client.save()
    if changed:
        audit_record(
            firm=client.firm_id,
            actor=actor,
            kind=AuditKind.CLIENT,
            client=client,
            summary=f"Edited household {client.name}: {', '.join(changed)}",
        )
    return client


def _changed_labels(instance, fields: dict) -> list[str]:
    """The plain names of the fields whose value changes ("email", "short-term rate")."""
    labels = []
    for name, value in fields.items():
        if getattr(instance, name, None) != value:
            field = instance._meta.get_field(name)
            labels.append(str(getattr(field, "verbose_name", name)))
    return labels


def client_touch(*, client: Client) -> None:
    """Note activity on a household (dashboard 'last activity')."""
    Client.objects.filter(pk=client.pk).update(last_activity_at=timezone.now())


def _check_account_number(*, firm, account_number: str, exclude_pk: int | None = None) -> None:
    clash = Account.objects.filter(firm=firm, account_number=account_number)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"account_number": "This account number is already used in your firm."}
        )


def account_create(*, client: Client, actor: User, **fields) -> Account:
    _check_account_number(firm=client.firm, account_number=fields.get("account_number", ""))
    account = Account(firm=client.firm, client=client, **fields)
    text_fields_check(account, ACCOUNT_TEXT_FIELDS)
    account.full_clean(validate_constraints=False)
    account._history_user = actor
    try:
        with transaction.atomic():
            account.save()
            _cash_ledger_note(account=account, actor=actor, delta=account.cash_balance)
    except IntegrityError as exc:  # a concurrent create with the same number
        raise ValidationError(
            {"account_number": "This account number is already used in your firm."}
        ) from exc
    client_touch(client=client)
    audit_record(
        firm=client.firm_id,
        actor=actor,
        kind=AuditKind.CLIENT,
        account=account,
        summary=f"Opened account {account.name} ({account.masked_account_number})",
    )
    return account


def _cash_ledger_note(*, account: Account, actor: User, delta) -> None:
    """Cash set on the account form: an opening-balance entry keeps the cash ledger whole."""
    from portfolios.lots.cash import cash_entry_note

    cash_entry_note(account=account, actor=actor, delta=delta, note="Set on the account form")


def account_update(*, account: Account, actor: User, **fields) -> Account:
    if "account_number" in fields:
        _check_account_number(
            firm=account.firm, account_number=fields["account_number"], exclude_pk=account.pk
        )
    cash_before = account.cash_balance
    changed = _changed_labels(account, fields)
    for name, value in fields.items():
        setattr(account, name, value)
    text_fields_check(account, ACCOUNT_TEXT_FIELDS)
    account.full_clean(validate_constraints=False)
    account._history_user = actor
    with transaction.atomic():
        account.save()
        _cash_ledger_note(account=account, actor=actor, delta=account.cash_balance - cash_before)
    client_touch(client=account.client)
    if changed:
        audit_record(
            firm=account.firm_id,
            actor=actor,
            kind=AuditKind.CLIENT,
            account=account,
            summary=f"Edited account {account.name}: {', '.join(changed)}",
        )
    return account


def _login_exists(email: str):
    return User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))


def invitation_create(*, firm, invited_by: User, email: str, role: str = Role.ADVISOR, **names):
    """Invite someone to the firm and e-mail them the link once this commits. Whether the
    address has a login in *another* firm is not said (that would tell one firm about another's
    people): such an invitation is created as any other, and its acceptance tells the invitee,
    who owns the address."""
    email = email.strip().lower()
    if _login_exists(email).filter(firm=firm).exists():
        raise ValidationError({"email": "A login with this email already exists in your firm."})
    if role not in (Role.ADVISOR, Role.FIRM_ADMIN):
        raise ValidationError({"role": "Invite an advisor or a firm admin."})
    text_fields_check(
        SimpleNamespace(**names), [k for k in ("first_name", "last_name") if k in names]
    )
    with transaction.atomic():
        open_ones = Invitation.objects.select_for_update().filter(
            firm=firm,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        if open_ones.exists():
            raise ValidationError(
                {"email": "This address already has an open invitation: resend or revoke it."}
            )
        invitation = Invitation.objects.create(
            firm=firm, invited_by=invited_by, email=email, role=role, **names
        )
        invitation_email_queue(invitation=invitation)
        audit_record(
            firm=firm,
            actor=invited_by,
            kind=AuditKind.INVITATION,
            summary=f"Invited {email} as {invitation.get_role_display().lower()}, "
            f"e-mailed to {email}",
        )
        return invitation


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Close an invitation that was not used: its link stops working."""
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was already used.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        firm=invitation.firm_id,
        actor=actor,
        kind=AuditKind.INVITATION,
        summary=f"Revoked the invitation of {invitation.email}",
    )
    return invitation


def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """A new link with a new expiry, e-mailed again; the old link stops working."""
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was already used.")
    if _login_exists(invitation.email).filter(firm=invitation.firm).exists():
        raise ValidationError("This address has a login in your firm now.")
    invitation.token = _new_invitation_token()
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.revoked_at = None
    with transaction.atomic():
        invitation.save(update_fields=["token", "expires_at", "revoked_at"])
        invitation_email_queue(invitation=invitation)
        audit_record(
            firm=invitation.firm_id,
            actor=actor,
            kind=AuditKind.INVITATION,
            summary=f"Sent a new invitation link, e-mailed to {invitation.email}",
        )
    return invitation


TAKEN_ADDRESS = (
    "This e-mail address already has a login. Sign in with it, or ask the firm that invited "
    "you to invite another address."
)


def client_invitation_create(*, client: Client, invited_by: User, email: str) -> Invitation:
    """An invitation for a client login of `client` (read-only, its household only), e-mailed
    once the caller's transaction commits. An open one for the same household and address is
    reused, so sharing twice sends the same link (in a second e-mail)."""
    email = email.strip().lower()
    if not email:
        raise ValidationError({"email": "The household has no email address: add one first."})
    if invited_by.firm_id != client.firm_id or invited_by.role not in (
        Role.ADVISOR,
        Role.FIRM_ADMIN,
    ):
        raise ValidationError("Only the household's firm may invite its client.")
    existing = (
        User.objects.filter(email__iexact=email).first()
        or User.objects.filter(username__iexact=email).first()
    )
    if existing is not None:
        if existing.role == Role.CLIENT and existing.client_id == client.pk:
            raise ValidationError({"email": "This household already has a login."})
        raise ValidationError({"email": "A login with this email already exists for someone else."})
    reusable = (
        Invitation.objects.filter(
            client=client, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .filter(expires_at__gt=timezone.now())
        .first()
    )
    invitation = reusable or Invitation.objects.create(
        firm=client.firm, invited_by=invited_by, email=email, role=Role.CLIENT, client=client
    )
    invitation_email_queue(invitation=invitation)
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create the invitee's login (username: the e-mail address) and close the invitation;
    the password is checked against their own name and e-mail."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError("This invitation has expired, was revoked or was already used.")
    if _login_exists(invitation.email).exists():
        raise ValidationError(TAKEN_ADDRESS)
    user = User(
        username=invitation.email,
        email=invitation.email,
        first_name=(first_name or invitation.first_name).strip()[:150],
        last_name=(last_name or invitation.last_name).strip()[:150],
        firm=invitation.firm,
        role=invitation.role,
        client=invitation.client if invitation.role == Role.CLIENT else None,
    )
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same address accepted elsewhere a moment ago
        raise ValidationError(TAKEN_ADDRESS) from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        firm=invitation.firm_id,
        actor=user,
        kind=AuditKind.INVITATION,
        summary=f"{invitation.email} accepted the invitation and signed in",
    )
    return user


def user_set_active(*, user: User, actor: User, is_active: bool) -> User:
    if user.pk == actor.pk and not is_active:
        raise ValidationError("You cannot deactivate your own login.")
    was_active = user.is_active
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    if was_active != is_active:
        audit_record(
            firm=user.firm_id,
            actor=actor,
            kind=AuditKind.ACTIVATION,
            summary=f"{'Reactivated' if is_active else 'Deactivated'} {user.display_name}",
        )
    return user
