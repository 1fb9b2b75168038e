"""Firms (tenants), users and their roles, clients (households) and their financial accounts."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.scoping import FirmScopedQuerySet

DEFAULT_SHORT_TERM_RATE = Decimal("0.4080")
DEFAULT_LONG_TERM_RATE = Decimal("0.2380")
RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.9"))]


class Firm(models.Model):
    """An advisory firm: the tenant. Nothing of one firm is visible to another."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    FIRM_ADMIN = "firm_admin", "Firm admin"
    ADVISOR = "advisor", "Advisor"
    CLIENT = "client", "Client"


class UserQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        """Firm admins see their firm's logins; others see only themselves."""
        if user.is_firm_admin:
            return self.for_firm_of(user)
        if getattr(user, "firm_id", None):
            return self.filter(pk=user.pk)
        return self.none()


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A login. Firm users carry their firm and a role; platform staff have no firm."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey(
        Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    client = models.ForeignKey(
        "accounts.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="logins",
        help_text="For client logins: the household they may read.",
    )

    objects = PortalUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(firm__isnull=True) & Q(role=""))
                | (Q(firm__isnull=False) & ~Q(role="")),
                name="user_firm_and_role_together",
            ),
            models.CheckConstraint(
                condition=~Q(role="client") | Q(client__isnull=False),
                name="user_client_role_has_household",
            ),
        ]

    @property
    def is_firm_admin(self) -> bool:
        return self.firm_id is not None and self.role == Role.FIRM_ADMIN

    @property
    def is_advisor(self) -> bool:
        """Advisors and firm admins both act as advisors (a firm admin sees the whole firm)."""
        return self.firm_id is not None and self.role in (Role.ADVISOR, Role.FIRM_ADMIN)

    @property
    def is_client_user(self) -> bool:
        return self.firm_id is not None and self.role == Role.CLIENT

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email or self.username


class FilingStatus(models.TextChoices):
    SINGLE = "single", "Single"
    MARRIED_JOINT = "married_joint", "Married filing jointly"
    MARRIED_SEPARATE = "married_separate", "Married filing separately"
    HEAD_OF_HOUSEHOLD = "head_of_household", "Head of household"


class LotReliefMethod(models.TextChoices):
    FIFO = "fifo", "First in, first out"
    LIFO = "lifo", "Last in, first out"
    HIFO = "hifo", "Highest cost first"
    MIN_TAX = "min_tax", "Minimum tax"


class ClientQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        firm_rows = self.for_firm_of(user)
        if user.is_firm_admin:
            return firm_rows
        if user.role == Role.ADVISOR:
            return firm_rows.filter(advisor=user)
        if user.is_client_user:
            return firm_rows.filter(pk=user.client_id)
        return self.none()


class Client(models.Model):
    """A household: the taxpayer whose accounts are managed together (wash sales span them)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="clients")
    advisor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="advised_clients")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    filing_status = models.CharField(
        max_length=20, choices=FilingStatus.choices, default=FilingStatus.SINGLE
    )
    short_term_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_SHORT_TERM_RATE,
        validators=RATE_VALIDATORS,
        help_text="Combined marginal rate on short-term gains (federal, state, NIIT).",
    )
    long_term_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_LONG_TERM_RATE,
        validators=RATE_VALIDATORS,
        help_text="Combined rate on long-term gains (federal, state, NIIT).",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["last_activity_at", "updated_at"])
    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["firm", "advisor"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(short_term_rate__gte=0, short_term_rate__lte=Decimal("0.9"))
                & Q(long_term_rate__gte=0, long_term_rate__lte=Decimal("0.9")),
                name="client_rates_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AccountType(models.TextChoices):
    TAXABLE = "taxable", "Taxable"
    TRADITIONAL_IRA = "traditional_ira", "Traditional IRA"
    ROTH_IRA = "roth_ira", "Roth IRA"


class AccountQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        return self.for_firm_of(user).filter(client__in=Client.objects.visible_to(user))


class Account(models.Model):
    """A client's financial account at a custodian; follows one strategy."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="accounts")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="accounts")
    name = models.CharField(max_length=200)
    account_type = models.CharField(
        max_length=20, choices=AccountType.choices, default=AccountType.TAXABLE
    )
    custodian = models.CharField(max_length=100)
    account_number = models.CharField(max_length=40)
    strategy = models.ForeignKey(
        "portfolios.Strategy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    lot_relief_method = models.CharField(
        max_length=10, choices=LotReliefMethod.choices, default=LotReliefMethod.FIFO
    )
    cash_balance = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "account_number"], name="account_number_unique_in_firm"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_account_number})"

    @property
    def masked_account_number(self) -> str:
        tail = self.account_number[-4:]
        return f"••••{tail}"

    @property
    def is_tax_deferred(self) -> bool:
        return self.account_type in (AccountType.TRADITIONAL_IRA, AccountType.ROTH_IRA)


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


