"""Demo firms, logins, households and accounts (idempotent: keyed by slug, username, number)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import Account, AccountType, Client, FilingStatus, Firm, Role, User

DEMO_PASSWORD = "pma-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    firm: str
    note: str


DEMO_FIRMS = [
    {
        "slug": "harbor-point",
        "name": "Harbor Point Advisors",
        "prefix": "harbor",
        "advisors": [
            ("Alice", "Admin", Role.FIRM_ADMIN),
            ("Ben", "Carter", Role.ADVISOR),
            ("Chloe", "Diaz", Role.ADVISOR),
        ],
        "clients": [
            (
                "The Morgan Household",
                1,
                FilingStatus.MARRIED_JOINT,
                [
                    ("Joint brokerage", AccountType.TAXABLE, "Schwab"),
                    ("Pat Morgan IRA", AccountType.TRADITIONAL_IRA, "Schwab"),
                ],
            ),
            (
                "Riley Chen",
                1,
                FilingStatus.SINGLE,
                [
                    ("Individual", AccountType.TAXABLE, "Fidelity"),
                    ("Roth IRA", AccountType.ROTH_IRA, "Fidelity"),
                ],
            ),
            (
                "The Okafor Family Trust",
                2,
                FilingStatus.MARRIED_JOINT,
                [("Trust account", AccountType.TAXABLE, "Pershing")],
            ),
            (
                "Sam Patel",
                2,
                FilingStatus.HEAD_OF_HOUSEHOLD,
                [
                    ("Individual", AccountType.TAXABLE, "Schwab"),
                    ("Rollover IRA", AccountType.TRADITIONAL_IRA, "Schwab"),
                ],
            ),
        ],
    },
    {
        "slug": "summit-ridge",
        "name": "Summit Ridge Wealth",
        "prefix": "summit",
        "advisors": [
            ("Dana", "Admin", Role.FIRM_ADMIN),
            ("Eli", "Foster", Role.ADVISOR),
            ("Fay", "Grant", Role.ADVISOR),
        ],
        "clients": [
            (
                "The Novak Household",
                1,
                FilingStatus.MARRIED_JOINT,
                [
                    ("Joint brokerage", AccountType.TAXABLE, "Fidelity"),
                    ("IRA", AccountType.TRADITIONAL_IRA, "Fidelity"),
                ],
            ),
            (
                "Jordan Reyes",
                1,
                FilingStatus.SINGLE,
                [("Individual", AccountType.TAXABLE, "Schwab")],
            ),
            (
                "The Lindqvist Household",
                2,
                FilingStatus.MARRIED_SEPARATE,
                [
                    ("Individual", AccountType.TAXABLE, "Pershing"),
                    ("Roth IRA", AccountType.ROTH_IRA, "Pershing"),
                ],
            ),
        ],
    },
]


def _user(*, username: str, firm: Firm, role: str, first: str, last: str, client=None) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "firm": firm,
            "role": role,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.com",
            "client": client,
            "is_active": True,
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def demo_firms_seed() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    staff, _ = User.objects.update_or_create(
        username="platform-staff",
        defaults={
            "is_staff": True,
            "is_superuser": True,
            "email": "staff@example.com",
            "first_name": "Platform",
            "last_name": "Staff",
        },
    )
    staff.set_password(DEMO_PASSWORD)
    staff.save(update_fields=["password"])
    logins.append(DemoLogin("platform-staff", "platform staff", "—", "admin site at /admin/"))
    for firm_index, spec in enumerate(DEMO_FIRMS):
        firm, _ = Firm.objects.update_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
        people = []
        for index, (first, last, role) in enumerate(spec["advisors"]):
            username = (
                f"{spec['prefix']}-admin"
                if role == Role.FIRM_ADMIN
                else (f"{spec['prefix']}-advisor{index}")
            )
            people.append(_user(username=username, firm=firm, role=role, first=first, last=last))
            logins.append(DemoLogin(username, Role(role).label, firm.name, ""))
        first_client = None
        for client_index, (name, advisor_index, status, accounts) in enumerate(spec["clients"]):
            client, _ = Client.objects.update_or_create(
                firm=firm,
                name=name,
                defaults={
                    "advisor": people[advisor_index],
                    "filing_status": status,
                    "email": f"{spec['prefix']}.client{client_index}@example.com",
                },
            )
            first_client = first_client or client
            for account_index, (account_name, account_type, custodian) in enumerate(accounts):
                # Distinct last four digits, so the masked numbers tell accounts apart.
                number = f"{4100 + firm_index}-{5317 + 211 * client_index + 37 * account_index}"
                Account.objects.update_or_create(
                    firm=firm,
                    account_number=number,
                    defaults={
                        "client": client,
                        "name": account_name,
                        "account_type": account_type,
                        "custodian": custodian,
                        "cash_balance": Decimal("2500.00") * (account_index + 1),
                    },
                )
        username = f"{spec['prefix']}-client"
        _user(
            username=username,
            firm=firm,
            role=Role.CLIENT,
            first="Demo",
            last="Client",
            client=first_client,
        )
        logins.append(DemoLogin(username, "Client", firm.name, f"reads {first_client.name}"))
    return logins
