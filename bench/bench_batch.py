"""Benchmark of batch rebalances: 200 demo-like accounts (500 names, ~500 lots each, SYNTHETIC
data) through Celery with two worker processes over Redis, against the same accounts solved
serially in this process (the baseline, same run).

Needs PostgreSQL (DATABASE_URL) and a broker (CELERY_BROKER_URL): the workers are separate
processes (`celery -A pma_portal worker -c 2`) that must reach the same database; without
either the entry says so in its detail. A throwaway database is created and dropped here.
Per account the work is the portal's own: the customized target's digest check, loading the
household's lots, prices and risk model, the solve (whole shares; batches skip the constraint
costs, as in the portal), storing the trade list.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.scratch_db import scratch_database

ACCOUNTS = 200
NAMES = 500
LOTS_PER_ACCOUNT = 500
FACTORS = 20
ROOT = Path(__file__).resolve().parent.parent


def _skip(reason: str) -> dict[str, dict]:
    return {
        "batch_rebalance_accounts_per_min": {
            "value": 0.0,
            "unit": "/min",
            "baseline": None,
            "ratio": None,
            "detail": f"not measured: {reason}",
        }
    }


def bench_batch_rebalance() -> dict[str, dict]:
    url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("postgres"):
        return _skip("needs PostgreSQL in DATABASE_URL (the workers share the database)")
    if not broker:
        return _skip("no broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
    with scratch_database("bench_batch") as name:
        parts = urlsplit(url)
        bench_url = urlunsplit(parts._replace(path=f"/{name}"))
        return _run(bench_url=bench_url, broker=broker)


def _world():
    """Firm, advisor, 200 households of one taxable account, 500 names with prices, a risk
    model, a strategy and each account's customized target (computed once, the same inputs)."""
    import numpy as np

    from accounts.models import Account, Client, Firm, Role, User
    from esg.models import CustomizedTarget
    from esg.services import customized_target_refresh
    from pma_engine.risk import FactorRiskModel
    from pma_engine.securities import GICS_SECTORS
    from portfolios import services as portfolio_services
    from portfolios.models import Price, PriceSource, Security, StrategyKind, TaxLot

    rng = np.random.default_rng(42)
    firm = Firm.objects.create(name="Bench Batch", slug="bench-batch")
    admin = User.objects.create(username="bench-admin", firm=firm, role=Role.FIRM_ADMIN)
    sectors = [GICS_SECTORS[i % len(GICS_SECTORS)] for i in range(NAMES)]
    securities = Security.objects.bulk_create(
        [
            Security(ticker=f"B{i:03d}", name=f"Bench {i}", sector=sectors[i], industry=sectors[i])
            for i in range(NAMES)
        ]
    )
    today = date.today()
    prices = rng.uniform(20, 400, NAMES).round(2)
    Price.objects.bulk_create(
        [
            Price(security=s, date=today, close=Decimal(str(p)), source=PriceSource.SYNTHETIC)
            for s, p in zip(securities, prices, strict=True)
        ]
    )
    exposures = rng.normal(0, 1, (NAMES, FACTORS))
    exposures[:, 0] = rng.normal(1, 0.25, NAMES)
    vols = np.r_[0.16, np.full(FACTORS - 1, 0.04)]
    model = FactorRiskModel(
        tickers=tuple(s.ticker for s in securities),
        exposures=exposures,
        factor_cov=np.diag(vols**2),
        specific_var=rng.uniform(0.15, 0.35, NAMES) ** 2,
        as_of=today,
        sectors=tuple(sectors),
    )
    portfolio_services.risk_model_store(model=model, is_synthetic=True)
    raw = 1.0 / np.arange(1, NAMES + 1) ** 0.9
    raw = raw / raw.sum()
    weights = {s: Decimal(str(round(float(w), 10))) for s, w in zip(securities, raw, strict=True)}
    weights[securities[0]] += Decimal(1) - sum(weights.values())
    strategy = portfolio_services.strategy_upsert(
        slug="bench-di", name="Bench DI", kind=StrategyKind.DIRECT_INDEX
    )
    portfolio_services.strategy_version_create(
        strategy=strategy, weights=weights, effective_date=date(2020, 1, 1), is_synthetic=True
    )
    accounts = []
    for n in range(ACCOUNTS):
        client = Client.objects.create(firm=firm, advisor=admin, name=f"Household {n:03d}")
        accounts.append(
            Account(
                firm=firm,
                client=client,
                name=f"Taxable {n:03d}",
                custodian="Bench",
                account_number=f"BB-{n:04d}",
                strategy=strategy,
                cash_balance=Decimal("5000.00"),
            )
        )
    Account.objects.bulk_create(accounts)
    lots = []
    for account in accounts:
        held = rng.choice(NAMES, LOTS_PER_ACCOUNT, p=raw)  # ~500 lots over the bigger names
        value = 1_000_000 * rng.uniform(0.5, 2.0)
        per_lot = value / LOTS_PER_ACCOUNT
        for index in held.tolist():
            shares = max(round(per_lot * rng.uniform(0.3, 1.7) / prices[index], 3), 0.001)
            days = int(rng.integers(10, 8 * 365))
            growth = float(np.exp(rng.normal(0.07, 0.3) * np.sqrt(days / 365)))
            basis = Decimal(str(round(shares * prices[index] / growth, 2)))
            acquired = today - timedelta(days=days)
            lots.append(
                TaxLot(
                    firm=firm,
                    account=account,
                    security=securities[index],
                    shares=Decimal(str(shares)),
                    cost_basis=basis,
                    acquired_on=acquired,
                    adjusted_acquired_on=acquired,
                )
            )
    TaxLot.objects.bulk_create(lots, batch_size=5000)
    first = customized_target_refresh(account=accounts[0]).target
    CustomizedTarget.objects.bulk_create(
        [
            CustomizedTarget(
                firm=firm,
                account=account,
                strategy_version=first.strategy_version,
                risk_model=first.risk_model,
                inputs_hash=first.inputs_hash,
                inputs=first.inputs,
                as_of=first.as_of,
                weights=first.weights,
                tracking_error=first.tracking_error,
                pro_rata_tracking_error=first.pro_rata_tracking_error,
                costs=first.costs,
                names_removed=first.names_removed,
                weight_removed=first.weight_removed,
                solver=first.solver,
                computed_at=first.computed_at,
            )
            for account in accounts[1:]
        ]
    )
    return admin, accounts, len(lots)


