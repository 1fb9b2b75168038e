"""Benchmarks of the reference data on the configured database (SQLite by default; set
DATABASE_URL for PostgreSQL), in a throw-away test database:

- `seed_reference_demo`: the demo's reference step (security master, 10 years of SYNTHETIC
  daily closes for ~1,100 names, six strategies, risk model) on an empty database.
- `risk_model_build_from_db`: estimating the risk model from those 2.8 M stored closes;
  baseline = the engine's estimation alone on the same returns already in memory.
- `import_prices_100k`: validating and loading a 100,000-row `date,ticker,close` CSV;
  baseline = the same rows through Django's bulk_create(update_conflicts=True).
- `import_prices_100k_reimport`: the same file again (idempotent: nothing changes).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from bench.scratch_db import django_connection, scratch_database


def _row(value: float, unit: str, baseline: float | None, detail: str) -> dict:
    return {
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": (value / baseline) if baseline else None,
        "detail": detail,
    }


def _price_csv(path: Path, tickers: list[str], n_days: int, end: date) -> int:
    rng = np.random.default_rng(7)
    days = [end - timedelta(days=k) for k in range(n_days)][::-1]
    lines = ["date,ticker,close"]
    for ticker in tickers:
        closes = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, n_days)))
        lines += [f"{d.isoformat()},{ticker},{c:.4f}" for d, c in zip(days, closes, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def bench_portfolios() -> dict:
    connection = django_connection()
    from django.db import transaction

    vendor = connection.vendor
    scratch = tempfile.mkdtemp(prefix="bench-portfolios-")
    results: dict = {}
    # SQLite: a file, as in the demo, not the test runner's in-memory database.
    sqlite_path = os.path.join(scratch, "bench.sqlite3")
    with scratch_database("bench_portfolios", sqlite_path=sqlite_path):
        from pma_engine.risk import risk_model_estimate
        from portfolios import demo, selectors, services
        from portfolios.models import Price, Security

        started = time.perf_counter()
        demo.demo_reference_seed(quick=False)
        seed_seconds = time.perf_counter() - started
        n_prices = Price.objects.count()
        results["seed_reference_demo"] = _row(
            seed_seconds,
            "s",
            None,
            f"{vendor}: master sync, {n_prices:,} synthetic closes, 6 strategies, risk model",
        )

        started = time.perf_counter()
        model_row = services.risk_model_build()
        build_seconds = time.perf_counter() - started
        securities = list(Security.objects.filter(firm__isnull=True).order_by("ticker"))
        matrix = selectors.price_matrix(security_ids=[s.pk for s in securities])
        returns = matrix.closes[1:] / matrix.closes[:-1] - 1.0
        started = time.perf_counter()
        risk_model_estimate(
            returns=returns,
            tickers=list(matrix.tickers),
            sectors=[s.sector for s in securities],
            as_of=model_row.as_of,
        )
        engine_seconds = time.perf_counter() - started
        results["risk_model_build_from_db"] = _row(
            build_seconds,
            "s",
            engine_seconds,
            f"{vendor}: {model_row.n_securities} names x {model_row.n_days} days read, "
            "estimated, stored; baseline = engine estimate on in-memory returns",
        )

        tickers = [s.ticker for s in securities[:100]]
        csv_path = Path(scratch) / "prices.csv"
        n_rows = _price_csv(csv_path, tickers, 1000, end=date(2000, 12, 31))
        started = time.perf_counter()
        first = services.prices_import(source=csv_path)
        import_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = services.prices_import(source=csv_path)
        reimport_seconds = time.perf_counter() - started
        assert first.changed == n_rows and again.changed == 0

        # Baseline: the same rows, as model instances through bulk_create (after a delete).
        rows = list(
            Price.objects.filter(date__lte=date(2000, 12, 31)).values_list(
                "security_id", "date", "close"
            )
        )
        Price.objects.filter(date__lte=date(2000, 12, 31)).delete()
        started = time.perf_counter()
        with transaction.atomic():
            Price.objects.bulk_create(
                [Price(security_id=i, date=d, close=c, source="imported") for i, d, c in rows],
                batch_size=5000,
                update_conflicts=True,
                unique_fields=["security", "date"],
                update_fields=["close", "source"],
            )
        baseline_seconds = time.perf_counter() - started
        results["import_prices_100k"] = _row(
            import_seconds,
            "s",
            baseline_seconds,
            f"{vendor}: {n_rows:,} rows validated + loaded into a table of {n_prices:,}; "
            "baseline = bulk_create(update_conflicts) of the parsed rows",
        )
        results["import_prices_100k_reimport"] = _row(
            reimport_seconds, "s", None, f"{vendor}: same file again, 0 rows changed"
        )
    return results
