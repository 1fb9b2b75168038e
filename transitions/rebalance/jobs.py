"""Long work of rebalancing, run by the Celery job task: one account's proposal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse

from jobs.registry import JobError, job_runner
from transitions.rebalance.services import PROPOSE_JOB


@job_runner(PROPOSE_JOB)
def rebalance_propose_job(*, job, progress) -> dict:
    """Propose trades for the job's account (firm from the job row). A second delivery after
    the list was stored reports that list instead of solving again."""
    from accounts.models import Account
    from transitions.rebalance.compute import trade_list_compute
    from transitions.rebalance.models import TradeList

    account = (
        Account.objects.select_related("client", "strategy", "firm")
        .filter(public_id=job.params.get("account"), firm_id=job.firm_id)
        .first()
    )
    if account is None:
        raise JobError("The account no longer belongs to this firm.")
    trade_list = TradeList.objects.filter(job=job).first()
    if trade_list is None:
        progress(10, "Loading lots, prices, target and risk model")
        try:
            trade_list = trade_list_compute(account=account, actor=job.created_by, job=job)
        except ValidationError as error:
            raise JobError(" ".join(error.messages)) from error
    url = reverse("rebalance-trade-list", kwargs={"public_id": trade_list.public_id})
    if trade_list.status == "failed":
        raise JobError(f"No trades could be proposed: {trade_list.error}")
    return {"url": url, "trade_list": str(trade_list.public_id), "trades": trade_list.trade_count}
