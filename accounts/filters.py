import django_filters

from accounts.models import Account, AccountType, Client


class ClientFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    advisor = django_filters.UUIDFilter(field_name="advisor__public_id")

    class Meta:
        model = Client
        fields = ["name", "advisor", "filing_status"]


class AccountFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client__public_id")
    account_type = django_filters.ChoiceFilter(choices=AccountType.choices)
    strategy = django_filters.CharFilter(field_name="strategy__slug")

    class Meta:
        model = Account
        fields = ["client", "account_type", "strategy", "is_active", "custodian"]
