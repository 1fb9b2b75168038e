"""Rates on the strategy pages (issue 9): weights, tracking error and volatility reach the
templates as fractions of 1 and are shown with the `percent` filter, so the page's numbers are
the stored weights in percent (worked out here from the stored weights, not the selector)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django.urls import reverse


def _pct(fraction: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    return f"{(fraction * 100).quantize(quantum, rounding=ROUND_HALF_EVEN)}%"


def test_the_strategy_page_shows_weights_in_percent(client, cast, reference_small):
    client.force_login(cast.a.advisor)
    weights = reference_small.weights("active-quality-core")  # ticker -> stored fraction
    body = client.get(reverse("strategy-detail", args=["active-quality-core"])).content.decode()
    body = " ".join(body.split())
    top_ticker, top_weight = next(iter(weights.items()))
    assert f'<td class="num">{_pct(top_weight, 2)}</td>' in body  # the top holding's weight
    assert f"<dt>Largest weight</dt><dd>{_pct(top_weight, 2)}</dd>" in body
    top10 = sum(sorted(weights.values(), reverse=True)[:10])
    assert f"<dt>Top 10 weight</dt><dd>{_pct(top10, 1)}</dd>" in body
    assert "% a year</strong>" in body and "Active (pts)" not in body
