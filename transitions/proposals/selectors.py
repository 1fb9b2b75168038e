"""Reads of proposals: access (404 for missing and for someone else's), lists, history."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import access_object, access_object_for_write
from transitions.analysis.models import AnalysisStatus, TransitionAnalysis
from transitions.proposals.models import Proposal, ProposalEvent, ProposalStatus, ProposalVersion

_BASE = Proposal.objects.select_related(
    "client__advisor", "account__strategy", "analysis", "current_version", "created_by"
)


def access_proposal(*, user, id) -> Proposal:  # noqa: A002
    """One proposal the user may see (a client: its household's, once shared)."""
    return access_object(_BASE, user=user, public_id=id)


def access_proposal_for_write(*, user, id) -> Proposal:  # noqa: A002
    return access_object_for_write(_BASE, user=user, public_id=id)


def access_proposal_version(*, user, id) -> ProposalVersion:  # noqa: A002
    """One version (its file) the user may see."""
    return access_object(
        ProposalVersion.objects.select_related("proposal__client"), user=user, public_id=id
    )


def proposals_for_client(*, user, client) -> QuerySet[Proposal]:
    return (
        Proposal.objects.visible_to(user)
        .filter(client=client)
        .select_related("account", "current_version", "analysis")
    )


def proposal_versions(*, proposal) -> list[ProposalVersion]:
    return list(
        ProposalVersion.objects.filter(proposal=proposal).select_related(
            "created_by", "reviewed_by", "accepted_by", "job"
        )
    )


def proposal_history(*, proposal, limit: int = 50) -> list[ProposalEvent]:
    return list(
        ProposalEvent.objects.filter(proposal=proposal).select_related("actor", "version")[:limit]
    )


def proposal_open_for_account(*, account) -> Proposal | None:
    """The account's latest proposal not yet accepted: a new generation adds a version to it."""
    return (
        Proposal.objects.filter(account=account)
        .exclude(status=ProposalStatus.ACCEPTED)
        .order_by("-created_at")
        .first()
    )


def analyses_ready_for_account(*, account) -> QuerySet[TransitionAnalysis]:
    return TransitionAnalysis.objects.filter(account=account, status=AnalysisStatus.DONE).defer(
        "result"
    )


def proposal_render_job(*, proposal):
    """The latest render job of the proposal (for the progress bar), or None."""
    from django.contrib.contenttypes.models import ContentType

    from jobs.models import Job

    return (
        Job.objects.filter(
            target_type=ContentType.objects.get_for_model(Proposal), target_id=proposal.pk
        )
        .order_by("-created_at")
        .first()
    )


def proposal_share_invitation(*, proposal: Proposal):
    """The household's open client invitation (sent when sharing with a client who has no
    login): the advisor sees whether its e-mail went out and can copy its link."""
    from accounts.models import Invitation, Role

    return (
        Invitation.objects.filter(
            firm_id=proposal.firm_id,
            client_id=proposal.client_id,
            role=Role.CLIENT,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
