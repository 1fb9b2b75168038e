"""Holdings uploads before the import: store the file, check it (inline, or by a job when
large), build the preview, and check it again with the advisor's prices. Nothing is imported
here (`portfolios.lots.holdings_import`). Conventions: docs/lots.md."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from jobs.types import ProgressCallback
from portfolios.lots.holdings_files import (
    UploadOptions,
    file_store,
    holdings_batch_files_delete,
    holdings_upload_content,
    holdings_upload_options,
    no_progress,
    stored_path,
)
from portfolios.lots.imports import (
    FileRefused,
    HoldingsCheck,
    ImportMode,
    holdings_file_check,
    price_problem,
    upload_size_check,
)
from portfolios.lots.reading import upload_bounds_check
from portfolios.models import ImportBatch, ImportStatus, Security, Trade

PREVIEW_ROWS_SHOWN = 200


def holdings_stored_check(
    *, batch: ImportBatch, content: bytes, options: UploadOptions
) -> HoldingsCheck:
    """A stored upload checked with its options; a file that cannot be read is one problem."""
    from accounts.models import Account

    default_account = None
    if options.default_account_id:
        default_account = Account.objects.filter(
            pk=options.default_account_id, client_id=batch.client_id
        ).first()
    try:
        return holdings_file_check(
            content=content,
            filename=batch.filename,
            client=batch.client,
            mode=options.mode,
            default_account=default_account,
            prices=options.prices,
        )
    except FileRefused as refused:
        check = HoldingsCheck()
        check.add(None, "", str(refused))
        return check


def _preview_build(*, batch: ImportBatch, check: HoldingsCheck, options: UploadOptions) -> dict:
    accounts = check.accounts
    tickers = dict(
        Security.objects.filter(
            pk__in={r.security_id for r in check.rows if r.security_id}
        ).values_list("pk", "ticker")
    )
    per_account: dict[int, dict] = {}
    for r in check.rows:
        entry = per_account.setdefault(
            r.account_id, {"lots": 0, "cost_basis": Decimal("0"), "cash": None}
        )
        if r.is_cash:
            entry["cash"] = (entry["cash"] or Decimal("0")) + r.shares
        else:
            entry["lots"] += 1
            entry["cost_basis"] += r.cost_basis
    replaced_trades = 0
    if options.mode == ImportMode.REPLACE and accounts:
        replaced_trades = Trade.objects.filter(account_id__in=list(accounts)).count()
    lot_rows = [r for r in check.rows if not r.is_cash][:PREVIEW_ROWS_SHOWN]
    return {
        "mode": options.mode,
        "lot_count": len(check.lot_rows),
        "replaced_trades": replaced_trades,
        "accounts": [
            {
                "name": accounts[pk].name,
                "number": accounts[pk].masked_account_number,
                "lots": entry["lots"],
                "cost_basis": str(entry["cost_basis"]),
                "cash": None if entry["cash"] is None else str(entry["cash"]),
            }
            for pk, entry in per_account.items()
        ],
        "rows": [
            {
                "row": r.row,
                "account": accounts[r.account_id].name,
                "ticker": tickers.get(r.security_id, r.ticker),
                "shares": str(r.shares),
                "acquired_on": r.acquired_on.isoformat() if r.acquired_on else "",
                "cost_basis": str(r.cost_basis),
                "lot_id": r.lot_ref,
                "is_legacy": r.is_legacy,
                "price": str(check.legacy_prices.get(r.ticker, "")),
            }
            for r in lot_rows
        ],
        "notes": check.notes,
        "legacy_prices": {t: str(p) for t, p in check.legacy_prices.items()},
        "new_legacy_tickers": check.new_legacy_tickers,
        "unpriced_tickers": check.unpriced_tickers,
        "suggestions": check.suggestions,
        "problem_count": check.problem_count,
    }


def holdings_check_record(*, batch: ImportBatch, check: HoldingsCheck, options: UploadOptions):
    """The check's outcome on the batch (previewed or rejected), its options and preview."""
    batch.status = ImportStatus.PREVIEWED if check.is_clean else ImportStatus.REJECTED
    batch.errors = [p.as_dict() for p in check.problems]
    batch.row_count = len(check.rows)
    batch.save(update_fields=["status", "errors", "row_count"])
    file_store(stored_path(batch, "options"), json.dumps(options.as_json()).encode())
    preview = _preview_build(batch=batch, check=check, options=options)
    file_store(stored_path(batch, "preview"), json.dumps(preview).encode())


