"""Small inline SVG charts for the pages: pure functions from numbers to markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1d2433"
MUTED = "#5d6678"
BRAND = "#1f4e8c"
BENCH = "#b8c0cc"
LINE = "#dfe3ea"


def sector_bars_svg(
    rows: Sequence[tuple[str, float, float | None]],
    *,
    width: int = 720,
    label_width: int = 190,
    primary_label: str = "strategy",
    secondary_label: str = "benchmark",
    label: str = "Sector weights",
) -> SafeString:
    """Horizontal bars: (sector, weight, benchmark weight or None) with weights as fractions.

    The strategy (`primary_label`) is the thick bar; the benchmark (`secondary_label`), when
    given, the thin grey bar under it.
    """
    bar_height, gap = 14, 12
    row_height = bar_height + 6 + gap
    top = 22
    height = top + row_height * len(rows) + 4
    scale_max = max([w for _, w, _ in rows] + [b or 0 for _, _, b in rows] + [0.01])
    plot = width - label_width - 70
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'data-max-width="{width}" xmlns="http://www.w3.org/2000/svg" '
        'aria-label="' + escape(label) + '">',
        f'<rect x="{label_width}" y="4" width="12" height="10" fill="{BRAND}"/>'
        f'<text x="{label_width + 16}" y="13" font-size="11" fill="{MUTED}">'
        f"{escape(primary_label)}</text>",
    ]
    second_x = label_width + 24 + 7 * len(primary_label)
    if any(b is not None for _, _, b in rows):
        parts.append(
            f'<rect x="{second_x}" y="7" width="12" height="4" fill="{BENCH}"/>'
            f'<text x="{second_x + 16}" y="13" font-size="11" fill="{MUTED}">'
            f"{escape(secondary_label)}</text>"
        )
    for position, (sector, weight, bench) in enumerate(rows):
        y = top + position * row_height
        length = plot * weight / scale_max
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 11}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{escape(sector)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{BRAND}"><title>{escape(sector)}: {100 * weight:.1f}%</title></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 11}" font-size="12" '
            f'fill="{INK}">{100 * weight:.1f}%</text>'
        )
        if bench is not None:
            bench_length = plot * bench / scale_max
            parts.append(
                f'<rect x="{label_width}" y="{y + bar_height + 1}" width="{bench_length:.1f}" '
                f'height="4" fill="{BENCH}"><title>{escape(secondary_label)} '
                f"{100 * bench:.1f}%</title></rect>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text part is escaped above


def price_line_svg(
    points: Sequence[tuple[date, float]], *, width: int = 720, height: int = 180
) -> SafeString:
    """A price line with its low, high and first/last dates labelled."""
    if len(points) < 2:
        return mark_safe("")
    left, right, top, bottom = 8, 64, 10, 22
    closes = [close for _, close in points]
    low, high = min(closes), max(closes)
    span = (high - low) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / (len(points) - 1)
    coords = " ".join(
        f"{left + i * step:.1f},{top + plot_h * (1 - (c - low) / span):.1f}"
        for i, c in enumerate(closes)
    )
    first, last = points[0][0], points[-1][0]
    return mark_safe(  # noqa: S308  numbers and dates only
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'data-max-width="{width}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="Daily closes from {first} to {last}">'
        f'<line x1="{left}" y1="{top}" x2="{width - right}" y2="{top}" stroke="{LINE}"/>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{LINE}"/>'
        f'<polyline fill="none" stroke="{BRAND}" stroke-width="1.6" points="{coords}"/>'
        f'<text x="{width - right + 6}" y="{top + 4}" font-size="11" fill="{MUTED}">'
        f"{high:,.2f}</text>"
        f'<text x="{width - right + 6}" y="{top + plot_h + 4}" font-size="11" fill="{MUTED}">'
        f"{low:,.2f}</text>"
        f'<text x="{left}" y="{height - 4}" font-size="11" fill="{MUTED}">{first}</text>'
        f'<text x="{width - right}" y="{height - 4}" font-size="11" text-anchor="end" '
        f'fill="{MUTED}">{last}</text></svg>'
    )


def sector_allocation_svg(allocation) -> SafeString:
    """The account page's chart: the holdings' sector weights (thick bars) beside the target's
    (thin bars), from a `portfolios.lots.positions.SectorAllocation`; empty without holdings."""
    if not allocation.rows:
        return mark_safe("")
    target = allocation.target_label
    return sector_bars_svg(
        [
            (row.sector, float(row.holdings), None if row.target is None else float(row.target))
            for row in allocation.rows
        ],
        primary_label="holdings",
        secondary_label=target,
        label=f"Sector weights of the holdings beside the {target}"
        if target
        else "Sector weights of the holdings",
    )
