"""Price CSV import: every bad-input kind is named by row, nothing is half-imported, and a
re-import of the same file leaves the table as it was."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from portfolios.imports import ImportRejected
from portfolios.models import Price, PriceSource
from portfolios.services import prices_import, prices_synthetic_generate

TODAY = date(2025, 6, 30)
GOOD = "date,ticker,close\n2025-06-02,AAA,101.5\n2025-06-03,AAA,102.25\n2025-06-02,BBB,55\n"


def table() -> list[tuple]:
    return list(
        Price.objects.order_by("security__ticker", "date").values_list(
            "security__ticker", "date", "close", "source"
        )
    )


def rejected(csv_text: str) -> list[str]:
    before = table()
    with pytest.raises(ImportRejected) as info:
        prices_import(source=csv_text, today=TODAY)
    assert table() == before, "a rejected file must leave the prices untouched"
    return info.value.messages


def test_import_loads_every_row_as_imported(three_securities):
    result = prices_import(source=GOOD, today=TODAY)
    assert (result.rows, result.securities, result.changed) == (3, 2, 3)
    assert (result.first_date, result.last_date) == (date(2025, 6, 2), date(2025, 6, 3))
    assert table() == [
        ("AAA", date(2025, 6, 2), Decimal("101.500000"), PriceSource.IMPORTED),
        ("AAA", date(2025, 6, 3), Decimal("102.250000"), PriceSource.IMPORTED),
        ("BBB", date(2025, 6, 2), Decimal("55.000000"), PriceSource.IMPORTED),
    ]


def test_reimport_is_idempotent_and_updates_changed_closes(three_securities):
    prices_import(source=GOOD, today=TODAY)
    first = table()
    again = prices_import(source=GOOD, today=TODAY)
    assert again.changed == 0
    assert table() == first
    corrected = GOOD.replace("102.25", "103") + "2025-06-04,AAA,104\n"
    result = prices_import(source=corrected, today=TODAY)
    assert result.changed == 2  # one corrected close, one new day
    assert Price.objects.get(security__ticker="AAA", date=date(2025, 6, 3)).close == Decimal("103")
    assert Price.objects.count() == 4


def test_columns_in_any_order_case_and_extra_columns(three_securities):
    text = "Close , TICKER,Date,comment\n10,aaa,2025-06-02,first\n\n11,AAA,2025-06-03,\n"
    assert prices_import(source=text, today=TODAY).rows == 2


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        ("2025-06-05,ZZZ,10", "ticker", "unknown ticker 'ZZZ'"),
        ("2025-06-05,,10", "ticker", "empty"),
        ("2025-06-05,AAA,0", "close", "is not positive"),
        ("2025-06-05,AAA,-3.5", "close", "is not positive"),
        ("2025-06-05,AAA,abc", "close", "is not a number"),
        ("2025-06-05,AAA,NaN", "close", "is not a number"),
        ("2025-06-05,AAA,", "close", "is not a number"),
        ("2025-13-01,AAA,10", "date", "is not a date"),
        ("06/05/2025,AAA,10", "date", "is not a date"),
        ("2025-07-01,AAA,10", "date", "is in the future"),
        ("2025-06-05,AAA", "close", "is not a number"),  # a short row
    ],
)
def test_each_bad_row_is_named_and_nothing_is_imported(three_securities, line, field, reason):
    messages = rejected(GOOD + line + "\n")
    assert "nothing was imported" in messages[0]
    assert any(m.startswith(f"row 5, {field}:") and reason in m for m in messages), messages


def test_duplicate_ticker_and_date_names_both_rows(three_securities):
    messages = rejected(GOOD + "2025-06-03,aaa,99\n")
    assert "row 5, date: duplicate: AAA on 2025-06-03 is already in row 3" in messages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("day,ticker,close\n2025-06-02,AAA,1\n", "row 1, header: missing column(s) date"),
        ("date,ticker\n2025-06-02,AAA\n", "row 1, header: missing column(s) close"),
        ("", "file: the file is empty"),
        ("date,ticker,close\n", "file: no price rows"),
    ],
)
def test_missing_columns_and_empty_files(three_securities, text, expected):
    messages = rejected(text)
    assert any(m.startswith(expected) for m in messages), messages


def test_every_problem_is_counted_but_only_fifty_listed(three_securities):
    lines = [f"2025-06-{day:02d},NOPE{day},1" for day in range(1, 29)] * 4  # 112 bad rows
    messages = rejected("date,ticker,close\n" + "\n".join(lines) + "\n")
    assert "112 problem(s)" in messages[0]
    assert len(messages) == 1 + 50 + 1
    assert messages[-1] == "… and 62 more problem(s) not listed."


def test_inactive_master_names_take_history(three_securities):
    assert prices_import(source="date,ticker,close\n2020-01-02,OLD,5\n", today=TODAY).rows == 1


def test_a_firms_legacy_ticker_is_not_a_master_ticker(three_securities, cast):
    from portfolios.models import Security

    Security.objects.create(ticker="LEGACY", name="Old fund", firm=cast.a.firm)
    messages = rejected("date,ticker,close\n2025-06-02,LEGACY,5\n")
    assert "unknown ticker 'LEGACY'" in messages[1]


def test_synthetic_history_never_overwrites_imported_prices(three_securities):
    securities = [three_securities["AAA"], three_securities["BBB"]]
    generated = prices_synthetic_generate(
        n_days=5, seed=1, end=date(2025, 6, 6), securities=securities
    )
    assert generated.rows == 10
    prices_import(source="date,ticker,close\n2025-06-04,AAA,1.5\n", today=TODAY)
    prices_synthetic_generate(n_days=5, seed=1, end=date(2025, 6, 6), securities=securities)
    kept = Price.objects.get(security__ticker="AAA", date=date(2025, 6, 4))
    assert (kept.close, kept.source) == (Decimal("1.5"), PriceSource.IMPORTED)
    assert Price.objects.filter(source=PriceSource.SYNTHETIC).count() == 9


def test_command_imports_and_rejects_whole_files(three_securities, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD.replace("2025-06", "2024-06"), encoding="utf-8")
    call_command("import_prices", str(good))
    assert "Imported 3 prices of 2 securities" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("date,ticker,close\n2024-06-10,AAA,1\n2024-06-11,XYZ,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import_prices", str(bad))
    assert "row 3, ticker: unknown ticker 'XYZ'" in str(info.value)
    assert Price.objects.count() == 3
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_prices", str(tmp_path / "missing.csv"))


def test_a_file_that_is_not_utf8_is_rejected_naming_its_line(three_securities, tmp_path):
    latin1 = (GOOD + "2025-06-04,AAA,1\xe900\n").encode("latin-1")  # "é" from a legacy export
    before = table()
    saved = tmp_path / "latin1.csv"
    saved.write_bytes(latin1)
    for source in (latin1, saved):  # an upload's bytes, a file on disk
        with pytest.raises(ImportRejected) as info:
            prices_import(source=source, today=TODAY)
        assert info.value.messages[1].startswith("row 5: not UTF-8 text (byte 0xe9)")
    # A bad byte far down a long file is still named by its own line, not by the block read.
    long_text = "date,ticker,close\n" + "2025-06-02,AAA,1\n" * 3000
    path = tmp_path / "long.csv"
    path.write_bytes(long_text.encode() + b"2025-06-03,AAA,\xff\n")
    with pytest.raises(ImportRejected) as info:
        prices_import(source=path, today=TODAY)
    assert info.value.messages[1].startswith("row 3002: not UTF-8 text (byte 0xff)")
    assert table() == before
