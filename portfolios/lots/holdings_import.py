"""Holdings imports: a previewed upload becomes opening trades, cash balances and the firm's
legacy securities, in one transaction with one household replay, inline when small, else as a
job (`holdings_confirm`). Conventions: docs/lots.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jobs.types import ProgressCallback
from portfolios.lots.bulk import rows_insert
from portfolios.lots.cash import cash_balance_set
from portfolios.lots.holdings_files import (
    holdings_upload_content,
    holdings_upload_options,
    no_progress,
)
from portfolios.lots.holdings_upload import holdings_check_record, holdings_stored_check
from portfolios.lots.imports import HoldingsCheck, ImportMode, Problem
from portfolios.lots.replay import client_lock as _client_lock
from portfolios.lots.replay import household_replay
from portfolios.models import (
    ImportBatch,
    ImportStatus,
    Price,
    PriceSource,
    Security,
    TaxLot,
    Trade,
    TradeAction,
    TradeSource,
)

TRADE_FIELDS = (
    "firm",
    "account",
    "security",
    "action",
    "trade_date",
    "shares",
    "amount",
    "lot_ref",
    "source",
    "created_by",
)
INLINE_IMPORT_MAX_ROWS = 5_000  # larger files are imported by a Job with a progress bar


def _audit(**event) -> None:
    from accounts.audit import audit_record

    audit_record(**event)


@dataclass(frozen=True)
class HoldingsImportResult:
    batch: ImportBatch
    lots: int = 0
    cash_accounts: int = 0
    legacy_securities: int = 0
    removed_trades: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def is_imported(self) -> bool:
        return not self.problems


def holdings_import(
    *, batch: ImportBatch, actor, progress: ProgressCallback = no_progress
) -> HoldingsImportResult:
    """Import a previewed file: checked again, then all of it in one transaction or nothing.

    Opening lots become BUY trades (source `opening`) on their acquisition date for their
    basis; cash rows set the accounts' cash balances; tickers outside the master become the
    firm's legacy securities with the advisor's price. Then the household is replayed.
    """
    progress(5, "Checking the file again")
    content = holdings_upload_content(batch=batch)
    options = holdings_upload_options(batch=batch)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.IMPORTED:
            raise ValidationError("This file was already imported.")
        client = _client_lock(batch.client)
        check = holdings_stored_check(batch=batch, content=content, options=options)
        if not check.is_clean:
            holdings_check_record(batch=batch, check=check, options=options)
            return HoldingsImportResult(batch=batch, problems=tuple(check.problems))
        progress(15, f"Importing {len(check.lot_rows)} lots")
        today = timezone.localdate()
        firm = client.firm
        legacy_ids = _legacy_securities_write(firm=firm, check=check, today=today)
        removed = 0
        if options.mode == ImportMode.REPLACE:
            account_ids = list(check.accounts)
            TaxLot.objects.filter(account_id__in=account_ids).delete()
            removed, _ = Trade.objects.filter(account_id__in=account_ids).delete()
        prefix = batch.public_id.hex[:6]
        lot_rows = check.lot_rows
        keys = {(r.account_id, r.lot_ref or f"{prefix}-r{r.row}") for r in lot_rows}
        written = rows_insert(
            Trade,
            TRADE_FIELDS,
            (
                (
                    firm.pk,
                    r.account_id,
                    r.security_id or legacy_ids[r.ticker],
                    TradeAction.BUY,
                    r.acquired_on,
                    r.shares,
                    r.cost_basis,
                    r.lot_ref or f"{prefix}-r{r.row}",
                    TradeSource.OPENING,
                    actor.pk if actor else None,
                )
                for r in lot_rows
            ),
        )
        progress(35, f"{written} opening trades written")
        cash = check.cash_by_account()
        for account_id, amount in cash.items():
            cash_balance_set(account=check.accounts[account_id], actor=actor, amount=amount)
        household_replay(client=client, import_batch=batch, new_lot_keys=keys, progress=progress)
        batch.status = ImportStatus.IMPORTED
        batch.errors = []
        batch.row_count = len(check.rows)
        batch.save(update_fields=["status", "errors", "row_count"])
        names = ", ".join(sorted(a.name for a in check.accounts.values()))
        _audit(
            firm=firm.pk,
            actor=actor,
            kind="holdings_import",
            client=client,
            summary=(
                f"Imported {written:,} lot(s)"
                + (f" and {len(cash)} cash balance(s)" if cash else "")
                + f" from {batch.filename} into {names}"
                + (
                    " (replacing their lots and trades)"
                    if options.mode == ImportMode.REPLACE
                    else ""
                )
            ),
        )
    from accounts.services import client_touch

    client_touch(client=batch.client)
    progress(100, "Imported")
    return HoldingsImportResult(
        batch=batch,
        lots=written,
        cash_accounts=len(cash),
        legacy_securities=len(check.new_legacy_tickers),
        removed_trades=removed,
    )


def _legacy_securities_write(*, firm, check: HoldingsCheck, today: date) -> dict[str, int]:
    """Create the firm's new legacy securities and record the advisor's prices (dated today)."""
    ids: dict[str, int] = {}
    for ticker in check.new_legacy_tickers:
        security, _ = Security.objects.get_or_create(
            firm=firm,
            ticker=ticker,
            defaults={"name": f"{ticker} (legacy holding)", "is_active": True},
        )
        ids[ticker] = security.pk
    for ticker, price in check.legacy_prices.items():
        security_id = ids.get(ticker)
        if security_id is None:
            security_id = Security.objects.get(firm=firm, ticker=ticker).pk
            ids[ticker] = security_id
        Price.objects.update_or_create(
            security_id=security_id,
            date=today,
            defaults={"close": price, "source": PriceSource.ADVISOR},
        )
    return ids


def holdings_confirm(*, batch: ImportBatch, actor):
    """Import inline when the file is small, else queue a Job (returned) with a progress bar."""
    if batch.status != ImportStatus.PREVIEWED:
        raise ValidationError(
            "This file was already imported."
            if batch.status == ImportStatus.IMPORTED
            else "This file is still being checked."
            if batch.status == ImportStatus.CHECKING
            else "This file has problems: fix them (or upload a corrected file) first."
        )
    if batch.row_count > INLINE_IMPORT_MAX_ROWS:
        from jobs.services import job_create

        return job_create(
            kind="holdings_import",
            title=f"Import of {batch.filename} ({batch.row_count} rows)",
            firm=batch.firm,
            created_by=actor,
            params={"batch": str(batch.public_id)},
            target=batch,
            target_label=f"the upload {batch.filename}",
        )
    return holdings_import(batch=batch, actor=actor)
