"""REST API of rebalancing: trade lists (propose, read, approve, export, mark executed), batch
rebalances (create, read, retry) and rebalance settings (per account; the firm's defaults)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.api import as_api_error
from accounts.api_base import FirmScopedGenericViewSet
from accounts.models import Account
from accounts.tenancy import ADVISOR_ROLES, ALL_FIRM_ROLES
from transitions.rebalance import batch as batch_services
from transitions.rebalance import selectors, services
from transitions.rebalance.models import RebalanceBatch, TradeList
from transitions.rebalance.serializers import (
    AccountSettingsSerializer,
    BatchCreateSerializer,
    BatchDetailSerializer,
    BatchSerializer,
    ExecuteSerializer,
    ProposeSerializer,
    SettingsSerializer,
    TradeListDetailSerializer,
    TradeListSerializer,
    settings_errors_as_api,
    settings_json_as_fractions,
    settings_values,
)
from transitions.rebalance.settings import settings_effective


def _call(func, **kwargs):
    try:
        return func(**kwargs)
    except DjangoValidationError as error:
        raise as_api_error(error) from error


def _settings_save(**kwargs):
    """Save settings; a refusal names the API's fields (rates by their fraction names)."""
    try:
        return services.rebalance_settings_save(**kwargs)
    except DjangoValidationError as error:
        api_error = as_api_error(error)
        if isinstance(api_error.detail, dict):
            api_error.detail = settings_errors_as_api(api_error.detail)
        raise api_error from error


class TradeListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FirmScopedGenericViewSet):
    """Trade lists of the accounts the caller sees. POST `propose` with an account queues the
    proposal (202, a job); approve, export (CSV order file) and execute act on one list."""

    model = TradeList
    serializer_class = TradeListSerializer
    allowed_roles = ALL_FIRM_ROLES
    list_select_related = ("account", "approved_by", "executed_by", "job")
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "head", "options"]

    def scope_queryset(self, queryset):
        account = self.request.query_params.get("account")
        if account and self.action == "list":
            queryset = queryset.filter(account__public_id=account)
        return queryset

    @extend_schema(responses=TradeListDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        trade_list = self.get_object()
        context = self.get_serializer_context()
        context["stale_reasons"] = selectors.trade_list_stale_reasons(trade_list=trade_list)
        return Response(TradeListDetailSerializer(trade_list, context=context).data)

    def _writable(self) -> TradeList:
        if self.request.user.role not in ADVISOR_ROLES:
            raise PermissionDenied("Your role may not change this.")
        return self.get_object()

    @extend_schema(request=ProposeSerializer, responses={202: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def propose(self, request):
        if request.user.role not in ADVISOR_ROLES:
            raise PermissionDenied("Your role may not change this.")
        data = ProposeSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        job = _call(
            services.trade_list_propose, account=data.validated_data["account"], actor=request.user
        )
        return Response(
            {"job": str(job.public_id), "status": job.status}, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(request=None, responses=TradeListSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, public_id=None):
        trade_list = _call(
            services.trade_list_approve, trade_list=self._writable(), actor=request.user
        )
        return Response(TradeListSerializer(trade_list).data)

    @extend_schema(request=None, responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["post"])
    def export(self, request, public_id=None):
        content, name = _call(
            services.trade_list_export_csv, trade_list=self._writable(), actor=request.user
        )
        response = HttpResponse(content, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(request=ExecuteSerializer, responses=TradeListSerializer)
    @action(detail=True, methods=["post"])
    def execute(self, request, public_id=None):
        options = ExecuteSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        trade_list = _call(
            services.trade_list_mark_executed,
            trade_list=self._writable(),
            actor=request.user,
            trade_date=options.validated_data.get("trade_date"),
        )
        return Response(TradeListSerializer(trade_list).data)


class RebalanceBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, FirmScopedGenericViewSet
):
    """Batch rebalances: POST a scope (strategy slug, advisor id or a selection of account ids);
    read progress and per-account results; POST `retry` re-queues the failed accounts."""

    model = RebalanceBatch
    serializer_class = BatchSerializer
    allowed_roles = ADVISOR_ROLES
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        return BatchDetailSerializer if self.action == "retrieve" else BatchSerializer

    def scope_queryset(self, queryset):
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("items__account", "items__trade_list")
        return queryset

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchSerializer})
    def create(self, request):
        from portfolios.models import Strategy

        data = BatchCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        strategy = None
        if values.get("strategy"):
            strategy = Strategy.objects.filter(slug=values["strategy"], is_active=True).first()
            if strategy is None:
                raise serializers.ValidationError({"strategy": "No such strategy."})
        batch = _call(
            batch_services.rebalance_batch_create,
            user=request.user,
            scope=values["scope"],
            strategy=strategy,
            advisor=values.get("advisor"),
            account_ids=values.get("accounts", []),
        )
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, public_id=None):
        batch = self.get_object()
        _call(batch_services.rebalance_batch_retry, batch=batch, user=request.user)
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data)


def _effective_json(account) -> dict:
    return settings_json_as_fractions(settings_effective(account=account).as_json())


class RebalanceSettingsViewSet(mixins.RetrieveModelMixin, FirmScopedGenericViewSet):
    """Rebalance settings of one account (by the account's id): its overrides and the settings
    in force after the firm's defaults; PATCH changes the overrides. `defaults` reads or
    (firm admins) changes the firm's defaults."""

    model = Account
    serializer_class = SettingsSerializer
    allowed_roles = ADVISOR_ROLES
    http_method_names = ["get", "patch", "put", "head", "options"]

    @extend_schema(responses=AccountSettingsSerializer)
    def retrieve(self, request, public_id=None):
        account = self.get_object()
        row = selectors.settings_row(firm=request.user.firm, account=account)
        return Response(
            {
                "account": str(account.public_id),
                "overrides": SettingsSerializer(row).data if row else {},
                "effective": _effective_json(account),
            }
        )

    @extend_schema(request=SettingsSerializer, responses=AccountSettingsSerializer)
    def partial_update(self, request, public_id=None):
        account = self.get_object()
        row = selectors.settings_row(firm=request.user.firm, account=account)
        data = SettingsSerializer(row, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {k: _decimal_or(v) for k, v in settings_values(data, row).items()}
        _settings_save(
            firm=request.user.firm,
            actor=request.user,
            values=values,
            account=account,
        )
        return self.retrieve(request, public_id=public_id)

    update = partial_update

    @extend_schema(methods=["GET"], responses=SettingsSerializer)
    @extend_schema(methods=["PATCH"], request=SettingsSerializer, responses=SettingsSerializer)
    @action(detail=False, methods=["get", "patch"])
    def defaults(self, request):
        firm = request.user.firm
        row = selectors.settings_row(firm=firm)
        if request.method == "GET":
            return Response(SettingsSerializer(row).data if row else {})
        if not request.user.is_firm_admin:
            raise PermissionDenied("Only a firm admin may change the firm's defaults.")
        data = SettingsSerializer(row, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {k: _decimal_or(v) for k, v in settings_values(data, row).items()}
        row = _settings_save(firm=firm, actor=request.user, values=values)
        return Response(SettingsSerializer(row).data)


def _decimal_or(value):
    from decimal import Decimal, InvalidOperation

    if isinstance(value, str) and value not in ("inherit", "none", "gain", "tax"):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


API_ROUTES = [
    ("trade-lists", TradeListViewSet, "api-rebalance-trade-list"),
    ("rebalance-batches", RebalanceBatchViewSet, "api-rebalance-batch"),
    ("rebalance-settings", RebalanceSettingsViewSet, "api-rebalance-settings"),
]
