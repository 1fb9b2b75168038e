"""REST API for clients, accounts and advisors: the same services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api_base import FirmScopedViewSet
from accounts.filters import AccountFilter, ClientFilter
from accounts.models import Account, Client, Invitation, Role, User
from accounts.serializers import (
    AccountSerializer,
    AdvisorSerializer,
    ClientSerializer,
    InvitationSerializer,
)


def as_api_error(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class ClientViewSet(FirmScopedViewSet):
    """Households. Advisors see their own; firm admins the whole firm; clients their own."""

    model = Client
    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    search_fields = ["name", "email"]
    ordering_fields = ["name", "last_activity_at", "created_at"]
    list_select_related = ("advisor",)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def scope_queryset(self, queryset):
        return queryset.prefetch_related(
            Prefetch("accounts", queryset=Account.objects.only("id", "client"))
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        advisor = data.pop("advisor", None) or self.request.user
        try:
            serializer.instance = services.client_create(
                firm=self.request.user.firm, advisor=advisor, actor=self.request.user, **data
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error

    def perform_update(self, serializer):
        try:
            serializer.instance = services.client_update(
                client=serializer.instance, actor=self.request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class AccountViewSet(FirmScopedViewSet):
    """Financial accounts of the households the caller may see."""

    model = Account
    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    search_fields = ["name", "custodian"]
    ordering_fields = ["name", "created_at"]
    list_select_related = ("client", "strategy")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        try:
            serializer.instance = services.account_create(
                client=client, actor=self.request.user, **data
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "client" in data and data["client"].pk != serializer.instance.client_id:
            raise serializers.ValidationError({"client": "An account cannot move households."})
        data.pop("client", None)
        try:
            serializer.instance = services.account_update(
                account=serializer.instance, actor=self.request.user, **data
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class AdvisorViewSet(FirmScopedViewSet):
    """Advisors and admins of the firm (firm admins only); PATCH `is_active` to (de)activate."""

    model = User
    serializer_class = AdvisorSerializer
    allowed_roles = (Role.FIRM_ADMIN,)
    write_roles = (Role.FIRM_ADMIN,)
    search_fields = ["first_name", "last_name", "email"]
    ordering_fields = ["last_name", "email"]
    http_method_names = ["get", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        return selectors.advisors_among(users=queryset)

    def perform_update(self, serializer):
        is_active = serializer.validated_data.get("is_active")
        if is_active is None:
            return
        try:
            services.user_set_active(
                user=serializer.instance, actor=self.request.user, is_active=is_active
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


class InvitationViewSet(FirmScopedViewSet):
    """Invitations for new advisors or firm admins (firm admins only)."""

    model = Invitation
    serializer_class = InvitationSerializer
    allowed_roles = (Role.FIRM_ADMIN,)
    write_roles = (Role.FIRM_ADMIN,)
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        try:
            serializer.instance = services.invitation_create(
                firm=self.request.user.firm,
                invited_by=self.request.user,
                **serializer.validated_data,
            )
        except DjangoValidationError as error:
            raise as_api_error(error) from error


@extend_schema(tags=["auth"], summary="Exchange a username and password for an API token")
class TokenView(ObtainAuthToken):
    """Public by design: this is where API clients sign in. Throttled like the sign-in page."""

    is_public = True

    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", ""))
        address = request.META.get("REMOTE_ADDR")
        if services.login_is_throttled(username=username, ip_address=address):
            return Response(
                {"non_field_errors": ["Too many failed sign-in attempts. Wait 15 minutes."]},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            services.login_failure_record(username=username, ip_address=address)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        services.login_failures_clear(username=username)
        return super().post(request, *args, **kwargs)


API_ROUTES = [
    ("clients", ClientViewSet, "api-client"),
    ("accounts", AccountViewSet, "api-account"),
    ("advisors", AdvisorViewSet, "api-advisor"),
    ("invitations", InvitationViewSet, "api-invitation"),
]
