"""Inline SVG charts of a stored analysis: pure functions from stored numbers to markup.

Formatting, not solving: every number comes from the stored result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1d2433"
MUTED = "#5d6678"
GRID = "#e6e9ef"
PALETTE = ("#1f4e8c", "#c2572b", "#2e8b57", "#8a4fbf", "#b58900", "#4a6b7c", "#d33682", "#268bd2")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]
    lows: Sequence[float] | None = None  # p10
    highs: Sequence[float] | None = None  # p90


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude * (1 + 1e-12):
            return step * magnitude
    return 10 * magnitude


def money_short(value: float) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}${value / 1_000_000:.1f}M"
    if value >= 1_000:
        text = f"{value / 1_000:.1f}".rstrip("0").rstrip(".")
        return f"{sign}${text}k"
    return f"{sign}${value:.0f}"


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _frame(width: int, height: int, label: str) -> list[str]:
    return [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(label)}">'
    ]


def years_chart_svg(
    series: Sequence[Series],
    *,
    years: int,
    label: str,
    fmt: Callable[[float], str],
    width: int = 640,
    height: int = 300,
) -> SafeString:
    """One line per scenario over the years, with its p10-p90 band shaded when given."""
    left, right, top, bottom = 64, 16, 16, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(
        [v for s in series for v in s.values]
        + [v for s in series if s.highs for v in s.highs]
        + [0.0]
    )
    y_max = _nice_max(peak * 1.05)

    def x(year: int) -> float:
        return left + (plot_w * (year - 1) / (years - 1) if years > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h * (1 - max(value, 0.0) / y_max)

    parts = _frame(width, height, label)
    for tick in range(5):
        value = y_max * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{GRID}"/><text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="{MUTED}">{escape(fmt(value))}</text>'
        )
    for year in range(1, years + 1):
        parts.append(
            f'<text x="{x(year):.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">Year {year}</text>'
        )
    for i, s in enumerate(series):
        c = color(i)
        if s.lows is not None and s.highs is not None:
            upper = " ".join(f"{x(k + 1):.1f},{y(v):.1f}" for k, v in enumerate(s.highs))
            lower = " ".join(
                f"{x(k + 1):.1f},{y(v):.1f}" for k, v in reversed(list(enumerate(s.lows)))
            )
            parts.append(
                f'<polygon class="band" points="{upper} {lower}" fill="{c}" opacity="0.14">'
                f"<title>{escape(s.label)}: 10th-90th percentile of the simulated paths</title>"
                "</polygon>"
            )
        points = " ".join(f"{x(k + 1):.1f},{y(v):.1f}" for k, v in enumerate(s.values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{c}" stroke-width="2.2"/>')
        for k, v in enumerate(s.values):
            parts.append(
                f'<circle cx="{x(k + 1):.1f}" cy="{y(v):.1f}" r="3" fill="{c}">'
                f"<title>{escape(s.label)}, year {k + 1}: {escape(fmt(v))}</title></circle>"
            )
    legend_y = height - 26
    step = max(plot_w // max(len(series), 1), 90)
    for i, s in enumerate(series):
        lx = left + (i % max(plot_w // step, 1)) * step
        ly = legend_y + 14 * (i // max(plot_w // step, 1))
        parts.append(
            f'<rect x="{lx}" y="{ly - 8}" width="10" height="10" fill="{color(i)}"/>'
            f'<text x="{lx + 14}" y="{ly + 1}" font-size="11" fill="{INK}">'
            f"{escape(s.label[:22])}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)


def frontier_svg(
    points: Sequence[dict],
    named: Sequence[dict],
    *,
    y_key: str,
    y_label: str,
    fmt: Callable[[float], str],
    label: str,
    width: int = 640,
    height: int = 320,
) -> SafeString:
    """Total tax (x) against `y_key` for the sweep (a line of grey points) and the named
    scenarios (coloured, labelled). Points without a value for y_key are left out."""
    left, right, top, bottom = 64, 24, 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    usable = [p for p in (*points, *named) if p.get(y_key) is not None]
    x_max = _nice_max(max([p["total_tax"] for p in usable] + [1.0]) * 1.05)
    y_max = _nice_max(max([float(p[y_key]) for p in usable] + [0.0]) * 1.1)

    def x(value: float) -> float:
        return left + plot_w * max(value, 0.0) / x_max

    def y(value: float) -> float:
        return top + plot_h * (1 - max(value, 0.0) / y_max)

    parts = _frame(width, height, label)
    for tick in range(5):
        vy, vx = y_max * tick / 4, x_max * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(vy):.1f}" y2="{y(vy):.1f}" '
            f'stroke="{GRID}"/><text x="{left - 6}" y="{y(vy) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="{MUTED}">{escape(fmt(vy))}</text>'
            f'<text x="{x(vx):.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle" '
            f'fill="{MUTED}">{escape(money_short(vx))}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="11" text-anchor="middle" '
        f'fill="{MUTED}">Total tax over the horizon</text>'
        f'<text x="12" y="{top + plot_h / 2:.1f}" font-size="11" fill="{MUTED}" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.1f})" text-anchor="middle">'
        f"{escape(y_label)}</text>"
    )
    sweep = sorted((p for p in points if p.get(y_key) is not None), key=lambda p: p["total_tax"])
    if len(sweep) > 1:
        line = " ".join(f"{x(p['total_tax']):.1f},{y(float(p[y_key])):.1f}" for p in sweep)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{MUTED}" stroke-dasharray="4 3"/>'
        )
    for p in sweep:
        parts.append(
            f'<circle class="frontier-point" cx="{x(p["total_tax"]):.1f}" '
            f'cy="{y(float(p[y_key])):.1f}" r="4" fill="#fff" stroke="{MUTED}" stroke-width="1.5">'
            f"<title>{escape(p['label'])}: tax {escape(money_short(p['total_tax']))}, "
            f"{escape(fmt(float(p[y_key])))}</title></circle>"
        )
    for i, p in enumerate(named):
        if p.get(y_key) is None:
            continue
        cx, cy = x(p["total_tax"]), y(float(p[y_key]))
        anchor = "end" if cx > left + plot_w * 0.75 else "start"
        dx = -8 if anchor == "end" else 8
        parts.append(
            f'<circle class="named-point" cx="{cx:.1f}" cy="{cy:.1f}" r="5.5" fill="{color(i)}">'
            f"<title>{escape(p['label'])}</title></circle>"
            f'<text x="{cx + dx:.1f}" y="{cy - 7:.1f}" font-size="11" text-anchor="{anchor}" '
            f'fill="{INK}">{escape(p["label"][:24])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
