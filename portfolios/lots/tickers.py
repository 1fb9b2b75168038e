"""Tickers of an uploaded file against the security master: which are known (master or the
firm's legacy names) and which look like a typo of a master ticker."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from portfolios.models import Security


def _one_edit_apart(a: str, b: str) -> bool:
    """True when b is a with one letter changed, added, removed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def ticker_suggestions(*, tickers: Iterable[str]) -> dict[str, str]:
    """ticker -> the one active master ticker one edit away ("APPL" -> "AAPL"), when there is
    exactly one: a typo is asked about, never turned into a legacy holding silently."""
    tickers = [t for t in tickers if t]
    if not tickers:
        return {}
    lengths = {len(t) + d for t in tickers for d in (-1, 0, 1)}
    master = [
        t
        for t in Security.objects.filter(firm__isnull=True, is_active=True).values_list(
            "ticker", flat=True
        )
        if len(t) in lengths
    ]
    found = {}
    for ticker in tickers:
        near = [m for m in master if _one_edit_apart(ticker, m)]
        if len(near) == 1:
            found[ticker] = near[0]
    return found


def _securities_for(*, firm, tickers: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    """(master ticker -> id, the firm's legacy ticker -> id) for the given tickers."""
    master: dict[str, int] = {}
    legacy: dict[str, int] = {}
    rows = Security.objects.filter(ticker__in=[t for t in tickers if t]).filter(
        Q(firm__isnull=True) | Q(firm=firm)
    )
    for pk, ticker, firm_id in rows.values_list("pk", "ticker", "firm_id"):
        (master if firm_id is None else legacy)[ticker] = pk
    return master, legacy
