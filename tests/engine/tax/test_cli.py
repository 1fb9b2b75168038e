"""The form8949 command line through its pure entry point, with CSV strings.

Expected outputs are the hand-worked Pub. 550 wash-sale examples (see test_wash_sales.py).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from pma_engine.tax import AccountType, Action
from pma_engine.tax.cli import TransactionFileError, form8949_main, transactions_from_csv

HEADER = "date,account,account_type,action,ticker,shares,amount,lot\n"

PUB_550 = (
    HEADER
    + "2023-01-10,brokerage,taxable,BUY,X,100,1000,\n"
    + "2024-03-01,brokerage,taxable,SELL,X,100,750,\n"
    + "2024-03-15,joint,taxable,BUY,X,100,800,\n"
    + "2024-05-01,brokerage,taxable,BUY,M,100,5000,\n"
    + "2024-06-03,brokerage,taxable,SELL,M,100,3750,\n"
    + "2024-06-20,brokerage,taxable,BUY,M,75,3000,\n"
    + "2024-07-01,ira,ira,BUY,N,10,400,\n"
    + "2024-07-02,ira,ira,SELL,N,10,300,\n"
)


def run(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "transactions.csv"
    path.write_text(text, encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    status = form8949_main([str(path), *args], stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def test_rows_for_the_pub_550_examples(tmp_path: Path) -> None:
    # X: held 2023-01-10 .. 2024-03-01 (LT), $250 disallowed. M: $937.50 of $1,250 disallowed.
    # The IRA round trip produces no row.
    status, out, err = run(tmp_path, PUB_550)
    assert (status, err) == (0, "")
    assert out == (
        "part,box,description,date_acquired,date_sold,proceeds,cost_basis,code,adjustment,gain_loss\n"
        "II,D,100 sh X,2023-01-10,2024-03-01,750.00,1000.00,W,250.00,0.00\n"
        "I,A,100 sh M,2024-05-01,2024-06-03,3750.00,5000.00,W,937.50,-312.50\n"
    )


def test_open_lots(tmp_path: Path) -> None:
    # X replacement: 2024-03-15 minus 416 days held = 2023-01-24, basis 800 + 250.
    # M replacement: 2024-06-20 minus 33 days held = 2024-05-18, basis 3,000 + 937.50.
    status, out, _ = run(tmp_path, PUB_550, "--open-lots")
    assert status == 0
    assert out == (
        "account,ticker,shares,date_acquired,cost_basis\n"
        "joint,X,100,2023-01-24,1050.00\n"
        "brokerage,M,75,2024-05-18,3937.50\n"
    )


def test_year_filter_keeps_cross_year_washes(tmp_path: Path) -> None:
    text = (
        HEADER
        + "2024-01-02,b,taxable,BUY,Y,10,1000,\n"
        + "2024-12-20,b,taxable,SELL,Y,10,600,\n"
        + "2025-01-10,b,taxable,BUY,Y,10,650,\n"
        + "2025-02-10,b,taxable,SELL,Y,10,1200,\n"
    )
    status, out, _ = run(tmp_path, text, "--year", "2024")
    assert status == 0
    assert out.splitlines()[1:] == [
        "I,A,10 sh Y,2024-01-02,2024-12-20,600.00,1000.00,W,400.00,0.00"
    ]
    # 2025: basis 650 + 400 = 1,050; adjusted date 2025-01-10 - 353 days = 2024-01-23, so
    # the tacked holding period makes the 2025-02-10 sale long-term (from 2025-01-24).
    status, out, _ = run(tmp_path, text, "--year", "2025")
    assert out.splitlines()[1:] == [
        "II,D,10 sh Y,2024-01-23,2025-02-10,1200.00,1050.00,,0.00,150.00"
    ]


def test_method_option_and_specific_lot(tmp_path: Path) -> None:
    text = (
        HEADER
        + "2024-01-02,b,taxable,BUY,Z,10,100,first\n"
        + "2024-02-01,b,taxable,BUY,Z,10,300,second\n"
        + "2024-03-04,b,taxable,SELL,Z,5,150,\n"
        + "2024-03-05,b,taxable,SELL,Z,1,30,first\n"
    )
    _, out, _ = run(tmp_path, text, "--method", "hifo")
    lines = out.splitlines()[1:]
    # HIFO takes the $30/sh lot: 5 sh, basis 150, gain 0; the named sale takes 'first' ($10).
    assert lines == [
        "I,A,5 sh Z,2024-02-01,2024-03-04,150.00,150.00,,0.00,0.00",
        "I,A,1 sh Z,2024-01-02,2024-03-05,30.00,10.00,,0.00,20.00",
    ]
    _, out, _ = run(tmp_path, text, "--method", "fifo")
    assert out.splitlines()[1].startswith("I,A,5 sh Z,2024-01-02,")


def test_rows_in_date_then_input_order_for_unsorted_files(tmp_path: Path) -> None:
    text = (
        HEADER
        + "2024-05-01,b,taxable,SELL,A,1,20,\n"
        + "2024-01-02,b,taxable,BUY,A,2,20,\n"
        + "2024-02-01,b,taxable,SELL,A,1,15,\n"
    )
    _, out, _ = run(tmp_path, text)
    assert [line.split(",")[4] for line in out.splitlines()[1:]] == ["2024-02-01", "2024-05-01"]


def test_parser_reads_every_column() -> None:
    (buy, sell) = transactions_from_csv(
        HEADER
        + "2024-01-02, Joint ,ROTH,buy,aapl,2.5,100.10,L1\n2024-02-02,Joint,roth,SELL,AAPL,1,50,\n"
    )
    assert (buy.account, buy.account_type, buy.action, buy.ticker) == (
        "Joint",
        AccountType.ROTH,
        Action.BUY,
        "AAPL",
    )
    assert (buy.shares, buy.amount, buy.lot_id) == (Decimal("2.5"), Decimal("100.10"), "L1")
    assert sell.lot_id is None


def test_lot_column_may_be_left_out() -> None:
    (buy,) = transactions_from_csv(
        "date,account,account_type,action,ticker,shares,amount\n2024-01-02,a,taxable,BUY,Q,1,1\n"
    )
    assert buy.lot_id is None


BAD_ROWS = [
    ("2024-01-02,b,taxable,HOLD,Q,1,10,", "column action", "HOLD"),
    ("2024-01-02,b,taxable,BUY,Q,-5,10,", "column shares", "must be positive"),
    ("2024-01-02,b,taxable,BUY,Q,0,10,", "column shares", "must be positive"),
    ("2024-13-02,b,taxable,BUY,Q,1,10,", "column date", "ISO date"),
    ("02/01/2024,b,taxable,BUY,Q,1,10,", "column date", "ISO date"),
    ("2024-01-02,b,brokerage,BUY,Q,1,10,", "column account_type", "taxable, ira or roth"),
    ("2024-01-02,b,taxable,BUY,Q,1,ten,", "column amount", "not a number"),
    ("2024-01-02,b,taxable,BUY,Q,1,NaN,", "column amount", "not a number"),
    ("2024-01-02,b,taxable,BUY,Q,1,-10,", "column amount", "must not be negative"),
    ("2024-01-02,b,taxable,BUY,Q,1,10", "expected 8 fields, got 7", ""),
]


@pytest.mark.parametrize(("row", "column", "reason"), BAD_ROWS)
def test_each_bad_row_is_reported_with_row_and_line(
    tmp_path: Path, row: str, column: str, reason: str
) -> None:
    good = "2024-01-01,b,taxable,BUY,Q,1,10,\n"
    status, out, err = run(tmp_path, HEADER + good + row + "\n")
    assert status == 1
    assert out == ""
    assert "row 2 (line 3)" in err
    assert column in err and reason in err
    assert "rows count data rows from 1" in err  # the numbering is spelled out


def test_every_bad_row_is_listed_at_once() -> None:
    with pytest.raises(TransactionFileError) as caught:
        transactions_from_csv(
            HEADER
            + "2024-01-02,b,taxable,BUY,Q,x,10,\n"
            + "\n"  # blank lines are skipped and not counted as rows
            + "2024-01-02,b,pension,BUY,Q,1,y,\n"
        )
    assert [(e.row, e.line, e.column) for e in caught.value.errors] == [
        (1, 2, "shares"),
        (2, 4, "account_type"),
        (2, 4, "amount"),
    ]


def test_missing_column(tmp_path: Path) -> None:
    status, out, err = run(tmp_path, "date,account,account_type,action,ticker,shares,lot\n")
    assert (status, out) == (1, "")
    assert "header (line 1), column amount: missing column" in err


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        (
            "2024-01-02,b,taxable,BUY,Q,10,100,\n2024-02-01,b,taxable,SELL,Q,11,50,\n",
            "selling 11 shares of Q but account 'b' holds only 10",
        ),
        (
            "2024-01-02,b,taxable,BUY,Q,10,100,\n2024-02-01,b,taxable,SELL,Q,1,5,nope\n",
            "unknown lot 'nope'",
        ),
        (
            "2024-01-02,b,taxable,BUY,Q,10,100,L\n2024-02-01,b,taxable,SELL,Q,11,5,L\n",
            "lot 'L' holds only 10",
        ),
        (
            "2024-01-02,b,taxable,BUY,Q,10,100,\n2024-02-01,b,ira,SELL,Q,1,5,\n",
            "account 'b' is taxable in an earlier transaction",
        ),
        (
            "2024-01-02,b,taxable,BUY,Q,10,100,L\n2024-02-01,b,taxable,BUY,Q,1,5,L\n",
            "lot 'L' already exists",
        ),
    ],
)
def test_ledger_errors_name_the_row(tmp_path: Path, rows: str, reason: str) -> None:
    status, out, err = run(tmp_path, HEADER + rows)
    assert (status, out) == (1, "")
    assert "row 2 (line 3)" in err
    assert reason in err


def test_ledger_error_row_follows_the_file_not_the_date_order(tmp_path: Path) -> None:
    text = (
        HEADER
        + "\n"
        + "2024-03-01,b,taxable,SELL,Q,5,50,\n"  # row 1, line 3: nothing held yet on this date
        + "2024-04-01,b,taxable,BUY,Q,10,100,\n"
    )
    status, _, err = run(tmp_path, text)
    assert status == 1
    assert "row 1 (line 3)" in err


def test_usage_errors(tmp_path: Path) -> None:
    status, out, err = run(tmp_path, PUB_550, "--method", "average")
    assert (status, out) == (2, "")
    assert "invalid choice" in err
    stdout, stderr = io.StringIO(), io.StringIO()
    assert form8949_main([str(tmp_path / "missing.csv")], stdout, stderr) == 2
    assert stdout.getvalue() == "" and "cannot read" in stderr.getvalue()
    assert form8949_main(["--help"], stdout, stderr) == 0
    assert "--open-lots" in stdout.getvalue()


def test_hostile_text_cells_are_neutralised_and_numbers_stay_numbers(tmp_path: Path) -> None:
    # The one CSV writer: an account named like a formula gets a leading apostrophe in both
    # outputs; the amounts (-300.00 is a loss) are written exactly as before.
    text = (
        HEADER
        + '2024-01-02,"=HYPERLINK(""http://x"")",taxable,BUY,Y,10,1000,\n'
        + '2024-02-01,"=HYPERLINK(""http://x"")",taxable,SELL,Y,5,200,\n'
        + "2024-01-03,@SUM(1),taxable,BUY,Z,1,10,\n"
    )
    status, out, err = run(tmp_path, text)
    assert (status, err) == (0, "")
    assert out.splitlines()[1:] == ["I,A,5 sh Y,2024-01-02,2024-02-01,200.00,500.00,,0.00,-300.00"]
    status, out, _ = run(tmp_path, text, "--open-lots")
    assert status == 0
    assert out.splitlines()[1:] == [
        '"\'=HYPERLINK(""http://x"")",Y,5,2024-01-02,500.00',
        "'@SUM(1),Z,1,2024-01-03,10.00",
    ]


def test_the_engine_writes_csv_without_importing_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pma_engine.tax.cli, pma_engine.csv_safe; "
        "sys.exit(1 if any(m.split('.')[0] in ('django', 'pma_portal') for m in sys.modules) "
        "else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
