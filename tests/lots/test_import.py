"""Holdings upload: preview, every bad-input case (row and column named, nothing imported),
add/replace, cash, legacy names with an advisor price, Excel, the job for large files."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from portfolios.lots import holdings_import as import_writes
from portfolios.lots import services
from portfolios.models import ImportBatch, Price, Security, TaxLot, Trade

HEADER = "account,ticker,shares,acquired_on,cost_basis,lot_id"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def upload(cast, content: bytes, *, filename="holdings.csv", mode="add", firm="a"):
    f = getattr(cast, firm)
    return services.holdings_upload(
        client=f.client, actor=f.advisor, filename=filename, content=content, mode=mode
    )


def lots_of(account) -> list[tuple]:
    return list(
        TaxLot.objects.filter(account=account)
        .order_by("security__ticker", "acquired_on")
        .values_list("security__ticker", "lot_ref", "shares", "cost_basis", "acquired_on")
    )


def test_upload_previews_then_imports_the_lots_as_written(cast, securities):
    a = cast.a
    content = csv_bytes(
        f"{a.account.account_number},AAPL,10,2020-01-15,1500.00,A1",
        'alpha brokerage,MSFT,5,2025-06-01,"$2,000.50",',
        "ALPHA BROKERAGE,AAPL,2.5,03/04/2024,400,A2",
        "",
        f"{a.ira.account_number},CASH,1234.5,,,",
    )
    batch = upload(cast, content)
    assert batch.status == "previewed" and batch.errors == []
    # The preview saved nothing but the batch.
    assert TaxLot.objects.count() == 0 and Trade.objects.count() == 0
    preview = services.holdings_preview_load(batch=batch)
    assert preview["lot_count"] == 3
    assert [r["row"] for r in preview["rows"]] == [2, 3, 4]  # spreadsheet rows; row 5 blank

    result = services.holdings_import(batch=batch, actor=a.advisor)
    assert result.is_imported and result.lots == 3 and result.cash_accounts == 1
    batch.refresh_from_db()
    assert batch.status == "imported"
    ref_msft = f"{batch.public_id.hex[:6]}-r3"  # no lot id in the file: generated from the row
    assert lots_of(a.account) == [
        ("AAPL", "A1", Decimal("10"), Decimal("1500.00"), date(2020, 1, 15)),
        ("AAPL", "A2", Decimal("2.5"), Decimal("400.00"), date(2024, 3, 4)),
        ("MSFT", ref_msft, Decimal("5"), Decimal("2000.50"), date(2025, 6, 1)),
    ]
    assert all(lot.import_batch_id == batch.pk for lot in TaxLot.objects.all())
    opening = Trade.objects.filter(account=a.account).order_by("trade_date")
    assert [(t.action, t.source, t.trade_date, t.amount) for t in opening] == [
        ("BUY", "opening", date(2020, 1, 15), Decimal("1500.00")),
        ("BUY", "opening", date(2024, 3, 4), Decimal("400.00")),
        ("BUY", "opening", date(2025, 6, 1), Decimal("2000.50")),
    ]
    a.ira.refresh_from_db()
    a.account.refresh_from_db()
    assert a.ira.cash_balance == Decimal("1234.50")
    assert a.account.cash_balance == Decimal("1000.00")  # no cash row: unchanged
    with pytest.raises(ValidationError, match="already imported"):
        services.holdings_import(batch=batch, actor=a.advisor)


def problems_of(batch) -> list[tuple]:
    return [(p["row"], p["column"], p["message"]) for p in batch.errors]


def assert_nothing_imported(batch) -> None:
    assert batch.status == "rejected"
    assert TaxLot.objects.count() == 0
    assert Trade.objects.count() == 0
    with pytest.raises(ValidationError, match="problems"):
        services.holdings_confirm(batch=batch, actor=batch.uploaded_by)
    assert TaxLot.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (
            "account,ticker,shares,acquired_on",
            "{acct},AAPL,1,2020-01-02",
            (1, "cost_basis", "missing column cost_basis"),
        ),
        (
            HEADER + ",colour",
            "{acct},AAPL,1,2020-01-02,100,,red",
            (1, "colour", "unexpected column 'colour'"),
        ),
        (HEADER, "99999999,AAPL,1,2020-01-02,100,", (2, "account", "no account '99999999'")),
        (HEADER, "{acct},AAPL,0,2020-01-02,100,", (2, "shares", "greater than zero")),
        (HEADER, "{acct},AAPL,-3,2020-01-02,100,", (2, "shares", "greater than zero")),
        (HEADER, "{acct},AAPL,ten,2020-01-02,100,", (2, "shares", "'ten' is not a number")),
        (HEADER, "{acct},AAPL,1,2999-01-02,100,", (2, "acquired_on", "in the future")),
        (HEADER, "{acct},AAPL,1,2020-13-45,100,", (2, "acquired_on", "is not a date")),
        (HEADER, "{acct},AAPL,1,2020-01-02,abc,", (2, "cost_basis", "'abc' is not a number")),
        (HEADER, "{acct},AAPL,1,2020-01-02,-5,", (2, "cost_basis", "must not be negative")),
        (HEADER, "{acct},NOPE,1,2020-01-02,100,", (2, "ticker", "not in the security master")),
        (HEADER, "{acct},,1,2020-01-02,100,", (2, "ticker", "required")),
    ],
)
def test_each_bad_input_names_row_and_column_and_imports_nothing(
    cast, securities, header, row, expected
):
    content = csv_bytes(row.format(acct=cast.a.account.account_number), header=header)
    batch = upload(cast, content)
    problems = problems_of(batch)
    assert len(problems) == 1, problems
    assert problems[0][:2] == expected[:2]
    assert expected[2] in problems[0][2]
    assert_nothing_imported(batch)


def test_every_problem_of_the_file_is_listed(cast, securities):
    acct = cast.a.account.account_number
    content = csv_bytes(
        f"{acct},AAPL,1,2020-01-02,100,L1",
        f"{acct},AAPL,-1,2020-01-02,100,L2",
        f"{acct},MSFT,1,2020-01-02,n/a,L1",
        f"{acct},AAPL,1,tomorrow,100,L4",
    )
    batch = upload(cast, content)
    assert problems_of(batch) == [
        (3, "shares", "must be greater than zero (got -1)"),
        (4, "cost_basis", "'n/a' is not a number"),
        (4, "lot_id", "duplicate lot id 'L1' in account alpha brokerage (also on row 2)"),
        (5, "acquired_on", "'tomorrow' is not a date (use YYYY-MM-DD)"),
    ]
    assert_nothing_imported(batch)


def test_another_firms_or_households_account_reads_like_an_unknown_one(cast, securities):
    """Never reveal that an account number exists elsewhere."""
    messages = []
    for number in ("00000000", cast.b.account.account_number, cast.a.other_account.account_number):
        batch = upload(cast, csv_bytes(f"{number},AAPL,1,2020-01-02,100,"))
        (problem,) = problems_of(batch)
        messages.append(problem[2].replace(number, "N"))
        assert problem[:2] == (2, "account")
    assert messages[0] == messages[1] == messages[2]
    assert "bravo" not in str(messages)


def test_a_future_date_is_refused_even_tomorrow(cast, securities):
    tomorrow = timezone.localdate().toordinal() + 1
    day = date.fromordinal(tomorrow).isoformat()
    batch = upload(cast, csv_bytes(f"{cast.a.account.account_number},AAPL,1,{day},100,"))
    assert problems_of(batch) == [(2, "acquired_on", f"{day} is in the future")]


@pytest.mark.parametrize(
    ("filename", "content", "fragment"),
    [
        ("holdings.pdf", b"%PDF-1.4 binary", "is not a CSV or Excel file"),
        ("holdings.csv", b"PK\x03\x04\x00\x00binary", "is not a CSV file"),
        ("holdings.xlsx", b"account,ticker\n", "is not an Excel (.xlsx) file"),
        ("holdings.xls", b"\xd0\xcf\x11\xe0", "Old Excel .xls files are not read"),
        ("holdings.csv", b"", "The file is empty"),
    ],
)
def test_a_file_that_is_not_csv_or_excel_is_refused(cast, securities, filename, content, fragment):
    # issue 9: a file refused whole leaves nothing behind (no batch, no stored file).
    with pytest.raises(ValidationError) as refused:
        upload(cast, content, filename=filename)
    (message,) = refused.value.message_dict["file"]
    assert fragment in message
    assert ImportBatch.objects.count() == 0
    assert TaxLot.objects.count() == 0 and Trade.objects.count() == 0


def test_a_50_mb_file_is_refused_by_size_before_reading(client, cast, settings):
    client.force_login(cast.a.advisor)
    big = SimpleUploadedFile("big.csv", b"x" * (50 * 1024 * 1024), content_type="text/csv")
    response = client.post(
        reverse("holdings-upload", kwargs={"client_id": cast.a.client.public_id}),
        {"file": big, "mode": "add"},
    )
    assert response.status_code == 200
    assert "The file is 50.0 MB; the limit is 20 MB." in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_duplicate_lot_id_against_existing_lots_in_add_mode_but_not_in_replace(cast, securities):
    a = cast.a
    first = upload(cast, csv_bytes(f"{a.account.account_number},AAPL,10,2020-01-15,1500,A1"))
    services.holdings_import(batch=first, actor=a.advisor)
    again = csv_bytes(f"{a.account.account_number},MSFT,3,2021-02-01,900,A1")
    added = upload(cast, again)
    assert problems_of(added) == [
        (
            2,
            "lot_id",
            "lot id 'A1' already exists in account alpha brokerage; "
            "choose 'replace' to load the account afresh",
        )
    ]
    replaced = upload(cast, again, mode="replace")
    assert replaced.status == "previewed"
    assert services.holdings_preview_load(batch=replaced)["replaced_trades"] == 1
    services.holdings_import(batch=replaced, actor=a.advisor)
    assert lots_of(a.account) == [("MSFT", "A1", Decimal("3"), Decimal("900"), date(2021, 2, 1))]


def test_add_mode_keeps_the_lots_of_the_account_and_of_other_accounts(cast, securities):
    a = cast.a
    services.holdings_import(
        batch=upload(cast, csv_bytes(f"{a.ira.account_number},AAPL,1,2019-01-02,100,I1")),
        actor=a.advisor,
    )
    services.holdings_import(
        batch=upload(cast, csv_bytes(f"{a.account.account_number},AAPL,2,2020-01-02,300,B1")),
        actor=a.advisor,
    )
    services.holdings_import(
        batch=upload(cast, csv_bytes(f"{a.account.account_number},MSFT,1,2021-01-04,250,B2")),
        actor=a.advisor,
    )
    assert [lot[1] for lot in lots_of(a.account)] == ["B1", "B2"]
    assert [lot[1] for lot in lots_of(a.ira)] == ["I1"]


def test_legacy_holding_needs_a_price_then_is_flagged(client, cast, securities):
    a = cast.a
    content = csv_bytes(
        f"{a.account.account_number},OLDFUND,250,2015-06-01,5000.00,F1",
        f"{a.account.account_number},AAPL,1,2020-01-02,100,",
    )
    batch = upload(cast, content)
    assert problems_of(batch) == [
        (
            2,
            "ticker",
            "OLDFUND is not in the security master: give its price (price column, or in the "
            "preview) to import it as a legacy holding",
        )
    ]
    client.force_login(a.advisor)
    preview_url = reverse("holdings-preview", kwargs={"public_id": batch.public_id})
    page = client.get(preview_url).content.decode()
    assert "Price of OLDFUND" in page
    response = client.post(preview_url, {"mode": "add", "price_OLDFUND": "21.40"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "previewed", batch.errors
    assert "legacy" in client.get(preview_url).content.decode()
    assert Security.objects.filter(ticker="OLDFUND").count() == 0  # the preview saved nothing

    response = client.post(reverse("holdings-confirm", kwargs={"public_id": batch.public_id}))
    assert response.status_code == 302
    fund = Security.objects.get(ticker="OLDFUND")
    assert fund.firm == a.firm and fund.is_legacy
    price = Price.objects.get(security=fund)
    assert (price.close, price.source, price.date) == (
        Decimal("21.40"),
        "advisor",
        timezone.localdate(),
    )
    page = client.get(reverse("account-detail", kwargs={"public_id": a.account.public_id}))
    body = page.content.decode()
    assert "OLDFUND" in body and "legacy" in body
    assert "$5,350.00" in body  # 250 × 21.40
    # Another firm cannot see the legacy name.
    client.force_login(cast.b.advisor)
    assert client.get("/api/securities/OLDFUND/").status_code == 404


def test_price_column_makes_a_legacy_name_and_conflicting_prices_are_refused(cast, securities):
    acct = cast.a.account.account_number
    header = HEADER + ",price"
    clash = upload(
        cast,
        csv_bytes(
            f"{acct},OLDFUND,1,2015-06-01,10,,21.40",
            f"{acct},OLDFUND,2,2016-06-01,20,,22",
            header=header,
        ),
    )
    assert problems_of(clash) == [(3, "price", "OLDFUND is priced 22 here but 21.40 on row 2")]
    good = upload(cast, csv_bytes(f"{acct},OLDFUND,1,2015-06-01,10,,21.40", header=header))
    assert good.status == "previewed"
    preview = services.holdings_preview_load(batch=good)
    assert preview["rows"][0]["is_legacy"] and preview["new_legacy_tickers"] == ["OLDFUND"]


def test_confirm_checks_the_file_again(cast, securities):
    a = cast.a
    row = f"{a.account.account_number},AAPL,10,2020-01-15,1500,A1"
    stale = upload(cast, csv_bytes(row))
    services.holdings_import(batch=upload(cast, csv_bytes(row)), actor=a.advisor)
    result = services.holdings_import(batch=stale, actor=a.advisor)
    assert not result.is_imported
    stale.refresh_from_db()
    assert stale.status == "rejected" and "already exists" in stale.errors[0]["message"]
    assert TaxLot.objects.filter(account=a.account).count() == 1


def test_excel_upload_with_real_dates_and_numbers(cast, securities):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Account", "Symbol", "Quantity", "Acquisition Date", "Cost Basis", "Lot ID"])
    sheet.append([cast.a.account.name, "AAPL", 10, datetime(2020, 1, 15), 1500.25, "X1"])
    sheet.append([cast.a.account.account_number, "msft", 2.5, "2021-07-01", "1,000", None])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = upload(cast, buffer.getvalue(), filename="Holdings.XLSX")
    assert batch.status == "previewed", batch.errors
    services.holdings_import(batch=batch, actor=cast.a.advisor)
    ref = f"{batch.public_id.hex[:6]}-r3"
    assert lots_of(cast.a.account) == [
        ("AAPL", "X1", Decimal("10"), Decimal("1500.25"), date(2020, 1, 15)),
        ("MSFT", ref, Decimal("2.5"), Decimal("1000.00"), date(2021, 7, 1)),
    ]


def test_default_account_takes_rows_without_an_account(cast, securities):
    content = csv_bytes("AAPL,3,2022-05-02,600,", header="ticker,shares,acquired_on,cost_basis,lot")
    batch = services.holdings_upload(
        client=cast.a.client,
        actor=cast.a.advisor,
        filename="h.csv",
        content=content,
        default_account=cast.a.ira,
    )
    services.holdings_import(batch=batch, actor=cast.a.advisor)
    assert [lot[0] for lot in lots_of(cast.a.ira)] == ["AAPL"]
    with pytest.raises(ValidationError):
        services.holdings_upload(
            client=cast.a.client,
            actor=cast.a.advisor,
            filename="h.csv",
            content=content,
            default_account=cast.a.other_account,
        )


def test_pages_upload_preview_confirm(client, cast, securities):
    client.force_login(cast.a.advisor)
    url = reverse("holdings-upload", kwargs={"client_id": cast.a.client.public_id})
    content = csv_bytes(f"{cast.a.account.account_number},AAPL,4,2020-01-15,600,A9")
    response = client.post(url, {"file": SimpleUploadedFile("h.csv", content), "mode": "add"})
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "A9" in preview and "Import 1 lot" in preview
    batch = ImportBatch.objects.get()
    response = client.post(reverse("holdings-confirm", kwargs={"public_id": batch.public_id}))
    assert response["Location"] == reverse(
        "client-detail", kwargs={"public_id": cast.a.client.public_id}
    )
    assert TaxLot.objects.get().lot_ref == "A9"


def test_a_large_file_is_imported_by_a_job_with_progress(
    client, cast, securities, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_writes, "INLINE_IMPORT_MAX_ROWS", 2)
    acct = cast.a.account.account_number
    rows = [f"{acct},AAPL,1,2020-01-{day:02d},{100 + day},L{day}" for day in range(2, 12)]
    batch = upload(cast, csv_bytes(*rows))
    client.force_login(cast.a.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("holdings-confirm", kwargs={"public_id": batch.public_id}))
    job = Job.objects.get(kind="holdings_import")
    assert response["Location"] == reverse("job-detail", kwargs={"public_id": job.public_id})
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result["lots"] == 10
    assert TaxLot.objects.filter(account=cast.a.account).count() == 10
    assert job.progress == 100
    # The preview page now shows the job's progress bar, not the import button.
    preview = client.get(reverse("holdings-preview", kwargs={"public_id": batch.public_id}))
    assert "data-job-status-url" not in preview.content.decode()  # imported: no bar, no button
    assert "imported" in preview.content.decode()


def test_holdings_import_api_upload_preview_confirm(cast, securities):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.a.advisor)
    acct = cast.a.account.account_number
    content = csv_bytes(f"{acct},AAPL,3,2020-01-15,450,A1", f"{acct},NEWFUND,10,2019-05-01,80,")
    response = api.post(
        "/api/holdings-imports/",
        {"client": str(cast.a.client.public_id), "file": SimpleUploadedFile("h.csv", content)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "rejected"
    assert body["problems"][0]["row"] == 3 and body["problems"][0]["column"] == "ticker"
    assert body["preview"]["unpriced_tickers"] == ["NEWFUND"]
    confirm = f"/api/holdings-imports/{body['id']}/confirm/"
    response = api.post(confirm, {"prices": {"NEWFUND": "9.50"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["imported"]["lots"] == 2
    assert response.json()["imported"]["legacy_securities"] == 1
    assert api.post(confirm, {}, format="json").status_code == 400  # already imported
    # Another firm's client id is refused like a missing one; the client login may not upload.
    response = api.post(
        "/api/holdings-imports/",
        {"client": str(cast.b.client.public_id), "file": SimpleUploadedFile("h.csv", content)},
        format="multipart",
    )
    assert response.json() == {"client": ["No such client in your firm."]}
    api.force_authenticate(cast.a.client_user)
    assert api.get("/api/holdings-imports/").status_code == 403
