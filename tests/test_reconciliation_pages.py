"""Numbers that reconcile (issue 9) on the demo's pages, and as a property of the selectors.

The demo is seeded once for the module (inside a transaction rolled back at the end); every
demo advisor and firm admin reads the dashboard and every client page they can reach, and the
numbers shown add up to the cent: account rows to the household total, household rows to the
book total, realized-gains rows to their part and overall totals. Each account's value is also
worked out independently here, from the lots and the price table (the latest close by date,
shares × close rounded half up to the cent per lot, plus cash). Every number is read from a
cell's data- attribute, and the cell's visible text must say the same amount.

Then a hypothesis property over random lots, prices and cash: the selectors' account, household
and book values are the sums of money_round(shares × price) of the lines plus cash.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CENT = Decimal("0.01")
CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def cents(value: Decimal) -> Decimal:
    """Half up to the cent, as tax forms are filled in (written here, not the product's)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def shown_money(text: str) -> Decimal:
    """'$1,234.56' → 1234.56, '−$90.00' → -90.00; anything else fails the test."""
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
    match = re.fullmatch(r"(−?)\$(\d{1,3}(?:,\d{3})*\.\d{2})", text)
    assert match, f"not a money amount: {text!r}"
    amount = Decimal(match.group(2).replace(",", ""))
    return -amount if match.group(1) else amount


def cells(body: str, attribute: str) -> list[tuple[dict, str]]:
    """(attributes, inner html) of every td/th carrying `attribute`, in page order."""
    found = []
    for _tag, attributes, inner in CELL.findall(body):
        attrs = dict(ATTRIBUTE.findall(attributes))
        if attribute in attrs:
            found.append((attrs, inner))
    return found


def amounts(body: str, attribute: str) -> list[Decimal]:
    """The amounts in `attribute` of the cells, each checked against the cell's visible text."""
    values = []
    for attrs, inner in cells(body, attribute):
        value = Decimal(attrs[attribute])
        assert shown_money(inner) == value, (attribute, attrs[attribute], inner)
        values.append(value)
    return values


def section(body: str, marker: str) -> str:
    """The table that carries `marker` (an attribute), so that two tables are not mixed."""
    match = re.search(rf"<table[^>]*\b{marker}\b[^>]*>(.*?)</table>", body, re.S)
    assert match, marker
    return match.group(1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--quick", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def _portal_people():
    from accounts.models import Role, User

    return list(
        User.objects.filter(
            firm__isnull=False, role__in=[Role.ADVISOR, Role.FIRM_ADMIN], is_active=True
        ).order_by("username")
    )


def _independent_account_value(account) -> Decimal | None:
    """Lots × latest close (by date, from the price table), rounded per lot, plus cash; None
    for an account with neither lots nor a cash ledger (the page shows a blank)."""
    from portfolios.models import CashEntry, Price, TaxLot

    lots = list(TaxLot.objects.filter(account=account).values_list("security_id", "shares"))
    if not lots and not CashEntry.objects.filter(account=account).exists():
        return None
    total = Decimal("0")
    for security_id, shares in lots:
        latest = Price.objects.filter(security_id=security_id).order_by("-date").first()
        if latest is not None:
            total += cents(shares * latest.close)
    return total + account.cash_balance


def test_the_demo_has_something_to_add_up(demo, db):
    from accounts.models import Account
    from portfolios.models import TaxLot

    people = _portal_people()
    assert len(people) >= 4
    assert TaxLot.objects.count() > 20
    assert Account.objects.filter(tax_lots__isnull=False).distinct().count() >= 4


def test_client_pages_account_rows_sum_to_the_household_total(demo, db, client):
    """Every client page of every demo advisor: each account row is that account's own value
    (worked out independently), and the footer is the sum of the rows, to the cent."""
    from accounts.models import Account, Client

    checked_rows = 0
    for person in _portal_people():
        client.force_login(person)
        for household in Client.objects.visible_to(person):
            body = client.get(reverse("client-detail", args=[household.public_id])).content
            table = section(body.decode(), "data-household-accounts")
            rows = amounts(table, "data-value")
            totals = amounts(table, "data-total")
            if not rows:
                assert totals == []
                continue
            assert totals == [sum(rows)], (person.username, household.name)
            expected = [
                value
                for account in Account.objects.filter(client=household, is_active=True).order_by(
                    "name", "id"
                )
                if (value := _independent_account_value(account)) is not None
            ]
            assert rows == expected, (household.name, rows, expected)
            footer = re.search(r"total of (\d+) accounts?", table)
            assert footer and int(footer.group(1)) == len(rows)
            checked_rows += len(rows)
    assert checked_rows >= 8


def test_dashboard_household_rows_sum_to_the_book_total(demo, db, client):
    """The book total is the sum of the household rows shown, and each household row is the
    total its client page shows (the two pages agree to the cent)."""
    from accounts.models import Client

    for person in _portal_people():
        client.force_login(person)
        body = client.get(reverse("home")).content.decode()
        table = section(body, "data-book")
        rows = amounts(table, "data-value")
        assert rows, person.username
        assert amounts(table, "data-total") == [sum(rows)]
        footer = re.search(r"total of (\d+) households?", table)
        assert footer and int(footer.group(1)) == len(rows)
        page_totals = []
        for household in Client.objects.visible_to(person).order_by("name"):
            page = client.get(reverse("client-detail", args=[household.public_id]))
            page_totals += amounts(
                section(page.content.decode(), "data-household-accounts"), "data-total"
            )
        assert rows == page_totals, person.username


def test_a_firm_admins_book_is_the_sum_of_its_advisors_books(demo, db, client):
    """Worked the other way round: a firm admin's book (the whole firm) = the advisors' own
    book totals added up, plus the households the admins advise themselves."""
    from accounts.models import Client, Role, User

    for admin in User.objects.filter(role=Role.FIRM_ADMIN, firm__isnull=False):
        client.force_login(admin)
        body = client.get(reverse("home")).content.decode()
        (admin_total,) = amounts(section(body, "data-book"), "data-total")
        added = Decimal("0")
        for advisor in User.objects.filter(firm=admin.firm, role=Role.ADVISOR):
            client.force_login(advisor)
            body = client.get(reverse("home")).content.decode()
            added += sum(amounts(section(body, "data-book"), "data-total"))
        client.force_login(admin)
        for household in Client.objects.filter(firm=admin.firm, advisor__role=Role.FIRM_ADMIN):
            page = client.get(reverse("client-detail", args=[household.public_id])).content
            added += sum(amounts(section(page.decode(), "data-household-accounts"), "data-total"))
        assert admin_total == added, admin.firm.name


def _realized_years(household) -> list[int]:
    from portfolios.lots.selectors import realized_gains_report

    this_year = timezone.localdate().year
    return sorted({*realized_gains_report(client=household, year=this_year).years, this_year})


def test_realized_gains_rows_sum_to_their_totals(demo, db, client):
    """Every household's realized-gains page, each year with sales: each part's footer is the
    sum of its rows, the overall totals the sum of both parts, and each row's gain is
    proceeds − basis + adjustment; the CSV's totals rows say the same."""
    from accounts.models import Client

    columns = ("proceeds", "cost_basis", "adjustment", "gain_loss")
    person = next(p for p in _portal_people() if p.is_firm_admin)
    client.force_login(person)
    parts_with_rows = 0
    for household in Client.objects.visible_to(person):
        for year in _realized_years(household):
            url = reverse("realized-gains", args=[household.public_id])
            body = client.get(url, {"year": year}).content.decode()
            overall = {c: Decimal("0") for c in columns}
            for part in ("I", "II"):
                match = re.search(
                    rf'<table class="f8949" data-part="{part}">(.*?)</table>', body, re.S
                )
                if not match:
                    continue
                parts_with_rows += 1
                table = match.group(1)
                rows: dict[str, list[Decimal]] = {c: [] for c in columns}
                for attrs, inner in cells(table, "data-value"):
                    value = Decimal(attrs["data-value"])
                    text = re.sub(r"<[^>]+>", "", inner).strip()
                    assert (value == 0 and not text) or shown_money(inner) == value
                    rows[attrs["data-column"]].append(value)
                for k in range(len(rows["proceeds"])):
                    assert rows["gain_loss"][k] == (
                        rows["proceeds"][k] - rows["cost_basis"][k] + rows["adjustment"][k]
                    )
                for attrs, inner in cells(table, "data-total"):
                    total = Decimal(attrs["data-total"])
                    assert shown_money(inner) == total
                    assert total == sum(rows[attrs["data-column"]]), (household.name, year)
                    overall[attrs["data-column"]] += total
            both = section(body, "data-overall")
            for attrs, inner in cells(both, "data-total"):
                assert Decimal(attrs["data-total"]) == overall[attrs["data-column"]]
                assert shown_money(inner) == overall[attrs["data-column"]]
            csv_text = client.get(
                reverse("realized-gains-csv", args=[household.public_id]), {"year": year}
            ).content.decode()
            total_line = csv_text.strip().splitlines()[-1].split(",")
            assert total_line[0] == "Total"
            assert [Decimal(total_line[k]) for k in (5, 6, 8, 9)] == [overall[c] for c in columns]
    assert parts_with_rows >= 2  # the demo's sales this year: something was added up


# ------------------------------------------------------------------ the property, on the selectors


lot_strategy = st.tuples(
    st.integers(min_value=0, max_value=2),  # which security
    st.integers(min_value=0, max_value=1),  # which account
    st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("5000"), places=6),
)
case_strategy = st.fixed_dictionaries(
    {
        "prices": st.lists(
            st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("9999"), places=6),
            min_size=3,
            max_size=3,
        ),
        "lots": st.lists(lot_strategy, min_size=0, max_size=8),
        "cash": st.lists(
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
            min_size=2,
            max_size=2,
        ),
    }
)


