"""REST API of the tax-lot area: lots (read), trades (list/create), realized gains per client and
year (read), holdings imports (upload -> preview with problems -> confirm). Firm-scoped."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import as_api_error
from accounts.api_base import FirmReadOnlyViewSet, FirmScopedGenericViewSet, FirmScopedViewSet
from accounts.models import Client
from accounts.tenancy import ADVISOR_ROLES, ALL_FIRM_ROLES
from jobs.models import Job
from pma_engine.tax import money_round
from portfolios.lots import selectors, services
from portfolios.lots.reports import CSV_COLUMNS
from portfolios.lots.serializers import (
    HoldingsConfirmSerializer,
    HoldingsImportDetailSerializer,
    HoldingsImportSerializer,
    HoldingsUploadSerializer,
    TaxLotSerializer,
    TradeSerializer,
)
from portfolios.models import ImportBatch, TaxLot, Trade, TradeAction, TradeSource


class TaxLotFilter(django_filters.FilterSet):
    account = django_filters.UUIDFilter(field_name="account__public_id")
    client = django_filters.UUIDFilter(field_name="account__client__public_id")
    ticker = django_filters.CharFilter(field_name="security__ticker", lookup_expr="iexact")

    class Meta:
        model = TaxLot
        fields = ["account", "client", "ticker"]


class TaxLotViewSet(FirmReadOnlyViewSet):
    """Open tax lots (adjusted basis and holding period after wash sales); filter by account,
    client or ticker. Written only by imports and trades (the household's ledger replay)."""

    model = TaxLot
    serializer_class = TaxLotSerializer
    filterset_class = TaxLotFilter
    ordering_fields = ["adjusted_acquired_on", "acquired_on", "cost_basis", "shares"]
    ordering = ["account_id", "security__ticker", "adjusted_acquired_on", "id"]
    list_select_related = ("account__client", "security")


class TradeFilter(django_filters.FilterSet):
    account = django_filters.UUIDFilter(field_name="account__public_id")
    client = django_filters.UUIDFilter(field_name="account__client__public_id")
    ticker = django_filters.CharFilter(field_name="security__ticker", lookup_expr="iexact")
    action = django_filters.ChoiceFilter(choices=TradeAction.choices)
    source = django_filters.ChoiceFilter(choices=TradeSource.choices)

    class Meta:
        model = Trade
        fields = ["account", "client", "ticker", "action", "source"]


class TradeViewSet(FirmScopedViewSet):
    """Buys and sales of an account. Creating one replays the household's ledger: lots are
    relieved by the account's method (or the named lot) and wash sales applied."""

    model = Trade
    serializer_class = TradeSerializer
    filterset_class = TradeFilter
    ordering_fields = ["trade_date", "created_at"]
    ordering = ["-trade_date", "-id"]
    list_select_related = ("account", "security")
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.trade_record(
                account=data["account"],
                actor=self.request.user,
                action=data["action"],
                ticker=data["ticker"],
                shares=data["shares"],
                trade_date=data["trade_date"],
                price=data.get("price"),
                amount=data.get("amount"),
                lot_ref=data.get("lot_ref", ""),
                lot_public_id=data.get("lot"),
            )
        except DjangoValidationError as error:
            if hasattr(error, "error_dict") and "lot_public_id" in error.error_dict:
                error.error_dict["lot"] = error.error_dict.pop("lot_public_id")  # the API's name
            raise as_api_error(error) from error


def _money(value) -> str:
    """Amounts as strings with two decimals, like every other amount of the API."""
    return f"{money_round(value):.2f}"


def _amounts(totals) -> dict:
    return {
        "proceeds": _money(totals.proceeds),
        "cost_basis": _money(totals.cost_basis),
        "adjustment": _money(totals.adjustment),
        "gain_loss": _money(totals.gain_loss),
    }


def report_as_json(report) -> dict:
    def row(item) -> dict:
        return dict(zip(CSV_COLUMNS, [*item.row.as_text(), item.account], strict=True))

    carry = report.carryover
    return {
        "client": str(report.client.public_id),
        "year": report.year,
        "filing_status": report.client.filing_status,
        "part_one": [row(item) for item in report.part_one],
        "part_two": [row(item) for item in report.part_two],
        "schedule_d": {
            "short_term": _amounts(report.totals.short_term),
            "long_term": _amounts(report.totals.long_term),
            "net_gain_loss": _money(report.totals.net_gain_loss),
        },
        "capital_loss": {
            "limit": _money(report.loss_limit),
            "short_term_carryover_in": _money(carry.short_term_carryover_in),
            "long_term_carryover_in": _money(carry.long_term_carryover_in),
            "net_after_carryover": _money(carry.net_after_carryover),
            "deduction": _money(carry.deduction),
            "short_term_carryover_out": _money(carry.short_term_carryover_out),
            "long_term_carryover_out": _money(carry.long_term_carryover_out),
        },
        "estimated_tax": _money(report.estimated_tax),
        "years_with_sales": report.years,
    }


class RealizedGainsViewSet(mixins.RetrieveModelMixin, FirmScopedGenericViewSet):
    """Realized gains of a household (client id) for `?year=` (default: this year): Form 8949
    rows by part, Schedule D totals, the capital loss limit and the carryover."""

    model = Client
    allowed_roles = ALL_FIRM_ROLES
    serializer_class = serializers.Serializer  # the answer is built by report_as_json

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="tax year")],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request, public_id=None):
        client = self.get_object()
        today = timezone.localdate()
        raw = request.query_params.get("year") or str(today.year)
        if not raw.isdigit() or not 1900 <= int(raw) <= today.year:
            raise serializers.ValidationError({"year": f"a tax year up to {today.year}"})
        try:
            report = selectors.realized_gains_report(client=client, year=int(raw))
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(report_as_json(report))


