"""API of transition analyses: start (202 with the job), list, read (with the stored result and
staleness computed on read), CSV export, a frontier point saved as a scenario, and the first
year's trades of a scenario as a trade list."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import as_api_error
from accounts.api_base import FirmScopedGenericViewSet
from accounts.models import Account
from accounts.rate_fields import float_rate_field, rate_field
from accounts.serializers import FirmRelatedField
from accounts.tenancy import ADVISOR_ROLES
from transitions.analysis import selectors, services
from transitions.analysis.export import analysis_csv
from transitions.analysis.handoff import scenario_trade_list_create
from transitions.analysis.models import AnalysisScenario, TransitionAnalysis


class AnalysisScenarioSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    final_tracking_error = float_rate_field(
        help_text="Tracking error to the target at the horizon, a year (expected path).",
        minimum=0.0,
        maximum=10.0,
        read_only=True,
        allow_null=True,
    )

    class Meta:
        model = AnalysisScenario
        fields = [
            "id",
            "position",
            "name",
            "kind",
            "parameter",
            "is_saved_from_frontier",
            "first_year_tax",
            "total_tax",
            "years_to_target",
            "after_tax_value",
            "liquidation_value",
            "final_tracking_error",
        ]
        read_only_fields = fields


class TransitionAnalysisSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    account = serializers.UUIDField(source="account.public_id", read_only=True)
    job = serializers.UUIDField(source="job.public_id", read_only=True, allow_null=True)
    scenarios = AnalysisScenarioSerializer(many=True, read_only=True)
    stale_reason = serializers.SerializerMethodField()
    te_goal = rate_field(
        help_text="Tracking-error goal a year: in target at or below it.",
        minimum="0.0001",
        maximum="0.5",
        read_only=True,
    )
    drift = rate_field(
        help_text="Expected return a year.",
        minimum="-0.49",
        maximum="0.49",
        max_digits=7,
        decimal_places=4,
        read_only=True,
    )

    class Meta:
        model = TransitionAnalysis
        fields = [
            "id",
            "account",
            "status",
            "stale_reason",
            "as_of",
            "years",
            "te_goal",
            "drift",
            "paths",
            "seed",
            "paths_done",
            "scenario_names",
            "scenarios",
            "job",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_stale_reason(self, obj) -> str:
        return selectors.analysis_stale_reason(analysis=obj)


class TransitionAnalysisDetailSerializer(TransitionAnalysisSerializer):
    result = serializers.JSONField(read_only=True, help_text="transition-plan/1 + frontier")

    class Meta(TransitionAnalysisSerializer.Meta):
        fields = [*TransitionAnalysisSerializer.Meta.fields, "result"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.UUID)
class AccountIdField(FirmRelatedField):
    """An account of the caller's firm, by its public id."""


class AnalysisStartSerializer(serializers.Serializer):
    account = AccountIdField(model=Account, label_name="account")
    scenarios = serializers.ListField(
        child=serializers.CharField(max_length=40),
        help_text='e.g. ["immediate", "timeline:3", "gain_budget:0", "hold"]',
    )
    years = serializers.IntegerField(default=5)
    te_goal = float_rate_field(
        help_text="Tracking-error goal a year: in target at or below it. Default 0.005.",
        minimum=0.0001,
        maximum=0.5,
        default=0.005,
    )
    drift = float_rate_field(
        help_text="Expected return a year, for the simulated markets. Default 0.06.",
        minimum=-0.49,
        maximum=0.49,
        default=0.06,
    )
    paths = serializers.IntegerField(default=100)
    seed = serializers.IntegerField(default=7)


class ScenarioChoiceSerializer(serializers.Serializer):
    scenario = serializers.CharField(max_length=60)


class TransitionAnalysisViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, FirmScopedGenericViewSet
):
    """Transition analyses of the firm's accounts the user may see."""

    model = TransitionAnalysis
    serializer_class = TransitionAnalysisSerializer
    allowed_roles = ADVISOR_ROLES
    list_select_related = ("account__client", "account__strategy", "job")
    list_prefetch_related = ("scenarios",)
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "head", "options"]

    def scope_queryset(self, queryset):
        if self.action == "list":
            queryset = queryset.defer("result")
            account = self.request.query_params.get("account")
            if account:
                queryset = queryset.filter(account__public_id=account)
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TransitionAnalysisDetailSerializer
        return TransitionAnalysisSerializer

    @extend_schema(request=AnalysisStartSerializer, responses={202: TransitionAnalysisSerializer})
    def create(self, request, *args, **kwargs):
        """Start an analysis; bad input is refused with the field named, nothing queued."""
        start = AnalysisStartSerializer(data=request.data, context=self.get_serializer_context())
        start.is_valid(raise_exception=True)
        data = dict(start.validated_data)
        account = data.pop("account")
        if request.user.role not in ADVISOR_ROLES:
            return Response(status=status.HTTP_403_FORBIDDEN)
        try:
            analysis = services.transition_analysis_start(
                account=account, actor=request.user, **data
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        analysis.refresh_from_db()
        return Response(
            TransitionAnalysisSerializer(analysis).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def export(self, request, public_id=None):
        analysis = self.get_object()
        if not analysis.result:
            raise serializers.ValidationError({"non_field_errors": ["No result yet."]})
        body = analysis_csv(analysis.result, account_name=analysis.account.name)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="transition-analysis-{str(analysis.public_id)[:8]}.csv"'
        )
        return response

    @extend_schema(request=ScenarioChoiceSerializer, responses={202: TransitionAnalysisSerializer})
    @action(detail=True, methods=["post"], url_path="frontier-save")
    def frontier_save(self, request, public_id=None):
        """Save a frontier point (its scenario name) as a scenario of a new run."""
        analysis = self.get_object()
        choice = ScenarioChoiceSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        try:
            new = services.frontier_point_save(
                analysis=analysis, actor=request.user, scenario=choice.validated_data["scenario"]
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(TransitionAnalysisSerializer(new).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ScenarioChoiceSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="trade-list")
    def trade_list(self, request, public_id=None):
        """The first year's trades of one scenario (by name) as a rebalancing trade list."""
        analysis = self.get_object()
        choice = ScenarioChoiceSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        scenario = analysis.scenarios.filter(name=choice.validated_data["scenario"]).first()
        if scenario is None:
            raise serializers.ValidationError({"scenario": ["Not a scenario of this analysis."]})
        try:
            trade_list = scenario_trade_list_create(
                analysis=analysis, scenario=scenario, actor=request.user
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(
            {"trade_list": str(getattr(trade_list, "public_id", ""))},
            status=status.HTTP_201_CREATED,
        )


API_ROUTES = [("transition-analyses", TransitionAnalysisViewSet, "api-transition-analysis")]
