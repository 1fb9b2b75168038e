"""The proposal's audit trail: its own history (who, when, which version) and the firm-wide
audit log (issue 9), both written here so that the services record an event in one call."""

from __future__ import annotations

from transitions.proposals.models import ProposalEvent, ProposalEventKind


def proposal_event_record(*, proposal, kind: str, actor=None, version=None, detail: str = ""):
    from accounts.audit import audit_record

    event = ProposalEvent.objects.create(
        firm_id=proposal.firm_id,
        proposal=proposal,
        version=version,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        detail=detail[:300],
    )
    if kind != ProposalEventKind.DOWNLOADED:  # a read, not a change
        what = ProposalEventKind(kind).label
        number = f" (version {version.number})" if version is not None else ""
        audit_record(
            firm=proposal.firm_id,
            actor=actor,
            kind="proposal",
            client=proposal.client,
            summary=f"Proposal for {proposal.client.name}: {what.lower()}{number}"
            + (f". {detail}" if detail else ""),
        )
    return event