def test_selector_totals_are_sums_of_rounded_lines_plus_cash(cast):
    """For random lots, prices and cash in the two accounts of one household: each account's
    value = Σ money_round(shares × price) over its lots + cash; the household total (client
    page) and the household row (dashboard) = the sum of the account values shown."""
    from accounts.models import Account
    from accounts.selectors import client_dashboard_rows, household_values
    from portfolios.lots.cash import cash_entry_record
    from portfolios.models import Price, Security, TaxLot
    from portfolios.selectors import account_values

    a = cast.a
    accounts = [a.account, a.ira]

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(case=case_strategy)
    def check(case):
        with transaction.atomic():
            securities = [
                Security.objects.create(ticker=f"P{k}", name=f"Property {k}") for k in range(3)
            ]
            for security, close in zip(securities, case["prices"], strict=True):
                Price.objects.create(
                    security=security, date=date(2026, 1, 2), close=close, source="imported"
                )
                Price.objects.create(  # an older close that must not be used
                    security=security, date=date(2025, 1, 2), close=Decimal("1"), source="imported"
                )
            expected = {account.pk: Decimal("0") for account in accounts}
            for n, (which, where, shares) in enumerate(case["lots"]):
                TaxLot.objects.create(
                    firm=a.firm,
                    account=accounts[where],
                    security=securities[which],
                    shares=shares,
                    cost_basis=Decimal("1.00"),
                    acquired_on=date(2024, 1, 2 + n),
                    adjusted_acquired_on=date(2024, 1, 2 + n),
                )
                expected[accounts[where].pk] += cents(shares * case["prices"][which])
            for account, cash in zip(accounts, case["cash"], strict=True):
                Account.objects.filter(pk=account.pk).update(cash_balance=Decimal("0"))
                account.refresh_from_db()
                cash_entry_record(account=account, actor=a.advisor, kind="deposit", amount=cash)
                account.refresh_from_db()
                assert account.cash_balance == cash
                expected[account.pk] += cash
            values = account_values(accounts=accounts)
            assert values == expected
            household = household_values(user=a.advisor, client=a.client)
            assert [row.market_value for row in household.rows] == [
                expected[row.account.pk] for row in household.rows
            ]
            assert household.total == sum(expected.values())
            (row,) = [r for r in client_dashboard_rows(user=a.advisor) if r.client == a.client]
            assert row.market_value == household.total
            transaction.set_rollback(True)

    check()


def test_per_lot_rounding_is_what_adds_up(cast):
    """Two lots of 1 share at 10.125: each line shows $10.13, so the account is $20.26 (a
    single rounding of 20.25 would show $20.25 under two lines of $10.13)."""
    from portfolios.models import Price, Security, TaxLot
    from portfolios.selectors import market_values_by_account

    a = cast.a
    security = Security.objects.create(ticker="HALF", name="Half cent")
    Price.objects.create(
        security=security, date=date(2026, 1, 2), close=Decimal("10.125"), source="imported"
    )
    for n in range(2):
        TaxLot.objects.create(
            firm=a.firm,
            account=a.account,
            security=security,
            shares=Decimal("1"),
            cost_basis=Decimal("9"),
            acquired_on=date(2025, 1, 2 + n),
            adjusted_acquired_on=date(2025, 1, 2 + n),
        )
    assert market_values_by_account(account_ids=[a.account.pk]) == {a.account.pk: Decimal("20.26")}
