"""Hostile holdings files (issue 9): spreadsheet and zip bombs refused in seconds with bounded
memory, large files checked by a job, misread numbers refused with row and column, prices the
database cannot store refused at preview, NUL bytes and control characters refused, and a file
refused whole leaves nothing behind."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from jobs.models import Job
from pma_portal.text_safety import unsafe_character
from portfolios.lots import services
from portfolios.lots.reading import NumberRefused, number_parse
from portfolios.models import ImportBatch, Security, TaxLot

from .test_import import HEADER, csv_bytes, upload

MEMORY_BOUND = 64 * 1024 * 1024  # what refusing a bomb may allocate (Python heap, peak)


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(content: bytes, replace: dict[str, bytes | callable]) -> bytes:
    """The same .xlsx with some members replaced (bytes, or a function of the old bytes)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in replace:
                new = replace[info.filename]
                data = new(data) if callable(new) else new
            target.writestr(info.filename, data)
        for name, data in replace.items():  # new members
            if name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


def _sheet_bomb() -> bytes:
    """A few KB declaring 16,384 x 1,048,576 cells, with one cell in the last row and column."""
    base = _xlsx([["account", "ticker", "shares", "acquired_on", "cost_basis"]])

    def inflate(xml: bytes) -> bytes:
        text = xml.decode()
        start = text.index("<dimension ref=")
        end = text.index("/>", start) + 2
        text = text[:start] + '<dimension ref="A1:XFD1048576"/>' + text[end:]
        last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return text.replace("</sheetData>", last + "</sheetData>").encode()

    return _rewrite(base, {"xl/worksheets/sheet1.xml": inflate})


