"""API shapes. Related fields resolve only inside the caller's firm (see FirmRelatedField)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import EMAIL_STATES, Account, Client, Invitation, Role, User
from accounts.rate_fields import rate_field
from portfolios.models import Strategy


class FirmRelatedField(serializers.SlugRelatedField):
    """A related row named by its public id, looked up only in `visible_to(request.user)`.

    Another firm's id is answered exactly like an id that does not exist.
    """

    default_error_messages = {
        "does_not_exist": "No such {name} in your firm.",
        "invalid": "Not a valid id.",
    }

    def __init__(self, *, model, label_name: str | None = None, base_filter=None, **kwargs):
        self.model = model
        self.label_name = label_name or model._meta.verbose_name
        self.base_filter = base_filter or {}
        kwargs.setdefault("slug_field", "public_id")
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        return self.model.objects.visible_to(request.user).filter(**self.base_filter)

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except (self.model.DoesNotExist, DjangoValidationError, ValueError, TypeError):
            self.fail("does_not_exist", name=self.label_name)


class AdvisorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    client_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "role", "is_active", "client_count"]
        read_only_fields = ["id", "name", "email", "role", "client_count"]


class InvitationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    accept_url = serializers.SerializerMethodField()
    email_state = serializers.ChoiceField(
        choices=EMAIL_STATES,
        read_only=True,
        help_text="The invitation e-mail: sent, failed (see email_error), queued, or never asked.",
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "created_at",
            "expires_at",
            "accepted_at",
            "accept_url",
            "email_state",
            "email_sent_at",
            "email_error",
        ]
        read_only_fields = [
            "created_at",
            "expires_at",
            "accepted_at",
            "accept_url",
            "email_sent_at",
            "email_error",
        ]

    def get_accept_url(self, invitation: Invitation) -> str:
        request = self.context.get("request")
        path = f"/invite/{invitation.token}/"
        if invitation.accepted_at is not None:
            return ""
        return request.build_absolute_uri(path) if request else path


class AccountSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = FirmRelatedField(model=Client, label_name="client")
    strategy = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Strategy.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    account_number = serializers.CharField(write_only=True, max_length=40)
    account_number_masked = serializers.CharField(source="masked_account_number", read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "client",
            "name",
            "account_type",
            "custodian",
            "account_number",
            "account_number_masked",
            "strategy",
            "lot_relief_method",
            "cash_balance",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ClientSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    advisor = FirmRelatedField(
        model=User,
        label_name="advisor",
        required=False,
        base_filter={"role__in": [Role.ADVISOR, Role.FIRM_ADMIN], "is_active": True},
    )
    short_term_rate = rate_field(
        help_text="Combined marginal rate on short-term gains (federal, state, NIIT).",
        minimum="0",
        maximum="0.9",
        max_digits=5,
        decimal_places=4,
        required=False,
    )
    long_term_rate = rate_field(
        help_text="Combined rate on long-term gains (federal, state, NIIT).",
        minimum="0",
        maximum="0.9",
        max_digits=5,
        decimal_places=4,
        required=False,
    )
    account_count = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "advisor",
            "email",
            "phone",
            "filing_status",
            "short_term_rate",
            "long_term_rate",
            "notes",
            "account_count",
            "last_activity_at",
            "created_at",
        ]
        read_only_fields = ["last_activity_at", "created_at"]

    def get_account_count(self, client: Client) -> int:
        return len(client.accounts.all())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["advisor"] = str(instance.advisor.public_id)
        return data
