"""ESG exclusion categories (global, curated by platform staff) and account customizations.

Global reference data: `ExclusionCategory`, its `CategoryRule`s (an industry or a sector) and
`CategoryOverride`s (a name added or removed by hand, with a reason), all with history; and
`CategoryMember`, the materialized member list with the reason for each name, rebuilt by
`esg.services.category_members_rebuild`.

Firm-owned rows (each carries `firm`): an account's chosen categories (`AccountExclusion`),
its `Restriction`s (a security, an industry or a sector; do not buy or do not hold; dated), its
`ConcentratedPosition`s, its `CustomizationNote` (who saved it last) and the cached
`CustomizedTarget` per strategy version.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from accounts.scoping import FirmScopedQuerySet


class ExclusionCategory(models.Model):
    """An ESG exclusion category (tobacco, controversial weapons, ...): global reference data."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive categories are not offered to advisors."
    )
    members_rebuilt_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["members_rebuilt_at"])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "exclusion categories"

    def __str__(self) -> str:
        return self.name


class RuleField(models.TextChoices):
    INDUSTRY = "industry", "Industry"
    SECTOR = "sector", "Sector"


class CategoryRule(models.Model):
    """Every security of the master whose industry (or sector) equals `value` is a member."""

    category = models.ForeignKey(ExclusionCategory, on_delete=models.CASCADE, related_name="rules")
    field = models.CharField(max_length=10, choices=RuleField.choices)
    value = models.CharField(max_length=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "field", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "field", "value"], name="category_rule_unique"
            ),
            models.CheckConstraint(condition=~Q(value=""), name="category_rule_value_set"),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display().lower()} is {self.value}"


class OverrideAction(models.TextChoices):
    INCLUDE = "include", "Add to the category"
    EXCLUDE = "exclude", "Remove from the category"


class CategoryOverride(models.Model):
    """A name added to (or removed from) a category by hand, with the reason and who did it."""

    category = models.ForeignKey(
        ExclusionCategory, on_delete=models.CASCADE, related_name="overrides"
    )
    security = models.ForeignKey(
        "portfolios.Security",
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"firm__isnull": True},
    )
    action = models.CharField(max_length=10, choices=OverrideAction.choices)
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "security__ticker"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "security"], name="category_override_one_per_security"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="category_override_has_reason"),
        ]

    def __str__(self) -> str:
        verb = "added" if self.action == OverrideAction.INCLUDE else "removed"
        return f"{self.security_id} {verb} by hand: {self.reason}"


class MemberSource(models.TextChoices):
    RULE = "rule", "Rule"
    MANUAL = "manual", "Added by hand"


class CategoryMember(models.Model):
    """Materialized membership: one row per (category, security), with why it is in."""

    category = models.ForeignKey(
        ExclusionCategory, on_delete=models.CASCADE, related_name="members"
    )
    security = models.ForeignKey("portfolios.Security", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=MemberSource.choices)
    reason = models.CharField(max_length=400)

    class Meta:
        ordering = ["category", "security__ticker"]
        constraints = [
            models.UniqueConstraint(fields=["category", "security"], name="category_member_unique")
        ]
        indexes = [models.Index(fields=["security"])]

    def __str__(self) -> str:
        return f"{self.security_id} in {self.category_id}: {self.reason}"


class AccountOwnedQuerySet(FirmScopedQuerySet):
    """Rows that hang off an account: visible exactly when the account is."""

    def visible_to(self, user):
        from accounts.models import Account

        return self.for_firm_of(user).filter(account__in=Account.objects.visible_to(user))


class AccountExclusion(models.Model):
    """An ESG category an account excludes: its members get no weight in the target."""

    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="esg_exclusions"
    )
    category = models.ForeignKey(
        ExclusionCategory, on_delete=models.PROTECT, related_name="account_exclusions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "category__name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "category"], name="account_exclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} excludes {self.category_id}"


