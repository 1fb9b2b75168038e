"""The account pages of the demo reconcile to the cent, read from what the page shows, and a
client finds no unexplained jargon on any page they can reach."""

from __future__ import annotations

import io
import re
from collections import deque
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urldefrag, urlparse

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def dollars(value: Decimal) -> str:
    """Money as the pages write it, worked out here: '$1,234.50', '−$3.20'."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{'−' if rounded < 0 else ''}${abs(rounded):,.2f}"


def shown_price(value: Decimal) -> str:
    decimals = max(2, -value.normalize().as_tuple().exponent)
    return f"{value:,.{decimals}f}"


def shown_shares(value: Decimal) -> str:
    decimals = max(0, -value.normalize().as_tuple().exponent)
    return f"{value:,.{decimals}f}"


def _decimal(tag, attribute: str) -> Decimal:
    return Decimal(tag[attribute])


def _shares_cell(tag) -> Decimal:
    """The share count a cell carries, after checking its text is that count, every decimal."""
    value = _decimal(tag, "data-shares")
    assert tag.get_text(strip=True) == shown_shares(value)
    return value


def _money_cell(tag) -> Decimal:
    """The value a money cell carries, after checking its text is that value."""
    value = _decimal(tag, "data-value")
    assert tag.get_text(strip=True) == dollars(value)
    return value


def _account_page(client, account) -> BeautifulSoup:
    response = client.get(reverse("account-detail", kwargs={"public_id": account.public_id}))
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def _reconcile(soup) -> tuple[Decimal, int]:
    """Lots sum to positions, positions to the footer, positions + cash to the account total,
    each lot's shares x shown price to its shown value; answers the account total and the
    number of priced lots checked."""
    priced_lots = 0
    positions_sum = ZERO = Decimal("0")
    table = soup.select_one("table.positions")
    if table is None:  # no lots: the key figures still add up
        figures = soup.select_one('[data-testid="key-figures"]')
        cash = _money_cell(figures.select_one('[data-key="cash"]'))
        total = _money_cell(figures.select_one('[data-key="account-total"]'))
        assert total == cash
        return total, 0
    for row in table.select("tr[data-position]"):
        first_controlled = row.select_one("button[data-toggle-rows]")["aria-controls"].split()[0]
        key = first_controlled.removesuffix("-head")
        lots = table.select(f'tr.lot[data-lots-of="{key}"]')
        assert lots, row["data-position"]
        shares = _shares_cell(row.select_one("[data-shares]"))
        assert sum((_shares_cell(r.select_one("[data-shares]")) for r in lots), ZERO) == shares
        value_tag = row.select_one("[data-value]")
        if value_tag is None:  # unpriced: no lot has a value either
            assert all(r.select_one("[data-value]") is None for r in lots)
            continue
        price = _decimal(row.select_one("[data-price]"), "data-price")
        assert row.select_one("[data-price]").get_text(strip=True) == shown_price(price)
        lot_values = []
        for lot in lots:
            lot_shares = _shares_cell(lot.select_one("[data-shares]"))
            lot_price_tag = lot.select_one("[data-price]")
            assert lot_price_tag.get_text(strip=True) == shown_price(price)
            assert _decimal(lot_price_tag, "data-price") == price
            lot_value = _money_cell(lot.select_one("[data-value]"))
            # shares x the shown price is the shown value, to the cent
            assert dollars(lot_shares * price) == dollars(lot_value)
            lot_values.append(lot_value)
            priced_lots += 1
        value = _money_cell(value_tag)
        assert sum(lot_values, ZERO) == value
        positions_sum += value
    footer = table.select_one("tfoot")
    positions = _money_cell(footer.select_one('[data-total="positions"]'))
    cash = _money_cell(footer.select_one('[data-total="cash"]'))
    total = _money_cell(footer.select_one('[data-total="account"]'))
    assert positions == positions_sum
    assert positions + cash == total
    figures = soup.select_one('[data-testid="key-figures"]')
    assert _money_cell(figures.select_one('[data-key="account-total"]')) == total
    assert _money_cell(figures.select_one('[data-key="cash"]')) == cash
    return total, priced_lots


def test_every_demo_account_page_reconciles_to_the_cent(client):
    from accounts.models import Account, Role, User

    call_command("seed_demo", "--quick", stdout=io.StringIO())
    advisors = list(User.objects.filter(role=Role.ADVISOR).order_by("username"))
    assert advisors
    checked = lots_checked = 0
    for advisor in advisors:
        client.force_login(advisor)
        accounts = list(Account.objects.visible_to(advisor).select_related("client"))
        totals: dict[int, Decimal] = {}
        households: dict[int, Decimal] = {}
        for account in accounts:
            soup = _account_page(client, account)
            totals[account.pk], priced_lots = _reconcile(soup)
            lots_checked += priced_lots
            figures = soup.select_one('[data-testid="key-figures"]')
            households[account.pk] = _money_cell(figures.select_one('[data-key="household-total"]'))
            checked += 1
        # Each household total is the sum of its accounts' totals as their pages show them.
        for account in accounts:
            same = [a.pk for a in accounts if a.client_id == account.client_id]
            assert households[account.pk] == sum(totals[pk] for pk in same)
    assert checked >= 4
    assert lots_checked >= 10  # the demo's lots were read, not skipped


JARGON = [
    re.compile(r"\bex-ante\b", re.IGNORECASE),
    re.compile(r"\bpro[ -]rata\b", re.IGNORECASE),
    re.compile(r"\bTE\b"),
    re.compile(r"\bwash adj\.", re.IGNORECASE),
]


def _visible_words(soup) -> str:
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    titles = " ".join(
        tag[attribute]
        for attribute in ("title", "aria-label", "placeholder")
        for tag in soup.find_all(attrs={attribute: True})
    )
    return soup.get_text(" ", strip=True) + " " + titles


def test_a_client_reads_no_jargon_on_any_page_they_can_reach(client):
    from accounts.models import Role, User

    call_command("seed_demo", "--quick", stdout=io.StringIO())
    client_users = list(User.objects.filter(role=Role.CLIENT))
    assert client_users
    for user in client_users:
        client.force_login(user)
        seen: set[str] = set()
        queue = deque(["/"])
        pages = 0
        while queue:
            path = queue.popleft()
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path, follow=True)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            soup = BeautifulSoup(response.content.decode(), "html.parser")
            links = [a["href"] for a in soup.find_all("a", href=True)]
            words = _visible_words(soup)
            for pattern in JARGON:
                found = pattern.search(words)
                if found is not None:
                    context = words[max(0, found.start() - 60) : found.end() + 60]
                    pytest.fail(f"{path}: {found.group(0)!r} in …{context}…")
            for href in links:
                target = urlparse(urldefrag(href)[0])
                if target.netloc or not target.path.startswith("/"):
                    continue
                if target.path.startswith(("/static/", "/media/", "/admin/", "/api/")):
                    continue
                url = target.path + (f"?{target.query}" if target.query else "")
                if url not in seen and len(seen) + len(queue) < 300:
                    queue.append(url)
        assert pages >= 3  # the home page, the household and an account at least
