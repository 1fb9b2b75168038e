"""REST API of the reference data: securities (with price ranges) and strategies (with weights).

Read-only for every firm user; platform staff change the data in the admin. Securities are the
master plus the caller's own firm's legacy names, looked up by ticker.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api_base import ReferenceDataViewSet
from portfolios import selectors
from portfolios.filters import SecurityFilter
from portfolios.models import ModelWeight, PriceSource, Security, Strategy, StrategyVersion
from portfolios.serializers import (
    PriceRangeSerializer,
    SecuritySerializer,
    StrategySerializer,
    StrategyWeightsSerializer,
    VersionSerializer,
)


def _date_param(request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise serializers.ValidationError({name: f"{raw!r} is not a date (YYYY-MM-DD)."}) from exc


class SecurityViewSet(ReferenceDataViewSet):
    """The security master (and your firm's legacy names): search, filter, look up by ticker."""

    model = Security
    serializer_class = SecuritySerializer
    filterset_class = SecurityFilter
    search_fields = ["ticker", "name", "isin"]
    ordering_fields = ["ticker", "name", "sector"]
    ordering = ["ticker"]
    lookup_field = "ticker"
    lookup_value_regex = r"[^/]+"

    def lookup_object(self, queryset, value):
        return selectors.security_pick(securities=queryset, ticker=value)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="first day (default: a year before end)"
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="last day (default: today)"),
        ],
        responses=PriceRangeSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def prices(self, request, ticker=None):
        """Daily closes between two dates, oldest first; synthetic closes are labelled."""
        security = self.get_object()
        end = _date_param(request, "end") or timezone.localdate()
        start = _date_param(request, "start") or end - timedelta(days=365)
        if start > end:
            raise serializers.ValidationError({"start": "start is after end."})
        if (end - start).days > 366 * 30:
            raise serializers.ValidationError({"start": "ask for at most 30 years at a time."})
        rows = selectors.price_history(security=security, start=start, end=end)
        data = {
            "ticker": security.ticker,
            "start": start,
            "end": end,
            "is_synthetic": any(source == PriceSource.SYNTHETIC for _, _, source in rows),
            "prices": [{"date": d, "close": c, "source": s} for d, c, s in rows],
        }
        return Response(PriceRangeSerializer(data).data)


class StrategyViewSet(ReferenceDataViewSet):
    """The sponsor's strategies with their current model version; weights and history."""

    model = Strategy
    serializer_class = StrategySerializer
    lookup_field = "slug"
    filterset_fields = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "kind"]
    ordering = ["name"]

    def scope_queryset(self, queryset):
        return queryset.select_related("benchmark")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        today = timezone.localdate()
        current: dict[int, StrategyVersion] = {}
        versions = (
            StrategyVersion.objects.filter(effective_date__lte=today)
            .annotate(n_names=Count("weights"))
            .order_by("strategy_id", "-effective_date", "-version")
        )
        for version in versions:
            current.setdefault(version.strategy_id, version)
        context["current_versions"] = current
        return context

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="a version number (default: current)"
            )
        ],
        responses=StrategyWeightsSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def weights(self, request, slug=None):
        """Model weights of the current version (or `?version=N`), largest first."""
        strategy = self.get_object()
        raw = request.query_params.get("version")
        if raw:
            if not raw.isdigit():
                raise serializers.ValidationError({"version": "a version number"})
            version = StrategyVersion.objects.filter(strategy=strategy, version=int(raw)).first()
        else:
            version = selectors.strategy_version_current(strategy=strategy)
        if version is None:
            raise serializers.ValidationError({"version": "no such version in force"})
        rows = (
            ModelWeight.objects.filter(version=version)
            .order_by("-weight", "security__ticker")
            .values_list("security__ticker", "security__name", "security__sector", "weight")
        )
        data = {
            "strategy": strategy.slug,
            "version": version.version,
            "effective_date": version.effective_date,
            "is_synthetic": version.is_synthetic,
            "weights": [{"ticker": t, "name": n, "sector": s, "weight": w} for t, n, s, w in rows],
        }
        return Response(StrategyWeightsSerializer(data).data)

    @extend_schema(responses=VersionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, slug=None):
        """Every version of the strategy's model weights, newest first."""
        strategy = self.get_object()
        versions = (
            StrategyVersion.objects.filter(strategy=strategy)
            .annotate(n_names=Count("weights"))
            .order_by("-effective_date", "-version")
        )
        return Response(VersionSerializer(versions, many=True).data)


API_ROUTES = [
    ("securities", SecurityViewSet, "api-security"),
    ("strategies", StrategyViewSet, "api-strategy"),
]

# Tax lots, trades, realized gains, holdings imports (issue 5): portfolios/lots/api.py
from portfolios.lots.api import API_ROUTES as _LOTS_API_ROUTES  # noqa: E402

API_ROUTES += _LOTS_API_ROUTES
