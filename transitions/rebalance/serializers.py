"""API shapes of rebalancing. Related rows resolve only inside the caller's firm."""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Account, User
from accounts.rate_fields import (
    StoredPercentRateField,
    float_rate_field,
    fraction_of_stored,
    rate_field,
)
from accounts.serializers import FirmRelatedField
from transitions.rebalance.models import (
    EFFECTIVE_BUDGET_KINDS,
    RISK_AVERSION_MAX,
    RISK_AVERSION_MIN,
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
            "fee",
            "cost_basis",
            "realized_gain",
            "term",
            "days_held",
            "reason",
            "reason_detail",
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
    tracking_error_before = float_rate_field(
        help_text="Tracking error to the customized target before the trades, a year.",
        minimum=0.0,
        maximum=10.0,
        read_only=True,
        allow_null=True,
    )
    tracking_error_after = float_rate_field(
        help_text="Tracking error to the customized target after the trades, a year.",
        minimum=0.0,
        maximum=10.0,
        read_only=True,
        allow_null=True,
    )
    turnover = float_rate_field(
        help_text="Buys plus sells over the account's value.",
        minimum=0.0,
        maximum=1000.0,
        read_only=True,
    )
    settings_used = serializers.SerializerMethodField()

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

    def get_settings_used(self, trade_list) -> dict:  # schema: SettingsUsedSerializer (below)
        return settings_json_as_fractions(trade_list.settings_used or {})


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


@dataclass(frozen=True)
class StoredRate:
    """A setting the database keeps in percent or basis points and the API gives as a fraction
    of 1 like every other rate: its stored name, stored units per 1, bounds (as fractions)."""

    stored: str
    scale: int
    minimum: str
    maximum: str
    decimal_places: int
    help_text: str
    nullable: bool  # in the settings in force (an override may always be null: inherit)

    def override_field(self) -> StoredPercentRateField:
        """The field of an override (settings write; null: the firm's default)."""
        return StoredPercentRateField(
            scale=self.scale,
            source=self.stored,
            help_text=self.help_text,
            minimum=self.minimum,
            maximum=self.maximum,
            decimal_places=self.decimal_places,
            required=False,
        )

    def effective_field(self) -> serializers.DecimalField:
        """The field of the settings in force."""
        return rate_field(
            help_text=self.help_text,
            minimum=self.minimum,
            maximum=self.maximum,
            allow_null=self.nullable,
        )


# API name -> the stored rate it is (the bounds are those of the API's fractions).
STORED_RATES = {
    "loss_harvest_min": StoredRate(
        "loss_harvest_min_pct", 100, "0", "1", 4,
        "A loss worth taking: at least this share of the lot's basis.", nullable=False,
    ),
    "max_turnover": StoredRate(
        "max_turnover_pct", 100, "0", "20", 4,
        "Turnover cap: buys plus sells over the account's value; null: no cap.", nullable=True,
    ),
    "trading_cost": StoredRate(
        "trading_cost_bps", 10_000, "0", "0.05", 6,
        "Trading cost per dollar traded (0.0005 = 5 basis points).", nullable=False,
    ),
    "te_max": StoredRate(
        "te_max_pct", 100, "0.0001", "0.5", 4,
        "Tracking-error ceiling after the trades, a year; null: no ceiling.", nullable=True,
    ),
}  # fmt: skip


def settings_json_as_fractions(data: dict) -> dict:
    """Effective settings (EffectiveSettings.as_json, or a trade list's settings_used) with
    the rates as fractions under their API names, the risk aversion as a number; everything
    else as it is."""
    out = dict(data)
    for api_name, rate in STORED_RATES.items():
        if rate.stored in out:
            out[api_name] = fraction_of_stored(out.pop(rate.stored), scale=rate.scale)
    for name in ("short_term_rate", "long_term_rate", "risk_aversion"):  # as numbers
        if name in out:
            out[name] = fraction_of_stored(out[name])
    return out


def settings_errors_as_api(errors: dict) -> dict:
    """A service's refusal keyed by stored names, re-keyed by the API's names."""
    api_names = {rate.stored: api_name for api_name, rate in STORED_RATES.items()}
    return {api_names.get(key, key): value for key, value in errors.items()}


def settings_values(serializer: SettingsSerializer, row) -> dict:
    """The values a settings write saves: the stored overrides, then what the caller sent
    (both under the stored names, rates in their stored units)."""
    current = {name: getattr(row, name) for name in SETTINGS_STORED_FIELDS} if row else {}
    return {**current, **serializer.validated_data}


RISK_AVERSION_HELP = (
    "How much tax the optimizer pays to cut tracking error: dollars of tax per unit of "
    "equity x TE^2 (TE a fraction of 1). Higher follows the target more closely and pays "
    "more tax. A plain number, not a rate."
)


def risk_aversion_field(**kwargs) -> serializers.DecimalField:
    """The risk aversion: a JSON number with its bounds in the schema."""
    return serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=RISK_AVERSION_MIN,
        max_value=RISK_AVERSION_MAX,
        coerce_to_string=False,
        **kwargs,
    )