class RestrictionScope(models.TextChoices):
    SECURITY = "security", "Security"
    INDUSTRY = "industry", "Industry"
    SECTOR = "sector", "Sector"


class RestrictionMode(models.TextChoices):
    DO_NOT_BUY = "do_not_buy", "Do not buy"
    DO_NOT_HOLD = "do_not_hold", "Do not hold"


class Restriction(models.Model):
    """Do not buy (keep what is held) or do not hold (sell, under the transition's tax rules)
    one security, an industry or a sector, from `effective_from` until `effective_to`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="restrictions"
    )
    scope = models.CharField(max_length=10, choices=RestrictionScope.choices)
    security = models.ForeignKey(
        "portfolios.Security", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.CharField(
        max_length=100, blank=True, help_text="The industry or sector (empty for a security)."
    )
    mode = models.CharField(max_length=12, choices=RestrictionMode.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "scope", "value", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="security") & Q(security__isnull=False) & Q(value=""))
                | (~Q(scope="security") & Q(security__isnull=True) & ~Q(value="")),
                name="restriction_names_one_target",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="restriction_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["firm", "account"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()}: {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.scope == RestrictionScope.SECURITY:
            return self.security.ticker if self.security_id else "?"
        return f"{self.get_scope_display().lower()} {self.value}"

    def is_effective_on(self, day) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class ConcentratedPosition(models.Model):
    """A large (often low-basis, employer) holding: sold down tax-aware by the transition, and
    no other company of its industry is bought."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="concentrated_positions"
    )
    security = models.ForeignKey("portfolios.Security", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "security__ticker"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "security"], name="concentrated_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Concentrated position {self.security_id} in {self.account_id}"


class CustomizationNote(models.Model):
    """Who saved an account's customization last, and when (one row per account)."""

    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="customization_note"
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField()
    notes = models.CharField(max_length=500, blank=True)

    objects = AccountOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Customization of {self.account_id} saved {self.saved_at:%Y-%m-%d}"


class CustomizedTarget(models.Model):
    """The cached customized target of an account for one strategy version and risk model.

    `inputs_hash` digests everything the target depends on (strategy version, risk model,
    the names each exclusion removes, the candidate universe); a mismatch means recompute.
    `weights` holds only the names with weight, as [[security id, weight], ...].
    `costs` lists each exclusion's tracking-error cost alone (see esg.services.target).
    Pages show this row as stored (never recomputed on GET), marked stale when `inputs`
    differ from the current ones (esg.selectors.customized_target_state).
    """

    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="customized_targets"
    )
    strategy_version = models.ForeignKey(
        "portfolios.StrategyVersion", on_delete=models.CASCADE, related_name="+"
    )
    risk_model = models.ForeignKey(
        "portfolios.RiskModel", on_delete=models.CASCADE, related_name="+"
    )
    inputs_hash = models.CharField(max_length=64)
    inputs = models.JSONField(
        default=dict,
        blank=True,
        help_text="The digest's parts (strategy version, risk model, universe, exclusions): "
        "which input changed since, for the stale mark.",
    )
    as_of = models.DateField(help_text="Restrictions in force on this day were applied.")
    weights = models.JSONField(default=list)
    tracking_error = models.FloatField(help_text="Optimized target vs strategy, fraction a year.")
    pro_rata_tracking_error = models.FloatField(null=True, blank=True)
    costs = models.JSONField(default=list)
    names_removed = models.PositiveIntegerField(default=0)
    weight_removed = models.FloatField(default=0.0)
    solver = models.CharField(max_length=20, blank=True)
    computed_at = models.DateTimeField()

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "-computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "strategy_version"], name="customized_target_per_version"
            ),
            models.CheckConstraint(
                condition=Q(tracking_error__gte=0), name="customized_target_te_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"Customized target of {self.account_id} (v{self.strategy_version_id})"


# Kept in its own module (esg.models stays small); imported here so Django registers it.
from esg.recomputation_models import (  # noqa: E402, F401
    CurationChange,
    RecomputeCause,
    TargetRecomputation,
)
