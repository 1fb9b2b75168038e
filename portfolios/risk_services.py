"""Writes of the risk model: estimate it from stored closes (a job) and store it."""

from __future__ import annotations

from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Max

from jobs.types import ProgressCallback
from pma_engine.risk import FactorRiskModel, risk_model_estimate
from portfolios.models import Price, PriceSource, RiskModel, Security


def _no_progress(percent: int, message: str = "") -> None:
    return None


RISK_MODEL_FACTORS = 20
RISK_MODEL_HALF_LIFE_DAYS = 252.0
RISK_MODEL_LOOKBACK_DAYS = 2520  # ten years of business days


def risk_model_build(
    *,
    as_of: date | None = None,
    lookback_days: int = RISK_MODEL_LOOKBACK_DAYS,
    n_factors: int = RISK_MODEL_FACTORS,
    progress: ProgressCallback = _no_progress,
) -> RiskModel:
    """Estimate a statistical factor model from stored closes and store it.

    Universe: active master securities with at least two closes in the window. The window is
    the last `lookback_days` + 1 price dates up to `as_of` (default: the latest price date).
    `is_synthetic` is set when any close in the window is synthetic.
    """
    from portfolios.selectors import price_matrix  # selectors import services' constants

    securities = list(Security.objects.filter(firm__isnull=True, is_active=True).order_by("ticker"))
    ids = [s.pk for s in securities]
    window = Price.objects.filter(security_id__in=ids)
    if as_of is not None:
        window = window.filter(date__lte=as_of)
    latest = window.aggregate(latest=Max("date"))["latest"]
    if latest is None:
        raise ValidationError("No prices to estimate a risk model from.")
    as_of = latest if as_of is None else min(as_of, latest)
    progress(5, "Finding the price window")
    dates = list(
        Price.objects.filter(date__lte=as_of)
        .order_by("-date")
        .values_list("date", flat=True)
        .distinct()[: lookback_days + 1]
    )
    start = min(dates)
    progress(10, f"Reading closes from {start} to {as_of}")
    matrix = price_matrix(security_ids=ids, start=start, end=as_of)
    keep = np.isfinite(matrix.closes).sum(axis=0) >= 2
    closes = matrix.closes[:, keep]
    kept = [s for s, k in zip(securities, keep.tolist(), strict=True) if k]
    if len(kept) < 3 or closes.shape[0] < 4:
        raise ValidationError("Too little price history to estimate a risk model.")
    with np.errstate(invalid="ignore", divide="ignore"):
        returns = closes[1:] / closes[:-1] - 1.0
    progress(40, f"Estimating a {n_factors}-factor model on {len(kept)} names")
    model = risk_model_estimate(
        returns=returns,
        tickers=[s.ticker for s in kept],
        sectors=[s.sector for s in kept],
        as_of=as_of,
        n_factors=n_factors,
        half_life_days=RISK_MODEL_HALF_LIFE_DAYS,
    )
    is_synthetic = Price.objects.filter(
        security_id__in=[s.pk for s in kept],
        date__gte=start,
        date__lte=as_of,
        source=PriceSource.SYNTHETIC,
    ).exists()
    progress(90, "Storing the model")
    return risk_model_store(model=model, is_synthetic=is_synthetic)


def risk_model_store(*, model: FactorRiskModel, is_synthetic: bool) -> RiskModel:
    """Save an engine model as a RiskModel row (arrays as compressed bytes)."""
    half_life = f", half-life {model.half_life_days:g} days" if model.half_life_days else ""
    return RiskModel.objects.create(
        as_of=model.as_of,
        method=(
            f"Statistical (PCA) factor model, {model.n_factors} factors, "
            f"exponentially weighted{half_life}"
        )[:200],
        n_securities=model.n_names,
        n_factors=model.n_factors,
        n_days=model.history_days,
        is_synthetic=is_synthetic,
        payload=model.to_bytes(),
    )