def _post_bounded(api: APIClient, client, content: bytes, filename: str):
    """POST the file to the API; the answer, the seconds taken and the peak heap growth."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = api.post(
            "/api/holdings-imports/",
            {"client": str(client.public_id), "file": SimpleUploadedFile(filename, content)},
            format="multipart",
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, time.monotonic() - started, peak


@pytest.fixture
def api(cast):
    api = APIClient()
    api.force_authenticate(cast.a.advisor)
    return api


def test_a_sheet_declaring_16384_by_1048576_cells_is_refused_with_bounded_memory(
    api, cast, securities
):
    bomb = _sheet_bomb()
    assert len(bomb) < 10_000
    response, seconds, peak = _post_bounded(api, cast.a.client, bomb, "bomb.xlsx")
    assert response.status_code == 400, response.content
    assert "1,048,576 rows x 16,384 columns" in response.json()["file"][0]
    assert peak < MEMORY_BOUND, f"{peak / 1e6:.0f} MB"
    assert seconds < 30  # a safety net against a hang; the real bound is the memory one
    assert ImportBatch.objects.count() == 0


def test_a_sheet_that_hides_its_size_is_still_bounded_by_rows(api, cast, securities, settings):
    """No <dimension>: the streaming read counts rows and stops at the limit."""
    settings.HOLDINGS_MAX_ROWS = 1_000
    bomb = _rewrite(
        _sheet_bomb(),
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b'<dimension ref="A1:XFD1048576"/>', b""
            )
        },
    )
    response, _, peak = _post_bounded(api, cast.a.client, bomb, "bomb.xlsx")
    assert response.status_code == 400
    assert "more than 1,000 rows" in response.json()["file"][0]
    assert peak < MEMORY_BOUND
    assert ImportBatch.objects.count() == 0


def test_a_zip_bomb_of_shared_strings_is_refused_before_it_is_inflated(api, cast, securities):
    base = _xlsx([["account", "ticker"], ["x", "AAPL"]])
    huge = b"<sst><si><t>" + b"A" * (80 * 1024 * 1024) + b"</t></si></sst>"
    bomb = _rewrite(base, {"xl/sharedStrings.xml": huge})
    assert len(bomb) < 1_000_000
    response, seconds, peak = _post_bounded(api, cast.a.client, bomb, "bomb.xlsx")
    assert response.status_code == 400
    assert "xl/sharedStrings.xml unpacks to 80 MB" in response.json()["file"][0]
    assert peak < MEMORY_BOUND, f"{peak / 1e6:.0f} MB"
    assert ImportBatch.objects.count() == 0


def test_the_total_uncompressed_size_is_bounded(api, cast, securities, settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024
    response, _, _ = _post_bounded(api, cast.a.client, _xlsx([["a"] * 200]), "h.xlsx")
    assert response.status_code == 400 and "unpacks to" in response.json()["file"][0]


def test_a_csv_of_a_million_lines_is_refused_at_once(api, cast, securities):
    content = csv_bytes(header=HEADER) + b"\n" * 1_000_000
    response, _, peak = _post_bounded(api, cast.a.client, content, "h.csv")
    assert response.status_code == 400
    assert "more than 250,000 rows" in response.json()["file"][0]
    assert peak < MEMORY_BOUND
    assert ImportBatch.objects.count() == 0


def test_a_csv_with_a_huge_header_is_refused(api, cast, securities):
    response, _, _ = _post_bounded(api, cast.a.client, b"a," * 100_000 + b"\n", "h.csv")
    assert response.status_code == 400 and "more than 64 columns" in response.json()["file"][0]


def test_a_large_file_is_checked_by_a_job_not_in_the_request(
    client, cast, securities, settings, django_capture_on_commit_callbacks
):
    settings.HOLDINGS_INLINE_CHECK_BYTES = 100
    acct = cast.a.account.account_number
    content = csv_bytes(*[f"{acct},AAPL,1,2020-01-{d:02d},100,L{d}" for d in range(2, 12)])
    client.force_login(cast.a.advisor)
    url = reverse("holdings-upload", kwargs={"client_id": cast.a.client.public_id})
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url, {"file": SimpleUploadedFile("h.csv", content), "mode": "add"})
    batch = ImportBatch.objects.get()
    assert batch.status == "checking" and batch.row_count == 0  # not parsed in the request
    page = client.get(response["Location"]).content.decode()
    assert "being checked" in page
    assert len(queued) == 1
    queued[0]()  # the job runs (eager Celery)
    job = Job.objects.get(kind="holdings_check")
    assert job.status == "done", job.error
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.row_count == 10


def test_a_large_file_refused_by_its_job_leaves_nothing(
    cast, securities, settings, django_capture_on_commit_callbacks
):
    settings.HOLDINGS_INLINE_CHECK_BYTES = 100
    bomb = _sheet_bomb()
    with django_capture_on_commit_callbacks(execute=True):
        upload(cast, bomb, filename="bomb.xlsx")
    job = Job.objects.get(kind="holdings_check")
    assert job.status == "failed" and "16,384 columns" in job.error
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", Decimal("1234.5")),
        ("1,234.50", Decimal("1234.50")),
        ("$1,234,567.5", Decimal("1234567.5")),
        ("(12.00)", Decimal("-12.00")),
        ("-12", Decimal("-12")),
        ("1E+3", Decimal("1000")),
        (".5", Decimal("0.5")),
    ],
)
def test_numbers_in_the_declared_us_format(text, expected):
    assert number_parse(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1.234,56", "ambiguous"),
        ("1,5", "ambiguous"),
        ("12,34", "ambiguous"),
        ("1.234.567", "more than one decimal point"),
        ("1,23,456", "ambiguous"),
        ("ten", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_ambiguous_numbers_are_refused_with_the_reason(text, fragment):
    with pytest.raises(NumberRefused, match=fragment):
        number_parse(text)


def test_a_european_number_is_refused_naming_row_and_column(cast, securities):
    acct = cast.a.account.account_number
    batch = upload(
        cast,
        csv_bytes(f'{acct},AAPL,"1.234,56",2020-01-02,100,', f'{acct},AAPL,2,2020-01-02,"1,5",'),
    )
    assert batch.status == "rejected"
    problems = [(p["row"], p["column"], p["message"]) for p in batch.errors]
    assert problems[0][:2] == (2, "shares") and "ambiguous" in problems[0][2]
    assert problems[1][:2] == (3, "cost_basis") and "ambiguous" in problems[1][2]
    assert TaxLot.objects.count() == 0


@pytest.mark.parametrize(
    ("price", "fragment"),
    [("1e20", "too large"), ("1e-7", "too small"), ("0.0000001", "too small")],
)
def test_a_price_the_database_cannot_store_is_refused_at_preview(cast, securities, price, fragment):
    acct = cast.a.account.account_number
    batch = upload(
        cast,
        csv_bytes(f"{acct},NEWCO,10,2020-01-02,100,,{price}", header=HEADER + ",price"),
    )
    assert batch.status == "rejected"
    row, column, message = (batch.errors[0][k] for k in ("row", "column", "message"))
    assert (row, column) == (2, "price") and fragment in message


def test_a_price_given_in_the_preview_is_checked_against_the_price_column(cast, securities):
    acct = cast.a.account.account_number
    batch = upload(cast, csv_bytes(f"{acct},NEWCO,10,2020-01-02,100,"))
    for price in (Decimal("1e20"), Decimal("1e-7")):
        with pytest.raises(ValidationError, match="NEWCO"):
            services.holdings_recheck(batch=batch, actor=cast.a.advisor, prices={"NEWCO": price})
    services.holdings_recheck(batch=batch, actor=cast.a.advisor, prices={"NEWCO": Decimal("9.5")})
    batch.refresh_from_db()
    assert batch.status == "previewed"
    result = services.holdings_import(batch=batch, actor=cast.a.advisor)
    assert result.is_imported


def test_a_nul_byte_after_8_kb_is_refused_and_leaves_nothing(client, cast, securities):
    acct = cast.a.account.account_number
    rows = [f"{acct},AAPL,1,2020-01-02,100,L{i}" for i in range(400)]
    content = csv_bytes(*rows)
    assert len(content) > 8192
    content = content + f"{acct},AAPL,1,2020-01-02,100,X\x00\n".encode()
    client.force_login(cast.a.advisor)
    url = reverse("holdings-upload", kwargs={"client_id": cast.a.client.public_id})
    response = client.post(url, {"file": SimpleUploadedFile("h.csv", content), "mode": "add"})
    assert response.status_code == 200
    assert "it looks binary" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "bad"),
    [("account", "\u202e"), ("lot_id", "\u2066"), ("lot_id", "\x07"), ("account", "\x1b")],
)
def test_control_and_bidi_characters_are_refused(cast, securities, column, bad):
    acct = cast.a.account.account_number
    row = (
        f"{acct}{bad},AAPL,1,2020-01-02,100,L1"
        if column == "account"
        else f"{acct},AAPL,1,2020-01-02,100,L{bad}1"
    )
    batch = upload(cast, csv_bytes(row))
    ((number, named, message),) = [(p["row"], p["column"], p["message"]) for p in batch.errors]
    assert (number, named) == (2, column)
    assert f"U+{ord(bad):04X}" in message


def test_unsafe_character_names_the_code_point():
    assert unsafe_character("Jane \u202eDoe") == "U+202E"
    assert unsafe_character("Ordinary name, Jr.") is None
    assert unsafe_character("José Müller") is None


@pytest.mark.parametrize(("field", "value"), [("name", "Smith \u202eHSAC"), ("phone", "555\x00")])
def test_client_names_with_control_characters_are_refused(cast, field, value):
    from accounts.services import client_update

    with pytest.raises(ValidationError) as refused:
        client_update(client=cast.a.client, actor=cast.a.advisor, **{field: value})
    assert "U+" in refused.value.message_dict[field][0]


def test_account_numbers_with_bidi_overrides_are_refused(cast):
    from accounts.services import account_create

    with pytest.raises(ValidationError) as refused:
        account_create(
            client=cast.a.client,
            actor=cast.a.advisor,
            name="Trust",
            account_type="taxable",
            custodian="Schwab",
            account_number="1234\u20665678",
        )
    assert "U+2066" in refused.value.message_dict["account_number"][0]


def test_a_ticker_one_edit_from_the_master_asks_did_you_mean(client, cast, securities):
    acct = cast.a.account.account_number
    batch = upload(
        cast,
        csv_bytes(
            f"{acct},APPL,1,2020-01-02,100,",  # a typo of AAPL
            f"{acct},AAPL,x,2020-01-02,100,",  # an earlier problem on a later row
            f"{acct},ZZZZZZ,1,2020-01-02,100,",  # far from every master ticker
        ),
    )
    problems = [(p["row"], p["column"], p["message"]) for p in batch.errors]
    assert [p[0] for p in problems] == [2, 3, 4]  # in row order
    assert "did you mean AAPL?" in problems[0][2]
    assert "did you mean" not in problems[2][2]
    assert not Security.objects.filter(ticker="APPL").exists()  # never made a legacy name
    client.force_login(cast.a.advisor)
    page = client.get(reverse("holdings-preview", kwargs={"public_id": batch.public_id}))
    assert "APPL: did you mean AAPL?" in page.content.decode()


def test_the_import_button_is_at_the_top_of_a_clean_preview(client, cast, securities):
    acct = cast.a.account.account_number
    batch = upload(cast, csv_bytes(*[f"{acct},AAPL,1,2020-01-02,100,L{i}" for i in range(3)]))
    client.force_login(cast.a.advisor)
    page = client.get(reverse("holdings-preview", kwargs={"public_id": batch.public_id}))
    html = page.content.decode()
    assert html.index("Import these 3 lots") < html.index("<h2>Lots")
