"""Writes of the strategies: create or update one, add a version of its model weights (by
hand or from a `ticker,weight` file). A new version is announced to the areas built on
portfolios (portfolios.listeners): esg queues the refresh of the accounts' customized targets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portfolios.imports import ImportProblem, ImportRejected, SourceLike, csv_rows, open_text
from portfolios.listeners import reference_data_changed
from portfolios.models import ModelWeight, Security, Strategy, StrategyVersion

WEIGHT_QUANTUM = Decimal("0.0000000001")  # ModelWeight.weight has 10
WEIGHT_SUM_TOLERANCE = Decimal("0.000001")


def strategy_upsert(
    *,
    slug: str,
    name: str,
    kind: str,
    description: str = "",
    benchmark: Strategy | None = None,
) -> Strategy:
    """Create or update a strategy by slug."""
    strategy, _ = Strategy.objects.update_or_create(
        slug=slug,
        defaults={"name": name, "kind": kind, "description": description, "benchmark": benchmark},
    )
    return strategy


def _weights_check(weights: Mapping[Security, Decimal]) -> None:
    problems = []
    for security, weight in weights.items():
        if weight < 0 or weight > 1:
            problems.append(f"{security.ticker}: weight {weight} is outside [0, 1]")
    total = sum(weights.values(), Decimal(0))
    if abs(total - 1) > WEIGHT_SUM_TOLERANCE:
        problems.append(f"weights sum to {total}, not 1 (tolerance {WEIGHT_SUM_TOLERANCE})")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def strategy_version_create(
    *,
    strategy: Strategy,
    weights: Mapping[Security, Decimal],
    effective_date: date,
    is_synthetic: bool = False,
    note: str = "",
    created_by=None,
) -> StrategyVersion:
    """A new version of the strategy's model weights (numbered after the last one)."""
    _weights_check(weights)
    Strategy.objects.select_for_update().filter(pk=strategy.pk).first()  # number versions in turn
    last = strategy.versions.aggregate(last=Max("version"))["last"] or 0
    version = StrategyVersion.objects.create(
        strategy=strategy,
        version=last + 1,
        effective_date=effective_date,
        is_synthetic=is_synthetic,
        note=note[:300],
        created_by=created_by,
    )
    ModelWeight.objects.bulk_create(
        [
            ModelWeight(version=version, security=security, weight=weight.quantize(WEIGHT_QUANTUM))
            for security, weight in weights.items()
            if weight > 0
        ],
        batch_size=1000,
    )
    reference_data_changed(
        reason=f"{strategy.name} version {version.version}",
        account_ids=strategy.accounts.values_list("pk", flat=True),
    )
    return version


def strategy_weights_import(
    *,
    strategy: Strategy,
    source: SourceLike,
    effective_date: date | None = None,
    note: str = "",
    created_by=None,
) -> StrategyVersion:
    """Import `ticker,weight` as a new version; the file is validated whole first.

    Rejected: missing columns, empty or unknown tickers, inactive securities, duplicates,
    weights that are not numbers, negative or above one, and weights not summing to one
    within 1e-6. Zero weights are accepted and not stored.
    """
    what = "Weight file"
    securities = {s.ticker: s for s in Security.objects.filter(firm__isnull=True)}
    problems: list[ImportProblem] = []
    weights: dict[Security, Decimal] = {}
    first_row_of: dict[str, int] = {}
    stream = open_text(source, what=what)
    try:
        for row_number, values in csv_rows(stream, required=("ticker", "weight"), what=what):
            ticker = values["ticker"].upper()
            security = securities.get(ticker)
            if not ticker:
                problems.append(ImportProblem(row_number, "ticker", "empty"))
            elif security is None:
                problems.append(
                    ImportProblem(
                        row_number, "ticker", f"unknown ticker {ticker!r}: not in the master"
                    )
                )
            elif not security.is_active:
                problems.append(
                    ImportProblem(row_number, "ticker", f"{ticker} is inactive (left the master)")
                )
            elif ticker in first_row_of:
                problems.append(
                    ImportProblem(
                        row_number,
                        "ticker",
                        f"duplicate: {ticker} is already in row {first_row_of[ticker]}",
                    )
                )
            else:
                first_row_of[ticker] = row_number
            raw = values["weight"]
            try:
                weight = Decimal(raw)
                if not weight.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append(ImportProblem(row_number, "weight", f"{raw!r} is not a number"))
                continue
            if weight < 0:
                problems.append(ImportProblem(row_number, "weight", f"{raw} is negative"))
            elif weight > 1:
                problems.append(ImportProblem(row_number, "weight", f"{raw} is above 1"))
            elif security is not None and ticker and first_row_of.get(ticker) == row_number:
                weights[security] = weight
    finally:
        if stream is not source:
            stream.close()
    if not problems:
        if not weights:
            problems.append(ImportProblem(None, "", "no weight rows"))
        else:
            total = sum(weights.values(), Decimal(0))
            if abs(total - 1) > WEIGHT_SUM_TOLERANCE:
                problems.append(
                    ImportProblem(
                        None,
                        "weight",
                        f"weights sum to {total}, not 1 (tolerance {WEIGHT_SUM_TOLERANCE})",
                    )
                )
    if problems:
        raise ImportRejected(problems, what=what)
    return strategy_version_create(
        strategy=strategy,
        weights=weights,
        effective_date=effective_date or timezone.localdate(),
        note=note or "Imported from CSV",
        created_by=created_by,
    )


def weights_from_tickers(weights: Mapping[str, Decimal]) -> dict[Security, Decimal]:
    """Map ticker weights onto master securities (ValidationError naming unknown tickers)."""
    securities = {
        s.ticker: s for s in Security.objects.filter(firm__isnull=True, ticker__in=list(weights))
    }
    unknown = sorted(set(weights) - set(securities))
    if unknown:
        raise ValidationError(f"unknown tickers: {', '.join(unknown[:20])}")
    return {securities[ticker]: weight for ticker, weight in weights.items()}
