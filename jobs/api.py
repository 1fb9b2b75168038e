from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import as_api_error
from accounts.api_base import FirmScopedGenericViewSet
from jobs.models import Job
from jobs.selectors import access_job_for_write
from jobs.services import job_cancel


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
            "target_label",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "cancel_requested_at",
        ]
        read_only_fields = fields


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FirmScopedGenericViewSet):
    """Status of long work the caller started (firm admins: the whole firm); POST …/cancel/
    stops a queued or running job the caller started."""

    model = Job
    serializer_class = JobSerializer
    filterset_fields = ["kind", "status"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, public_id=None):
        job = access_job_for_write(user=request.user, id=public_id)
        try:
            job = job_cancel(job=job, actor=request.user)
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(JobSerializer(job).data)


API_ROUTES = [("jobs", JobViewSet, "api-job")]
