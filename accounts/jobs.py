"""Long work of the accounts area, run by the Celery job task."""

from __future__ import annotations

import io
from decimal import Decimal

from accounts.models import User
from accounts.selectors import client_dashboard_rows
from jobs.registry import JobError, job_runner
from pma_engine.csv_safe import csv_safe_writer
from portfolios.selectors import account_values


@job_runner("client_book_export")
def client_book_export(*, job, progress) -> dict:
    """CSV of the households and accounts the job's creator may see (as of now).

    One row per account with that account's own market value (lots at the latest close plus
    cash), so that the column sums to the book; a last row carries the total."""
    user = job.created_by  # firm and actor checked by the task base (jobs.tasks.JobTask)
    if not isinstance(user, User):
        raise JobError("The export has no owner.")
    progress(10, "Reading households")
    rows = client_dashboard_rows(user=user)
    # The same values as the dashboard and the client page: positions + cash, rounded per lot.
    values = account_values(accounts=[account for row in rows for account in row.accounts])
    out = io.StringIO()
    writer = csv_safe_writer(out)
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
    book_total = Decimal("0")
    for index, row in enumerate(rows, start=1):
        for account in row.accounts or [None]:
            value = values.get(account.pk) if account is not None else None
            if value is not None:
                book_total += value
            writer.writerow(
                [
                    row.client.name,
                    row.client.advisor.display_name,
                    account.name if account else "",
                    account.get_account_type_display() if account else "",
                    account.custodian if account else "",
                    account.masked_account_number if account else "",
                    (account.strategy.name if account and account.strategy else ""),
                    "" if value is None else f"{value:.2f}",
                ]
            )
        progress(10 + int(85 * index / max(len(rows), 1)), f"{index} of {len(rows)} households")
    writer.writerow(["Total", "", "", "", "", "", "", f"{book_total:.2f}"])
    return {
        "households": len(rows),
        "_output": out.getvalue().encode(),
        "_output_name": "clients.csv",
    }
