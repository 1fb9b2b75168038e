"""REST API: ESG categories (reference data, with members), account customizations (read,
replace, preview, clear; the same validation as the page) and the customized target."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from accounts.api import as_api_error
from accounts.api_base import FirmScopedViewSet, ReferenceDataViewSet
from accounts.models import Account
from esg import selectors, services
from esg.models import (
    AccountExclusion,
    CategoryMember,
    CategoryRule,
    ConcentratedPosition,
    ExclusionCategory,
    Restriction,
    RestrictionMode,
    RestrictionScope,
)
from esg.serializers import (
    ExclusionLineSerializer,
    TargetPreviewSerializer,
    TargetStateSerializer,
)
from esg.types import (
    ConcentratedPositionInput,
    CustomizationInput,
    ExclusionLine,
    RestrictionInput,
    TargetPreview,
)

# ------------------------------------------------------------------------------ categories


class CategoryRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = CategoryRule
        fields = ["field", "value"]


class CategoryMemberSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="security.ticker")
    name = serializers.CharField(source="security.name")
    sector = serializers.CharField(source="security.sector")
    industry = serializers.CharField(source="security.industry")

    class Meta:
        model = CategoryMember
        fields = ["ticker", "name", "sector", "industry", "source", "reason"]


class CategorySerializer(serializers.ModelSerializer):
    rules = CategoryRuleSerializer(many=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ExclusionCategory
        fields = ["slug", "name", "description", "rules", "member_count", "members_rebuilt_at"]


class CategoryDetailSerializer(CategorySerializer):
    members = CategoryMemberSerializer(many=True, read_only=True)

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "members"]


class CategoryViewSet(ReferenceDataViewSet):
    """ESG exclusion categories (curated by platform staff); a category's members, with the
    reason each one is in, are in its detail."""

    model = ExclusionCategory
    lookup_field = "slug"
    serializer_class = CategorySerializer
    search_fields = ["name", "slug"]

    def scope_queryset(self, queryset):
        queryset = (
            queryset.filter(is_active=True)
            .annotate(member_count=Count("members"))
            .prefetch_related(Prefetch("rules", queryset=CategoryRule.objects.order_by("value")))
            .order_by("name")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "members",
                    queryset=CategoryMember.objects.select_related("security").order_by(
                        "security__ticker"
                    ),
                )
            )
        return queryset

    def get_serializer_class(self):
        return CategoryDetailSerializer if self.action == "retrieve" else CategorySerializer


# ------------------------------------------------------------------------------ customizations


class RestrictionItemSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=RestrictionScope.choices)
    ticker = serializers.CharField(required=False, allow_blank=True, max_length=20)
    value = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Industry or sector."
    )
    mode = serializers.ChoiceField(choices=RestrictionMode.choices)
    effective_from = serializers.DateField(required=False, allow_null=True)
    effective_to = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ConcentratedItemSerializer(serializers.Serializer):
    ticker = serializers.CharField(max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CustomizationSerializer(serializers.Serializer):
    """An account's customization. Written whole (PUT) or in parts (PATCH: the parts sent
    replace the saved ones); every write is validated like the page's Save."""

    account = serializers.UUIDField(source="public_id", read_only=True)
    account_name = serializers.CharField(source="name", read_only=True)
    strategy = serializers.CharField(source="strategy.slug", read_only=True, allow_null=True)
    categories = serializers.ListField(child=serializers.SlugField(), required=False)
    restrictions = RestrictionItemSerializer(many=True, required=False)
    concentrated_positions = ConcentratedItemSerializer(many=True, required=False)

    def to_representation(self, account: Account) -> dict:
        exclusions = sorted(account.esg_exclusions.all(), key=lambda e: e.category.name)
        restrictions = sorted(
            account.restrictions.all(),
            key=lambda r: (r.scope, r.value, r.security.ticker if r.security else ""),
        )
        positions = sorted(account.concentrated_positions.all(), key=lambda p: p.security.ticker)
        return {
            "account": str(account.public_id),
            "account_name": account.name,
            "strategy": account.strategy.slug if account.strategy else None,
            "categories": [exclusion.category.slug for exclusion in exclusions],
            "restrictions": [
                {
                    "id": str(row.public_id),
                    "scope": row.scope,
                    "ticker": row.security.ticker if row.security else "",
                    "value": row.value,
                    "mode": row.mode,
                    "effective_from": row.effective_from.isoformat(),
                    "effective_to": row.effective_to.isoformat() if row.effective_to else None,
                    "reason": row.reason,
                }
                for row in restrictions
            ],
            "concentrated_positions": [
                {"ticker": row.security.ticker, "note": row.note} for row in positions
            ],
        }


class CustomizationSavedSerializer(CustomizationSerializer):
    """What a save answers: the customization as saved, the notes of its resolution (merged
    rows and the like) and the figures of all its settings together."""

    notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    total = ExclusionLineSerializer(read_only=True, allow_null=True)


def _customization_input(data: dict, *, current: CustomizationInput | None = None):
    """Validated serializer data as a CustomizationInput; parts not sent keep `current`."""
    current = current or CustomizationInput()
    restrictions = current.restrictions
    if "restrictions" in data:
        restrictions = tuple(
            RestrictionInput(
                scope=row["scope"],
                mode=row["mode"],
                ticker=row.get("ticker", ""),
                value=row.get("value", ""),
                effective_from=row.get("effective_from"),
                effective_to=row.get("effective_to"),
                reason=row.get("reason", ""),
            )
            for row in data["restrictions"]
        )
    positions = current.concentrated_positions
    if "concentrated_positions" in data:
        positions = tuple(
            ConcentratedPositionInput(ticker=row["ticker"], note=row.get("note", ""))
            for row in data["concentrated_positions"]
        )
    return CustomizationInput(
        category_slugs=tuple(data["categories"])
        if "categories" in data
        else current.category_slugs,
        restrictions=restrictions,
        concentrated_positions=positions,
    )


