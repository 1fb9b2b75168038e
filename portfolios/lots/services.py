"""Writes of the tax-lot area: holdings uploads and imports, trades, and the household replay
that keeps the TaxLot table equal to what the tax engine says is open.

The ledger (Trade rows) is the source of truth; TaxLot rows are its open lots, rewritten after
every change so that optimizers and pages can read them in bulk. Conventions: docs/lots.md.
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
from pma_engine.tax import money_round
from portfolios.lots.bulk import rows_insert
from portfolios.lots.imports import (
    FileRefused,
    HoldingsCheck,
    ImportMode,
    Problem,
    holdings_file_check,
    upload_size_check,
)
from portfolios.lots.ledger import household_ledger_run
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
SHARES_QUANTUM = Decimal("0.000001")


def _no_progress(percent: int, message: str = "") -> None:
    return None


# --------------------------------------------------------------------------- the replay


@dataclass(frozen=True)
class ReplayResult:
    open_lots: int
    created: int
    updated: int
    deleted: int


def _buy_refs_fill(*, client) -> None:
    """Every purchase names its lot, so that sales can name it (specific identification)."""
    blank = list(
        Trade.objects.filter(
            account__client=client, action=TradeAction.BUY, lot_ref=""
        ).values_list("pk", flat=True)
    )
    for pk in blank:
        Trade.objects.filter(pk=pk).update(lot_ref=f"T{pk}")


def _orphan_lots_adopt(*, client) -> int:
    """Lots created without a trade (e.g. by an older loader) become opening purchases, so that
    the replay keeps them instead of dropping them."""
    refs = set(
        Trade.objects.filter(account__client=client, action=TradeAction.BUY).values_list(
            "account_id", "lot_ref"
        )
    )
    orphans = [
        pk
        for pk, account_id, ref in TaxLot.objects.filter(account__client=client).values_list(
            "pk", "account_id", "lot_ref"
        )
        if not ref or (account_id, ref) not in refs
    ]
    adopted = []
    for lot in TaxLot.objects.filter(pk__in=orphans):
        if not lot.lot_ref:
            lot.lot_ref = f"L{lot.pk}"
            TaxLot.objects.filter(pk=lot.pk).update(lot_ref=lot.lot_ref)
        adopted.append(
            Trade(
                firm_id=lot.firm_id,
                account_id=lot.account_id,
                security_id=lot.security_id,
                action=TradeAction.BUY,
                trade_date=lot.acquired_on,
                shares=lot.shares,
                amount=lot.cost_basis - lot.wash_adjustment,
                lot_ref=lot.lot_ref,
                source=TradeSource.OPENING,
            )
        )
    Trade.objects.bulk_create(adopted, batch_size=WRITE_BATCH)
    return len(adopted)


def household_replay(
    *,
    client,
    import_batch: ImportBatch | None = None,
    new_lot_keys: set[tuple[int, str]] | None = None,
    progress: ProgressCallback = _no_progress,
) -> ReplayResult:
    """Replay the household's ledger and rewrite its open TaxLot rows from the result.

    Lots keep their row (and public id) while their account, lot id and adjusted acquisition
    date stay the same; changed ones are updated, new ones created, relieved ones deleted.
    New lots whose (account id, lot id) is in `new_lot_keys` are tagged with `import_batch`.
    Call inside a transaction that holds the client row locked (the services do).
    """
    _buy_refs_fill(client=client)
    _orphan_lots_adopt(client=client)
    progress(40, "Replaying the household's ledger")
    open_lots = _open_lots(client=client)
    batch_keys = new_lot_keys or set()
    existing = {
        (account_id, ref, adjusted): (pk, security_id, shares, basis, acquired, wash, batch_id)
        for pk, account_id, ref, adjusted, security_id, shares, basis, acquired, wash, batch_id in (
            TaxLot.objects.filter(account__client=client).values_list(
                "pk",
                "account_id",
                "lot_ref",
                "adjusted_acquired_on",
                "security_id",
                "shares",
                "cost_basis",
                "acquired_on",
                "wash_adjustment",
                "import_batch_id",
            )
        )
    }
    firm_id = client.firm_id
    to_create: list[tuple] = []
    to_update: list[TaxLot] = []
    kept: set[int] = set()
    progress(60, "Writing the open lots")
    for key, values in open_lots:
        current = existing.get(key)
        if current is not None and current[0] not in kept:
            kept.add(current[0])
            if current[1:6] != values:
                to_update.append(_tax_lot(firm_id, key, values, current[6], pk=current[0]))
            continue
        batch_id = import_batch.pk if import_batch and key[:2] in batch_keys else None
        security_id, shares, basis, acquired, wash = values
        to_create.append(
            (firm_id, key[0], security_id, key[1], shares, basis, acquired, key[2], wash, batch_id)
        )
    gone = [row[0] for row in existing.values() if row[0] not in kept]
    for start in range(0, len(gone), WRITE_BATCH):
        TaxLot.objects.filter(pk__in=gone[start : start + WRITE_BATCH]).delete()
    TaxLot.objects.bulk_update(
        to_update,
        ["security_id", "shares", "cost_basis", "acquired_on", "wash_adjustment"],
        batch_size=1000,
    )
    rows_insert(TaxLot, TAX_LOT_FIELDS, to_create)
    return ReplayResult(
        open_lots=len(open_lots),
        created=len(to_create),
        updated=len(to_update),
        deleted=len(gone),
    )


TAX_LOT_FIELDS = (
    "firm",
    "account",
    "security",
    "lot_ref",
    "shares",
    "cost_basis",
    "acquired_on",
    "adjusted_acquired_on",
    "wash_adjustment",
    "import_batch",
)
LotKey = tuple[int, str, date]  # account id, lot id, adjusted acquisition date


def _open_lots(*, client) -> list[tuple[LotKey, tuple]]:
    """(key, (security id, shares, basis, acquired, wash adjustment)) of every open lot.

    With no sale in the household nothing is relieved or washed: each purchase is an open lot
    as bought, so the engine is not needed (a fresh import of 100,000 lots skips it).
    """
    trades = Trade.objects.filter(account__client=client)
    if not trades.filter(action=TradeAction.SELL).exists():
        rows = trades.order_by("trade_date", "id").values_list(
            "account_id", "lot_ref", "trade_date", "security_id", "shares", "amount"
        )
        return [
            (
                (account_id, ref, bought),
                (security_id, shares.quantize(SHARES_QUANTUM), money_round(cost), bought, ZERO),
            )
            for account_id, ref, bought, security_id, shares, cost in rows
        ]
    ledger = household_ledger_run(client=client)
    result = []
    for lot in ledger.result.open_lots:
        trade = ledger.trades[lot.buy_index]
        result.append(
            (
                (trade.account_id, trade.lot_ref, lot.date_acquired),
                (
                    trade.security_id,
                    lot.shares.quantize(SHARES_QUANTUM),
                    money_round(lot.basis),
                    lot.date_acquired_original,
                    money_round(lot.wash_adjustment),
                ),
            )
        )
    return result


def _tax_lot(firm_id, key, values, batch_id, pk=None) -> TaxLot:
    account_id, lot_ref, adjusted = key
    security_id, shares, basis, acquired, wash = values
    return TaxLot(
        pk=pk,
        firm_id=firm_id,
        account_id=account_id,
        security_id=security_id,
        lot_ref=lot_ref,
        shares=shares,
        cost_basis=basis,
        acquired_on=acquired,
        adjusted_acquired_on=adjusted,
        wash_adjustment=wash,
        import_batch_id=batch_id,
    )


def _client_lock(client):
    from accounts.models import Client

    return Client.objects.select_for_update().get(pk=client.pk)


# --------------------------------------------------------------------------- trades


def _security_for(*, firm, ticker: str) -> Security | None:
    """The master's security with this ticker, else the firm's legacy one."""
    master = Security.objects.filter(firm__isnull=True, ticker=ticker).first()
    return master or Security.objects.filter(firm=firm, ticker=ticker).first()


def trade_record(
    *,
    account,
    actor,
    action: str,
    ticker: str,
    shares: Decimal,
    trade_date: date,
    price: Decimal | None = None,
    amount: Decimal | None = None,
    lot_ref: str = "",
    source: str = TradeSource.MANUAL,
    today: date | None = None,
) -> Trade:
    """Record a buy or a sale against an account and replay the household.

    A sale relieves lots by the account's method, or the lot named by `lot_ref`; a buy creates
    a lot (named `lot_ref`, or a generated id). Give `price` (per share) or `amount` (total).
    Nothing is saved when the ledger cannot apply the trade (e.g. selling more than held).
    """
    today = today or timezone.localdate()
    ticker = (ticker or "").strip().upper()
    lot_ref = (lot_ref or "").strip()
    errors: dict[str, str] = {}
    if action not in (TradeAction.BUY, TradeAction.SELL):
        errors["action"] = "Choose BUY or SELL."
    if shares is None or shares <= 0:
        errors["shares"] = "Must be greater than zero."
    elif shares != shares.quantize(SHARES_QUANTUM):
        errors["shares"] = "At most 6 decimal places."
    if trade_date is None:
        errors["trade_date"] = "Required."
    elif trade_date > today:
        errors["trade_date"] = f"{trade_date.isoformat()} is in the future."
    if (price is None) == (amount is None):
        errors["price"] = "Give either a price per share or a total amount."
    elif price is not None and price <= 0:
        errors["price"] = "Must be greater than zero."
    elif amount is not None and amount < 0:
        errors["amount"] = "Must not be negative."
    security = _security_for(firm=account.firm, ticker=ticker) if ticker else None
    if security is None:
        errors["ticker"] = (
            f"Unknown ticker {ticker!r}: not in the security master nor among your firm's "
            "legacy holdings."
            if ticker
            else "Required."
        )
    if len(lot_ref) > 64:
        errors["lot_ref"] = "At most 64 characters."
    if errors:
        raise ValidationError(errors)
    total = amount if amount is not None else money_round(shares * price)
    with transaction.atomic():
        client = _client_lock(account.client)
        buys = Trade.objects.filter(account=account, action=TradeAction.BUY)
        if action == TradeAction.SELL and lot_ref:
            named = buys.filter(lot_ref=lot_ref).first()
            is_open = TaxLot.objects.filter(account=account, lot_ref=lot_ref).exists()
            if named is None or not is_open:
                raise ValidationError({"lot_ref": f"No open lot {lot_ref!r} in this account."})
            if named.security_id != security.pk:
                raise ValidationError({"lot_ref": f"Lot {lot_ref!r} does not hold {ticker}."})
        if action == TradeAction.BUY and lot_ref and buys.filter(lot_ref=lot_ref).exists():
            raise ValidationError({"lot_ref": f"Lot id {lot_ref!r} is already used here."})
        trade = Trade(
            firm_id=account.firm_id,
            account=account,
            security=security,
            action=action,
            trade_date=trade_date,
            shares=shares,
            amount=money_round(total),
            lot_ref=lot_ref,
            source=source,
            created_by=actor,
        )
        if action == TradeAction.BUY and not lot_ref:
            trade.lot_ref = f"T{trade.public_id.hex[:10]}"
        trade.save()
        try:
            household_replay(client=client)
        except ValidationError as error:
            failed = (error.params or {}).get("trade_id") if hasattr(error, "params") else None
            if failed == trade.pk and action == TradeAction.SELL:
                raise ValidationError({"shares": error.messages}) from error
            raise ValidationError([*error.messages, "The trade was not recorded."]) from error
    from accounts.services import client_touch

    client_touch(client=account.client)
    return trade


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
            account = check.accounts[account_id]
            account.cash_balance = amount
            account._history_user = actor
            account.save(update_fields=["cash_balance", "updated_at"])
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
        )
    return holdings_import(batch=batch, actor=actor)
