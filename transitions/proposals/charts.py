"""Vector charts of a proposal, drawn with matplotlib as SVG text for WeasyPrint to inline.

Pure functions from the proposal's figures to SVG markup; fonts stay text (`svg.fonttype`
'none'), so the PDF's text layer includes the axis labels and the files stay small.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from transitions.proposals.formatting import money_short
from transitions.proposals.types import FrontierPoint, ScenarioSummary

PALETTE = ("#1f4e8c", "#c2572b", "#2e8b57", "#8a4fbf", "#b58900", "#4a6b7c")
INK, MUTED, GRID = "#1d2433", "#5d6678", "#e6e9ef"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    pyplot.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 8,
            "axes.edgecolor": GRID,
            "axes.labelcolor": MUTED,
            "xtick.color": MUTED,
            "ytick.color": MUTED,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "proposal",  # stable ids: the same data gives the same bytes
        }
    )
    return pyplot


def _svg(fig, pyplot, *, label: str, prefix: str) -> str:
    buffer = io.StringIO()
    fig.savefig(
        buffer, format="svg", bbox_inches="tight", transparent=True, metadata={"Date": None}
    )
    pyplot.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # Ids are unique per figure only: prefix them, or one chart's clip paths clip another's.
    text = (
        text.replace('id="', f'id="{prefix}-')
        .replace("url(#", f"url(#{prefix}-")
        .replace('href="#', f'href="#{prefix}-')
    )
    # Scale to the box the template gives it; keep the aspect ratio.
    text = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 width="100%"', text, count=1
    )
    return text.replace("<svg", f'<svg role="img" aria-label="{label}" class="chart"', 1)


def _colors(scenarios: Sequence[ScenarioSummary], brand: str) -> list[str]:
    out, others = [], iter(PALETTE[1:])
    for s in scenarios:
        out.append(brand if s.is_recommended else next(others, MUTED))
    return out


def summary_chart_svg(scenario: ScenarioSummary, *, te_goal: float, brand: str) -> str:
    """Page one's chart: the recommended scenario's tax per year (bars, with the 10th-90th
    percentile as whiskers) and its tracking error after each year's trades (line)."""
    pyplot = _pyplot()
    fig, ax = pyplot.subplots(figsize=(7.2, 2.15))
    years = [y.year for y in scenario.years]
    taxes = [y.tax for y in scenario.years]
    ax.bar(years, taxes, color=brand, width=0.55, label="Estimated tax")
    lows = [y.tax_band.p10 if y.tax_band else None for y in scenario.years]
    highs = [y.tax_band.p90 if y.tax_band else None for y in scenario.years]
    if all(v is not None for v in lows + highs):
        ax.vlines(years, lows, highs, color=INK, linewidth=1.0, label="10th–90th percentile")
    ax.set_xticks(years, [f"Year {y}" for y in years])
    ax.yaxis.set_major_formatter(lambda v, _: money_short(v))
    ax.set_ylabel("Tax per year")
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    te_ax = ax.twinx()
    te_ax.spines["right"].set_visible(True)
    te = [100 * y.tracking_error for y in scenario.years]
    te_ax.plot(years, te, color="#c2572b", marker="o", linewidth=1.8, label="Tracking error")
    te_ax.axhline(100 * te_goal, color="#c2572b", linestyle=":", linewidth=1.0, label="Goal")
    te_ax.set_ylim(bottom=0, top=max(te + [100 * te_goal]) * 1.25 or 1)
    te_ax.yaxis.set_major_formatter(lambda v, _: f"{v:.1f}%")
    te_ax.set_ylabel("Tracking error")
    handles = ax.get_legend_handles_labels()
    te_handles = te_ax.get_legend_handles_labels()
    ax.legend(
        handles[0] + te_handles[0],
        handles[1] + te_handles[1],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=4,
        frameon=False,
    )
    return _svg(
        fig,
        pyplot,
        label="Tax per year and tracking error of the recommended scenario",
        prefix="summary",
    )


def years_chart_svg(
    scenarios: Sequence[ScenarioSummary], *, key: str, brand: str, te_goal: float | None = None
) -> str:
    """One line per scenario over the years (tax or tracking error), its 10th-90th percentile
    band shaded when simulated paths ran."""
    pyplot = _pyplot()
    fig, ax = pyplot.subplots(figsize=(7.4, 2.2))
    scale = 100.0 if key == "tracking_error" else 1.0
    band_key = "tax_band" if key == "tax" else "tracking_error_band"
    for s, color in zip(scenarios, _colors(scenarios, brand), strict=True):
        years = [y.year for y in s.years]
        values = [scale * getattr(y, key) for y in s.years]
        bands = [getattr(y, band_key) for y in s.years]
        if all(b is not None and b.p10 is not None for b in bands):
            ax.fill_between(
                years,
                [scale * b.p10 for b in bands],
                [scale * b.p90 for b in bands],
                color=color,
                alpha=0.14,
                linewidth=0,
            )
        ax.plot(
            years,
            values,
            color=color,
            marker="o",
            markersize=3,
            linewidth=2.2 if s.is_recommended else 1.3,
            label=s.label + (" (recommended)" if s.is_recommended else ""),
        )
    if key == "tracking_error" and te_goal is not None:
        ax.axhline(100 * te_goal, color=INK, linestyle=":", linewidth=0.9, label="Goal")
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.1f}%")
    else:
        ax.yaxis.set_major_formatter(lambda v, _: money_short(v))
    years = [y.year for y in scenarios[0].years] if scenarios else []
    ax.set_xticks(years, [f"Year {y}" for y in years])
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, frameon=False)
    label = "Tax per year" if key == "tax" else "Tracking error per year"
    return _svg(fig, pyplot, label=f"{label}, by scenario", prefix=key)


def frontier_svg(points: Sequence[FrontierPoint], *, brand: str) -> str:
    """Total tax against average tracking error: the sweep as a line of open points, the
    scenarios shown as filled points, the recommended one ringed."""
    pyplot = _pyplot()
    fig, ax = pyplot.subplots(figsize=(6.8, 2.8))
    sweep = sorted((p for p in points if not p.is_named), key=lambda p: p.total_tax)
    if sweep:
        ax.plot(
            [p.total_tax for p in sweep],
            [100 * p.mean_tracking_error for p in sweep],
            color=MUTED,
            marker="o",
            markerfacecolor="white",
            linewidth=1.0,
            label="Budgets swept",
        )
    for p in points:
        if not p.is_named:
            continue
        color = brand if p.is_recommended else "#c2572b"
        ax.scatter(
            [p.total_tax],
            [100 * p.mean_tracking_error],
            s=70 if p.is_recommended else 30,
            color=color,
            edgecolors=INK if p.is_recommended else color,
            linewidths=1.4 if p.is_recommended else 0.5,
            zorder=3,
        )
        ax.annotate(
            p.label + (" (recommended)" if p.is_recommended else ""),
            (p.total_tax, 100 * p.mean_tracking_error),
            textcoords="offset points",
            xytext=(6, 5),
            fontsize=7.5,
            color=INK,
        )
    ax.xaxis.set_major_formatter(lambda v, _: money_short(v))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.1f}%")
    ax.set_xlabel("Total tax over the horizon")
    ax.set_ylabel("Average tracking error")
    ax.grid(color=GRID, linewidth=0.6)
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    if sweep:
        ax.legend(loc="upper right", frameon=False)
    return _svg(fig, pyplot, label="Frontier: total tax against tracking error", prefix="frontier")
