from rest_framework import serializers

from accounts.api_base import FirmReadOnlyViewSet
from jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress",
            "message",
            "error",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobViewSet(FirmReadOnlyViewSet):
    """Status of long work the caller started (firm admins: the whole firm)."""

    model = Job
    serializer_class = JobSerializer
    filterset_fields = ["kind", "status"]


API_ROUTES = [("jobs", JobViewSet, "api-job")]
