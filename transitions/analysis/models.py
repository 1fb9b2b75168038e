"""Transition analyses: a stored run of the multi-period planner for one account.

`TransitionAnalysis` holds the request (scenarios, horizon, goal, paths, seed), the digest of
the inputs it ran on, and the engine's stored result (transition-plan/1 JSON with the expected
path and the percentile bands, plus the frontier). `AnalysisScenario` rows hold the summary
figures for listing and comparing. `AnalysisPathRun` rows are the per-path outcomes keyed by
path index, so a redelivered path task never counts twice. `AnalysisPayload` is the planner's
input and opening, stored once and read by every path task (messages carry only ids).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account
from accounts.scoping import FirmScopedQuerySet


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    STALE = "stale", "Stale"


class ScenarioKindChoice(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    TIMELINE = "timeline", "Timeline"
    GAIN_BUDGET = "gain_budget", "Gain budget"
    TAX_BUDGET = "tax_budget", "Tax budget"
    HOLD = "hold", "Hold"


class TransitionAnalysisQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        return self.for_firm_of(user).filter(account__in=Account.objects.visible_to(user))


class TransitionAnalysis(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="transition_analyses"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.QUEUED
    )
    inputs_digest = models.CharField(max_length=64)
    as_of = models.DateField()
    years = models.PositiveSmallIntegerField()
    te_goal = models.DecimalField(max_digits=8, decimal_places=6)
    drift = models.DecimalField(max_digits=7, decimal_places=4)
    paths = models.PositiveIntegerField(default=100)
    seed = models.BigIntegerField(default=7)
    scenario_names = models.JSONField(default=list, help_text="Scenario names, in order.")
    paths_done = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(null=True, blank=True, help_text="transition-plan/1 + frontier.")
    error = models.TextField(blank=True)
    stale_reason = models.CharField(max_length=300, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TransitionAnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["firm", "account", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(years__gte=1, years__lte=10), name="analysis_years_1_to_10"
            ),
            models.CheckConstraint(condition=Q(te_goal__gt=0), name="analysis_te_goal_positive"),
        ]

    def __str__(self) -> str:
        return f"Transition analysis of {self.account} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (AnalysisStatus.DONE, AnalysisStatus.FAILED, AnalysisStatus.STALE)


class AnalysisScenarioQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        return self.for_firm_of(user).filter(
            analysis__in=TransitionAnalysis.objects.visible_to(user)
        )


class AnalysisScenario(models.Model):
    """One scenario of an analysis with the figures a list or a comparison shows."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    analysis = models.ForeignKey(
        TransitionAnalysis, on_delete=models.CASCADE, related_name="scenarios"
    )
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60, help_text="Engine name, e.g. timeline:3.")
    kind = models.CharField(max_length=20, choices=ScenarioKindChoice.choices)
    parameter = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    is_saved_from_frontier = models.BooleanField(default=False)
    total_tax = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    first_year_tax = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    years_to_target = models.PositiveSmallIntegerField(null=True, blank=True)
    after_tax_value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    liquidation_value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    final_tracking_error = models.FloatField(null=True, blank=True)

    objects = AnalysisScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["analysis", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "position"], name="analysis_scenario_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(parameter__isnull=True) | Q(parameter__gte=0),
                name="analysis_scenario_parameter_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PathRunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class AnalysisPathRun(models.Model):
    """One simulated path's outcome (all scenarios), keyed by its index: stored once."""

    analysis = models.ForeignKey(
        TransitionAnalysis, on_delete=models.CASCADE, related_name="path_runs"
    )
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    path_index = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=PathRunStatus.choices, default=PathRunStatus.PENDING
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    ran_by = models.CharField(max_length=100, blank=True, help_text="task or coordinator, host.")
    outcome = models.JSONField(null=True, blank=True)

    objects = FirmScopedQuerySet.as_manager()

    class Meta:
        ordering = ["analysis", "path_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "path_index"], name="analysis_path_index_unique"
            )
        ]

    def __str__(self) -> str:
        return f"path {self.path_index} ({self.status})"


class AnalysisPayload(models.Model):
    """The planner's input and opening (year 1 of every scenario), pickled and compressed, so
    that each path task loads it by the analysis id instead of receiving it in its message.
    Written and read only by this area's services (never from user data)."""

    analysis = models.OneToOneField(
        TransitionAnalysis, on_delete=models.CASCADE, related_name="payload"
    )
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"payload of analysis {self.analysis_id}"
