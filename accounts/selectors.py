"""Reads for the portal: every function starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch

from accounts.models import Account, Client, Invitation, Role, User
from accounts.scoping import access_object, access_object_for_write
from portfolios.selectors import account_values


@dataclass(frozen=True)
class DashboardRow:
    client: Client
    accounts: list[Account]
    market_value: Decimal | None
    last_activity_at: datetime


def client_dashboard_rows(*, user: User, search: str = "") -> list[DashboardRow]:
    """The advisor's households with accounts and market value, in three queries.

    A household's value is the sum of its active accounts' values as the client page shows
    them (each already rounded to cents), so the two pages agree to the cent."""
    clients = (
        Client.objects.visible_to(user)
        .select_related("advisor")
        .prefetch_related(
            Prefetch(
                "accounts",
                queryset=Account.objects.filter(is_active=True).select_related("strategy"),
            )
        )
        .order_by("name")
    )
    if search:
        clients = clients.filter(name__icontains=search)
    clients = list(clients)
    values = account_values(
        accounts=[account for client in clients for account in client.accounts.all()]
    )
    rows = []
    for client in clients:
        accounts = list(client.accounts.all())
        rows.append(
            DashboardRow(
                client=client,
                accounts=accounts,
                market_value=values_total([values.get(a.pk) for a in accounts]),
                last_activity_at=client.last_activity_at,
            )
        )
    return rows


def values_total(values) -> Decimal | None:
    """The sum of the shown values (blanks skipped); None when every one is blank, so a page
    shows a blank total rather than a misleading zero."""
    shown = [value for value in values if value is not None]
    return sum(shown, Decimal("0.00")) if shown else None


@dataclass(frozen=True)
class AccountValueRow:
    account: Account
    market_value: Decimal | None  # positions (each lot rounded to cents) + cash; None: no data


@dataclass(frozen=True)
class HouseholdValues:
    """The client page's account table: one row per active account with its own value, the
    total of exactly those rows, and the closed accounts (listed, not counted)."""

    rows: list[AccountValueRow]
    total: Decimal | None
    closed: list[Account]

    @property
    def valued_count(self) -> int:
        return sum(1 for row in self.rows if row.market_value is not None)


def household_values(*, user: User, client: Client) -> HouseholdValues:
    """The household's accounts the user may see, each with its own market value, and their
    total: the same accounts and values the dashboard sums for this household."""
    accounts = list(
        Account.objects.visible_to(user)
        .filter(client=client)
        .select_related("strategy")
        .order_by("name", "id")
    )
    active = [a for a in accounts if a.is_active]
    values = account_values(accounts=active)
    rows = [AccountValueRow(account=a, market_value=values.get(a.pk)) for a in active]
    return HouseholdValues(
        rows=rows,
        total=values_total([row.market_value for row in rows]),
        closed=[a for a in accounts if not a.is_active],
    )


def advisors_of_firm(*, user: User):
    """Advisors and admins of the user's firm, with their client counts (firm admins only)."""
    return advisors_among(users=User.objects.visible_to(user))


def advisors_among(*, users):
    """The advisors and admins among already firm-scoped `users`, with their client counts."""
    return (
        users.filter(role__in=[Role.ADVISOR, Role.FIRM_ADMIN])
        .annotate(client_count=Count("advised_clients"))
        .order_by("last_name", "first_name", "username")
    )


def advisor_choices(*, user: User):
    """Whom a client may be assigned to: any advisor of the firm for an admin, else oneself."""
    if user.is_firm_admin:
        return User.objects.filter(
            firm_id=user.firm_id, role__in=[Role.ADVISOR, Role.FIRM_ADMIN], is_active=True
        ).order_by("last_name", "first_name")
    return User.objects.filter(pk=user.pk)


