"""API shapes of the customized target (stored, and previewed): every weight and tracking error
a fraction of 1 with its bounds in the schema (accounts.rate_fields)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.rate_fields import float_rate_field

TE_MAX = 10.0  # a year; far above any long-only portfolio's, so only a wrong unit crosses it


def _te(help_text: str, **kwargs):
    return float_rate_field(help_text=help_text, minimum=0.0, maximum=TE_MAX, **kwargs)


def _weight(help_text: str, **kwargs):
    return float_rate_field(help_text=help_text, minimum=0.0, maximum=1.0, **kwargs)


class ExclusionLineSerializer(serializers.Serializer):
    """One setting's cost (alone), or all together (`kind` "total")."""

    label = serializers.CharField()
    kind = serializers.CharField()
    names_removed = serializers.IntegerField(min_value=0)
    weight_removed = _weight("Strategy weight the setting removes.")
    tracking_error = _te("Optimized target vs strategy, a year.", allow_null=True)
    pro_rata_tracking_error = _te(
        "Removed weight spread pro rata instead, a year.", allow_null=True
    )
    removed_tickers = serializers.ListField(child=serializers.CharField())
    in_force = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class TargetWeightSerializer(serializers.Serializer):
    ticker = serializers.CharField()
    target_weight = _weight("The name's weight in the customized target.")
    strategy_weight = _weight("The name's weight in the strategy.")


class StoredTargetSerializer(serializers.Serializer):
    strategy = serializers.CharField()
    strategy_version = serializers.IntegerField()
    risk_model_as_of = serializers.DateField()
    as_of = serializers.DateField()
    computed_at = serializers.DateTimeField()
    tracking_error = _te("Optimized target vs strategy, a year.")
    pro_rata_tracking_error = _te("Pro rata instead, a year.", allow_null=True)
    names_removed = serializers.IntegerField(min_value=0)
    weight_removed = _weight("Strategy weight the customization removes.")
    costs = ExclusionLineSerializer(many=True)
    weights = TargetWeightSerializer(many=True)


class TargetStateSerializer(serializers.Serializer):
    """GET (stored, never computed) or POST (recomputed if stale) …/target/."""

    account = serializers.UUIDField()
    problem = serializers.CharField(allow_blank=True)
    stale = serializers.BooleanField()
    stale_reasons = serializers.ListField(child=serializers.CharField())
    target = StoredTargetSerializer(allow_null=True)


class RemovedNameSerializer(serializers.Serializer):
    ticker = serializers.CharField()
    name = serializers.CharField()
    strategy_weight = _weight("The name's weight in the strategy.")
    removed_by = serializers.CharField()


class TargetPreviewSerializer(serializers.Serializer):
    """POST …/preview/: what a customization would do, nothing saved."""

    account = serializers.UUIDField()
    strategy_version = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateField()
    problem = serializers.CharField(allow_blank=True)
    notes = serializers.ListField(child=serializers.CharField())
    lines = ExclusionLineSerializer(many=True)
    total = ExclusionLineSerializer(allow_null=True)
    removed = RemovedNameSerializer(many=True)
    weights = TargetWeightSerializer(many=True)
