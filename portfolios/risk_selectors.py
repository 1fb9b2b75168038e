"""Reads of the security universe and the risk model, keyed by security id.

The stored risk model is keyed by master ticker (it is estimated from master prices); this
module is the one place that turns it into rows in `Universe` order (`risk_model_for`), legacy
securities getting a flagged proxy row of their sector. Re-exported by `portfolios.selectors`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

import numpy as np

from pma_engine.risk import FactorRiskModel, portfolio_volatility, tracking_error
from pma_engine.universe import Universe, risk_model_align
from portfolios.models import RiskModel, Security

# Keyed by (row id, created_at): a test database that rolls back can hand a row id out again,
# never together with the same creation instant.
_MODEL_CACHE: dict[tuple[int, object], FactorRiskModel] = {}
_MODEL_CACHE_LOCK = threading.Lock()
_MODEL_CACHE_SIZE = 3


def universe_load(*, security_ids: Iterable[int]) -> Universe:
    """The universe of `security_ids`, in the order given (duplicates dropped), in one query.

    KeyError names an id that is not a security.
    """
    ids = list(dict.fromkeys(int(i) for i in security_ids))
    rows = {
        pk: (ticker, sector, industry, firm_id)
        for pk, ticker, sector, industry, firm_id in Security.objects.filter(
            pk__in=ids
        ).values_list("pk", "ticker", "sector", "industry", "firm_id")
    }
    missing = [i for i in ids if i not in rows]
    if missing:
        raise KeyError(f"no security with id {missing[0]}")
    return Universe(
        ids=np.array(ids, dtype=np.int64),
        tickers=tuple(rows[i][0] for i in ids),
        sectors=tuple(rows[i][1] for i in ids),
        industries=tuple(rows[i][2] for i in ids),
        is_legacy=np.array([rows[i][3] is not None for i in ids], dtype=bool),
    )


def risk_model_latest() -> RiskModel | None:
    """The newest stored risk model row, without its payload."""
    return RiskModel.objects.defer("payload").order_by("-as_of", "-created_at", "-id").first()


def risk_model_load(*, row_id: int) -> FactorRiskModel:
    """The engine model of one RiskModel row, deserialized once per process."""
    created_at = RiskModel.objects.filter(pk=row_id).values_list("created_at", flat=True).get()
    key = (row_id, created_at)
    with _MODEL_CACHE_LOCK:
        cached = _MODEL_CACHE.get(key)
    if cached is not None:
        return cached
    payload = RiskModel.objects.filter(pk=row_id).values_list("payload", flat=True).get()
    model = FactorRiskModel.from_bytes(bytes(payload))
    with _MODEL_CACHE_LOCK:
        while len(_MODEL_CACHE) >= _MODEL_CACHE_SIZE:
            _MODEL_CACHE.pop(next(iter(_MODEL_CACHE)))
        _MODEL_CACHE[key] = model
    return model


def risk_model_current() -> FactorRiskModel | None:
    """The newest stored risk model (None before the first build). Callers that also need the
    row (its id keys cached results) use `risk_model_latest` and `risk_model_load`."""
    row = risk_model_latest()
    return risk_model_load(row_id=row.pk) if row is not None else None


def risk_model_for(
    *, universe: Universe, model: FactorRiskModel | None = None
) -> FactorRiskModel | None:
    """The current (or given) risk model with one row per universe entry, in its order."""
    if model is None:
        model = risk_model_current()
    return risk_model_align(model, universe) if model is not None else None


WeightKey = int | str


def _universe_for_keys(keys: Iterable[WeightKey]) -> tuple[Universe, dict[WeightKey, int]]:
    """A universe over security ids and master tickers, and each key's position in it.

    An id or ticker that names no security keeps a place (a stand-in negative id, no sector),
    so that its weight still counts, as a proxy row.
    """
    keys = list(dict.fromkeys(keys))
    ids = [k for k in keys if isinstance(k, int)]
    tickers = [k for k in keys if isinstance(k, str)]
    id_of: dict[WeightKey, int] = {}
    if tickers:
        for pk, ticker in Security.objects.filter(
            firm__isnull=True, ticker__in=tickers
        ).values_list("pk", "ticker"):
            id_of[ticker] = pk
    for pk in ids:
        id_of[pk] = pk
    known = universe_load(security_ids=_existing_ids(id_of.values()))
    unknown = [k for k in keys if k not in id_of or id_of[k] not in known]
    if unknown:
        known = known.extended(
            Universe(
                ids=np.arange(-1, -len(unknown) - 1, -1, dtype=np.int64),
                tickers=tuple(f"?{k}" for k in unknown),
                is_legacy=np.ones(len(unknown), dtype=bool),
            )
        )
        for offset, key in enumerate(unknown):
            id_of[key] = -1 - offset
    return known, {k: known.index_of(id_of[k]) for k in keys}


def _existing_ids(ids: Iterable[int]) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = set(Security.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    return [i for i in wanted if i in found]


def tracking_error_pct(
    *,
    weights: Mapping[WeightKey, float | Decimal],
    target: Mapping[WeightKey, float | Decimal],
    model: FactorRiskModel | None = None,
) -> float | None:
    """Ex-ante tracking error of `weights` against `target`, in percent a year.

    Keys are security ids (int) or master tickers (str); weights are used as given (pass
    fractions that sum to one). None when no risk model has been built yet.
    """
    model = model or risk_model_current()
    if model is None or (not weights and not target):
        return None
    universe, position = _universe_for_keys([*weights, *target])
    w: dict[int, float] = defaultdict(float)
    b: dict[int, float] = defaultdict(float)
    for key, value in weights.items():
        w[position[key]] += float(value)
    for key, value in target.items():
        b[position[key]] += float(value)
    w_array = np.zeros(len(universe))
    b_array = np.zeros(len(universe))
    w_array[list(w)] = list(w.values())
    b_array[list(b)] = list(b.values())
    return 100.0 * tracking_error(risk_model_align(model, universe), w_array, b_array)


def volatility_pct(
    *, weights: Mapping[WeightKey, float | Decimal], model: FactorRiskModel | None = None
) -> float | None:
    """Predicted annual volatility of a portfolio, in percent."""
    model = model or risk_model_current()
    if model is None or not weights:
        return None
    universe, position = _universe_for_keys(weights)
    w = np.zeros(len(universe))
    for key, value in weights.items():
        w[position[key]] += float(value)
    return 100.0 * portfolio_volatility(risk_model_align(model, universe), w)
