"""API shapes of the reference data. Securities are named by ticker, strategies by slug."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.rate_fields import rate_field
from portfolios.models import Security, Strategy, StrategyVersion


class SecuritySerializer(serializers.ModelSerializer):
    indices = serializers.SerializerMethodField()
    is_legacy = serializers.BooleanField(read_only=True)

    class Meta:
        model = Security
        fields = [
            "ticker",
            "name",
            "sector",
            "industry",
            "country",
            "isin",
            "indices",
            "is_active",
            "is_legacy",
        ]
        read_only_fields = fields

    def get_indices(self, security: Security) -> list[str]:
        return [name for name in security.indices.split(",") if name]


class PriceSerializer(serializers.Serializer):
    date = serializers.DateField()
    close = serializers.DecimalField(max_digits=18, decimal_places=6)
    source = serializers.CharField()


class PriceRangeSerializer(serializers.Serializer):
    ticker = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    is_synthetic = serializers.BooleanField(help_text="Any close in the range is simulated.")
    prices = PriceSerializer(many=True)


class VersionSerializer(serializers.ModelSerializer):
    n_names = serializers.IntegerField(read_only=True)

    class Meta:
        model = StrategyVersion
        fields = ["version", "effective_date", "is_synthetic", "note", "n_names", "created_at"]
        read_only_fields = fields


class StrategySerializer(serializers.ModelSerializer):
    benchmark = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Strategy
        fields = [
            "slug",
            "name",
            "kind",
            "description",
            "benchmark",
            "is_active",
            "current_version",
        ]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, strategy: Strategy) -> dict | None:
        versions = self.context.get("current_versions", {})
        version = versions.get(strategy.pk)
        return VersionSerializer(version).data if version is not None else None


class WeightSerializer(serializers.Serializer):
    ticker = serializers.CharField()
    name = serializers.CharField()
    sector = serializers.CharField()
    weight = rate_field(
        help_text="The name's weight in the strategy's model portfolio.",
        minimum="0",
        maximum="1",
        max_digits=12,
        decimal_places=10,
    )


class StrategyWeightsSerializer(serializers.Serializer):
    strategy = serializers.CharField()
    version = serializers.IntegerField()
    effective_date = serializers.DateField()
    is_synthetic = serializers.BooleanField()
    weights = WeightSerializer(many=True)
