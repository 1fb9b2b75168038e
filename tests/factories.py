"""factory_boy factories for the cast and for bulk data."""

from __future__ import annotations

from decimal import Decimal

import factory

from accounts.models import Account, AccountType, Client, Firm, Role, User

TEST_PASSWORD = "correct-horse-battery-9"


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Firm {n}")
    slug = factory.Sequence(lambda n: f"firm-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    firm = factory.SubFactory(FirmFactory)
    role = Role.ADVISOR
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    firm = factory.LazyAttribute(lambda c: c.advisor.firm)
    advisor = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Household {n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    client = factory.SubFactory(ClientFactory)
    firm = factory.LazyAttribute(lambda a: a.client.firm)
    name = factory.Sequence(lambda n: f"Account {n}")
    account_type = AccountType.TAXABLE
    custodian = "Schwab"
    account_number = factory.Sequence(lambda n: f"ACC{n:08d}")
    cash_balance = Decimal("1000.00")