def _worker(*, bench_url: str, broker: str, queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "CELERY_BROKER_URL": broker,
        "DJANGO_SETTINGS_MODULE": "pma_portal.settings",
        # One thread of linear algebra per worker process: two processes on two cores.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "RAYON_NUM_THREADS": "1",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [
            celery,
            "-A",
            "pma_portal",
            "worker",
            "-c",
            "2",
            "-Q",
            queue,
            "--prefetch-multiplier=4",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
            f"--hostname=bench-{queue}@localhost",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _batch_wait(batch_pk: int, timeout: float) -> object:
    from transitions.rebalance.models import RebalanceBatch

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = RebalanceBatch.objects.get(pk=batch_pk)
        if batch.status == "done":
            return batch
        time.sleep(0.1)
    raise RuntimeError(f"batch not done after {timeout:.0f} s: {batch.done}/{batch.total}")


def _run(*, bench_url: str, broker: str) -> dict[str, dict]:
    from pma_portal.celery import app
    from transitions.rebalance.batch import rebalance_batch_create
    from transitions.rebalance.compute import trade_list_compute
    from transitions.rebalance.models import TradeList

    started = time.perf_counter()
    admin, accounts, lot_count = _world()
    setup = time.perf_counter() - started
    queue = f"bench-batch-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    worker = _worker(bench_url=bench_url, broker=broker, queue=queue)
    try:
        # Warm-up (both processes load the risk model once): four accounts.
        warm = rebalance_batch_create(
            user=admin, scope="selection", account_ids=[a.public_id for a in accounts[:4]]
        )
        warm = _batch_wait(warm.pk, 180)
        started = time.perf_counter()
        batch = rebalance_batch_create(
            user=admin, scope="selection", account_ids=[a.public_id for a in accounts]
        )
        batch = _batch_wait(batch.pk, 1800)
        elapsed = time.perf_counter() - started
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    failed = batch.failed
    per_min = 60 * batch.done / elapsed
    lists = TradeList.objects.filter(batch=batch)
    trades = sum(lists.values_list("trade_count", flat=True))
    serial_started = time.perf_counter()
    for account in accounts:
        trade_list_compute(account=account, actor=admin, with_costs=False)
    serial = time.perf_counter() - serial_started
    baseline = 60 * len(accounts) / serial
    return {
        "batch_rebalance_accounts_per_min": {
            "value": round(per_min, 1),
            "unit": "/min",
            "baseline": round(baseline, 1),
            "ratio": round(per_min / baseline, 2),
            "detail": (
                f"{batch.done} accounts ({failed} failed) x {NAMES} names, {lot_count} lots, "
                f"{FACTORS} factors, whole shares, in {elapsed:.1f} s with celery -c 2 over "
                f"{urlsplit(broker).scheme}; baseline: the same accounts serially in one "
                f"process ({serial:.1f} s); {trades} trades; setup {setup:.0f} s; goal >= 600/min"
            ),
        }
    }
