"""The proposal's audit trail, written through this one function so that a firm-wide audit
log (issue 9) can be fed from here when it lands, without touching the services."""

from __future__ import annotations

from transitions.proposals.models import ProposalEvent


def proposal_event_record(*, proposal, kind: str, actor=None, version=None, detail: str = ""):
    return ProposalEvent.objects.create(
        firm_id=proposal.firm_id,
        proposal=proposal,
        version=version,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        detail=detail[:300],
    )
