"""Recording why a customized target was recomputed (esg.models.TargetRecomputation): the
cause in plain words, the curation event behind it, the names that entered or left the target
and the tracking error before and after. Written in the transaction that stores the target."""

from __future__ import annotations

from accounts.audit import audit_record
from esg.models import AccountExclusion, CustomizedTarget, RecomputeCause, TargetRecomputation
from esg.types import RefreshCause
from portfolios.models import Security


def _held_ids(target: CustomizedTarget | None) -> set[int]:
    return {int(security_id) for security_id, _ in target.weights} if target else set()


def target_recomputation_record(
    *,
    account,
    previous: CustomizedTarget | None,
    target: CustomizedTarget,
    cause: RefreshCause,
    job=None,
) -> TargetRecomputation:
    """Record one recomputation of `account`'s target. `previous` is the target it replaces
    (read before the store). A job records once per account: a retried delivery of the same
    job gets the row the first delivery wrote."""
    if job is not None:
        existing = TargetRecomputation.objects.filter(job=job, account=account).first()
        if existing is not None:
            return existing
    before, after = _held_ids(previous), _held_ids(target)
    changed = before ^ after
    tickers = (
        dict(Security.objects.filter(pk__in=changed).values_list("pk", "ticker")) if changed else {}
    )
    category_id = None
    if cause.kind == RecomputeCause.CURATION and cause.category_ids:
        category_id = (
            AccountExclusion.objects.filter(account=account, category_id__in=cause.category_ids)
            .order_by("category__name")
            .values_list("category_id", flat=True)
            .first()
        )
    row = TargetRecomputation.objects.create(
        firm_id=account.firm_id,
        account=account,
        cause_kind=cause.kind,
        cause=cause.text[:300],
        category_id=category_id,
        audit_event_id=cause.audit_event_id,
        job=job,
        names_added=sorted(tickers[i] for i in after - before if i in tickers),
        names_removed=sorted(tickers[i] for i in before - after if i in tickers),
        tracking_error_before=previous.tracking_error if previous is not None else None,
        tracking_error_after=target.tracking_error,
    )
    if cause.kind == RecomputeCause.CURATION:
        # The firm's own books and records: platform curation changed one of its accounts.
        audit_record(
            firm=account.firm_id,
            actor=None,
            kind="esg_curation",
            account=account,
            summary=f"Customized target of {account.name} recomputed after platform "
            f"curation: {cause.text}"[:500],
        )
    return row
