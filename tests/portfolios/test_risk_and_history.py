"""Risk model from stored prices, tracking error through the stored model, the synthetic
history (reproducible, statistics against the simulation's parameters), prices as arrays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from jobs.models import Job, JobStatus
from jobs.services import job_create
from pma_engine.risk import FactorRiskModel
from pma_engine.simulation import correlation_average, correlation_theoretical
from portfolios import selectors
from portfolios.models import Price, PriceSource, RiskModel, Security
from portfolios.services import (
    prices_import,
    prices_synthetic_generate,
    risk_model_build,
    security_master_sync,
)
from tests.fixtures_reference import small_universe


def dense_te_pct(model: FactorRiskModel, weights: dict[str, float], target: dict[str, float]):
    """sqrt(a' Sigma a) with the full n x n covariance, independently of the factor form."""
    tickers = list(model.tickers)
    a = np.array([weights.get(t, 0.0) - target.get(t, 0.0) for t in tickers])
    sigma = model.exposures @ model.factor_cov @ model.exposures.T + np.diag(model.specific_var)
    return 100.0 * float(np.sqrt(a @ sigma @ a))


def test_te_through_the_stored_model_equals_the_dense_computation(reference_small):
    data = reference_small
    selectors._MODEL_CACHE.clear()  # read the model back from the database bytes
    stored = selectors.risk_model_current()
    assert stored is not data.model and stored.tickers == data.model.tickers
    for slug in ("active-quality-core", "active-all-cap-opportunities", "core-equity"):
        strategy = data.strategies[slug]
        weights = {t: float(w) for t, w in data.weights(slug).items()}
        target = {t: float(w) for t, w in data.weights(strategy.benchmark.slug).items()}
        ids = {t: data.security(t).pk for t in data.securities}
        by_id = selectors.tracking_error_pct(
            weights={ids[t]: w for t, w in weights.items()},
            target={ids[t]: w for t, w in target.items()},
        )
        by_ticker = selectors.tracking_error_pct(weights=weights, target=target)
        dense = dense_te_pct(stored, weights, target)
        assert by_id == pytest.approx(dense, rel=1e-10)
        assert by_ticker == pytest.approx(dense, rel=1e-10)
        assert 0.3 < dense < 15


def test_risk_model_row_is_labelled_and_cached(reference_small):
    row = reference_small.risk_model
    assert row.is_synthetic
    assert (row.n_securities, row.n_days) == (len(reference_small.securities), 299)
    assert row.as_of == date(2025, 12, 31)
    assert "PCA" in row.method
    assert selectors.risk_model_current() is selectors.risk_model_current()  # one per process
    newer = risk_model_build(as_of=date(2025, 11, 28))
    assert newer.as_of == date(2025, 11, 28)
    assert selectors.risk_model_latest().pk == row.pk  # the latest as_of wins


def test_an_unknown_or_legacy_name_gets_a_sector_proxy(reference_small, cast):
    legacy = Security.objects.create(
        ticker="MO", name="Firm A's old MO lot", firm=cast.a.firm, sector="Consumer Staples"
    )
    master = reference_small.security("MO")
    te_legacy = selectors.tracking_error_pct(weights={legacy.pk: 1.0}, target={master.pk: 1.0})
    assert te_legacy is not None and te_legacy > 1.0  # not treated as the master's MO


def test_imported_prices_give_a_model_that_is_not_synthetic(three_securities):
    rng = np.random.default_rng(5)
    lines = ["date,ticker,close"]
    days = np.busday_offset(np.datetime64("2024-01-02"), np.arange(80), roll="forward")
    for ticker in ("AAA", "BBB", "CCC"):
        path = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, len(days))))
        lines += [f"{day},{ticker},{close:.4f}" for day, close in zip(days, path, strict=True)]
    prices_import(source="\n".join(lines) + "\n", today=date(2025, 1, 1))
    model = risk_model_build(n_factors=1)
    assert not model.is_synthetic
    assert (model.n_securities, model.n_days) == (3, 79)


def test_risk_model_needs_prices(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="No prices"):
        risk_model_build()


def test_build_command_and_job(reference_small, capsys, django_capture_on_commit_callbacks):
    call_command("build_risk_model", "--as-of", "2025-12-30")
    assert "Risk model 2025-12-30" in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind="risk_model_build", title="Risk model build")  # eager Celery
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    built = RiskModel.objects.get(pk=job.result["risk_model_id"])
    assert job.result["url"] == reverse("admin:portfolios_riskmodel_change", args=[built.pk])


def test_staff_build_button_runs_a_job_with_progress(
    reference_small, client, django_user_model, django_capture_on_commit_callbacks
):
    staff = django_user_model.objects.create_superuser("staffer", "s@example.com", "x" * 20)
    client.force_login(staff)
    listing = client.get(reverse("admin:portfolios_riskmodel_changelist"))
    assert b"Build a risk model now" in listing.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:portfolios_riskmodel_build"))
    job = Job.objects.get(kind="risk_model_build")
    assert response["Location"] == reverse("admin:portfolios_riskmodel_job", args=[job.public_id])
    page = client.get(response["Location"])
    assert b'role="progressbar"' in page.content
    status = client.get(reverse("admin:portfolios_riskmodel_job_status", args=[job.public_id]))
    assert status.json()["status"] == "done" and status.json()["progress"] == 100
    assert RiskModel.objects.count() == 2


