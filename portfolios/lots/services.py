"""Writes of the tax-lot area: holdings uploads and imports. Trades are recorded by
`portfolios.lots.trades`, the household replay lives in `portfolios.lots.replay` (both
re-exported here). Conventions: docs/lots.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from jobs.types import ProgressCallback
from portfolios.lots.bulk import rows_insert
from portfolios.lots.cash import cash_balance_set
from portfolios.lots.imports import (
    FileRefused,
    HoldingsCheck,
    ImportMode,
    Problem,
    holdings_file_check,
    upload_size_check,
)
from portfolios.lots.replay import (  # noqa: F401  (re-exported: callers import them from here)
    ReplayResult,
    household_replay,
)
from portfolios.lots.replay import client_lock as _client_lock
from portfolios.lots.trades import trade_record, trades_record  # noqa: F401
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

ZERO = Decimal("0")
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
PREVIEW_ROWS_SHOWN = 200
WRITE_BATCH = 5_000


def _no_progress(percent: int, message: str = "") -> None:
    return None


# --------------------------------------------------------------------------- holdings uploads


@dataclass
class UploadOptions:
    mode: str = ImportMode.ADD
    default_account_id: int | None = None
    prices: dict[str, Decimal] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "mode": self.mode,
            "default_account_id": self.default_account_id,
            "prices": {t: str(p) for t, p in self.prices.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> UploadOptions:
        return cls(
            mode=data.get("mode", ImportMode.ADD),
            default_account_id=data.get("default_account_id"),
            prices={t: Decimal(p) for t, p in data.get("prices", {}).items()},
        )


def _stored_path(batch: ImportBatch, what: str) -> str:
    if what == "upload":
        suffix = PurePath(batch.filename).suffix.lower()[:8]
        return f"holdings/{batch.public_id}/upload{suffix}"
    return f"holdings/{batch.public_id}/{what}.json"


def _store(path: str, data: bytes) -> None:
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data))


def holdings_upload_content(*, batch: ImportBatch) -> bytes:
    path = _stored_path(batch, "upload")
    if not default_storage.exists(path):
        raise ValidationError("The uploaded file is no longer stored: upload it again.")
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def holdings_upload_options(*, batch: ImportBatch) -> UploadOptions:
    path = _stored_path(batch, "options")
    if not default_storage.exists(path):
        return UploadOptions()
    with default_storage.open(path, "rb") as handle:
        return UploadOptions.from_json(json.loads(handle.read()))


def holdings_preview_load(*, batch: ImportBatch) -> dict:
    """What the preview shows (stored when the file was checked): summary and first rows."""
    path = _stored_path(batch, "preview")
    if not default_storage.exists(path):
        return {}
    with default_storage.open(path, "rb") as handle:
        return json.loads(handle.read())


def _check(*, batch: ImportBatch, content: bytes, options: UploadOptions) -> HoldingsCheck:
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
        "problem_count": check.problem_count,
    }


def _batch_record_check(*, batch: ImportBatch, check: HoldingsCheck, options: UploadOptions):
    batch.status = ImportStatus.PREVIEWED if check.is_clean else ImportStatus.REJECTED
    batch.errors = [p.as_dict() for p in check.problems]
    batch.row_count = len(check.rows)
    batch.save(update_fields=["status", "errors", "row_count"])
    _store(_stored_path(batch, "options"), json.dumps(options.as_json()).encode())
    preview = _preview_build(batch=batch, check=check, options=options)
    _store(_stored_path(batch, "preview"), json.dumps(preview).encode())


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
    try:
        upload_size_check(size=size)
    except FileRefused as refused:
        raise ValidationError({"file": str(refused)}) from refused
    if upload is not None:
        content = b"".join(upload.chunks())
    filename = PurePath(filename or "upload").name[:255]
    batch = ImportBatch.objects.create(
        firm_id=client.firm_id,
        client=client,
        uploaded_by=actor,
        filename=filename,
        kind="lots",
        status=ImportStatus.PREVIEWED,
    )
    _store(_stored_path(batch, "upload"), content or b"")
    options = UploadOptions(
        mode=mode, default_account_id=default_account.pk if default_account else None
    )
    check = _check(batch=batch, content=content or b"", options=options)
    _batch_record_check(batch=batch, check=check, options=options)
    return batch


def holdings_recheck(
    *, batch: ImportBatch, actor, prices: Mapping[str, Decimal], mode: str | None = None
) -> ImportBatch:
    """The preview's second step: advisor prices for tickers outside the master (and the mode
    may change); the stored file is checked again."""
    if batch.status == ImportStatus.IMPORTED:
        raise ValidationError("This file was already imported.")
    options = holdings_upload_options(batch=batch)
    if mode is not None:
        if mode not in (ImportMode.ADD, ImportMode.REPLACE):
            raise ValidationError({"mode": "Choose add or replace."})
        options.mode = mode
    for ticker, price in prices.items():
        if price is None:
            continue
        if price <= 0:
            raise ValidationError({"prices": f"The price of {ticker} must be greater than zero."})
        options.prices[ticker.upper()] = price
    check = _check(batch=batch, content=holdings_upload_content(batch=batch), options=options)
    _batch_record_check(batch=batch, check=check, options=options)
    return batch


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
    *, batch: ImportBatch, actor, progress: ProgressCallback = _no_progress
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
        check = _check(batch=batch, content=content, options=options)
        if not check.is_clean:
            _batch_record_check(batch=batch, check=check, options=options)
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
