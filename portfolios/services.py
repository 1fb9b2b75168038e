"""Writes of the reference data: security master, prices, risk models, strategies and weights.

Numbers come from `pma_engine` (no Django there); these functions translate between its arrays
and the models, validate files whole before saving anything, and load in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from jobs.types import ProgressCallback
from pma_engine.securities import SecurityRecord, security_master_load
from pma_engine.simulation import SimulatedPrices, SimulationParams, prices_simulate
from pma_engine.tax.money import price_round
from portfolios.imports import ImportProblem, ImportRejected, SourceLike, csv_rows, open_text
from portfolios.models import (
    GICS_SECTORS,
    Price,
    PriceSource,
    Security,
)

PRICE_MAX = Decimal("999999999999")  # 18 digits, 6 of them decimals
PRICE_BATCH_SIZE = 20_000
SQLITE_INDEX_REBUILD_ROWS = 200_000


def _no_progress(percent: int, message: str = "") -> None:
    return None


def close_round(value: Decimal) -> Decimal:
    """The one rounding of a close (pma_engine.tax.money.price_round: what the column stores)."""
    return price_round(value)


# --------------------------------------------------------------------------- security master


@dataclass(frozen=True)
class SecurityMasterSyncResult:
    created: int
    updated: int
    unchanged: int
    deactivated: int

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deactivated} deactivated"
        )


_MASTER_FIELDS = ("name", "sector", "industry", "country", "isin", "indices", "is_active")


@transaction.atomic
def security_master_sync(
    *, records: Sequence[SecurityRecord] | None = None
) -> SecurityMasterSyncResult:
    """Upsert the security master (global rows) from the engine's records; idempotent.

    A firm's legacy securities are never touched. Master names no longer in the records are
    deactivated, not deleted: lots and model weights may still point at them.
    """
    records = list(records if records is not None else security_master_load())
    existing = {s.ticker: s for s in Security.objects.filter(firm__isnull=True)}
    to_create: list[Security] = []
    to_update: list[Security] = []
    unchanged = 0
    seen: set[str] = set()
    for record in records:
        if record.sector not in GICS_SECTORS:
            raise ValidationError(f"{record.ticker}: unknown sector {record.sector!r}")
        values = {
            "name": record.name[:200],
            "sector": record.sector,
            "industry": record.industry[:100],
            "country": record.country[:60],
            "isin": record.isin[:12],
            "indices": ",".join(record.indices)[:100],
            "is_active": True,
        }
        seen.add(record.ticker)
        security = existing.get(record.ticker)
        if security is None:
            to_create.append(Security(ticker=record.ticker, firm=None, **values))
        elif any(getattr(security, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(security, field, value)
            to_update.append(security)
        else:
            unchanged += 1
    Security.objects.bulk_create(to_create, batch_size=500)
    now = timezone.now()
    for security in to_update:
        security.updated_at = now
    Security.objects.bulk_update(to_update, [*_MASTER_FIELDS, "updated_at"], batch_size=500)
    gone = [t for t, s in existing.items() if t not in seen and s.is_active]
    deactivated = Security.objects.filter(firm__isnull=True, ticker__in=gone).update(
        is_active=False, updated_at=now
    )
    return SecurityMasterSyncResult(
        created=len(to_create), updated=len(to_update), unchanged=unchanged, deactivated=deactivated
    )


# --------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class PriceImportResult:
    rows: int
    securities: int
    first_date: date | None
    last_date: date | None
    changed: int  # rows inserted or whose close/source changed

    def __str__(self) -> str:
        span = f" from {self.first_date} to {self.last_date}" if self.rows else ""
        return (
            f"{self.rows} prices of {self.securities} securities{span}; "
            f"{self.changed} new or changed"
        )


def _price_rows_parse(
    source: SourceLike, *, today: date
) -> tuple[list[tuple[int, date, Decimal]], int]:
    """Validate a `date,ticker,close` file whole; the rows, or ImportRejected with every problem."""
    what = "Price file"
    tickers = dict(Security.objects.filter(firm__isnull=True).values_list("ticker", "id"))
    problems: list[ImportProblem] = []
    rows: list[tuple[int, date, Decimal]] = []
    first_row_of: dict[tuple[int, date], int] = {}
    unknown_reported: set[str] = set()
    with_stream = open_text(source, what=what)
    try:
        for row_number, values in csv_rows(
            with_stream, required=("date", "ticker", "close"), what=what
        ):
            ticker = values["ticker"].upper()
            security_id = tickers.get(ticker)
            if not ticker:
                problems.append(ImportProblem(row_number, "ticker", "empty"))
            elif security_id is None:
                again = " (again)" if ticker in unknown_reported else ""
                unknown_reported.add(ticker)
                problems.append(
                    ImportProblem(
                        row_number, "ticker", f"unknown ticker {ticker!r}{again}: not in the master"
                    )
                )
            raw_date = values["date"]
            try:
                on = date.fromisoformat(raw_date)
            except ValueError:
                problems.append(
                    ImportProblem(
                        row_number, "date", f"{raw_date!r} is not a date (expected YYYY-MM-DD)"
                    )
                )
                on = None
            else:
                if on > today:
                    problems.append(ImportProblem(row_number, "date", f"{on} is in the future"))
            raw_close = values["close"]
            try:
                close = Decimal(raw_close)
                if not close.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append(
                    ImportProblem(row_number, "close", f"{raw_close!r} is not a number")
                )
                close = None
            else:
                if close <= 0:
                    problems.append(
                        ImportProblem(row_number, "close", f"{raw_close} is not positive")
                    )
                elif close >= PRICE_MAX:
                    problems.append(ImportProblem(row_number, "close", f"{raw_close} is too large"))
                else:
                    close = close_round(close)
                    if close <= 0:
                        problems.append(
                            ImportProblem(row_number, "close", f"{raw_close} rounds to zero")
                        )
            if security_id is not None and on is not None:
                key = (security_id, on)
                earlier = first_row_of.get(key)
                if earlier is not None:
                    problems.append(
                        ImportProblem(
                            row_number,
                            "date",
                            f"duplicate: {ticker} on {on} is already in row {earlier}",
                        )
                    )
                else:
                    first_row_of[key] = row_number
            if not problems and security_id is not None and on is not None and close is not None:
                rows.append((security_id, on, close))
    finally:
        if with_stream is not source:
            with_stream.close()
    if problems:
        raise ImportRejected(problems, what=what)
    return rows, len({security_id for security_id, _, _ in rows})


def prices_import(
    *, source: SourceLike, price_source: str = PriceSource.IMPORTED, today: date | None = None
) -> PriceImportResult:
    """Import a `date,ticker,close` CSV: validated whole, then bulk-upserted in one transaction.

    Tickers are looked up in the security master (inactive names included: history of a
    delisted name is still history). Re-importing the same file changes nothing.
    """
    rows, n_securities = _price_rows_parse(source, today=today or timezone.localdate())
    if not rows:
        raise ImportRejected([ImportProblem(None, "", "no price rows")], what="Price file")
    with transaction.atomic():
        changed = prices_bulk_upsert(
            rows=rows, source=price_source, overwrite=True, expected_rows=len(rows)
        )
    dates = [on for _, on, _ in rows]
    return PriceImportResult(
        rows=len(rows),
        securities=n_securities,
        first_date=min(dates),
        last_date=max(dates),
        changed=changed,
    )


def prices_bulk_upsert(
    *,
    rows: Iterable[tuple[int, date | str, Decimal | float]],
    source: str,
    overwrite: bool,
    expected_rows: int = 0,
) -> int:
    """Insert (security_id, date, close) rows; on a clash update (`overwrite`) or keep the old.

    PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT. SQLite: batched
    executemany of INSERT ... ON CONFLICT (for a large load the date index is dropped and
    rebuilt afterwards, which halves the time). Other databases: bulk_create. Rows whose close
    and source are already stored are left alone, so a re-import writes nothing. Returns how
    many rows were inserted or changed. Call inside a transaction.
    """
    vendor = connection.vendor
    if vendor == "postgresql":
        return _prices_upsert_postgresql(rows, source=source, overwrite=overwrite)
    if vendor == "sqlite":
        return _prices_upsert_sqlite(
            rows,
            source=source,
            overwrite=overwrite,
            rebuild_date_index=expected_rows >= SQLITE_INDEX_REBUILD_ROWS,
        )
    return _prices_upsert_generic(rows, source=source, overwrite=overwrite)


def _conflict_clause(table: str, *, overwrite: bool) -> str:
    if not overwrite:
        return "ON CONFLICT (security_id, date) DO NOTHING"
    return (
        "ON CONFLICT (security_id, date) DO UPDATE SET close = excluded.close, "
        f"source = excluded.source WHERE {table}.close <> excluded.close "
        f"OR {table}.source <> excluded.source"
    )


def _prices_upsert_postgresql(rows, *, source: str, overwrite: bool) -> int:
    table = Price._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.price_import_stage")
        cursor.execute(
            "CREATE TEMPORARY TABLE price_import_stage "
            "(security_id bigint NOT NULL, date date NOT NULL, close numeric(18, 6) NOT NULL) "
            "ON COMMIT DROP"
        )
        raw = cursor.cursor  # psycopg 3
        with raw.copy("COPY price_import_stage (security_id, date, close) FROM STDIN") as copy:
            for security_id, on, close in rows:
                copy.write_row((security_id, on, close))
        cursor.execute(
            f"INSERT INTO {table} (security_id, date, close, source) "
            "SELECT security_id, date, close, %s FROM price_import_stage "
            + _conflict_clause(table, overwrite=overwrite),
            [source],
        )
        changed = cursor.rowcount
        cursor.execute("DROP TABLE pg_temp.price_import_stage")
    return changed


def _prices_upsert_sqlite(rows, *, source: str, overwrite: bool, rebuild_date_index: bool) -> int:
    table = Price._meta.db_table
    sql = (
        f"INSERT INTO {table} (security_id, date, close, source) VALUES (%s, %s, %s, %s) "
        + _conflict_clause(table, overwrite=overwrite)
    )
    (date_index,) = [index for index in Price._meta.indexes if index.fields == ["date"]]
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        if rebuild_date_index:
            cursor.execute(f'DROP INDEX IF EXISTS "{date_index.name}"')
        before = connection.connection.total_changes
        for security_id, on, close in rows:
            # A NUMERIC column stores a close as REAL either way; floats bind fastest.
            batch.append((security_id, str(on), float(close), source))
            if len(batch) >= PRICE_BATCH_SIZE:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
        changed = connection.connection.total_changes - before
        if rebuild_date_index:
            cursor.execute(f'CREATE INDEX "{date_index.name}" ON "{table}" ("date")')
    return changed


def _prices_upsert_generic(rows, *, source: str, overwrite: bool) -> int:
    objects = [
        Price(security_id=security_id, date=on, close=Decimal(str(close)), source=source)
        for security_id, on, close in rows
    ]
    if overwrite:
        Price.objects.bulk_create(
            objects,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["security", "date"],
            update_fields=["close", "source"],
        )
    else:
        Price.objects.bulk_create(objects, batch_size=5000, ignore_conflicts=True)
    return len(objects)


@dataclass(frozen=True)
class SyntheticHistoryResult:
    securities: int
    days: int
    rows: int
    first_date: date
    last_date: date
    seed: int
    simulated: SimulatedPrices  # the engine's output, true parameters included


DEMO_PRICE_SEED = 20_260_101


def last_business_day(on: date) -> date:
    """`on` itself on a weekday, else the Friday before (holidays are not modelled)."""
    return on - timedelta(days=max(0, on.weekday() - 4))


def prices_synthetic_generate(
    *,
    n_days: int,
    seed: int = DEMO_PRICE_SEED,
    end: date | None = None,
    securities: Sequence[Security] | None = None,
    params: SimulationParams | None = None,
    progress: ProgressCallback = _no_progress,
) -> SyntheticHistoryResult:
    """SYNTHETIC daily closes for the active master securities, loaded with source `synthetic`.

    The engine simulates `n_days` business days ending on `end` (default: the last business
    day up to today); the same seed, securities and dates give the same prices. Earlier
    synthetic prices of these securities are replaced; imported prices are kept (a synthetic
    row never overwrites an imported one).
    """
    if securities is None:
        securities = list(
            Security.objects.filter(firm__isnull=True, is_active=True).order_by("ticker")
        )
    if not securities:
        raise ValidationError("No active securities in the master: run load_security_master.")
    end = last_business_day(end or timezone.localdate())
    start_day = np.busday_offset(np.datetime64(end, "D"), -(n_days - 1), roll="backward")
    progress(5, f"Simulating {n_days} days for {len(securities)} securities")
    simulated = prices_simulate(
        tickers=[s.ticker for s in securities],
        sectors=[s.sector or "Unknown" for s in securities],
        n_days=n_days,
        start=start_day.astype(date),
        seed=seed,
        params=params,
    )
    closes = np.round(simulated.closes, 6)
    day_strings = [str(day) for day in simulated.dates]
    ids = [s.pk for s in securities]
    progress(30, "Loading prices")

    def rows():
        for column, security_id in enumerate(ids):
            column_closes = closes[:, column].tolist()
            for day, close in zip(day_strings, column_closes, strict=True):
                yield security_id, day, close

    with transaction.atomic():
        Price.objects.filter(security_id__in=ids, source=PriceSource.SYNTHETIC).delete()
        loaded = prices_bulk_upsert(
            rows=rows(),
            source=PriceSource.SYNTHETIC,
            overwrite=False,
            expected_rows=closes.size,
        )
    progress(100, "Synthetic history loaded")
    return SyntheticHistoryResult(
        securities=len(ids),
        days=n_days,
        rows=loaded,
        first_date=simulated.dates[0].astype(date),
        last_date=simulated.dates[-1].astype(date),
        seed=seed,
        simulated=simulated,
    )


# --------------------------------------------------------------------------- risk model, strategies
# In portfolios/risk_services.py and portfolios/strategy_services.py; re-exported here.
from portfolios.risk_services import (  # noqa: E402, F401
    RISK_MODEL_FACTORS,
    RISK_MODEL_HALF_LIFE_DAYS,
    RISK_MODEL_LOOKBACK_DAYS,
    risk_model_build,
    risk_model_store,
)
from portfolios.strategy_services import (  # noqa: E402, F401
    WEIGHT_QUANTUM,
    WEIGHT_SUM_TOLERANCE,
    strategy_upsert,
    strategy_version_create,
    strategy_weights_import,
    weights_from_tickers,
)
