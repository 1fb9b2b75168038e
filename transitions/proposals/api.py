"""API of proposals: list, read (with versions and their download links), generate (202 with
the render job), share, the client's review/acceptance, and the PDF download."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import as_api_error
from accounts.api_base import FirmScopedGenericViewSet
from accounts.models import EMAIL_STATES
from accounts.serializers import FirmRelatedField
from accounts.tenancy import ADVISOR_ROLES, ALL_FIRM_ROLES
from transitions.analysis.models import TransitionAnalysis
from transitions.proposals import services
from transitions.proposals.models import Proposal, ProposalVersion


class ProposalVersionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    download_url = serializers.SerializerMethodField()
    reviewed_by = serializers.CharField(source="reviewed_by.display_name", default=None)
    accepted_by = serializers.CharField(source="accepted_by.display_name", default=None)

    class Meta:
        model = ProposalVersion
        fields = [
            "id",
            "number",
            "created_at",
            "pages",
            "file_size",
            "sha256",
            "changes",
            "summary",
            "reviewed_at",
            "reviewed_by",
            "accepted_at",
            "accepted_by",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("api-proposal-download", kwargs={"public_id": obj.proposal.public_id}) + (
            f"?version={obj.number}"
        )


class ProposalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = serializers.UUIDField(source="client.public_id", read_only=True)
    account = serializers.UUIDField(source="account.public_id", read_only=True)
    analysis = serializers.UUIDField(source="analysis.public_id", read_only=True)
    current_version = ProposalVersionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "client",
            "account",
            "analysis",
            "status",
            "recommended_scenario",
            "shown_scenarios",
            "advisor_note",
            "current_version",
            "shared_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProposalDetailSerializer(ProposalSerializer):
    versions = ProposalVersionSerializer(many=True, read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "versions"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.UUID)
class AnalysisIdField(FirmRelatedField):
    """A transition analysis of the caller's firm, by its public id."""


@extend_schema_field(OpenApiTypes.UUID)
class ProposalIdField(FirmRelatedField):
    """A proposal of the caller's firm, by its public id."""


class ProposalGenerateSerializer(serializers.Serializer):
    analysis = AnalysisIdField(model=TransitionAnalysis, label_name="analysis")
    recommended_scenario = serializers.CharField(max_length=60)
    shown_scenarios = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list
    )
    advisor_note = serializers.CharField(required=False, allow_blank=True, default="")
    proposal = ProposalIdField(
        model=Proposal,
        label_name="proposal",
        required=False,
        allow_null=True,
        help_text="An existing proposal of the same account: the next version of it.",
    )


class ProposalShareSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ProposalGeneratedSerializer(ProposalSerializer):
    """A generation's answer: the proposal and the job that renders its new version."""

    job = serializers.UUIDField(read_only=True, help_text="The render job (GET /api/jobs/<id>/).")

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "job"]
        read_only_fields = fields


class ProposalSharedSerializer(ProposalSerializer):
    """A share's answer: the proposal, the client invitation's link when the household had no
    login yet, and the state of the e-mail that tells the client (sent after the commit)."""

    invitation_url = serializers.URLField(
        read_only=True, allow_null=True, help_text="Set when a client invitation was made."
    )
    share_email_to = serializers.EmailField(read_only=True, allow_blank=True)
    share_email_state = serializers.ChoiceField(
        choices=EMAIL_STATES,
        read_only=True,
        help_text='"" when no e-mail was asked for (an invitation e-mail goes instead).',
    )
    share_email_sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    share_email_error = serializers.CharField(read_only=True, allow_blank=True)

    class Meta(ProposalSerializer.Meta):
        fields = [
            *ProposalSerializer.Meta.fields,
            "invitation_url",
            "share_email_to",
            "share_email_state",
            "share_email_sent_at",
            "share_email_error",
        ]
        read_only_fields = fields


class ProposalRespondSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    decision = serializers.ChoiceField(choices=["reviewed", "accepted"])


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FirmScopedGenericViewSet):
    """Proposals the user may see: advisors their households', a client its own once shared."""

    model = Proposal
    serializer_class = ProposalSerializer
    allowed_roles = ALL_FIRM_ROLES
    write_roles = ALL_FIRM_ROLES  # each action checks its own role below
    list_select_related = ("client", "account", "analysis", "current_version")
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "head", "options"]

    def scope_queryset(self, queryset):
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("versions__proposal")
        client = self.request.query_params.get("client")
        if client and self.action == "list":
            queryset = queryset.filter(client__public_id=client)
        return queryset

    def get_serializer_class(self):
        return ProposalDetailSerializer if self.action == "retrieve" else ProposalSerializer

    def _advisor_only(self, request):
        if request.user.role not in ADVISOR_ROLES:
            return Response(
                {"detail": "Your role may not change this."}, status=status.HTTP_403_FORBIDDEN
            )
        return None

    @extend_schema(request=ProposalGenerateSerializer, responses={202: ProposalGeneratedSerializer})
    def create(self, request, *args, **kwargs):
        """Generate a proposal (or the next version of one) from a finished, current analysis:
        202 with the proposal and its render job; refused with the reason otherwise."""
        refusal = self._advisor_only(request)
        if refusal:
            return refusal
        body = ProposalGenerateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            proposal, job = services.proposal_generate(
                analysis=data["analysis"],
                actor=request.user,
                recommended=data["recommended_scenario"],
                shown=data["shown_scenarios"],
                note=data["advisor_note"],
                proposal=data.get("proposal"),
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        proposal.refresh_from_db()
        proposal.job = job.public_id
        answer = ProposalGeneratedSerializer(proposal, context=self.get_serializer_context()).data
        return Response(answer, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ProposalShareSerializer, responses={200: ProposalSharedSerializer})
    @action(detail=True, methods=["post"])
    def share(self, request, public_id=None):
        """Share with the household's client; a client without a login gets an invitation."""
        refusal = self._advisor_only(request)
        if refusal:
            return refusal
        proposal = self.get_object()
        body = ProposalShareSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            outcome = services.proposal_share(
                proposal=proposal, actor=request.user, email=body.validated_data["email"]
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        invitation = outcome["invitation"]
        proposal.refresh_from_db()
        proposal.invitation_url = (
            request.build_absolute_uri(f"/invite/{invitation.token}/") if invitation else None
        )
        return Response(
            ProposalSharedSerializer(proposal, context=self.get_serializer_context()).data
        )

    @extend_schema(request=ProposalRespondSerializer, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, public_id=None):
        """The household's client marks the current version reviewed or accepted."""
        proposal = self.get_object()
        if not request.user.is_client_user:
            return Response(
                {"detail": "Only the household's client answers its proposal."},
                status=status.HTTP_403_FORBIDDEN,
            )
        body = ProposalRespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            proposal = services.proposal_respond(
                proposal=proposal,
                actor=request.user,
                version_number=body.validated_data["version"],
                decision=body.validated_data["decision"],
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error
        return Response(ProposalSerializer(proposal, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="default: the current one")],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, public_id=None):
        """The PDF of a version (the current one by default)."""
        proposal = self.get_object()
        number = request.query_params.get("version")
        versions = ProposalVersion.objects.filter(proposal=proposal)
        try:
            version = versions.get(number=int(number)) if number else proposal.current_version
        except (ProposalVersion.DoesNotExist, ValueError):
            version = None
        if version is None or not version.file:
            raise Http404("No such version.")
        return FileResponse(
            version.file.open("rb"),
            as_attachment=True,
            filename=f"proposal-v{version.number}-{version.created_at:%Y-%m-%d}.pdf",
            content_type="application/pdf",
        )


API_ROUTES = [("proposals", ProposalViewSet, "api-proposal")]
