"""Why an account's customized target was recomputed: one row per recomputation that changed
it (a curation change, a saved customization, a new strategy version or risk model, a request).

Platform staff read them across firms in the admin (which accounts a curation change touched);
the advisor and the client read the last few on the account page. Kept apart from esg.models
so that each module stays small; esg.models imports it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.scoping import FirmScopedQuerySet


class RecomputeCause(models.TextChoices):
    CURATION = "curation", "ESG category curation"
    CUSTOMIZATION = "customization", "Customization saved"
    STRATEGY_VERSION = "strategy_version", "New strategy version"
    RISK_MODEL = "risk_model", "New risk model"
    MANUAL = "manual", "Recomputed on request"


class TargetRecomputationQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        from accounts.models import Account

        return self.for_firm_of(user).filter(account__in=Account.objects.visible_to(user))


class TargetRecomputation(models.Model):
    """One recomputation of an account's customized target, with its cause in plain words.

    `job` is the refresh job that made it (if any): a retried job updates its row, never adds
    a second one. `audit_event` is the curation event behind it, where there is one.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="target_recomputations"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    cause_kind = models.CharField(max_length=20, choices=RecomputeCause.choices)
    cause = models.CharField(max_length=300, help_text="Why, in plain words.")
    category = models.ForeignKey(
        "esg.ExclusionCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="target_recomputations",
        help_text="The curated category behind it (curation only).",
    )
    audit_event = models.ForeignKey(
        "accounts.AuditEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="target_recomputations",
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    names_added = models.JSONField(default=list, blank=True, help_text="Tickers now held.")
    names_removed = models.JSONField(default=list, blank=True, help_text="Tickers dropped.")
    tracking_error_before = models.FloatField(
        null=True, blank=True, help_text="Target vs strategy before, fraction a year."
    )
    tracking_error_after = models.FloatField(help_text="Target vs strategy after, fraction a year.")

    objects = TargetRecomputationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "account"],
                condition=Q(job__isnull=False),
                name="target_recomputation_once_per_job",
            ),
            models.CheckConstraint(
                condition=Q(tracking_error_after__gte=0), name="target_recomputation_te_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d}: {self.cause}"


class CurationChange(AuditEvent):
    """The platform's curation history (audit events of ESG curation without a firm), shown
    to staff in the admin with the targets each change recomputed."""

    class Meta:
        proxy = True
        verbose_name = "curation change"
        ordering = ["-created_at", "-pk"]
