"""Recording the audit trail: every service that changes something calls `audit_record` with
what happened in plain words ("Imported 12 lots into Smith brokerage from h.csv")."""

from __future__ import annotations

from accounts.models import AuditEvent


def audit_record(*, firm, actor, kind: str, summary: str, client=None, account=None) -> AuditEvent:
    """Write one audit event (inside the caller's transaction: no change, no event)."""
    if account is not None and client is None:
        client = account.client
    firm_id = getattr(firm, "pk", firm)
    name = ""
    if actor is not None:
        name = getattr(actor, "display_name", "") or getattr(actor, "username", "")
    return AuditEvent.objects.create(
        firm_id=firm_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=name[:300] or "system",
        kind=kind,
        client=client,
        account=account,
        summary=summary[:500],
    )
