"""Holding period: more than one year, counted from the day after acquisition.

Source: IRS Publication 550, "Holding Period": the count starts the day after you acquire the
property and includes the day you dispose of it; property bought on Feb 5 and sold on Feb 5 of
the next year is short-term, sold Feb 6 it is long-term.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pma_engine.tax import days_until_long_term, is_long_term, long_term_date


def test_exactly_one_year_is_short_term_and_the_next_day_long_term() -> None:
    assert not is_long_term(date(2023, 1, 15), date(2024, 1, 15))
    assert is_long_term(date(2023, 1, 15), date(2024, 1, 16))
    assert long_term_date(date(2023, 1, 15)) == date(2024, 1, 16)


def test_pub_550_example_february_5() -> None:
    assert not is_long_term(date(2023, 2, 5), date(2024, 2, 5))
    assert is_long_term(date(2023, 2, 5), date(2024, 2, 6))


def test_leap_day_purchase_turns_long_term_on_march_1() -> None:
    assert long_term_date(date(2024, 2, 29)) == date(2025, 3, 1)
    assert not is_long_term(date(2024, 2, 29), date(2025, 2, 28))
    assert is_long_term(date(2024, 2, 29), date(2025, 3, 1))


def test_purchase_on_feb_28_before_a_leap_year_turns_long_term_on_feb_29() -> None:
    # Held from Mar 1, 2023; one year ends Feb 28, 2024; Feb 29, 2024 is "more than one year".
    assert long_term_date(date(2023, 2, 28)) == date(2024, 2, 29)
    assert not is_long_term(date(2023, 2, 28), date(2024, 2, 28))


def test_year_end_purchase() -> None:
    assert long_term_date(date(2023, 12, 31)) == date(2025, 1, 1)


def test_days_until_long_term() -> None:
    assert days_until_long_term(date(2024, 1, 15), date(2024, 1, 15)) == 367  # 2024 is leap
    assert days_until_long_term(date(2023, 1, 15), date(2024, 1, 15)) == 1
    assert days_until_long_term(date(2023, 1, 15), date(2024, 1, 16)) == 0
    assert days_until_long_term(date(2020, 1, 15), date(2024, 1, 16)) == 0


@settings(max_examples=200, deadline=None)
@given(
    acquired=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    held_days=st.integers(min_value=0, max_value=800),
)
def test_long_term_matches_calendar_comparison(acquired: date, held_days: int) -> None:
    """Brute force: long-term iff (sold minus one year) is after the acquisition day."""
    sold = acquired + timedelta(days=held_days)
    calendar_rule = (sold.year - 1, sold.month, sold.day) > (
        acquired.year,
        acquired.month,
        acquired.day,
    )
    assert is_long_term(acquired, sold) == calendar_rule
