"""Long work of the accounts area, run by the Celery job task."""

from __future__ import annotations

import csv
import io

from accounts.models import User
from accounts.selectors import client_dashboard_rows
from jobs.registry import JobError, job_runner


@job_runner("client_book_export")
def client_book_export(*, job, progress) -> dict:
    """CSV of the households and accounts the job's creator may see (as of now)."""
    user = job.created_by  # firm and actor checked by the task base (jobs.tasks.JobTask)
    if not isinstance(user, User):
        raise JobError("The export has no owner.")
    progress(10, "Reading households")
    rows = client_dashboard_rows(user=user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "household",
            "advisor",
            "account",
            "account_type",
            "custodian",
            "account_number",
            "strategy",
            "market_value",
        ]
    )
    for index, row in enumerate(rows, start=1):
        for account in row.accounts or [None]:
            writer.writerow(
                [
                    row.client.name,
                    row.client.advisor.display_name,
                    account.name if account else "",
                    account.get_account_type_display() if account else "",
                    account.custodian if account else "",
                    account.masked_account_number if account else "",
                    (account.strategy.name if account and account.strategy else ""),
                    "" if row.market_value is None else f"{row.market_value:.2f}",
                ]
            )
        progress(10 + int(85 * index / max(len(rows), 1)), f"{index} of {len(rows)} households")
    return {
        "households": len(rows),
        "_output": out.getvalue().encode(),
        "_output_name": "clients.csv",
    }
