"""The household replay: keeps the TaxLot table equal to what the tax engine says is open.

The ledger (Trade rows) is the source of truth; TaxLot rows are its open lots, written after
every change so that optimizers and pages can read them in bulk. A lot's row (and so its
`public_id`) is stable: it is matched to the engine's open lot by the purchase that opened it
(account, lot id) and updated in place when a replay changes its shares, basis or adjusted
date (a wash adjustment), so a page, an API client or a trade list naming a lot still finds it.
When wash sales split one purchase into pieces with different adjusted dates, a piece keeps
the row whose adjusted date it has; the others take the purchase's remaining rows, largest
piece first, and only pieces beyond the rows already stored get new rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from pma_engine.tax import money_round
from pma_engine.tax.money import shares_round
from portfolios.lots.bulk import rows_insert
from portfolios.lots.ledger import household_ledger_run
from portfolios.models import ImportBatch, TaxLot, Trade, TradeAction, TradeSource

ProgressCallback = Callable[[int, str], None]
ZERO = Decimal("0")
WRITE_BATCH = 5_000
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
PurchaseKey = tuple[int, str]  # account id, lot id of the purchase that opened the lot
# (adjusted acquisition date, (security id, shares, basis, acquired, wash adjustment))
Piece = tuple[date, tuple]


def _no_progress(percent: int, message: str = "") -> None:
    return None


@dataclass(frozen=True)
class ReplayResult:
    open_lots: int
    created: int
    updated: int
    deleted: int
    trades: tuple = ()  # the Trade rows a trades_record call wrote, in input order


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


def _pair(existing: list[tuple], pieces: list[Piece]) -> tuple[list, list[Piece], list[int]]:
    """Pair one purchase's stored rows with its open pieces: same adjusted date first, then
    the remaining pieces (largest first) with the remaining rows (oldest first).

    Returns ([(row, piece)], unpaired pieces, unpaired row pks)."""
    rows_left = sorted(existing, key=lambda row: row[0])
    pairs = []
    pieces_left: list[Piece] = []
    for piece in pieces:
        same = next((row for row in rows_left if row[1] == piece[0]), None)
        if same is None:
            pieces_left.append(piece)
        else:
            rows_left.remove(same)
            pairs.append((same, piece))
    pieces_left.sort(key=lambda piece: (-piece[1][1], piece[0]))
    while pieces_left and rows_left:
        pairs.append((rows_left.pop(0), pieces_left.pop(0)))
    return pairs, pieces_left, [row[0] for row in rows_left]


def household_replay(
    *,
    client,
    import_batch: ImportBatch | None = None,
    new_lot_keys: set[tuple[int, str]] | None = None,
    progress: ProgressCallback = _no_progress,
) -> ReplayResult:
    """Replay the household's ledger and write its open TaxLot rows from the result.

    Rows are matched by purchase (see the module docstring): changed ones are updated in place
    (their public id kept), new ones created, relieved ones deleted. New lots whose (account
    id, lot id) is in `new_lot_keys` are tagged with `import_batch`. Call inside a transaction
    that holds the client row locked (the services do).
    """
    _buy_refs_fill(client=client)
    _orphan_lots_adopt(client=client)
    progress(40, "Replaying the household's ledger")
    open_lots = _open_lots(client=client)
    batch_keys = new_lot_keys or set()
    stored: dict[PurchaseKey, list[tuple]] = {}
    for pk, account_id, ref, *values in TaxLot.objects.filter(account__client=client).values_list(
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
    ):
        stored.setdefault((account_id, ref), []).append((pk, *values))
    firm_id = client.firm_id
    to_create: list[tuple] = []
    to_update: list[TaxLot] = []
    gone: list[int] = []
    progress(60, "Writing the open lots")
    for key, pieces in open_lots.items():
        pairs, new_pieces, unpaired = _pair(stored.pop(key, []), pieces)
        gone.extend(unpaired)
        for row, (adjusted, values) in pairs:
            if row[1] != adjusted or tuple(row[2:7]) != values:
                to_update.append(_tax_lot(firm_id, key, adjusted, values, row[7], pk=row[0]))
        batch_id = import_batch.pk if import_batch and key in batch_keys else None
        for adjusted, values in new_pieces:
            security_id, shares, basis, acquired, wash = values
            to_create.append(
                (firm_id, key[0], security_id, key[1], shares, basis, acquired, adjusted, wash)
                + (batch_id,)
            )
    gone.extend(row[0] for rows in stored.values() for row in rows)
    for start in range(0, len(gone), WRITE_BATCH):
        TaxLot.objects.filter(pk__in=gone[start : start + WRITE_BATCH]).delete()
    _lots_update(to_update)
    rows_insert(TaxLot, TAX_LOT_FIELDS, to_create)
    return ReplayResult(
        open_lots=sum(len(pieces) for pieces in open_lots.values()),
        created=len(to_create),
        updated=len(to_update),
        deleted=len(gone),
    )


def _open_lots(*, client) -> dict[PurchaseKey, list[Piece]]:
    """The open pieces of every purchase, keyed by (account id, lot id).

    With no sale in the household nothing is relieved or washed: each purchase is an open lot
    as bought, so the engine is not needed (a fresh import of 100,000 lots skips it).
    """
    trades = Trade.objects.filter(account__client=client)
    result: dict[PurchaseKey, list[Piece]] = {}
    if not trades.filter(action=TradeAction.SELL).exists():
        rows = trades.order_by("trade_date", "id").values_list(
            "account_id", "lot_ref", "trade_date", "security_id", "shares", "amount"
        )
        for account_id, ref, bought, security_id, shares, cost in rows:
            result.setdefault((account_id, ref), []).append(
                (bought, (security_id, shares_round(shares), money_round(cost), bought, ZERO))
            )
        return result
    ledger = household_ledger_run(client=client)
    for lot in ledger.result.open_lots:
        trade = ledger.trades[lot.buy_index]
        result.setdefault((trade.account_id, trade.lot_ref), []).append(
            (
                lot.date_acquired,
                (
                    trade.security_id,
                    shares_round(lot.shares),
                    money_round(lot.basis),
                    lot.date_acquired_original,
                    money_round(lot.wash_adjustment),
                ),
            )
        )
    return result


_UPDATED = ("security", "shares", "cost_basis", "acquired_on", "adjusted_acquired_on")


def _lots_update(lots: list[TaxLot]) -> None:
    """Write the changed lots in place: one parameterized UPDATE run for many rows (Django's
    bulk_update builds a CASE per field and row, ten times slower for a rebalance)."""
    if not lots:
        return
    meta = TaxLot._meta
    fields = [meta.get_field(name) for name in (*_UPDATED, "wash_adjustment")]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(lot, field.attname), connection) for field in fields]
        + [lot.pk]
        for lot in lots
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _tax_lot(firm_id, key, adjusted, values, batch_id, pk=None) -> TaxLot:
    account_id, lot_ref = key
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


def client_lock(client):
    """The client row, locked for the transaction: one writer of a household at a time."""
    from accounts.models import Client

    return Client.objects.select_for_update().get(pk=client.pk)
