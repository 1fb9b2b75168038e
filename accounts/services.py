"""Writes for firms, users, clients, accounts and invitations."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import (
    Account,
    Client,
    Invitation,
    LoginFailure,
    Role,
    User,
)


def _check_advisor_in_firm(*, firm, advisor: User) -> None:
    if advisor.firm_id != firm.pk or advisor.role not in (Role.ADVISOR, Role.FIRM_ADMIN):
        raise ValidationError({"advisor": "Choose an advisor of your firm."})


def client_create(*, firm, advisor: User, actor: User, **fields) -> Client:
    _check_advisor_in_firm(firm=firm, advisor=advisor)
    if actor.role == Role.ADVISOR and advisor.pk != actor.pk:
        raise ValidationError({"advisor": "Advisors create clients for themselves."})
    client = Client(firm=firm, advisor=advisor, **fields)
    client.full_clean()
    client._history_user = actor
    client.save()
    return client


def client_update(*, client: Client, actor: User, **fields) -> Client:
    advisor = fields.get("advisor")
    if advisor is not None:
        _check_advisor_in_firm(firm=client.firm, advisor=advisor)
        if actor.role == Role.ADVISOR and advisor.pk != actor.pk:
            raise ValidationError({"advisor": "Only a firm admin can reassign a client."})
    for name, value in fields.items():
        setattr(client, name, value)
    client.last_activity_at = timezone.now()
    client.full_clean()
    client._history_user = actor
    client.save()
    return client


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
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean(validate_constraints=False)
    account._history_user = actor
    with transaction.atomic():
        account.save()
        _cash_ledger_note(account=account, actor=actor, delta=account.cash_balance - cash_before)
    client_touch(client=account.client)
    return account


def invitation_create(*, firm, invited_by: User, email: str, role: str = Role.ADVISOR, **names):
    email = email.strip().lower()
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=email).exists()
    ):
        raise ValidationError({"email": "A login with this email already exists."})
    if role not in (Role.ADVISOR, Role.FIRM_ADMIN):
        raise ValidationError({"role": "Invite an advisor or a firm admin."})
    return Invitation.objects.create(
        firm=firm, invited_by=invited_by, email=email, role=role, **names
    )


def client_invitation_create(*, client: Client, invited_by: User, email: str) -> Invitation:
    """An invitation for a client login of `client` (read-only, its household only). An open
    one for the same household and address is reused, so sharing twice sends one link."""
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
        Invitation.objects.filter(client=client, email=email, accepted_at__isnull=True)
        .filter(expires_at__gt=timezone.now())
        .first()
    )
    if reusable is not None:
        return reusable
    return Invitation.objects.create(
        firm=client.firm, invited_by=invited_by, email=email, role=Role.CLIENT, client=client
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError("This invitation has expired or was already used.")
    user = User(
        username=invitation.email,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        firm=invitation.firm,
        role=invitation.role,
        client=invitation.client if invitation.role == Role.CLIENT else None,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


def user_set_active(*, user: User, actor: User, is_active: bool) -> User:
    if user.pk == actor.pk and not is_active:
        raise ValidationError("You cannot deactivate your own login.")
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    return user


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username.strip().lower()[:150], ip_address=ip_address)


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    """Too many recent failures for this username, or from this address."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    limit = settings.LOGIN_FAILURE_LIMIT
    if recent.filter(username=username.strip().lower()).count() >= limit:
        return True
    # An address gets more room: an office may share one.
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 4


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.strip().lower()).delete()
