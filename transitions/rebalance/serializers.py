"""API shapes of rebalancing. Related rows resolve only inside the caller's firm."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Account, User
from accounts.serializers import FirmRelatedField
from transitions.rebalance.models import (
    BatchScope,
    BlockedTrade,
    BudgetKind,
    RebalanceBatch,
    RebalanceBatchItem,
    RebalanceSettings,
    TradeLine,
    TradeList,
)


@extend_schema_field(OpenApiTypes.UUID)
class FirmRowId(FirmRelatedField):
    """A firm row named by its public id."""


class TradeLineSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="security.ticker", read_only=True)
    lot_id = serializers.CharField(source="lot_public_id", read_only=True)

    class Meta:
        model = TradeLine
        fields = [
            "position",
            "side",
            "ticker",
            "lot_id",
            "lot_ref",
            "acquired_on",
            "shares",
            "price",
            "amount",
            "cost_basis",
            "realized_gain",
            "term",
            "days_held",
            "reason",
        ]
        read_only_fields = fields


class BlockedTradeSerializer(serializers.ModelSerializer):
    ticker = serializers.CharField(source="security.ticker", read_only=True)

    class Meta:
        model = BlockedTrade
        fields = ["ticker", "blocked", "reason"]
        read_only_fields = fields


class TradeListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    account = serializers.UUIDField(source="account.public_id", read_only=True)
    approved_by = serializers.CharField(source="approved_by.display_name", default=None)
    executed_by = serializers.CharField(source="executed_by.display_name", default=None)
    job = serializers.UUIDField(source="job.public_id", default=None, read_only=True)

    class Meta:
        model = TradeList
        fields = [
            "id",
            "account",
            "status",
            "as_of",
            "tracking_error_before",
            "tracking_error_after",
            "realized_st",
            "realized_lt",
            "estimated_tax",
            "harvested_losses",
            "turnover",
            "trade_count",
            "value_before",
            "cash_before",
            "cash_after",
            "withdrawal",
            "fees",
            "constraint_costs",
            "messages",
            "left_to_sell",
            "settings_used",
            "error",
            "created_at",
            "approved_by",
            "approved_at",
            "exported_at",
            "executed_by",
            "executed_at",
            "job",
        ]
        read_only_fields = fields


class TradeListDetailSerializer(TradeListSerializer):
    lines = TradeLineSerializer(many=True, read_only=True)
    blocked_trades = BlockedTradeSerializer(many=True, read_only=True)
    stale_reasons = serializers.SerializerMethodField()

    class Meta(TradeListSerializer.Meta):
        fields = [*TradeListSerializer.Meta.fields, "stale_reasons", "lines", "blocked_trades"]
        read_only_fields = fields

    def get_stale_reasons(self, trade_list) -> list[str]:
        return self.context.get("stale_reasons", [])


class ProposeSerializer(serializers.Serializer):
    account = FirmRowId(model=Account, label_name="account")


class ExecuteSerializer(serializers.Serializer):
    trade_date = serializers.DateField(required=False, help_text="Default: today.")


class BatchItemSerializer(serializers.ModelSerializer):
    account = serializers.UUIDField(source="account.public_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    trade_list = TradeListSerializer(read_only=True)

    class Meta:
        model = RebalanceBatchItem
        fields = ["account", "account_name", "status", "error", "attempts", "trade_list"]
        read_only_fields = fields


class BatchSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = RebalanceBatch
        fields = [
            "id",
            "scope",
            "scope_label",
            "status",
            "total",
            "done",
            "failed",
            "progress",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class BatchDetailSerializer(BatchSerializer):
    items = BatchItemSerializer(many=True, read_only=True)

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "items"]
        read_only_fields = fields


class BatchCreateSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=BatchScope.choices)
    strategy = serializers.SlugField(required=False, help_text="Strategy slug (scope strategy).")
    advisor = FirmRowId(model=User, label_name="advisor", required=False)
    accounts = serializers.ListField(child=serializers.UUIDField(), required=False)

    def validate_advisor(self, advisor):
        return advisor

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Any advisor of the firm may be named (the service checks who may batch whom).
            fields["advisor"].get_queryset = lambda: User.objects.filter(
                firm_id=request.user.firm_id
            )
        return fields


class SettingsSerializer(serializers.ModelSerializer):
    budget_kind = serializers.ChoiceField(choices=BudgetKind.choices, required=False)

    class Meta:
        model = RebalanceSettings
        fields = [
            "budget_kind",
            "budget_amount",
            "loss_harvest_min_pct",
            "loss_harvest_min_value",
            "withdrawal",
            "deposit",
            "cash_target",
            "min_trade_value",
            "max_turnover_pct",
            "whole_shares",
            "trading_cost_bps",
            "te_max_pct",
        ]
        extra_kwargs = {name: {"required": False} for name in fields}
