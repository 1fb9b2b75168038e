"""Proposals: what the advisor sends and the client reads, generated from a transition analysis.

A `Proposal` belongs to one household's account and one analysis; it names the recommended
scenario and the scenarios shown. Each rendering is a `ProposalVersion` (numbered, its PDF kept
privately under a random name); old versions stay. The client marks a version reviewed or
accepted; `ProposalEvent` rows keep who did what to which version, and when.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Client, email_delivery_state
from accounts.scoping import FirmScopedQuerySet
from transitions.proposals.storage import private_storage_callable, proposal_file_name


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared with the client"
    REVIEWED = "reviewed", "Reviewed by the client"
    ACCEPTED = "accepted", "Accepted by the client"


CLIENT_VISIBLE = (ProposalStatus.SHARED, ProposalStatus.REVIEWED, ProposalStatus.ACCEPTED)


class ProposalQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        """The firm's advisors as for households; a client login its household's proposals once
        they are shared (a draft is the advisor's)."""
        rows = self.for_firm_of(user).filter(client__in=Client.objects.visible_to(user))
        if getattr(user, "is_client_user", False):
            rows = rows.filter(status__in=CLIENT_VISIBLE)
        return rows


class Proposal(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        "accounts.Client", on_delete=models.CASCADE, related_name="proposals"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="proposals"
    )
    analysis = models.ForeignKey(
        "transitions.TransitionAnalysis",
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text="The analysis the latest version was generated from.",
    )
    title = models.CharField(max_length=200, default="Transition proposal")
    recommended_scenario = models.CharField(max_length=60, help_text="Engine name, e.g. timeline:3")
    shown_scenarios = models.JSONField(default=list, help_text="Engine names, in order.")
    advisor_note = models.TextField(blank=True, max_length=2000)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    current_version = models.ForeignKey(
        "transitions.ProposalVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    # The "your advisor shared a proposal" e-mail to a client who has a login (a client without
    # one gets the invitation's e-mail instead): as on Invitation, queued, claimed, sent or why
    # not (accounts/emails.py). Each share asks for a new one.
    share_email_to = models.EmailField(blank=True)
    share_email_queued_at = models.DateTimeField(null=True, blank=True)
    share_email_claimed_at = models.DateTimeField(null=True, blank=True)
    share_email_sent_at = models.DateTimeField(null=True, blank=True)
    share_email_error = models.CharField(max_length=300, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["firm", "client", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} for {self.client}"

    @property
    def share_email_state(self) -> str:
        """What became of the share e-mail (`email_delivery_state`)."""
        return email_delivery_state(
            queued_at=self.share_email_queued_at,
            sent_at=self.share_email_sent_at,
            error=self.share_email_error,
        )


class ProposalVersionQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        return self.for_firm_of(user).filter(proposal__in=Proposal.objects.visible_to(user))


class ProposalVersion(models.Model):
    """One rendering of a proposal. `request_token` is the render job's claim: a task
    delivered twice finds its version and makes no second one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    request_token = models.UUIDField(unique=True)
    analysis = models.ForeignKey(
        "transitions.TransitionAnalysis", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(
        storage=private_storage_callable, upload_to=proposal_file_name, max_length=120
    )
    file_size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, help_text="What this version says, for the diff.")
    changes = models.JSONField(default=list, help_text="What changed since the previous one.")
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProposalVersionQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposal_version_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="proposal_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.proposal}"


class ProposalEventKind(models.TextChoices):
    GENERATE_REQUESTED = "generate_requested", "Generation requested"
    GENERATED = "generated", "Version generated"
    SHARED = "shared", "Shared with the client"
    INVITED = "invited", "Client invited to sign in"
    REVIEWED = "reviewed", "Marked reviewed by the client"
    ACCEPTED = "accepted", "Accepted by the client"
    DOWNLOADED = "downloaded", "PDF downloaded"


class ProposalEvent(models.Model):
    """The proposal's history: who did what, when, to which version."""

    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey(
        ProposalVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=ProposalEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"