def audit_history(*, user: User, client: Client | None = None, limit: int = 200) -> list:
    """Changes to clients and accounts (who, when, what), newest first; firm admins only."""
    if not user.is_firm_admin:
        return []
    client_history = Client.history.filter(firm_id=user.firm_id)
    account_history = Account.history.filter(firm_id=user.firm_id)
    if client is not None:
        client_history = client_history.filter(id=client.pk)
        account_history = account_history.filter(client_id=client.pk)
    records = list(client_history.select_related("history_user")[:limit]) + list(
        account_history.select_related("history_user")[:limit]
    )
    records.sort(key=lambda record: record.history_date, reverse=True)
    records = records[:limit]
    previous_of = _previous_records(records)
    entries = []
    for record in records:
        changes = []
        previous = previous_of.get(record.pk)
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                (change.field, _shown(change.field, change.old), _shown(change.field, change.new))
                for change in delta.changes
            ]
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user.display_name if record.history_user else "system",
                "what": record._meta.model.__name__.replace("Historical", ""),
                "object": _object_label(record),
                "action": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "changes": changes,
            }
        )
    return entries


def _previous_records(records: list) -> dict:
    """Each history record's predecessor (the same object's record just before it), read for
    all records at once: one query per history model instead of `prev_record` per entry."""
    by_model: dict = {}
    for record in records:
        by_model.setdefault(type(record), set()).add(record.id)
    previous_of: dict = {}
    for model, object_ids in by_model.items():
        history = model.objects.filter(id__in=object_ids).order_by("id", "history_date", "pk")
        last_by_object: dict = {}
        for record in history:
            previous_of[record.pk] = last_by_object.get(record.id)
            last_by_object[record.id] = record
    return previous_of


def _object_label(record) -> str:
    """How the object read at the time of the record, built from the record's own fields:
    `record.instance` would read the fields history leaves out from the database, per entry."""
    model = record.instance_type
    values = {
        field.attname: getattr(record, field.attname)
        for field in model._meta.concrete_fields
        if hasattr(record, field.attname)
    }
    return str(model(**values))


def _shown(field: str, value) -> str:
    if field == "account_number" and value:
        return f"••••{str(value)[-4:]}"
    return "" if value is None else str(value)


# ------------------------------------------------------------------ one row, 404 when not yours
# `id` is the row's public id (a UUID, as in URLs and the API).


def access_client(*, user: User, id) -> Client:  # noqa: A002
    """A household the user may see."""
    return access_object(Client.objects.select_related("advisor"), user=user, public_id=id)


def access_client_for_write(*, user: User, id) -> Client:  # noqa: A002
    """A household the user may change (its advisor or a firm admin; never a client login)."""
    return access_object_for_write(
        Client.objects.select_related("advisor"), user=user, public_id=id
    )


def access_account(*, user: User, id) -> Account:  # noqa: A002
    """A financial account of a household the user may see."""
    return access_object(
        Account.objects.select_related("client", "strategy", "firm"), user=user, public_id=id
    )


def access_account_for_write(*, user: User, id) -> Account:  # noqa: A002
    """An account the user may change or trade in (not a client login)."""
    return access_object_for_write(
        Account.objects.select_related("client", "strategy", "firm"), user=user, public_id=id
    )


def access_advisor(*, user: User, id) -> User:  # noqa: A002
    """A login of the user's firm (firm admins see all of them; others only themselves)."""
    return access_object(User.objects, user=user, public_id=id)


def access_invitation(*, user: User, id) -> Invitation:  # noqa: A002
    return access_object(Invitation.objects, user=user, public_id=id)


def audit_events(
    *,
    user: User,
    person: str = "",
    household: str = "",
    kind: str = "",
    date_from=None,
    date_to=None,
    limit: int | None = 500,
):
    """The firm's audit trail, newest first, filtered by person (actor's public id), household
    (client public id), kind and dates (inclusive); firm admins only."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from accounts.models import AuditEvent

    events = AuditEvent.objects.visible_to(user).select_related("client", "account", "actor")
    if person:
        events = events.filter(actor__public_id=person)
    if household:
        events = events.filter(client__public_id=household)
    if kind:
        events = events.filter(kind=kind)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(created_at__gte=datetime.combine(date_from, time.min, zone))
    if date_to:
        after = datetime.combine(date_to + timedelta(days=1), time.min, zone)
        events = events.filter(created_at__lt=after)
    return events[:limit] if limit else events