class SettingsSerializer(serializers.ModelSerializer):
    budget_kind = serializers.ChoiceField(choices=BudgetKind.choices, required=False)
    risk_aversion = risk_aversion_field(
        help_text=f"{RISK_AVERSION_HELP} From 0.1 to 1000; null: the firm's default (built in: "
        "20).",
        allow_null=True,
        required=False,
    )
    loss_harvest_min = STORED_RATES["loss_harvest_min"].override_field()
    max_turnover = STORED_RATES["max_turnover"].override_field()
    trading_cost = STORED_RATES["trading_cost"].override_field()
    te_max = STORED_RATES["te_max"].override_field()

    class Meta:
        model = RebalanceSettings
        fields = [
            "budget_kind",
            "budget_amount",
            "loss_harvest_min",
            "loss_harvest_min_value",
            "withdrawal",
            "deposit",
            "cash_target",
            "min_trade_value",
            "max_turnover",
            "whole_shares",
            "trading_cost",
            "te_max",
            "risk_aversion",
        ]
        extra_kwargs = {name: {"required": False} for name in fields}


SETTINGS_STORED_FIELDS = tuple(
    STORED_RATES[name].stored if name in STORED_RATES else name
    for name in SettingsSerializer.Meta.fields
)


def _money(help_text: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, help_text=help_text, **kwargs)


class EffectiveSettingsSerializer(serializers.Serializer):
    """The settings a rebalance of the account uses (its own, else the firm's, else built-in),
    rates as fractions of 1 under the API's names."""

    budget_kind = serializers.ChoiceField(choices=EFFECTIVE_BUDGET_KINDS)
    budget_amount = _money("Budget for the period; null: no limit.", allow_null=True)
    loss_harvest_min = STORED_RATES["loss_harvest_min"].effective_field()
    loss_harvest_min_value = _money("... and at least this many dollars per lot.")
    withdrawal = _money("Cash to raise.")
    deposit = _money("Cash to invest.")
    cash_target = _money("Cash to keep after the trades.")
    min_trade_value = _money("Smallest trade, $.")
    max_turnover = STORED_RATES["max_turnover"].effective_field()
    whole_shares = serializers.BooleanField()
    trading_cost = STORED_RATES["trading_cost"].effective_field()
    te_max = STORED_RATES["te_max"].effective_field()
    risk_aversion = risk_aversion_field(help_text=f"{RISK_AVERSION_HELP} From 0.1 to 1000.")
    short_term_rate = rate_field(
        help_text="The client's rate on short-term gains (0 in a tax-deferred account).",
        minimum="0",
        maximum="0.9",
    )
    long_term_rate = rate_field(
        help_text="The client's rate on long-term gains (0 in a tax-deferred account).",
        minimum="0",
        maximum="0.9",
    )
    inherited = serializers.ListField(
        child=serializers.CharField(), help_text="Settings that came from the firm's defaults."
    )


class SettingsUsedSerializer(EffectiveSettingsSerializer):
    """The settings in force when a trade list was proposed, as EffectiveSettingsSerializer
    gives them; a list proposed before a setting existed does not have it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


# The trade list's settings_used is documented by the serializer above (defined after the trade
# list's serializer, beside the settings it mirrors).
extend_schema_field(SettingsUsedSerializer)(TradeListSerializer.get_settings_used)


class AccountSettingsSerializer(serializers.Serializer):
    """GET/PATCH /api/rebalance-settings/<account>/: the account's overrides (empty: none) and
    the settings in force."""

    account = serializers.UUIDField()
    overrides = SettingsSerializer()
    effective = EffectiveSettingsSerializer()