class HoldingsImportViewSet(FirmScopedViewSet):
    """Holdings uploads: POST a file (multipart: client, file, mode, default_account) to get the
    preview with every problem; POST `confirm` to import it (all or nothing; large files run as
    a job, answered 202 with the job's id)."""

    model = ImportBatch
    serializer_class = HoldingsImportSerializer
    allowed_roles = ADVISOR_ROLES
    list_select_related = ("client",)
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "head", "options"]

    def _preview(self, batch: ImportBatch) -> dict:
        return dict(HoldingsImportDetailSerializer(batch).data)

    @extend_schema(responses=HoldingsImportDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(self._preview(self.get_object()))

    @extend_schema(
        request=HoldingsUploadSerializer,
        responses={201: HoldingsImportDetailSerializer, 202: HoldingsImportDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = HoldingsUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            batch = services.holdings_upload(
                client=data["client"],
                actor=request.user,
                filename=data["file"].name,
                upload=data["file"],
                mode=data["mode"],
                default_account=data.get("default_account"),
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        # A large file is checked by a job: 202, the preview comes with the batch later.
        answer = status.HTTP_202_ACCEPTED if batch.status == "checking" else status.HTTP_201_CREATED
        return Response(self._preview(batch), status=answer)

    @extend_schema(request=HoldingsConfirmSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def confirm(self, request, public_id=None):
        batch = self.get_object()
        options = HoldingsConfirmSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            if options.validated_data.get("prices") or options.validated_data.get("mode"):
                services.holdings_recheck(
                    batch=batch,
                    actor=request.user,
                    prices=options.validated_data.get("prices", {}),
                    mode=options.validated_data.get("mode"),
                )
            outcome = services.holdings_confirm(batch=batch, actor=request.user)
        except DjangoValidationError as error:
            body = self._preview(batch)
            body["non_field_errors"] = error.messages
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(outcome, Job):
            return Response(
                {"job": str(outcome.public_id), "status": outcome.status},
                status=status.HTTP_202_ACCEPTED,
            )
        if not outcome.is_imported:
            return Response(self._preview(batch), status=status.HTTP_400_BAD_REQUEST)
        body = self._preview(outcome.batch)
        body["imported"] = {
            "lots": outcome.lots,
            "cash_accounts": outcome.cash_accounts,
            "legacy_securities": outcome.legacy_securities,
            "removed_trades": outcome.removed_trades,
        }
        return Response(body)


API_ROUTES = [
    ("tax-lots", TaxLotViewSet, "api-tax-lot"),
    ("trades", TradeViewSet, "api-trade"),
    ("realized-gains", RealizedGainsViewSet, "api-realized-gains"),
    ("holdings-imports", HoldingsImportViewSet, "api-holdings-import"),
]