def _line(line: ExclusionLine) -> dict:
    return line.as_dict()


class CustomizationViewSet(FirmScopedViewSet):
    """Customizations, addressed by the account's id: GET reads, PUT/PATCH save (validated,
    all or nothing), DELETE clears, POST …/preview/ computes without saving, GET …/target/
    gives the customized target with its tracking-error figures."""

    model = Account
    serializer_class = CustomizationSerializer
    http_method_names = ["get", "put", "patch", "delete", "post", "head", "options"]
    list_select_related = ("strategy",)
    list_prefetch_related = (
        Prefetch("esg_exclusions", queryset=AccountExclusion.objects.select_related("category")),
        Prefetch("restrictions", queryset=Restriction.objects.select_related("security")),
        Prefetch(
            "concentrated_positions",
            queryset=ConcentratedPosition.objects.select_related("security"),
        ),
    )

    def scope_queryset(self, queryset):
        if self.action == "list":
            queryset = queryset.filter(customization_note__isnull=False).order_by("pk")
        return queryset

    @extend_schema(exclude=True)  # not an operation: the schema documents PUT on the account
    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="Save a customization with PUT on its account.")

    @extend_schema(request=CustomizationSerializer, responses=CustomizationSavedSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=CustomizationSerializer, responses=CustomizationSavedSerializer)
    def update(self, request, *args, **kwargs):
        account = self.get_object()
        serializer = self.get_serializer(account, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        current = selectors.customization_current(account=account) if serializer.partial else None
        proposed = _customization_input(serializer.validated_data, current=current)
        try:
            preview = services.customization_save(
                account=account, actor=request.user, data=proposed
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        body = self.get_serializer(self.get_object()).data
        body["notes"] = list(preview.notes)
        body["total"] = _line(preview.total) if preview.total else None
        return Response(body)

    def destroy(self, request, *args, **kwargs):
        services.customization_clear(account=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=CustomizationSerializer,
        responses=TargetPreviewSerializer,
        summary="Preview without saving",
    )
    @action(detail=True, methods=["post"])
    def preview(self, request, public_id=None):
        account = self.get_object()
        serializer = self.get_serializer(account, data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            preview = services.customization_preview(
                account=account, data=_customization_input(serializer.validated_data)
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(TargetPreviewSerializer(_preview_body(account, preview)).data)

    @extend_schema(
        responses=TargetStateSerializer,
        summary="The stored customized target, with tracking-error figures; POST recomputes",
        description="GET never computes: `stale` is true (and `stale_reasons` say why) when the "
        "target's inputs changed since it was computed. POST (advisors) recomputes it if so.",
    )
    @action(detail=True, methods=["get", "post"])
    def target(self, request, public_id=None):
        account = self.get_object()
        if request.method == "POST":
            state = services.customized_target_refresh(account=account)
        else:
            state = selectors.customized_target_state(account=account)
        body = {
            "account": str(account.public_id),
            "problem": state.problem,
            "stale": state.is_stale,
            "stale_reasons": list(state.stale_reasons),
            "target": None,
        }
        target = state.target
        if target is not None:
            rows = selectors.target_weight_rows(
                weights=selectors.target_weights(target=target),
                strategy_weights=selectors.target_strategy_weights(target=target),
                limit=None,
            )
            body["target"] = {
                "strategy": account.strategy.slug,
                "strategy_version": target.strategy_version.version,
                "risk_model_as_of": target.risk_model.as_of.isoformat(),
                "as_of": target.as_of.isoformat(),
                "computed_at": target.computed_at.isoformat(),
                "tracking_error": target.tracking_error,
                "pro_rata_tracking_error": target.pro_rata_tracking_error,
                "names_removed": target.names_removed,
                "weight_removed": target.weight_removed,
                "costs": target.costs,
                "weights": [
                    {
                        "ticker": row.ticker,
                        "target_weight": row.target_weight,
                        "strategy_weight": row.strategy_weight,
                    }
                    for row in rows
                ],
            }
        return Response(TargetStateSerializer(body).data)


def _preview_body(account, preview: TargetPreview) -> dict:
    rows = selectors.target_weight_rows(
        weights=preview.weights, strategy_weights=preview.strategy_weights, limit=None
    )
    return {
        "account": str(account.public_id),
        "strategy_version": preview.strategy_version.version if preview.strategy_version else None,
        "as_of": preview.as_of.isoformat(),
        "problem": preview.problem,
        "notes": list(preview.notes),
        "lines": [_line(line) for line in preview.lines],
        "total": _line(preview.total) if preview.total else None,
        "removed": [
            {"ticker": ticker, "name": name, "strategy_weight": weight, "removed_by": because}
            for ticker, name, weight, because in preview.removed
        ],
        "weights": [
            {
                "ticker": row.ticker,
                "target_weight": row.target_weight,
                "strategy_weight": row.strategy_weight,
            }
            for row in rows
            if row.target_weight > 0
        ],
    }


API_ROUTES = [
    ("esg-categories", CategoryViewSet, "api-esg-category"),
    ("customizations", CustomizationViewSet, "api-customization"),
]
