"""Demo: a shared proposal from the demo's finished transition analysis (full demo only: the
quick seed of the tests skips the render)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def demo_proposal_seed(*, quick: bool) -> None:
    """Idempotent: when the demo analysis is done and has no proposal, generate one (timeline
    recommended); a rendered draft is shared with the household's client login if it has one
    (with a worker, the next seed run shares what the worker rendered)."""
    if quick:
        return
    from transitions.analysis.models import AnalysisStatus, TransitionAnalysis
    from transitions.proposals.models import Proposal
    from transitions.proposals.services import proposal_generate, proposal_share

    existing = Proposal.objects.select_related("client").first()
    if existing is not None:
        _share_when_rendered(existing, proposal_share)
        return
    analysis = (
        TransitionAnalysis.objects.filter(status=AnalysisStatus.DONE)
        .select_related("account__client__advisor")
        .first()
    )
    if analysis is None:
        return
    names = list(analysis.scenario_names)
    recommended = next((n for n in names if n.startswith("timeline")), names[0])
    advisor = analysis.account.client.advisor
    try:
        proposal, _job = proposal_generate(
            analysis=analysis,
            actor=advisor,
            recommended=recommended,
            shown=[n for n in names if n != "hold"],
            note="As we discussed: spreading the gains keeps each year's tax bill moderate.",
        )
    except ValidationError:
        return
    proposal.refresh_from_db()
    _share_when_rendered(proposal, proposal_share)


def _share_when_rendered(proposal, proposal_share) -> None:
    """Share a rendered draft with the household's client login (when it has one)."""
    if proposal.status != "draft" or proposal.current_version_id is None:
        return
    if proposal.client.logins.exists():
        proposal_share(proposal=proposal, actor=proposal.client.advisor)