INVITATION_LIFETIME = timedelta(days=7)


def _invitation_expiry():
    return timezone.now() + INVITATION_LIFETIME


class InvitationQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        return self.for_firm_of(user) if user.is_firm_admin else self.none()


# What became of an e-mail the portal was asked to send (an invitation, a shared proposal).
EMAIL_STATES = ("sent", "failed", "queued", "")


def email_delivery_state(*, queued_at, sent_at, error: str) -> str:
    """sent, failed, queued, or "" (never asked for), from a row's e-mail fields."""
    if sent_at is not None:
        return "sent"
    if error:
        return "failed"
    return "queued" if queued_at is not None else ""


class Invitation(models.Model):
    """An invitation to set a password and sign in: a firm admin's for a new advisor (or
    admin), or an advisor's for a client login of one household (when sharing a proposal)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ADVISOR)
    client = models.ForeignKey(
        "accounts.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text="For a client login: the household it may read.",
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The invitation e-mail (accounts/emails.py): asked for, claimed by a sending task (a lease,
    # so a second delivery sends nothing), sent, or why it was not. Reset by a resend.
    email_queued_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=["advisor", "firm_admin"]) & Q(client__isnull=True))
                | (Q(role="client") & Q(client__isnull=False)),
                name="invitation_role_matches_household",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.firm}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def state(self) -> str:
        """open, accepted, revoked or expired: what the firm admin's list shows."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "open" if self.expires_at > timezone.now() else "expired"

    @property
    def email_state(self) -> str:
        """What the invitation list shows of its e-mail (`email_delivery_state`)."""
        return email_delivery_state(
            queued_at=self.email_queued_at, sent_at=self.email_sent_at, error=self.email_error
        )


class AuditKind(models.TextChoices):
    HOLDINGS_IMPORT = "holdings_import", "Holdings import"
    TRADE = "trade", "Trade"
    CUSTOMIZATION = "customization", "Customization"
    ESG_CURATION = "esg_curation", "ESG curation"
    INVITATION = "invitation", "Invitation"
    ACTIVATION = "activation", "Activation or deactivation"
    CLIENT = "client", "Household or account edit"
    TRADE_LIST = "trade_list", "Trade list approval or execution"
    PROPOSAL = "proposal", "Proposal"


class AuditEventQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        return self.for_firm_of(user) if user.is_firm_admin else self.none()


class AuditEvent(models.Model):
    """One change, in plain words: who did what, when, to which household or account.

    Written by the services that make the change (accounts/audit.py), never edited; a firm
    admin reads and exports them. Curation by platform staff is recorded with firm None (the
    platform's own history); each account whose target it recomputed gets an event in its
    firm's trail (esg.services.recomputation)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey(
        Firm, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)  # kept if the login goes
    kind = models.CharField(max_length=20, choices=AuditKind.choices, db_index=True)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    summary = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["firm", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.summary}"


HEX_COLOR_REGEX = r"^#[0-9a-fA-F]{6}$"
DEFAULT_BRAND_COLOR = "#1f4e8c"


class FirmBranding(models.Model):
    """What a firm's clients see of it on proposals: the name shown, a logo and a colour.

    The logo is stored as re-encoded PNG bytes (never the upload as sent), checked by decoding
    it (accounts.branding); it reaches pages and PDFs only through firm-scoped code."""

    firm = models.OneToOneField(Firm, on_delete=models.CASCADE, related_name="branding")
    display_name = models.CharField(
        max_length=200, blank=True, help_text="The firm's name as clients see it."
    )
    color = models.CharField(max_length=7, default=DEFAULT_BRAND_COLOR)
    logo_png = models.BinaryField(null=True, blank=True, editable=False)
    logo_width = models.PositiveIntegerField(null=True, blank=True)
    logo_height = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FirmScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(color__regex=HEX_COLOR_REGEX), name="firm_branding_color_hex"
            )
        ]

    def __str__(self) -> str:
        return f"Branding of {self.firm}"

    @property
    def name_shown(self) -> str:
        return self.display_name or self.firm.name
