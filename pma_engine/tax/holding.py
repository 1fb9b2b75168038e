"""Holding period: long-term means held more than one year, counted from the day after purchase."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=16_384)  # a ledger sees few distinct dates and asks about them often
def long_term_date(acquired: date) -> date:
    """First sale date on which shares acquired on `acquired` are long-term.

    The one-year period ends on the anniversary of the purchase (Feb 28 for a Feb 29
    purchase, as there is no Feb 29 next year); a sale the day after is "more than one year".
    """
    try:
        anniversary = acquired.replace(year=acquired.year + 1)
    except ValueError:  # Feb 29 -> Feb 28 of a common year
        anniversary = date(acquired.year + 1, 2, 28)
    return anniversary + timedelta(days=1)


def is_long_term(acquired: date, sold: date) -> bool:
    return sold >= long_term_date(acquired)


def days_until_long_term(acquired: date, as_of: date) -> int:
    """Days from `as_of` until a sale would be long-term; 0 once it already is."""
    return max(0, (long_term_date(acquired) - as_of).days)