def test_price_matrix_pivots_with_gaps(three_securities):
    prices_import(
        source="date,ticker,close\n2024-01-02,AAA,10\n2024-01-03,AAA,11\n2024-01-03,BBB,20\n"
        "2024-01-04,BBB,21\n2024-01-04,CCC,30\n",
        today=date(2025, 1, 1),
    )
    matrix = selectors.price_matrix(tickers=["BBB", "AAA", "NOPE"])
    assert matrix.tickers == ("BBB", "AAA")
    assert [str(d) for d in matrix.dates] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    expected = np.array([[np.nan, 10.0], [20.0, 11.0], [21.0, np.nan]])
    np.testing.assert_array_equal(matrix.closes, expected)
    window = selectors.price_matrix(
        security_ids=[three_securities["CCC"].pk], start=date(2024, 1, 3), end=date(2024, 1, 4)
    )
    np.testing.assert_array_equal(window.closes, [[30.0]])  # rows: days any of them traded
    assert [str(d) for d in window.dates] == ["2024-01-04"]


@pytest.fixture
def long_history(db):
    """60 names x 1,500 business days of synthetic prices loaded through the service."""
    security_master_sync(records=small_universe()[:60])
    securities = list(Security.objects.order_by("ticker"))
    result = prices_synthetic_generate(
        n_days=1500, seed=99, end=date(2024, 12, 31), securities=securities
    )
    return securities, result


def test_synthetic_history_is_reproducible_and_labelled(long_history):
    securities, first = long_history
    assert first.rows == 60 * 1500 == Price.objects.filter(source=PriceSource.SYNTHETIC).count()
    assert first.last_date == date(2024, 12, 31)
    stored = selectors.price_matrix(security_ids=[s.pk for s in securities]).closes
    again = prices_synthetic_generate(
        n_days=1500, seed=99, end=date(2024, 12, 31), securities=securities
    )
    np.testing.assert_array_equal(
        selectors.price_matrix(security_ids=[s.pk for s in securities]).closes, stored
    )
    np.testing.assert_allclose(stored, np.round(again.simulated.closes, 6), rtol=0, atol=5e-7)
    other = prices_synthetic_generate(
        n_days=1500, seed=100, end=date(2024, 12, 31), securities=securities
    )
    assert not np.allclose(np.round(other.simulated.closes, 6), stored)


def test_synthetic_statistics_match_the_simulation(long_history):
    """Sample statistics of the stored closes against the simulation's true parameters."""
    securities, result = long_history
    truth = result.simulated
    closes = selectors.price_matrix(security_ids=[s.pk for s in securities]).closes
    returns = np.diff(np.log(closes), axis=0)
    vols = returns.std(axis=0, ddof=1) * np.sqrt(252)
    true_vols = truth.stock_vols()
    # Each name's vol is within 12 % of its true value (standard error about 2 %).
    assert np.max(np.abs(vols / true_vols - 1)) < 0.12
    assert 0.2 < np.median(vols) < 0.5  # equity-like
    sample = np.corrcoef(returns, rowvar=False)
    theory = correlation_theoretical(
        loadings=truth.loadings, factor_vols=truth.factor_vols, idio_vols=truth.idio_vols
    )
    assert correlation_average(sample) == pytest.approx(correlation_average(theory), abs=0.04)
    sectors = [s.sector for s in securities]
    same = correlation_average(sample, groups=sectors, same_group=True)
    across = correlation_average(sample, groups=sectors, same_group=False)
    same_true = correlation_average(theory, groups=sectors, same_group=True)
    across_true = correlation_average(theory, groups=sectors, same_group=False)
    assert same - across == pytest.approx(same_true - across_true, abs=0.04)
    assert same > across


def test_demo_seed_quick_is_idempotent_and_labelled(db, monkeypatch):
    from portfolios import demo

    monkeypatch.setattr(demo, "DEMO_DAYS_QUICK", 30)
    records = small_universe()
    monkeypatch.setattr("portfolios.services.security_master_load", lambda: list(records))
    demo.demo_reference_seed(quick=True)
    counts = (Price.objects.count(), RiskModel.objects.count(), Security.objects.count())
    demo.demo_reference_seed(quick=True)
    assert (Price.objects.count(), RiskModel.objects.count(), Security.objects.count()) == counts
    assert counts[0] == 30 * len(records)
    assert RiskModel.objects.get().is_synthetic
    assert not Price.objects.exclude(source=PriceSource.SYNTHETIC).exists()
    assert Decimal(0) < Price.objects.order_by("close").first().close
