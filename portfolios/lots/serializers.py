"""API shapes of the tax-lot area. Related rows resolve only inside the caller's firm."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Account, Client
from accounts.serializers import FirmRelatedField
from pma_engine.tax import days_until_long_term
from portfolios.lots.imports import ImportMode
from portfolios.models import ImportBatch, TaxLot, Trade, TradeAction


class TaxLotSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    account = serializers.UUIDField(source="account.public_id", read_only=True)
    client = serializers.UUIDField(source="account.client.public_id", read_only=True)
    ticker = serializers.CharField(source="security.ticker", read_only=True)
    security_name = serializers.CharField(source="security.name", read_only=True)
    is_legacy = serializers.BooleanField(source="security.is_legacy", read_only=True)
    lot_id = serializers.CharField(source="lot_ref", read_only=True)
    is_long_term = serializers.SerializerMethodField()
    days_until_long_term = serializers.SerializerMethodField()

    class Meta:
        model = TaxLot
        fields = [
            "id",
            "account",
            "client",
            "ticker",
            "security_name",
            "is_legacy",
            "lot_id",
            "shares",
            "cost_basis",
            "acquired_on",
            "adjusted_acquired_on",
            "wash_adjustment",
            "is_long_term",
            "days_until_long_term",
        ]
        read_only_fields = fields

    def _days(self, lot: TaxLot) -> int:
        return days_until_long_term(lot.adjusted_acquired_on, timezone.localdate())

    def get_is_long_term(self, lot: TaxLot) -> bool:
        return self._days(lot) == 0

    def get_days_until_long_term(self, lot: TaxLot) -> int:
        return self._days(lot)


class SecurityTickerField(serializers.CharField):
    """Written as a ticker (the view resolves it); read back as the trade's security's."""

    def get_attribute(self, instance):
        return instance.security.ticker


class TradeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    account = FirmRelatedField(model=Account, label_name="account")
    ticker = SecurityTickerField(max_length=20)
    action = serializers.ChoiceField(choices=TradeAction.choices)
    price = serializers.DecimalField(
        max_digits=18,
        decimal_places=6,
        required=False,
        write_only=True,
        help_text="Price per share; or give `amount`.",
    )
    amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text="Total cost of a buy or total proceeds of a sale; or give `price`.",
    )
    lot_id = serializers.CharField(
        source="lot_ref",
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Buy: names the new lot. Sell: the lot sold (specific identification).",
    )
    lot = serializers.UUIDField(
        required=False,
        write_only=True,
        help_text="Sell: the tax lot sold, by its id (stable across replays); or give `lot_id`.",
    )

    class Meta:
        model = Trade
        fields = [
            "id",
            "account",
            "ticker",
            "action",
            "trade_date",
            "shares",
            "price",
            "amount",
            "lot_id",
            "lot",
            "source",
            "created_at",
        ]
        read_only_fields = ["source", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["account"] = str(instance.account.public_id)
        return data


class HoldingsImportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = serializers.UUIDField(source="client.public_id", read_only=True)
    problems = serializers.JSONField(source="errors", read_only=True)

    class Meta:
        model = ImportBatch
        fields = ["id", "client", "filename", "status", "row_count", "problems", "created_at"]
        read_only_fields = fields


class HoldingsImportDetailSerializer(HoldingsImportSerializer):
    """One import with its preview (rows by account, problems, totals), as its page shows it."""

    preview = serializers.SerializerMethodField()

    class Meta(HoldingsImportSerializer.Meta):
        fields = [*HoldingsImportSerializer.Meta.fields, "preview"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_preview(self, batch: ImportBatch) -> dict:
        from portfolios.lots.services import holdings_preview_load

        return holdings_preview_load(batch=batch)


@extend_schema_field(OpenApiTypes.UUID)
class FirmRowId(FirmRelatedField):
    """A firm row named by its public id (typed for the schema of a model-less serializer)."""


class HoldingsUploadSerializer(serializers.Serializer):
    client = FirmRowId(model=Client, label_name="client")
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=ImportMode.CHOICES, default=ImportMode.ADD)
    default_account = FirmRowId(
        model=Account, label_name="account", required=False, allow_null=True
    )


class HoldingsConfirmSerializer(serializers.Serializer):
    prices = serializers.DictField(
        child=serializers.DecimalField(
            max_digits=18, decimal_places=6, min_value=Decimal("0.000001")
        ),
        required=False,
        help_text="Advisor prices of tickers outside the security master: {ticker: price}.",
    )
    mode = serializers.ChoiceField(choices=ImportMode.CHOICES, required=False)