def holdings_upload(
    *,
    client,
    actor,
    filename: str,
    content: bytes | None = None,
    upload=None,
    mode: str = ImportMode.ADD,
    default_account=None,
) -> ImportBatch:
    """Store an uploaded holdings file and check it (nothing is imported yet).

    Give `upload` (a Django UploadedFile: refused by size before it is read) or `content`.
    The batch is `previewed` when the file is clean, `rejected` with its problems otherwise.
    """
    if mode not in (ImportMode.ADD, ImportMode.REPLACE):
        raise ValidationError({"mode": "Choose add or replace."})
    if default_account is not None and default_account.client_id != client.pk:
        raise ValidationError({"default_account": "Choose an account of this household."})
    size = upload.size if upload is not None else len(content or b"")
    filename = PurePath(filename or "upload").name[:255]
    try:
        upload_size_check(size=size)
        if upload is not None:
            content = b"".join(upload.chunks())
        content = content or b""
        upload_bounds_check(content, filename)
    except FileRefused as refused:
        raise ValidationError({"file": str(refused)}) from refused
    options = UploadOptions(
        mode=mode, default_account_id=default_account.pk if default_account else None
    )
    is_large = len(content) > settings.HOLDINGS_INLINE_CHECK_BYTES
    check = None
    if not is_large:
        check = _check_or_refuse(client=client, filename=filename, content=content, options=options)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            firm_id=client.firm_id,
            client=client,
            uploaded_by=actor,
            filename=filename,
            kind="lots",
            status=ImportStatus.CHECKING if is_large else ImportStatus.PREVIEWED,
        )
        try:
            file_store(stored_path(batch, "upload"), content)
            file_store(stored_path(batch, "options"), json.dumps(options.as_json()).encode())
            if check is not None:
                holdings_check_record(batch=batch, check=check, options=options)
            else:
                from jobs.services import job_create

                job_create(
                    kind="holdings_check",
                    title=f"Check of {filename} ({len(content) / 1_048_576:.1f} MB)",
                    firm=client.firm,
                    created_by=actor,
                    params={"batch": str(batch.public_id)},
                )
        except BaseException:
            holdings_batch_files_delete(batch=batch)
            raise
    return batch


def _check_or_refuse(*, client, filename: str, content: bytes, options: UploadOptions):
    """The check of a file not stored yet; a file that cannot be read at all is refused whole
    (ValidationError on `file`) so that nothing of it is stored."""
    default_account = None
    if options.default_account_id:
        default_account = client.accounts.filter(pk=options.default_account_id).first()
    try:
        return holdings_file_check(
            content=content,
            filename=filename,
            client=client,
            mode=options.mode,
            default_account=default_account,
            prices=options.prices,
        )
    except FileRefused as refused:
        raise ValidationError({"file": str(refused)}) from refused


def holdings_check_run(*, batch: ImportBatch, progress: ProgressCallback = no_progress) -> bool:
    """Check a large stored upload (the job's work). A file that cannot be read at all is
    removed whole, batch and files, and False returned; otherwise the preview is recorded."""
    progress(5, "Reading the file")
    options = holdings_upload_options(batch=batch)
    content = holdings_upload_content(batch=batch)
    try:
        check = _check_or_refuse(
            client=batch.client, filename=batch.filename, content=content, options=options
        )
    except ValidationError:
        holdings_batch_files_delete(batch=batch)
        batch.delete()
        raise
    progress(90, "Recording the preview")
    holdings_check_record(batch=batch, check=check, options=options)
    progress(100, "Checked")
    return True


def holdings_recheck(
    *, batch: ImportBatch, actor, prices: Mapping[str, Decimal], mode: str | None = None
) -> ImportBatch:
    """The preview's second step: advisor prices for tickers outside the master (and the mode
    may change); the stored file is checked again."""
    if batch.status == ImportStatus.IMPORTED:
        raise ValidationError("This file was already imported.")
    if batch.status == ImportStatus.CHECKING:
        raise ValidationError("This file is still being checked.")
    options = holdings_upload_options(batch=batch)
    if mode is not None:
        if mode not in (ImportMode.ADD, ImportMode.REPLACE):
            raise ValidationError({"mode": "Choose add or replace."})
        options.mode = mode
    for ticker, price in prices.items():
        if price is None:
            continue
        if why := price_problem(price):
            raise ValidationError({"prices": f"The price of {ticker}: {why}."})
        options.prices[ticker.upper()] = price
    check = holdings_stored_check(
        batch=batch, content=holdings_upload_content(batch=batch), options=options
    )
    holdings_check_record(batch=batch, check=check, options=options)
    return batch
